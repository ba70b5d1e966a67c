"""One business day at the simulated clearing firm, from the file drop and back to it.

:func:`run_clearing_day` reads the firm's trade and money files of the day, the clearing
firm's own position and balance files of the last day it processed before, and the faults it
was told to make, books the day (:func:`~directbroker.backoffice.clearing_firm.clear_day`) and
writes its activity, position and balance files. A day already processed is left as it is
unless forced, so the end-of-day job and a person at the CLI can both run it. Days are
processed in order: not past a day whose files wait, not again behind a later day. A bad input
file is refused with its line and nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from directbroker.adapters.clearing.drop import (
    InboundDay,
    day_name,
    outbound_days,
    processed,
    processed_days,
    read_inbound,
    read_outbound,
    write_inbound,
    write_trade_files,
)
from directbroker.adapters.clearing.faults import faults_on, load_faults
from directbroker.backoffice.clearing_firm import Misbooking, clear_day, fix_date, misbook
from directbroker.backoffice.clearing_records import BalanceRecord, PositionRecord
from directbroker.backoffice.trade_file import HandOffDay
from directbroker.runtime.schedule import BusinessCalendar


class ClearingRunError(RuntimeError):
    """The day cannot be processed: ``code`` (``NO_TRADE_FILE``, ``CLEARING_NUMBER``,
    ``DAY_SKIPPED``: an earlier day's files wait, ``LATER_DAY_PROCESSED``: the clearing firm
    is past this day)."""

    def __init__(self, code: str, detail: str) -> None:
        self.code = code
        super().__init__(f"{code}: {detail}")


@dataclass(frozen=True, slots=True)
class ClearingRun:
    """What a run did: ``booked`` False when the day had been processed already."""

    date: int
    booked: bool
    inbound: InboundDay
    notes: tuple[str, ...]


def _calendar() -> BusinessCalendar:
    from directbroker.adapters.calendar import XnysCalendar

    return XnysCalendar()


def run_clearing_day(
    data_dir: Path,
    date: int,
    *,
    force: bool = False,
    calendar: BusinessCalendar | None = None,
) -> ClearingRun:
    """Have the simulated clearing firm process ``date`` (YYYYMMDD). Raises
    :class:`ClearingRunError`, or ``ClearingFileError`` naming the line of a bad file."""
    if processed(data_dir, date) and not force:
        return ClearingRun(date, False, read_inbound(data_dir, date), ("already processed",))
    try:
        outbound = read_outbound(data_dir, date)
    except FileNotFoundError as exc:
        raise ClearingRunError("NO_TRADE_FILE", f"no {Path(str(exc.filename)).name}") from None
    number = outbound.trades.clearing_number
    if outbound.money.clearing_number != number:
        raise ClearingRunError(
            "CLEARING_NUMBER",
            f"trade file {number}, money file {outbound.money.clearing_number}",
        )
    booked_days = processed_days(data_dir)
    earlier = [day for day in booked_days if day < date]
    later = [day for day in booked_days if day > date]
    if later:
        raise ClearingRunError(
            "LATER_DAY_PROCESSED", f"{day_name(later[0])} was processed after this day"
        )
    skipped = [day for day in outbound_days(data_dir) if day < date and day > (earlier or [0])[-1]]
    if skipped:
        raise ClearingRunError(
            "DAY_SKIPPED", f"{day_name(skipped[0])} has files but was not processed yet"
        )
    positions: tuple[PositionRecord, ...] = ()
    balances: tuple[BalanceRecord, ...] = ()
    if earlier:
        previous = read_inbound(data_dir, earlier[-1])
        positions, balances = previous.positions.records, previous.balances.records
    faults = load_faults(data_dir)
    fixes: list[Misbooking] = []
    notes: list[str] = []
    if any(fault.fix_after_days for fault in faults):
        calendar = calendar or _calendar()
        for fault in faults:
            if fault.fix_after_days and fix_date(fault, calendar) == date:
                try:
                    then = read_outbound(data_dir, fault.date)
                except FileNotFoundError:
                    notes.append(f"{fault.kind.value} of {fault.date}: no files of that day")
                    continue
                done = misbook(fault, then.trades.records, then.money.records)
                if done is not None:
                    fixes.append(done)
    day = clear_day(
        date,
        positions,
        balances,
        outbound.trades.records,
        outbound.money.records,
        faults_on(faults, date),
        fixes,
    )
    inbound = write_inbound(data_dir, number, day)
    return ClearingRun(date, True, inbound, (*notes, *day.notes))


def clear_ended_day(
    data_dir: Path,
    day: HandOffDay,
    clearing_number: str,
    *,
    calendar: BusinessCalendar | None = None,
) -> ClearingRun:
    """The end-of-day job: write the firm's files of a day that just ended and have the
    simulated clearing firm process them (a day it processed already is left as it was)."""
    write_trade_files(data_dir, day, clearing_number)
    return run_clearing_day(data_dir, day.date, calendar=calendar)

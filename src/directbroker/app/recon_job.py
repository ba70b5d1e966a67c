"""One business day's reconciliation with the clearing firm, end to end: read the clearing
firm's inbound files of the day, compare them with the books' day close, age the breaks
against the previous report and persist the day's report.

The same function serves the end-of-day job in ``serve`` (which holds the books as they close
the day) and ``directbroker backoffice recon`` (which folds them from the journal). It is
idempotent: the previous report it ages against is always one of an earlier day, so running a
day twice writes the same report.

The clearing firm's inbound files are parsed by :mod:`directbroker.adapters.clearing.drop`
(a bad file is refused naming its line) and read in exactly one place, :func:`_read_inbound`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from directbroker.adapters.clearing.drop import inbound_dir, read_inbound
from directbroker.backoffice import break_report
from directbroker.backoffice.books import BookedExecution, CashMovement, DayClose
from directbroker.backoffice.break_ageing import Ageing, age
from directbroker.backoffice.clearing_files import ClearingFileError
from directbroker.backoffice.clearing_records import ActivityRecord, BalanceRecord, PositionRecord
from directbroker.backoffice.recon import Break, reconcile
from directbroker.backoffice.trade_file import HandOffDay
from directbroker.runtime.schedule import BusinessCalendar, to_date


class InboundError(ValueError):
    """The clearing firm's files of a day are missing or unusable. ``code`` is stable; the
    message names the file and, for a bad record, its line."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


@dataclass(frozen=True, slots=True)
class Inbound:
    """The clearing firm's files of one day, parsed."""

    activity: tuple[ActivityRecord, ...]
    positions: tuple[PositionRecord, ...]
    balances: tuple[BalanceRecord, ...]


@dataclass(frozen=True, slots=True)
class ReconResult:
    """A day's reconciliation: today's comparison, the aged report and where it was written."""

    date: int
    breaks: tuple[Break, ...]
    ageing: Ageing
    path: Path

    @property
    def clean(self) -> bool:
        """Whether no break is open (none today and none carried from earlier days)."""
        return not self.ageing.open


def inbound_folder(data_dir: Path, day: int) -> Path:
    """Where the clearing firm's files of ``day`` are delivered."""
    return inbound_dir(data_dir, day)


def _read_inbound(data_dir: Path, day: int) -> Inbound:
    """The clearing firm's activity, position and balance files of ``day``."""
    try:
        found = read_inbound(data_dir, day)
    except FileNotFoundError as exc:
        raise InboundError(
            "INBOUND_MISSING", f"no clearing files for {to_date(day)}: {exc}"
        ) from exc
    except ClearingFileError as exc:
        raise InboundError(exc.code.value, str(exc)) from exc
    return Inbound(found.activity.records, found.positions.records, found.balances.records)


# -- the day's run -------------------------------------------------------------------------


def run_recon_day(
    data_dir: Path,
    day: int,
    executions: Sequence[BookedExecution],
    movements: Sequence[CashMovement],
    close: DayClose,
    calendar: BusinessCalendar | None = None,
    *,
    accounts: Collection[str] | None = None,
) -> ReconResult:
    """Reconcile ``day`` against the clearing firm's files in ``data_dir``, age the breaks
    against the latest earlier report and write the day's report. Raises
    :class:`InboundError` (and writes nothing) when the files are missing or bad, and
    :class:`~directbroker.backoffice.break_report.ReportError` when the earlier report is.
    ``calendar`` ages the breaks (the XNYS calendar when None); ``accounts`` limits our side
    to the accounts carried at the clearing firm (all of the books' when None)."""
    if calendar is None:
        from directbroker.adapters.calendar import XnysCalendar

        calendar = XnysCalendar()
    if close.date != day:
        raise ValueError(f"the day close is of {close.date}, not {day}")
    inbound = _read_inbound(data_dir, day)
    previous = break_report.previous_report(data_dir, day)
    breaks = reconcile(
        day, executions, movements, close, inbound.activity, inbound.positions,
        inbound.balances, accounts=accounts,
    )  # fmt: skip
    ageing = age(day, breaks, previous.open if previous is not None else (), calendar)
    path = break_report.write_report(data_dir, ageing)
    return ReconResult(day, tuple(breaks), ageing, path)


def run_recon_for_books(
    data_dir: Path, close: DayClose, day: HandOffDay, calendar: BusinessCalendar | None = None
) -> ReconResult:
    """:func:`run_recon_day` for the books standing at the end of ``close``'s day, against
    what the day's files carried to the clearing firm (the executions and movements the books
    recorded since the previous day's end: the window the clearing firm booked)."""
    return run_recon_day(data_dir, close.date, day.executions, day.movements, close, calendar)

"""One business day's reconciliation with the clearing firm, end to end: read the clearing
firm's inbound files of the day, compare them with the books' day close, age the breaks
against the previous report and persist the day's report.

The same function serves the end-of-day job in ``serve`` (which holds the books as they close
the day) and ``directbroker backoffice recon`` (which folds them from the journal). It is
idempotent: the previous report it ages against is always one of an earlier day, so running a
day twice writes the same report.

The clearing firm's inbound files are read in exactly one place, :func:`_read_inbound`.
"""

from __future__ import annotations

import csv
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from directbroker.backoffice import break_report
from directbroker.backoffice.books import BookedExecution, CashMovement, DayClose, FirmBooks
from directbroker.backoffice.break_ageing import Ageing, age
from directbroker.backoffice.clearing_records import ActivityRecord, BalanceRecord, PositionRecord
from directbroker.backoffice.recon import Break, reconcile
from directbroker.domain.numbers import PRICE_SCALE
from directbroker.runtime.schedule import BusinessCalendar, to_date

INBOUND_FOLDER = ("backoffice", "clearing", "inbound")
ACTIVITY_FILE = "activity.csv"
POSITIONS_FILE = "positions.csv"
BALANCES_FILE = "balances.csv"
ACTIVITY_COLUMNS = (
    "reference", "account", "kind", "symbol", "side", "quantity", "price", "net_amount",
    "business_date",
)  # fmt: skip
POSITION_COLUMNS = ("account", "symbol", "quantity", "as_of")
BALANCE_COLUMNS = ("account", "cash", "as_of")


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
    return data_dir.joinpath(*INBOUND_FOLDER, to_date(day).isoformat())


# -- reading the clearing firm's files (the one place) -------------------------------------


def _read_inbound(data_dir: Path, day: int) -> Inbound:
    """The clearing firm's activity, position and balance files of ``day``."""
    folder = inbound_folder(data_dir, day)
    activity = [
        ActivityRecord(
            row["reference"],
            row["account"],
            row["kind"],
            row["symbol"],
            row["side"],
            _int(row, "quantity"),
            _money(row, "price"),
            _money(row, "net_amount"),
            _day(row, "business_date", day),
        )
        for row in _rows(folder / ACTIVITY_FILE, ACTIVITY_COLUMNS)
    ]
    positions = [
        PositionRecord(
            row["account"], row["symbol"], _int(row, "quantity"), _day(row, "as_of", day)
        )
        for row in _rows(folder / POSITIONS_FILE, POSITION_COLUMNS)
    ]
    balances = [
        BalanceRecord(row["account"], _money(row, "cash"), _day(row, "as_of", day))
        for row in _rows(folder / BALANCES_FILE, BALANCE_COLUMNS)
    ]
    return Inbound(tuple(activity), tuple(positions), tuple(balances))


class _Row(dict[str, str]):
    where: str = ""


def _rows(path: Path, columns: Sequence[str]) -> list[_Row]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise InboundError(
            "INBOUND_MISSING", f"{path.name}: no such file in {path.parent}"
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InboundError("INBOUND_UNREADABLE", f"{path.name}: {exc}") from exc
    lines = csv.reader(text.splitlines())
    header = next(lines, None)
    if header is None or tuple(header) != tuple(columns):
        raise InboundError(
            "INBOUND_BAD_HEADER", f"{path.name} line 1: expected {','.join(columns)}"
        )
    rows: list[_Row] = []
    for number, cells in enumerate(lines, start=2):
        if not cells:
            continue
        if len(cells) != len(columns):
            raise InboundError(
                "INBOUND_BAD_RECORD",
                f"{path.name} line {number}: {len(cells)} fields, expected {len(columns)}",
            )
        row = _Row(zip(columns, (cell.strip() for cell in cells), strict=True))
        row.where = f"{path.name} line {number}"
        rows.append(row)
    return rows


def _int(row: _Row, name: str) -> int:
    try:
        return int(row[name])
    except ValueError as exc:
        raise InboundError(
            "INBOUND_BAD_RECORD", f"{row.where}: {name} {row[name]!r} is not a whole number"
        ) from exc


def _money(row: _Row, name: str) -> int:
    try:
        scaled = Decimal(row[name]) * PRICE_SCALE
    except InvalidOperation:
        scaled = Decimal("NaN")
    if not scaled.is_finite() or scaled != scaled.to_integral_value():
        raise InboundError(
            "INBOUND_BAD_RECORD", f"{row.where}: {name} {row[name]!r} is not an amount"
        )
    return int(scaled)


def _day(row: _Row, name: str, expected: int) -> int:
    try:
        found = break_report.parse_iso(row[name])
    except ValueError as exc:
        raise InboundError(
            "INBOUND_BAD_RECORD", f"{row.where}: {name} {row[name]!r} is not YYYY-MM-DD"
        ) from exc
    if found != expected:
        raise InboundError(
            "INBOUND_WRONG_DAY",
            f"{row.where}: {name} {row[name]} is not {to_date(expected).isoformat()}",
        )
    return found


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
    data_dir: Path, close: DayClose, books: FirmBooks, calendar: BusinessCalendar | None = None
) -> ReconResult:
    """:func:`run_recon_day` for the books standing at the end of ``close``'s day (what the
    books' ``on_day_end`` listener receives)."""
    day = close.date
    return run_recon_day(
        data_dir, day, books.executions.get(day, ()), books.movements.get(day, ()), close,
        calendar,
    )  # fmt: skip

"""The CSV layouts of the clearing hand-off: writers and strict parsers for the five files.

The firm sends the clearing firm a trade file and a money file each business day; the clearing
firm sends back activity, position and balance files (the records are in
:mod:`.clearing_records`; the layouts are documented in ``docs/clearing-files.md``). Every file
is framed the same way, so that a wrong, stale or cut-off file is refused before anything reads
its records:

- a header line ``H,<KIND>,<clearing number>,<YYYYMMDD business date>,<record count>``;
- the column-name line of the layout;
- one line per record;
- a trailer line ``T,<record count>``, the last line, ending in a newline.

A file whose last line is not the trailer (it was cut off) or whose counts disagree with the
records is a ``COUNT_MISMATCH``. Every refusal is a :class:`ClearingFileError` with a stable
code, the file's name, the line number and the field, and nothing is returned: a caller either
gets every record or none. Money is written as dollars with a point, never a float: prices with
four decimals, cash with two (four when an amount is not a whole number of cents).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from enum import Enum
from typing import Any, Generic, TypeVar

from directbroker.backoffice import clearing_fields as cf
from directbroker.backoffice.clearing_records import (
    ActivityRecord,
    BalanceRecord,
    MoneyRecord,
    PositionRecord,
    ShortMarking,
    TradeRecord,
)


class FileKind(str, Enum):
    """The five files of the hand-off (the header's second field)."""

    TRADES = "TRADES"
    MONEY = "MONEY"
    ACTIVITY = "ACTIVITY"
    POSITIONS = "POSITIONS"
    BALANCES = "BALANCES"


class ErrorCode(str, Enum):
    """Why a clearing file was refused."""

    BAD_ENCODING = "BAD_ENCODING"
    BAD_HEADER = "BAD_HEADER"
    BAD_COLUMNS = "BAD_COLUMNS"
    BAD_LINE = "BAD_LINE"
    BAD_FIELD = "BAD_FIELD"
    WRONG_DATE = "WRONG_DATE"
    DUPLICATE_KEY = "DUPLICATE_KEY"
    COUNT_MISMATCH = "COUNT_MISMATCH"
    UNWRITABLE = "UNWRITABLE"


class ClearingFileError(ValueError):
    """A clearing file that cannot be written or read: ``code``, ``file``, ``line`` (1-based,
    0 for the whole file), ``field`` (empty when not one field) and a human ``detail``."""

    def __init__(self, code: ErrorCode, file: str, line: int, field: str, detail: str) -> None:
        self.code = code
        self.file = file
        self.line = line
        self.field = field
        self.detail = detail
        where = f"{file} line {line}" + (f" field {field}" if field else "")
        super().__init__(f"{code.value}: {where}: {detail}")


# -- layouts ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Column:
    """One column: the record field it fills, how it is read, and how it is written."""

    name: str
    parse: Callable[[str], Any]
    write: Callable[[Any], str] = cf.format_value


R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class Layout(Generic[R]):
    """A file's layout: its kind, its record type, its columns, and what makes a line unique."""

    kind: FileKind
    record: type[R]
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    """Fields no two records may share (empty: duplicates allowed, as in an activity file,
    where a clearing firm's double booking must reach the reconciliation)."""
    day: str
    """The column holding each record's date."""
    earlier: bool = False
    """Whether a record may be of an earlier date than the file's: the firm's files carry
    what its books recorded since the previous day's end, which includes an as-of trade or
    a transfer recorded after the end of its own business day. Otherwise it is the file's."""

    @property
    def header(self) -> str:
        """The column-name line."""
        return ",".join(column.name for column in self.columns)


def _cash(name: str) -> Column:
    return Column(name, cf.cash, cf.format_cash_field)


def _price(name: str, parse: Callable[[str], int] = cf.price) -> Column:
    return Column(name, parse, cf.format_price_field)


_C = Column
TRADES: Layout[TradeRecord] = Layout(
    FileKind.TRADES,
    TradeRecord,
    (
        _C("execution_id", cf.required), _C("order_id", cf.text), _C("account", cf.required),
        _C("side", cf.side), _C("marking", cf.marking), _C("quantity", cf.positive),
        _price("price", cf.trade_price), _C("symbol", cf.required), _C("capacity", cf.capacity),
        _cash("commission"), _cash("sec_fee"), _cash("taf_fee"), _cash("net_amount"),
        _C("trade_date", cf.date), _C("settlement_date", cf.date), _C("venue", cf.text),
    ),
    ("execution_id",),
    "trade_date",
    earlier=True,
)  # fmt: skip
MONEY: Layout[MoneyRecord] = Layout(
    FileKind.MONEY,
    MoneyRecord,
    (
        _C("reference", cf.required), _C("account", cf.required), _C("kind", cf.required),
        _cash("amount"), _C("business_date", cf.date),
    ),
    ("reference", "account", "kind"),
    "business_date",
    earlier=True,
)  # fmt: skip
ACTIVITY: Layout[ActivityRecord] = Layout(
    FileKind.ACTIVITY,
    ActivityRecord,
    (
        _C("reference", cf.required), _C("account", cf.required), _C("kind", cf.required),
        _C("symbol", cf.text), _C("side", cf.side_or_empty), _C("quantity", cf.whole),
        _price("price"), _cash("net_amount"), _C("business_date", cf.date),
    ),
    (),
    "business_date",
)  # fmt: skip
POSITIONS: Layout[PositionRecord] = Layout(
    FileKind.POSITIONS,
    PositionRecord,
    (
        _C("account", cf.required), _C("symbol", cf.required), _C("quantity", cf.whole),
        _C("as_of", cf.date),
    ),
    ("account", "symbol"),
    "as_of",
)  # fmt: skip
BALANCES: Layout[BalanceRecord] = Layout(
    FileKind.BALANCES,
    BalanceRecord,
    (_C("account", cf.required), _cash("cash"), _C("as_of", cf.date)),
    ("account",),
    "as_of",
)
LAYOUTS: dict[FileKind, Layout[Any]] = {
    layout.kind: layout for layout in (TRADES, MONEY, ACTIVITY, POSITIONS, BALANCES)
}

for _layout in LAYOUTS.values():
    assert [c.name for c in _layout.columns] == [f.name for f in fields(_layout.record)]


def _check_record(layout: Layout[Any], record: Any) -> None:
    """Rules across fields (a buy has no short marking, a sale has one)."""
    if isinstance(record, TradeRecord):
        if record.side == "buy" and record.marking is not ShortMarking.NONE:
            raise cf.BadValue("a buy carries no short-sale marking")
        if record.side == "sell" and record.marking is ShortMarking.NONE:
            raise cf.BadValue("a sale is marked long, short or short_exempt")
        if record.settlement_date < record.trade_date:
            raise cf.BadValue("settles before its trade date")


@dataclass(frozen=True, slots=True)
class ClearingFile(Generic[R]):
    """A whole file: its header's kind, clearing number and business date, and its records."""

    kind: FileKind
    clearing_number: str
    business_date: int
    records: tuple[R, ...]


# -- writing ----------------------------------------------------------------------------------


def write_file(
    layout: Layout[R], clearing_number: str, business_date: int, records: Iterable[R]
) -> str:
    """The text of a file. Raises :class:`ClearingFileError` (``UNWRITABLE``) for a record that
    would not read back (a comma in a field, a date not the file's ...), so that whatever is
    written parses."""
    name = f"{layout.kind.value.lower()} file"
    rows = list(records)
    lines = [
        f"H,{layout.kind.value},{clearing_number},{business_date},{len(rows)}",
        layout.header,
    ]
    for record in rows:
        lines.append(
            ",".join(column.write(getattr(record, column.name)) for column in layout.columns)
        )
    lines.append(f"T,{len(rows)}")
    text = "\n".join(lines) + "\n"
    try:
        parse_file(layout, text, name)
    except ClearingFileError as exc:
        detail = f"{exc.code.value}: {exc.detail}"
        raise ClearingFileError(ErrorCode.UNWRITABLE, name, exc.line, exc.field, detail) from exc
    return text


# -- reading ----------------------------------------------------------------------------------


def parse_bytes(layout: Layout[R], data: bytes, name: str, **expect: Any) -> ClearingFile[R]:
    """:func:`parse_file` on a file's bytes (UTF-8; a bad byte names its line)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ClearingFileError(ErrorCode.BAD_ENCODING, name, line, "", "not UTF-8") from None
    return parse_file(layout, text, name, **expect)


def parse_file(
    layout: Layout[R],
    text: str,
    name: str,
    *,
    clearing_number: str | None = None,
    business_date: int | None = None,
) -> ClearingFile[R]:
    """Every record of a file, or a :class:`ClearingFileError` naming the first bad line.

    ``name`` is how errors name the file; ``clearing_number`` and ``business_date``, when
    given, must be the header's."""

    def fail(code: ErrorCode, line: int, detail: str, field: str = "") -> ClearingFileError:
        return ClearingFileError(code, name, line, field, detail)

    lines = text.split("\n")
    if lines[-1] != "":
        raise fail(ErrorCode.COUNT_MISMATCH, len(lines), "the file is cut off: no final newline")
    lines.pop()
    lines = [line[:-1] if line.endswith("\r") else line for line in lines]
    if not lines:
        raise fail(ErrorCode.BAD_HEADER, 1, "the file is empty")
    kind, number, date, count = _header(layout, lines[0], fail)
    if clearing_number is not None and number != clearing_number:
        raise fail(ErrorCode.BAD_HEADER, 1, f"clearing number {number}, not {clearing_number}")
    if business_date is not None and date != business_date:
        raise fail(ErrorCode.WRONG_DATE, 1, f"business date {date}, not {business_date}")
    trailer = lines[-1].split(",") if len(lines) > 1 else []
    if len(trailer) != 2 or trailer[0] != "T":
        raise fail(ErrorCode.COUNT_MISMATCH, len(lines), "the file is cut off: no trailer line")
    if len(lines) < 3 or lines[1] != layout.header:
        raise fail(ErrorCode.BAD_COLUMNS, 2, f"the column line is not {layout.header!r}")
    body = lines[2:-1]
    if not cf.WHOLE.match(trailer[1]) or int(trailer[1]) != count or len(body) != count:
        raise fail(
            ErrorCode.COUNT_MISMATCH,
            len(lines),
            f"the header says {count} records, the trailer {trailer[1]!r}, the file holds "
            f"{len(body)}",
        )
    records: list[R] = []
    seen: dict[tuple[object, ...], int] = {}
    for number_, line in enumerate(body, start=3):
        record = _record(layout, line, number_, fail)
        day = getattr(record, layout.day)
        if day > date or (day < date and not layout.earlier):
            after = "after" if day > date else "before"
            raise fail(
                ErrorCode.WRONG_DATE, number_, f"{day} is {after} the file's date {date}",
                layout.day,
            )  # fmt: skip
        if layout.key:
            key = tuple(getattr(record, part) for part in layout.key)
            if key in seen:
                raise fail(
                    ErrorCode.DUPLICATE_KEY, number_,
                    f"{'/'.join(map(str, key))} is already on line {seen[key]}",
                    "/".join(layout.key),
                )  # fmt: skip
            seen[key] = number_
        records.append(record)
    return ClearingFile(kind, number, date, tuple(records))


def _header(
    layout: Layout[Any], line: str, fail: Callable[..., ClearingFileError]
) -> tuple[FileKind, str, int, int]:
    parts = line.split(",")
    if len(parts) != 5 or parts[0] != "H":
        raise fail(ErrorCode.BAD_HEADER, 1, "not H,KIND,CLEARING_NUMBER,YYYYMMDD,COUNT")
    if parts[1] != layout.kind.value:
        raise fail(ErrorCode.BAD_HEADER, 1, f"a {parts[1]!r} file, not {layout.kind.value}")
    if not re.match(r"^[0-9A-Za-z]{1,10}$", parts[2]):
        raise fail(ErrorCode.BAD_HEADER, 1, f"clearing number {parts[2]!r}")
    try:
        date = cf.date(parts[3])
        count = cf.whole(parts[4])
    except cf.BadValue as exc:
        raise fail(ErrorCode.BAD_HEADER, 1, str(exc)) from None
    if count < 0:
        raise fail(ErrorCode.BAD_HEADER, 1, f"record count {count}")
    return layout.kind, parts[2], date, count


def _record(layout: Layout[R], line: str, number: int, fail: Callable[..., ClearingFileError]) -> R:
    parts = line.split(",")
    if len(parts) != len(layout.columns):
        raise fail(
            ErrorCode.BAD_LINE, number, f"{len(parts)} fields, the layout has {len(layout.columns)}"
        )
    values: dict[str, Any] = {}
    for column, raw in zip(layout.columns, parts, strict=True):
        try:
            values[column.name] = column.parse(raw)
        except cf.BadValue as exc:
            raise fail(ErrorCode.BAD_FIELD, number, str(exc), column.name) from None
    record = layout.record(**values)
    try:
        _check_record(layout, record)
    except cf.BadValue as exc:
        raise fail(ErrorCode.BAD_LINE, number, str(exc)) from None
    return record

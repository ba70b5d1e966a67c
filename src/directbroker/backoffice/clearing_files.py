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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from enum import Enum
from typing import Any, Generic, TypeVar

from directbroker.backoffice.clearing_records import (
    ActivityRecord,
    BalanceRecord,
    MoneyRecord,
    PositionRecord,
    ShortMarking,
    TradeRecord,
)
from directbroker.runtime.schedule import to_date


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


# -- values -----------------------------------------------------------------------------------

_TEXT = re.compile(r"^[^,\"\r\n\x00-\x1f]*$")
_INT = re.compile(r"^-?[0-9]{1,12}$")
_PRICE = re.compile(r"^[0-9]{1,9}\.[0-9]{4}$")
_CASH = re.compile(r"^-?[0-9]{1,15}\.[0-9]{2}([0-9]{2})?$")
_DATE = re.compile(r"^[0-9]{8}$")


class _Bad(ValueError):
    """A value that does not fit its column (turned into a ClearingFileError with the line)."""


def _text(raw: str) -> str:
    if raw != raw.strip() or not _TEXT.match(raw):
        raise _Bad(f"{raw!r} has spaces at an end, a comma, a quote or a control character")
    return raw


def _required(raw: str) -> str:
    if not raw:
        raise _Bad("is empty")
    return _text(raw)


def _int(raw: str) -> int:
    if not _INT.match(raw):
        raise _Bad(f"{raw!r} is not a whole number")
    return int(raw)


def _positive(raw: str) -> int:
    value = _int(raw)
    if value <= 0:
        raise _Bad(f"{raw!r} is not a positive number")
    return value


def _price(raw: str) -> int:
    if not _PRICE.match(raw):
        raise _Bad(f"{raw!r} is not a price in dollars with four decimals (12.3400)")
    return int(raw.replace(".", ""))


def _cash(raw: str) -> int:
    if not _CASH.match(raw):
        raise _Bad(f"{raw!r} is not an amount in dollars with two decimals (-1234.50)")
    whole, _, cents = raw.partition(".")
    units = int(whole.lstrip("-") + cents.ljust(4, "0"))
    return -units if raw.startswith("-") else units


def _trade_price(raw: str) -> int:
    value = _price(raw)
    if value <= 0:
        raise _Bad(f"{raw!r} is not a positive price")
    return value


def _date(raw: str) -> int:
    if not _DATE.match(raw):
        raise _Bad(f"{raw!r} is not a date YYYYMMDD")
    value = int(raw)
    try:
        to_date(value)
    except ValueError as exc:
        raise _Bad(f"{raw!r} is not a calendar date") from exc
    return value


def _side(raw: str) -> str:
    if raw not in ("buy", "sell"):
        raise _Bad(f"{raw!r} is not buy or sell")
    return raw


def _side_or_empty(raw: str) -> str:
    return raw if raw == "" else _side(raw)


def _marking(raw: str) -> ShortMarking:
    try:
        return ShortMarking(raw)
    except ValueError:
        raise _Bad(f"{raw!r} is not empty, long, short or short_exempt") from None


def _capacity(raw: str) -> str:
    if raw not in ("A", "P"):
        raise _Bad(f"{raw!r} is not A (agency) or P (principal)")
    return raw


def format_price_field(units: int) -> str:
    """A price as the files write it: dollars with four decimals."""
    if units < 0:
        raise ValueError(f"negative price {units}")
    return f"{units // 10_000}.{units % 10_000:04d}"


def format_cash_field(units: int) -> str:
    """Cash as the files write it: dollars with two decimals (four when not whole cents)."""
    sign = "-" if units < 0 else ""
    whole, fraction = divmod(abs(units), 10_000)
    text = f"{fraction:04d}"
    return f"{sign}{whole}.{text[:2] if text.endswith('00') else text}"


def _format(value: object) -> str:
    if isinstance(value, ShortMarking):
        return value.value
    return str(value)


# -- layouts ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Column:
    """One column: the record field it fills, how it is read, and how it is written."""

    name: str
    parse: Callable[[str], Any]
    write: Callable[[Any], str] = _format


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


_P = Column
TRADES: Layout[TradeRecord] = Layout(
    FileKind.TRADES,
    TradeRecord,
    (
        _P("execution_id", _required), _P("order_id", _text), _P("account", _required),
        _P("side", _side), _P("marking", _marking), _P("quantity", _positive),
        _P("price", _trade_price, format_price_field), _P("symbol", _required),
        _P("capacity", _capacity), _P("commission", _cash, format_cash_field),
        _P("sec_fee", _cash, format_cash_field), _P("taf_fee", _cash, format_cash_field),
        _P("net_amount", _cash, format_cash_field), _P("trade_date", _date),
        _P("settlement_date", _date), _P("venue", _text),
    ),
    ("execution_id",),
    "trade_date",
    earlier=True,
)  # fmt: skip
MONEY: Layout[MoneyRecord] = Layout(
    FileKind.MONEY,
    MoneyRecord,
    (
        _P("reference", _required), _P("account", _required), _P("kind", _required),
        _P("amount", _cash, format_cash_field), _P("business_date", _date),
    ),
    ("reference", "account", "kind"),
    "business_date",
    earlier=True,
)  # fmt: skip
ACTIVITY: Layout[ActivityRecord] = Layout(
    FileKind.ACTIVITY,
    ActivityRecord,
    (
        _P("reference", _required), _P("account", _required), _P("kind", _required),
        _P("symbol", _text), _P("side", _side_or_empty), _P("quantity", _int),
        _P("price", _price, format_price_field), _P("net_amount", _cash, format_cash_field),
        _P("business_date", _date),
    ),
    (),
    "business_date",
)  # fmt: skip
POSITIONS: Layout[PositionRecord] = Layout(
    FileKind.POSITIONS,
    PositionRecord,
    (_P("account", _required), _P("symbol", _required), _P("quantity", _int), _P("as_of", _date)),
    ("account", "symbol"),
    "as_of",
)
BALANCES: Layout[BalanceRecord] = Layout(
    FileKind.BALANCES,
    BalanceRecord,
    (_P("account", _required), _P("cash", _cash, format_cash_field), _P("as_of", _date)),
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
            raise _Bad("a buy carries no short-sale marking")
        if record.side == "sell" and record.marking is ShortMarking.NONE:
            raise _Bad("a sale is marked long, short or short_exempt")
        if record.settlement_date < record.trade_date:
            raise _Bad("settles before its trade date")


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
        raise ClearingFileError(ErrorCode.UNWRITABLE, name, exc.line, exc.field, str(exc)) from exc
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
    if not _INT.match(trailer[1]) or int(trailer[1]) != count or len(body) != count:
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
        date = _date(parts[3])
        count = _int(parts[4])
    except _Bad as exc:
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
        except _Bad as exc:
            raise fail(ErrorCode.BAD_FIELD, number, str(exc), column.name) from None
    record = layout.record(**values)
    try:
        _check_record(layout, record)
    except _Bad as exc:
        raise fail(ErrorCode.BAD_LINE, number, str(exc)) from None
    return record


def parse_records(layout: Layout[R], text: str, name: str) -> Sequence[R]:
    """Just the records of a file (see :func:`parse_file`)."""
    return parse_file(layout, text, name).records

"""The values in the clearing files' columns: how each kind is read, strictly, and written.

Money is written as dollars with a point and read back into integers of $0.0001, never through
a float: prices with four decimals, cash with two (four when an amount is not a whole number of
cents). A value that does not fit raises :class:`BadValue`, which the file parser turns into an
error naming the line and the column (:mod:`.clearing_files`).
"""

from __future__ import annotations

import re

from directbroker.backoffice.clearing_records import ShortMarking
from directbroker.runtime.schedule import to_date

_TEXT = re.compile(r"^[^,\"\r\n\x00-\x1f]*$")
WHOLE = re.compile(r"^-?[0-9]{1,12}$")
"""A whole number as the files write it (a count, a quantity)."""
_PRICE = re.compile(r"^[0-9]{1,9}\.[0-9]{4}$")
_CASH = re.compile(r"^-?[0-9]{1,15}\.[0-9]{2}([0-9]{2})?$")
_DATE = re.compile(r"^[0-9]{8}$")


class BadValue(ValueError):
    """A value that does not fit its column (turned into a ClearingFileError with the line)."""


def text(raw: str) -> str:
    """Text: no comma, quote or control character, no space at either end (may be empty)."""
    if raw != raw.strip() or not _TEXT.match(raw):
        raise BadValue(f"{raw!r} has spaces at an end, a comma, a quote or a control character")
    return raw


def required(raw: str) -> str:
    """Text that is not empty."""
    if not raw:
        raise BadValue("is empty")
    return text(raw)


def whole(raw: str) -> int:
    """A whole number, maybe negative."""
    if not WHOLE.match(raw):
        raise BadValue(f"{raw!r} is not a whole number")
    return int(raw)


def positive(raw: str) -> int:
    """A whole number above zero."""
    value = whole(raw)
    if value <= 0:
        raise BadValue(f"{raw!r} is not a positive number")
    return value


def price(raw: str) -> int:
    """Dollars with four decimals, in $0.0001 units."""
    if not _PRICE.match(raw):
        raise BadValue(f"{raw!r} is not a price in dollars with four decimals (12.3400)")
    return int(raw.replace(".", ""))


def cash(raw: str) -> int:
    """Dollars with two decimals (or four), maybe negative, in $0.0001 units."""
    if not _CASH.match(raw):
        raise BadValue(f"{raw!r} is not an amount in dollars with two decimals (-1234.50)")
    whole, _, cents = raw.partition(".")
    units = int(whole.lstrip("-") + cents.ljust(4, "0"))
    return -units if raw.startswith("-") else units


def trade_price(raw: str) -> int:
    """A price above zero."""
    value = price(raw)
    if value <= 0:
        raise BadValue(f"{raw!r} is not a positive price")
    return value


def date(raw: str) -> int:
    """A calendar date written YYYYMMDD."""
    if not _DATE.match(raw):
        raise BadValue(f"{raw!r} is not a date YYYYMMDD")
    value = int(raw)
    try:
        to_date(value)
    except ValueError as exc:
        raise BadValue(f"{raw!r} is not a calendar date") from exc
    return value


def side(raw: str) -> str:
    """``buy`` or ``sell``."""
    if raw not in ("buy", "sell"):
        raise BadValue(f"{raw!r} is not buy or sell")
    return raw


def side_or_empty(raw: str) -> str:
    """A side, or empty (a cash line)."""
    return raw if raw == "" else side(raw)


def marking(raw: str) -> ShortMarking:
    """A Reg SHO marking (empty for a buy)."""
    try:
        return ShortMarking(raw)
    except ValueError:
        raise BadValue(f"{raw!r} is not empty, long, short or short_exempt") from None


def capacity(raw: str) -> str:
    """``A`` agency or ``P`` principal."""
    if raw not in ("A", "P"):
        raise BadValue(f"{raw!r} is not A (agency) or P (principal)")
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


def format_value(value: object) -> str:
    """Any other value as text (a marking by its value)."""
    if isinstance(value, ShortMarking):
        return value.value
    return str(value)

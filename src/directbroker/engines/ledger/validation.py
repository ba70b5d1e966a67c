"""Field checks shared by the ledger handlers.

Commands arrive from a journal, so any field may hold anything msgpack can carry; each handler
checks every field it uses before it changes anything, and a failed check is a
:class:`Rejection` the core turns into a ``LedgerRejected`` event.
"""

from __future__ import annotations

from enum import Enum
from typing import TypeVar

from directbroker.domain.numbers import MAX_PRICE, MAX_QUANTITY
from directbroker.domain.rejects import RejectCode

MAX_ID_LENGTH = 64
MAX_TEXT_LENGTH = 256

_E = TypeVar("_E", bound=Enum)


class Rejection(Exception):
    """A command the core refuses; raised before any state changes."""

    def __init__(self, code: RejectCode, detail: str = "") -> None:
        super().__init__(f"{code.number} {detail}")
        self.code = code
        self.detail = detail


def require_id(value: object, field: str) -> str:
    """A non-empty identifier of at most 64 characters without ':' (it names book accounts)."""
    if type(value) is not str or not 0 < len(value) <= MAX_ID_LENGTH or ":" in value:
        raise Rejection(RejectCode.INVALID_ID, f"{field} {value!r}")
    return value


def require_text(value: object, field: str) -> str:
    """Free text of bounded length (may be empty)."""
    if type(value) is not str or len(value) > MAX_TEXT_LENGTH:
        raise Rejection(RejectCode.MALFORMED, f"{field} must be text")
    return value


def require_int(value: object, field: str, code: RejectCode = RejectCode.MALFORMED) -> int:
    """An int that is not a bool."""
    if type(value) is not int:
        raise Rejection(code, f"{field} {value!r} is not an integer")
    return value


def require_enum(value: object, enum_type: type[_E], field: str) -> _E:
    """A member of ``enum_type``."""
    if not isinstance(value, enum_type):
        raise Rejection(RejectCode.MALFORMED, f"{field} {value!r}")
    return value


def require_date(value: object, field: str) -> int:
    """A plausible YYYYMMDD int (the calendar decides whether it is a business day)."""
    if type(value) is not int or not 19000101 <= value <= 99991231:
        raise Rejection(RejectCode.INVALID_DATE, f"{field} {value!r}")
    month, day = value // 100 % 100, value % 100
    if not (1 <= month <= 12 and 1 <= day <= 31):
        raise Rejection(RejectCode.INVALID_DATE, f"{field} {value!r}")
    return value


def require_symbol(value: object) -> str:
    """An upper-case ticker of at most 12 characters (letters, digits, '.', '-', '/')."""
    if (
        type(value) is not str
        or not 0 < len(value) <= 12
        or not all(c.isascii() and (c.isupper() or c.isdigit() or c in ".-/") for c in value)
    ):
        raise Rejection(RejectCode.UNKNOWN_SYMBOL, f"symbol {value!r}")
    return value


def require_price(value: object) -> int:
    """A positive price within the venues' range."""
    price = require_int(value, "price", RejectCode.PRICE_OUT_OF_RANGE)
    if not 0 < price <= MAX_PRICE:
        raise Rejection(RejectCode.PRICE_OUT_OF_RANGE, f"price {price}")
    return price


def require_quantity(value: object) -> int:
    """A positive whole number of shares within the venues' range."""
    quantity = require_int(value, "quantity", RejectCode.QUANTITY_NOT_INTEGRAL)
    if quantity <= 0:
        raise Rejection(RejectCode.QUANTITY_NOT_POSITIVE, f"quantity {quantity}")
    if quantity > MAX_QUANTITY:
        raise Rejection(RejectCode.QUANTITY_TOO_LARGE, f"quantity {quantity}")
    return quantity

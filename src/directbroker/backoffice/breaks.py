"""The vocabulary of a reconciliation break: its stable code, what its figures count, and
how it reads. Shared by the reconciliation that finds breaks, the ageing that follows them
from day to day and the report that shows them, so that a break persisted one day reads back
the same the next.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from directbroker.domain.numbers import PRICE_SCALE


class BreakCode(str, Enum):
    """What kind of difference a break is. The values are stable: reports and ageing key on
    them."""

    MISSING_AT_CLEARING = "MISSING_AT_CLEARING"
    UNKNOWN_AT_CLEARING = "UNKNOWN_AT_CLEARING"
    DUPLICATE_AT_CLEARING = "DUPLICATE_AT_CLEARING"
    PRICE_MISMATCH = "PRICE_MISMATCH"
    QUANTITY_MISMATCH = "QUANTITY_MISMATCH"
    ACCOUNT_MISMATCH = "ACCOUNT_MISMATCH"
    AMOUNT_MISMATCH = "AMOUNT_MISMATCH"
    POSITION_BREAK = "POSITION_BREAK"
    CASH_BREAK = "CASH_BREAK"

    @property
    def item_level(self) -> bool:
        """Whether the break is about one execution or movement (not a day-end holding)."""
        return self not in (BreakCode.POSITION_BREAK, BreakCode.CASH_BREAK)


CODE_ORDER = tuple(BreakCode)


class Unit(str, Enum):
    """What a break's ``ours``, ``theirs`` and ``difference`` count."""

    SHARES = "shares"
    PRICE = "price"
    """Price units ($0.0001)."""
    CASH = "cash"
    """Money units ($0.0001)."""
    COUNT = "count"
    """How many times the item was booked."""


@dataclass(frozen=True, slots=True)
class Break:
    """One difference between our books and the clearing firm's. ``difference`` is theirs
    less ours. ``other_account`` is the clearing firm's account in an account mismatch;
    ``caused_by`` lists the keys of the item breaks that move a day-end holding and ``moved``
    how much of its difference they account for."""

    code: BreakCode
    account: str
    symbol: str
    reference: str
    ours: int
    theirs: int
    difference: int
    unit: Unit
    message: str
    other_account: str = ""
    caused_by: tuple[str, ...] = ()
    moved: int = 0

    @property
    def explained(self) -> bool:
        """Whether the break is an item, or a holding its item breaks wholly account for."""
        return self.code.item_level or self.moved == self.difference

    @property
    def key(self) -> str:
        """The break's identity from one day to the next (what ageing matches on)."""
        return break_key(self.code, self.account, self.symbol, self.reference)


def break_key(code: BreakCode, account: str, symbol: str, reference: str) -> str:
    """The stable key of a break: its code, account, symbol and reference."""
    return f"{code.value}|{account}|{symbol}|{reference}"


def money(units: int) -> str:
    """Money or price units as dollars with four decimals (signed)."""
    return str((Decimal(units) / PRICE_SCALE).quantize(Decimal("0.0001")))


def render_value(unit: Unit, value: int) -> str:
    """A break's value as a person reads it."""
    return money(value) if unit in (Unit.PRICE, Unit.CASH) else str(value)

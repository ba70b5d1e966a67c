"""Instruments and the Reg NMS minimum price increment (Rule 612)."""

from __future__ import annotations

from dataclasses import dataclass

from directbroker.domain.numbers import MAX_PRICE, ONE_DOLLAR

PENNY = 100
"""$0.01 in price units: the tick at or above $1.00."""

SUBPENNY = 1
"""$0.0001 in price units: the tick below $1.00."""


def tick_size(price: int) -> int:
    """The minimum quoting increment at ``price``: $0.01 at or above $1.00, $0.0001 below."""
    return PENNY if price >= ONE_DOLLAR else SUBPENNY


def is_on_tick(price: int) -> bool:
    """Whether ``price`` is a legal quoting price under Rule 612."""
    return 0 < price <= MAX_PRICE and price % tick_size(price) == 0


@dataclass(frozen=True, slots=True)
class Instrument:
    """A tradable equity as venues and the broker know it."""

    symbol: str
    name: str = ""
    round_lot: int = 100
    primary_venue: str = ""

    def is_round_lot(self, quantity: int) -> bool:
        """Whether ``quantity`` is a whole number of round lots (odd lots trade but do not set
        the BBO on some venues; we keep the fact available to market data)."""
        return quantity % self.round_lot == 0

"""Commissions and the sell-side regulatory fees, as configuration and effective-dated data.

Regulators change the rates by order, several times some years, and a late execution report must
be charged at the rate in force on its trade date, so rates are tables keyed by effective date,
not constants. Fees are rounded up to the cent as the SROs bill them; commissions are rounded half
up. The rows below are the published rates the authors verified; extending the tables is a data
change, not a code change (ADR 0004 lists the sources).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import TypeVar

from directbroker.domain.accounts import CENT, round_half_up
from directbroker.domain.orders import Side


@dataclass(frozen=True, slots=True)
class CommissionSchedule:
    """What the firm charges per order: ``per_share`` x shares + ``per_order``, at least
    ``minimum`` and at most ``maximum`` (0 = no cap). Amounts are money units ($0.0001), so a
    $0.0035 per-share rate is 35. The schedule applies to an order's cumulative fills, so an
    order filled in pieces pays the per-order charge and the minimum once."""

    per_share: int = 0
    per_order: int = 0
    minimum: int = 0
    maximum: int = 0

    def total(self, quantity: int) -> int:
        """The commission for an order that has filled ``quantity`` shares so far."""
        if quantity <= 0:
            return 0
        amount = max(self.per_share * quantity + self.per_order, self.minimum)
        if self.maximum:
            amount = min(amount, self.maximum)
        return round_half_up(amount)


@dataclass(frozen=True, slots=True)
class SecFeeRate:
    """Section 31: ``cents_per_million`` dollars of covered sales, from ``effective_date``."""

    effective_date: int
    cents_per_million: int


@dataclass(frozen=True, slots=True)
class TafRate:
    """FINRA TAF on covered equity sales: micro-dollars per share, capped per trade."""

    effective_date: int
    micros_per_share: int
    max_cents: int


SEC_SECTION_31_RATES: tuple[SecFeeRate, ...] = (
    SecFeeRate(20230227, 800),  # FY2023 adjustment: $8.00 per million
    SecFeeRate(20240522, 2780),  # FY2024 adjustment: $27.80 per million
    SecFeeRate(20250514, 0),  # FY2025 mid-year adjustment: $0.00 per million
)

FINRA_TAF_RATES: tuple[TafRate, ...] = (
    TafRate(20240101, 166, 830),  # $0.000166 per share, at most $8.30 a trade
)

_Rate = TypeVar("_Rate", SecFeeRate, TafRate)


def _in_force(table: tuple[_Rate, ...], trade_date: int) -> _Rate | None:
    index = bisect_right([row.effective_date for row in table], trade_date)
    return table[index - 1] if index else None


def is_sale(side: Side) -> bool:
    """Whether the regulatory transaction fees apply (they are charged on sales only)."""
    return side is not Side.BUY


@dataclass(frozen=True, slots=True)
class FeeSchedule:
    """Everything that turns an execution's principal into its net amount."""

    commission: CommissionSchedule = CommissionSchedule()
    sec_rates: tuple[SecFeeRate, ...] = SEC_SECTION_31_RATES
    taf_rates: tuple[TafRate, ...] = FINRA_TAF_RATES

    def sec_fee(self, side: Side, principal: int, trade_date: int) -> int:
        """Section 31 fee on a sale, rounded up to the cent (dates before the table: none)."""
        rate = _in_force(self.sec_rates, trade_date)
        if not is_sale(side) or rate is None or principal <= 0:
            return 0
        # principal units are $0.0001, so principal * cents/1e6 dollars / 1e4 = cents / 1e10.
        cents = -(-principal * rate.cents_per_million // 10_000_000_000)
        return cents * CENT

    def taf_fee(self, side: Side, quantity: int, trade_date: int) -> int:
        """FINRA TAF on a sale, rounded up to the cent and capped per trade."""
        rate = _in_force(self.taf_rates, trade_date)
        if not is_sale(side) or rate is None:
            return 0
        cents = -(-quantity * rate.micros_per_share // 10_000)
        return min(cents, rate.max_cents) * CENT


def principal_of(quantity: int, price: int) -> int:
    """The cash principal of an execution: price x quantity rounded half up to the cent."""
    return round_half_up(quantity * price)

"""Margin requirements and account values: Regulation T, FINRA Rule 4210 maintenance, SMA,
buying power and withdrawable cash.

Per-position figures are kept on the position and summed into per-account totals by delta, so a
quote update re-values only the positions in that symbol and each account's values stay O(1) to
read. Requirements round up and buying power rounds down: rounding never favours the customer.
"""

from __future__ import annotations

from dataclasses import dataclass

from directbroker.domain.accounts import (
    AccountStatus,
    AccountType,
    AccountValues,
    ceil_to,
    floor_to,
)
from directbroker.domain.numbers import PRICE_SCALE
from directbroker.engines.ledger.positions import Position

BPS = 10_000


@dataclass(frozen=True, slots=True)
class MarginRules:
    """Regulation T initial margin and FINRA 4210 maintenance, in basis points; a house may
    only raise them. Short stock under $5 needs the greater of $2.50 a share or 100%; at $5 or
    more, the greater of $5.00 a share or 30%."""

    initial_bps: int = 5_000
    long_maintenance_bps: int = 2_500
    short_maintenance_bps: int = 3_000
    low_price: int = 5 * PRICE_SCALE
    low_price_per_share: int = 25_000  # $2.50
    per_share: int = 5 * PRICE_SCALE

    def requirements(self, quantity: int, price: int) -> tuple[int, int]:
        """``(reg_t, maintenance)`` for a position, exact money units rounded up."""
        value = abs(quantity) * price
        reg_t = -(-value * self.initial_bps // BPS)
        if quantity >= 0:
            return reg_t, -(-value * self.long_maintenance_bps // BPS)
        shares = -quantity
        if price < self.low_price:
            return reg_t, max(shares * self.low_price_per_share, value)
        return reg_t, max(shares * self.per_share, -(-value * self.short_maintenance_bps // BPS))


class AccountTotals:
    """Running sums over an account's positions, maintained by delta."""

    __slots__ = (
        "cost_basis",
        "day_flow",
        "long_mv",
        "maintenance",
        "realized",
        "reg_t",
        "short_mv",
        "sod_value",
    )

    def __init__(self) -> None:
        self.long_mv = 0
        self.short_mv = 0
        self.reg_t = 0
        self.maintenance = 0
        self.cost_basis = 0
        self.realized = 0
        self.sod_value = 0
        self.day_flow = 0

    def add(self, position: Position, sign: int) -> None:
        """Add (sign=1) or remove (sign=-1) a position's contribution."""
        value = position.market_value
        if value >= 0:
            self.long_mv += sign * value
        else:
            self.short_mv -= sign * value
        self.reg_t += sign * position.reg_t
        self.maintenance += sign * position.maintenance
        self.cost_basis += sign * position.cost_basis
        self.realized += sign * position.realized_pnl
        self.sod_value += sign * position.sod_value
        self.day_flow += sign * position.day_flow

    def as_tuple(self) -> tuple[int, ...]:
        """For comparing a rebuilt total with the real-time one."""
        return (
            self.long_mv,
            self.short_mv,
            self.reg_t,
            self.maintenance,
            self.cost_basis,
            self.realized,
            self.sod_value,
            self.day_flow,
        )


def remark(position: Position, price: int, rules: MarginRules) -> None:
    """Set a position's mark and the requirements that follow from it."""
    position.mark = price
    position.reg_t, position.maintenance = rules.requirements(position.quantity, price)


@dataclass(frozen=True, slots=True)
class CashBalances:
    """An account's cash book balances and its pending settlement debits (a positive number:
    purchases that will take settled cash when they settle)."""

    settled: int
    unsettled: int
    held: int
    pending_debits: int


def account_values(
    account: str,
    account_type: AccountType,
    status: AccountStatus,
    cash: CashBalances,
    totals: AccountTotals,
    sma_memo: int,
    rules: MarginRules,
) -> AccountValues:
    """Everything the OMS and the customer see, from balances and position totals."""
    total_cash = cash.settled + cash.unsettled + cash.held
    net_mv = totals.long_mv - totals.short_mv
    equity = total_cash + net_mv
    if account_type is AccountType.CASH:
        reg_t = maintenance = deficiency = sma = 0
        excess = equity
        buying_power = max(0, floor_to(total_cash))
        withdrawable = max(0, floor_to(cash.settled - cash.pending_debits))
    else:
        reg_t = ceil_to(totals.reg_t)
        maintenance = ceil_to(totals.maintenance)
        excess = equity - maintenance
        has_positions = totals.long_mv or totals.short_mv
        deficiency = max(0, maintenance - equity) if has_positions else 0
        sma = max(sma_memo, equity - reg_t)
        if deficiency:
            buying_power = 0
        else:
            by_sma = sma * BPS // rules.initial_bps
            by_maintenance = excess * BPS // rules.long_maintenance_bps
            buying_power = max(0, floor_to(min(by_sma, by_maintenance)))
        withdrawable = max(0, floor_to(min(sma, excess) - cash.held))
    if status is AccountStatus.CLOSED:
        buying_power = 0
    return AccountValues(
        account=account,
        account_type=account_type,
        status=status,
        settled_cash=cash.settled,
        unsettled_cash=cash.unsettled,
        held_cash=cash.held,
        cash=total_cash,
        long_market_value=totals.long_mv,
        short_market_value=totals.short_mv,
        equity=equity,
        reg_t_requirement=reg_t,
        maintenance_requirement=maintenance,
        excess_equity=excess,
        sma=sma,
        buying_power=buying_power,
        withdrawable_cash=withdrawable,
        unrealized_pnl=net_mv - totals.cost_basis,
        realized_pnl=totals.realized,
        day_pnl=net_mv - totals.sod_value - totals.day_flow,
        margin_deficiency=deficiency,
    )


def sma_change(
    net_amount: int, delta: int, price: int, old_quantity: int, rules: MarginRules
) -> int:
    """How a trade moves the SMA memo: the change in excess equity over Reg T at the trade price
    (a purchase uses 50% of its cost, a sale releases 50% of its proceeds, a short sale uses 50%,
    a cover releases it), commissions and fees included through ``net_amount``."""
    new_quantity = old_quantity + delta
    exposure_change = (abs(new_quantity) - abs(old_quantity)) * price
    return net_amount + delta * price - exposure_change * rules.initial_bps // BPS

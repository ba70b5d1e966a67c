"""Risk limits (changed by journaled admin commands) and risk policy (fixed at construction).

Limits exist at two levels: the firm's apply to every order, an account's apply on top, and a
zero means "no limit at this level", so the effective limit is the tighter non-zero one.
"""

from __future__ import annotations

from dataclasses import dataclass

from directbroker.domain.numbers import PRICE_SCALE
from directbroker.domain.order_status import DayTradingRule


@dataclass(frozen=True, slots=True)
class Limits:
    """One level's limits (0 = none). Money in price units ($0.0001)."""

    max_order_quantity: int = 0
    max_order_notional: int = 0
    credit_limit: int = 0
    max_daily_loss: int = 0
    max_orders_per_second: int = 0
    collar_bps: int = 0


@dataclass(frozen=True, slots=True)
class FirmLimits:
    """The firm's limits and the two firm-wide settings that have no per-account form."""

    limits: Limits = Limits(collar_bps=1_000)
    duplicate_window_ns: int = 1_000_000_000
    market_buffer_bps: int = 500


def tighter(account: int, firm: int) -> int:
    """The effective limit of two levels, where 0 means none."""
    if account and firm:
        return min(account, firm)
    return account or firm


def effective(account: Limits | None, firm: Limits) -> Limits:
    """The limits that apply to an account's order."""
    if account is None:
        return firm
    return Limits(
        tighter(account.max_order_quantity, firm.max_order_quantity),
        tighter(account.max_order_notional, firm.max_order_notional),
        tighter(account.credit_limit, firm.credit_limit),
        tighter(account.max_daily_loss, firm.max_daily_loss),
        tighter(account.max_orders_per_second, firm.max_orders_per_second),
        tighter(account.collar_bps, firm.collar_bps),
    )


@dataclass(frozen=True, slots=True)
class RiskPolicy:
    """Rules of the firm that change by release, not by command.

    The margin rates mirror the ledger's :class:`~directbroker.engines.ledger.MarginRules`
    (FINRA 4210: 25% long, 30% short); house overrides per symbol only raise them.
    """

    day_trading_rule: DayTradingRule = DayTradingRule.INTRADAY_MARGIN
    long_maintenance_bps: int = 2_500
    short_maintenance_bps: int = 3_000
    minimum_short_equity: int = 2_000 * PRICE_SCALE
    pattern_day_trader_equity: int = 25_000 * PRICE_SCALE
    day_trades_allowed: int = 3
    day_trade_window_days: int = 5
    good_faith_limit: int = 3
    """Good-faith violations in twelve months that bring the 90-day settled-cash restriction."""
    restriction_days: int = 90

"""Account values and tickets for risk's worked examples (amounts written in dollars)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from directbroker.domain.accounts import AccountStatus, AccountType, AccountValues
from directbroker.domain.orders import OrderType, Side
from directbroker.engines.risk import AccountFacts, OrderTicket


def usd(amount: str | int) -> int:
    """Money or price units for dollars written in a test."""
    return int(Decimal(str(amount)) * 10_000)


BASE = AccountValues(
    account="A1",
    account_type=AccountType.MARGIN,
    status=AccountStatus.ACTIVE,
    settled_cash=0,
    unsettled_cash=0,
    held_cash=0,
    cash=0,
    long_market_value=0,
    short_market_value=0,
    equity=0,
    reg_t_requirement=0,
    maintenance_requirement=0,
    excess_equity=0,
    sma=0,
    buying_power=0,
    withdrawable_cash=0,
    unrealized_pnl=0,
    realized_pnl=0,
    day_pnl=0,
    margin_deficiency=0,
)


def values(**fields: Any) -> AccountValues:
    """Account values: BASE with ``fields`` (money fields as dollar strings)."""
    converted: dict[str, Any] = {k: usd(v) if type(v) is str else v for k, v in fields.items()}
    return replace(BASE, **converted)


def facts(account_values: AccountValues | None = None, **fields: Any) -> AccountFacts:
    """AccountFacts with money fields (reserved, house_addon) as dollar strings."""
    converted: dict[str, Any] = {k: usd(v) if type(v) is str else v for k, v in fields.items()}
    return AccountFacts(account_values or values(), **converted)


def ticket(
    side: Side = Side.BUY,
    quantity: int = 100,
    limit: str | None = "100.00",
    order_type: OrderType = OrderType.LIMIT,
    stop: str | None = None,
    symbol: str = "XYZ",
) -> OrderTicket:
    """An order ticket for account A1."""
    return OrderTicket(
        "A1",
        symbol,
        side,
        order_type,
        quantity,
        usd(limit) if limit is not None else None,
        usd(stop) if stop is not None else None,
    )

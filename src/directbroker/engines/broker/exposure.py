"""The facts risk checks an order against, assembled from the ledger (account values and
positions) and the OMS (working orders)."""

from __future__ import annotations

from collections.abc import Iterable

from directbroker.domain.accounts import AccountType, AccountValues
from directbroker.domain.order_status import OrdStatus
from directbroker.domain.orders import OrderType, Side
from directbroker.engines.ledger import LedgerCore
from directbroker.engines.oms import Parent, triggered_type
from directbroker.engines.risk import AccountFacts, OrderTicket, RiskEngine
from directbroker.engines.risk.buying_power import BuyingPower, buying_power
from directbroker.engines.risk.money import BPS


def ticket_for(
    parent_like: Parent, quantity: int, limit: int | None, stop: int | None, last: int | None
) -> OrderTicket:
    """The risk ticket for (the open part of) an order."""
    offset = 0
    if parent_like.order_type is OrderType.TRAILING_STOP and last is not None:
        if parent_like.trail_amount is not None:
            offset = parent_like.trail_amount
        elif parent_like.trail_percent_bps is not None:
            offset = last * parent_like.trail_percent_bps // BPS
    return OrderTicket(
        parent_like.account,
        parent_like.symbol,
        parent_like.side,
        parent_like.order_type,
        quantity,
        limit,
        stop,
        offset,
    )


def held_ticket(parent: Parent) -> OrderTicket:
    """The risk ticket for a held order going to market: its open shares as the order it is
    sent as (a triggered stop is a market order, a stop limit its limit), so the estimate,
    the collar and Rule 201 judge what reaches the venue."""
    order_type, limit = parent.order_type, parent.limit_price
    if parent.is_stop:
        order_type = triggered_type(order_type)
        limit = limit if order_type is OrderType.LIMIT else None
    return OrderTicket(
        parent.account,
        parent.symbol,
        parent.side,
        order_type,
        parent.leaves_quantity,
        limit,
        None,
    )


def account_facts(
    ledger: LedgerCore,
    risk: RiskEngine,
    values: AccountValues,
    symbol: str,
    orders: Iterable[Parent],
    exclude: frozenset[str] = frozenset(),
    blocks_reserved: int = 0,
) -> AccountFacts:
    """Position, working orders (minus ``exclude``) and house margin for one account;
    ``blocks_reserved`` is what its shares of working blocks hold (the block desk's)."""
    account = values.account
    view = ledger.position(account, symbol)
    position = view.quantity if view is not None else 0
    open_buy = open_short = 0
    single_sells = 0
    group_sells: dict[str, int] = {}
    working = [o for o in orders if o.order_id not in exclude]
    reserved = reserved_by(working) + blocks_reserved
    for order in working:
        if order.status is OrdStatus.SUSPENDED:
            continue
        leaves = order.quantity - order.cum_quantity
        if order.symbol != symbol:
            continue
        side = order.side
        if side is Side.BUY:
            open_buy += leaves
        elif side is Side.SELL:
            if order.group_id:
                group_sells[order.group_id] = max(group_sells.get(order.group_id, 0), leaves)
            else:
                single_sells += leaves
        else:
            open_short += leaves
    house = 0
    if risk.state.house_margin and values.account_type is AccountType.MARGIN:
        house = sum(risk.house_addon(p.symbol, p.market_value) for p in ledger.positions(account))
    return AccountFacts(
        values,
        position,
        open_buy,
        single_sells + sum(group_sells.values()),
        open_short,
        reserved,
        house,
    )


def reserved_by(orders: Iterable[Parent]) -> int:
    """Buying power the working orders hold, as :func:`account_facts` counts it."""
    return sum(
        o.reserve_price * (o.quantity - o.cum_quantity)
        for o in orders
        if o.status is not OrdStatus.SUSPENDED
    )


def account_buying_power(
    ledger: LedgerCore,
    risk: RiskEngine,
    values: AccountValues,
    orders: Iterable[Parent],
    blocks_reserved: int = 0,
) -> BuyingPower:
    """The account's buying power as risk checks it: the books' figure net of what working
    orders and its shares of working blocks hold, with the holder's margin multiplier (the
    account view shows exactly this)."""
    multiplier = risk.state.configuration(values.account).max_margin_multiplier
    house = 0
    if risk.state.house_margin and values.account_type is AccountType.MARGIN:
        house = sum(
            risk.house_addon(p.symbol, p.market_value) for p in ledger.positions(values.account)
        )
    return buying_power(values, reserved_by(orders) + blocks_reserved, multiplier, house)

"""Request bodies become domain commands, or a 422 that says exactly what is wrong.

The edge checks what it can know without the core (numbers, required prices, the symbol
exists, shapes of order classes) so a malformed order never reaches the sequencer; the OMS
checks everything again, because it trusts no edge.
"""

from __future__ import annotations

from decimal import Decimal

from directbroker.adapters.http.errors import ApiError
from directbroker.adapters.http.schemas import (
    ApiOrderClass,
    ApiOrderType,
    ApiPegType,
    ApiSide,
    ApiTimeInForce,
    OrderBody,
    ReplaceBody,
)
from directbroker.domain.broker_messages import PlaceOrder, ReplaceCustomerOrder
from directbroker.domain.instruments import is_on_tick
from directbroker.domain.numbers import parse_price, parse_quantity
from directbroker.domain.order_status import OrderClass
from directbroker.domain.orders import OrderType, PostOnly, Side, TimeInForce
from directbroker.domain.rejects import DomainRejection, RejectCode

_CLASSES = {
    ApiOrderClass.SIMPLE: OrderClass.SIMPLE,
    ApiOrderClass.EMPTY: OrderClass.SIMPLE,
    ApiOrderClass.BRACKET: OrderClass.BRACKET,
    ApiOrderClass.OCO: OrderClass.OCO,
    ApiOrderClass.OTO: OrderClass.OTO,
}

_AUCTION_TYPES = {
    (ApiOrderType.MARKET, ApiTimeInForce.OPG): OrderType.MARKET_ON_OPEN,
    (ApiOrderType.LIMIT, ApiTimeInForce.OPG): OrderType.LIMIT_ON_OPEN,
    (ApiOrderType.MARKET, ApiTimeInForce.CLS): OrderType.MARKET_ON_CLOSE,
    (ApiOrderType.LIMIT, ApiTimeInForce.CLS): OrderType.LIMIT_ON_CLOSE,
}

_PEGS = {
    ApiPegType.MIDPOINT: OrderType.PEG_MIDPOINT,
    ApiPegType.PRIMARY: OrderType.PEG_PRIMARY,
    ApiPegType.MARKET: OrderType.PEG_MARKET,
}


def price_of(value: Decimal | None, name: str, on_tick: bool = True) -> int | None:
    """Price units for an optional decimal price, or a 422 naming the field. Prices must be
    on the Reg NMS tick (whole cents from $1.00) unless ``on_tick`` is False (trails)."""
    if value is None:
        return None
    try:
        units = parse_price(value)
    except DomainRejection as exc:
        raise ApiError.invalid(f"{name}: {exc.code.text} ({value})", exc.code) from None
    if on_tick and not is_on_tick(units):
        raise ApiError.invalid(
            f"{name} {value} is off tick: use whole cents at $1.00 and above",
            RejectCode.PRICE_OFF_TICK,
        )
    return units


def quantity_of(value: Decimal | None, name: str = "qty") -> int:
    """Whole shares for a decimal quantity, or a 422."""
    if value is None:
        raise ApiError.invalid(f"{name} is required", RejectCode.QUANTITY_NOT_POSITIVE)
    try:
        return parse_quantity(value)
    except DomainRejection as exc:
        if exc.code is RejectCode.QUANTITY_NOT_INTEGRAL:
            # Never rounded: the venues trade whole shares, so a fraction is refused outright.
            raise ApiError.invalid(
                f"{name} {value}: fractional shares are not offered; use a whole number",
                RejectCode.WHOLE_SHARES_ONLY,
            ) from None
        raise ApiError.invalid(f"{name}: {exc.code.text} ({value})", exc.code) from None


def trail_bps_of(value: Decimal | None) -> int | None:
    """Basis points for a trail percent (at most two decimals), or a 422."""
    if value is None:
        return None
    bps = value * 100
    if bps != bps.to_integral_value() or bps <= 0 or bps > 5_000:
        raise ApiError.invalid(
            f"trail_percent must be 0.01 to 50 in steps of 0.01 ({value})",
            RejectCode.PRICE_OUT_OF_RANGE,
        )
    return int(bps)


def _order_type(body: OrderBody) -> tuple[OrderType, TimeInForce]:
    auction = _AUCTION_TYPES.get((body.type, body.time_in_force))
    if auction is not None:
        tif = TimeInForce.OPG if body.time_in_force is ApiTimeInForce.OPG else TimeInForce.CLS
        return auction, tif
    if body.time_in_force in (ApiTimeInForce.OPG, ApiTimeInForce.CLS):
        raise ApiError.invalid(
            f"time_in_force {body.time_in_force.value} needs a market or limit order",
            RejectCode.INVALID_TIME_IN_FORCE,
        )
    tif = TimeInForce(body.time_in_force.value)
    if body.type is ApiOrderType.PEG:
        if body.peg_type is None:
            raise ApiError.invalid(
                "peg orders need a peg_type: midpoint, primary or market",
                RejectCode.UNSUPPORTED_ORDER_TYPE,
            )
        return _PEGS[body.peg_type], tif
    if body.peg_type is not None:
        raise ApiError.invalid(
            f'peg_type is only for "type": "peg" orders, not {body.type.value}',
            RejectCode.INVALID_ATTRIBUTES,
        )
    return OrderType(body.type.value), tif


def _side(body: OrderBody, quantity: int, position: int) -> Side:
    """Alpaca infers a short sale from the position; the OMS wants it marked (Reg SHO)."""
    if body.side is ApiSide.BUY:
        return Side.BUY
    if body.side is ApiSide.SELL_SHORT or position <= 0:
        return Side.SELL_SHORT
    if quantity > position:
        raise ApiError.from_reject(
            RejectCode.LONG_SALE_EXCEEDS_POSITION,
            f"insufficient qty available for order (requested: {quantity}, available: "
            f"{position}); sell the long position first, then sell short",
        )
    return Side.SELL


def _check_prices(kind: OrderType, limit: int | None, stop: int | None) -> None:
    if kind.needs_limit_price and limit is None:
        raise ApiError.invalid(
            f"limit_price is required for {kind.value} orders", RejectCode.PRICE_REQUIRED
        )
    if not kind.needs_limit_price and limit is not None and kind not in _PEGS.values():
        raise ApiError.invalid(
            f"limit_price is not allowed for {kind.value} orders", RejectCode.PRICE_NOT_ALLOWED
        )
    needs_stop = kind in (OrderType.STOP, OrderType.STOP_LIMIT)
    if needs_stop and stop is None:
        raise ApiError.invalid(
            f"stop_price is required for {kind.value} orders", RejectCode.PRICE_REQUIRED
        )
    if not needs_stop and stop is not None:
        raise ApiError.invalid(
            f"stop_price is not allowed for {kind.value} orders", RejectCode.PRICE_NOT_ALLOWED
        )


def _check_class(order_class: OrderClass, body: OrderBody) -> None:
    """Alpaca's rules: bracket and OCO need both exits, OTO exactly one, simple none."""
    given = (body.take_profit is not None, body.stop_loss is not None)
    if order_class is OrderClass.SIMPLE and any(given):
        problem = "take_profit and stop_loss need order_class bracket, oco or oto"
    elif order_class in (OrderClass.BRACKET, OrderClass.OCO) and not all(given):
        problem = f"{order_class.value} orders require take_profit and stop_loss"
    elif order_class is OrderClass.OTO and sum(given) != 1:
        problem = "oto orders require exactly one of take_profit or stop_loss"
    else:
        return
    raise ApiError.invalid(problem, RejectCode.INVALID_ATTRIBUTES)


def place_order_command(
    body: OrderBody, order_id: str, account: str, position: int, known_symbol: bool
) -> PlaceOrder:
    """The :class:`PlaceOrder` for a POST /v2/orders body; ``position`` is the account's
    signed position in the symbol (to mark a sale long or short)."""
    if not known_symbol:
        raise ApiError.invalid(f'asset "{body.symbol}" not found', RejectCode.UNKNOWN_SYMBOL)
    if body.notional is not None:
        raise ApiError.invalid(
            "notional orders are not offered: the venues trade whole shares; give qty instead",
            RejectCode.WHOLE_SHARES_ONLY,
        )
    quantity = quantity_of(body.qty)
    kind, tif = _order_type(body)
    order_class = _CLASSES[body.order_class]
    limit = price_of(body.limit_price, "limit_price")
    stop = price_of(body.stop_price, "stop_price")
    take_profit = price_of(body.take_profit.limit_price if body.take_profit else None,
                           "take_profit.limit_price")  # fmt: skip
    stop_loss = price_of(body.stop_loss.stop_price if body.stop_loss else None,
                         "stop_loss.stop_price")  # fmt: skip
    stop_loss_limit = price_of(body.stop_loss.limit_price if body.stop_loss else None,
                               "stop_loss.limit_price")  # fmt: skip
    if order_class is OrderClass.OCO:
        # Alpaca's OCO is the take-profit limit and the stop-loss; ours is the same pair with
        # the take-profit as the order itself.
        limit = limit if limit is not None else take_profit
        take_profit = None
    _check_prices(kind, limit, stop)
    trail_amount = price_of(body.trail_price, "trail_price", on_tick=False)
    trail_bps = trail_bps_of(body.trail_percent)
    if kind is OrderType.TRAILING_STOP and (trail_amount is None) == (trail_bps is None):
        raise ApiError.invalid(
            "trailing_stop orders need exactly one of trail_price or trail_percent",
            RejectCode.PRICE_REQUIRED,
        )
    if kind is not OrderType.TRAILING_STOP and (trail_amount or trail_bps):
        raise ApiError.invalid(
            "trail_price and trail_percent are only for trailing_stop orders",
            RejectCode.PRICE_NOT_ALLOWED,
        )
    _check_class(order_class, body)
    display = None if body.display_qty is None else quantity_of(body.display_qty, "display_qty")
    return PlaceOrder(
        order_id=order_id,
        client_order_id=body.client_order_id or order_id,
        account=account,
        symbol=body.symbol,
        side=_side(body, quantity, position),
        order_type=kind,
        quantity=quantity,
        limit_price=limit,
        stop_price=stop,
        trail_amount=trail_amount,
        trail_percent_bps=trail_bps,
        time_in_force=tif,
        extended_hours=body.extended_hours,
        route=body.route.upper(),
        display_quantity=display,
        hidden=body.hidden,
        post_only=PostOnly(body.post_only.value),
        order_class=order_class,
        take_profit_price=take_profit,
        stop_loss_price=stop_loss,
        stop_loss_limit_price=stop_loss_limit,
    )


def replace_order_command(
    body: ReplaceBody, order_id: str, account: str, current_quantity: int, trailing_percent: bool
) -> ReplaceCustomerOrder:
    """The :class:`ReplaceCustomerOrder` for a PATCH body (``trail`` is a percent for a
    percent-trailing stop, a price otherwise)."""
    if body.time_in_force is not None:
        raise ApiError.invalid(
            "time_in_force cannot be changed by a replace; cancel and place a new order",
            RejectCode.INVALID_REPLACE,
        )
    quantity = current_quantity if body.qty is None else quantity_of(body.qty)
    trail_amount = trail_bps = None
    if body.trail is not None:
        if trailing_percent:
            trail_bps = trail_bps_of(body.trail)
        else:
            trail_amount = price_of(body.trail, "trail", on_tick=False)
    return ReplaceCustomerOrder(
        order_id=order_id,
        account=account,
        quantity=quantity,
        limit_price=price_of(body.limit_price, "limit_price"),
        stop_price=price_of(body.stop_price, "stop_price"),
        trail_amount=trail_amount,
        trail_percent_bps=trail_bps,
        new_client_order_id=body.client_order_id or "",
    )

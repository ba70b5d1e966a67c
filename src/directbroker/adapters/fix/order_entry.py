"""Client order entry over FIX 4.2 and 4.4: inbound messages become trading port requests.

A NewOrderSingle (D) becomes a :class:`PlaceOrder`, an OrderCancelRequest (F) a
:class:`CancelRequest`, an OrderCancelReplaceRequest (G) a :class:`ReplaceRequest` and an
OrderStatusRequest (H) a :class:`StatusRequest`. What cannot be mapped raises
:class:`FixRefusal` with a stable reject code, before anything reaches the platform, so bad
input changes nothing. The OMS checks everything again (prices against the tick, times in
force per order type, locates, routes): this module only says what the tags mean and refuses
what has no meaning here. ADR 0021 has the tag table.
"""

from __future__ import annotations

from dataclasses import dataclass

from directbroker.adapters.fix.terms import (
    BusinessReason,
    FixRefusal,
    FixVersion,
    SessionTerms,
    account_of,
    client_id,
    plain_number,
    price_of,
    quantity_of,
    refuse,
    side_of,
    version_of,
)
from directbroker.adapters.http.ports import OrderView
from directbroker.domain.broker_messages import PlaceOrder
from directbroker.domain.orders import OrderType, PostOnly, Side, TimeInForce
from directbroker.domain.rejects import RejectCode
from directbroker.domain.routing import SMART
from directbroker.protocols.fix.message import FixMessage


@dataclass(frozen=True, slots=True)
class CancelRequest:
    """An OrderCancelRequest: cancel the order the client knows as ``orig_cl_ord_id``."""

    cl_ord_id: str
    orig_cl_ord_id: str
    account: str
    order_id: str
    """OrderID (37) when the client sent it, else empty."""


@dataclass(frozen=True, slots=True)
class ReplaceRequest:
    """An OrderCancelReplaceRequest. ``quantity`` is the new total (FIX OrderQty); the other
    terms the client repeats must match the working order (only size and price change)."""

    cl_ord_id: str
    orig_cl_ord_id: str
    account: str
    order_id: str
    quantity: int
    limit_price: int | None
    stop_price: int | None
    symbol: str | None
    side: Side | None
    order_type: OrderType | None
    time_in_force: TimeInForce | None
    route: str | None
    display_quantity: int | None


@dataclass(frozen=True, slots=True)
class StatusRequest:
    """An OrderStatusRequest for the order the client knows as ``cl_ord_id``."""

    cl_ord_id: str
    account: str
    order_id: str


TIMES_IN_FORCE = {
    "0": TimeInForce.DAY,
    "1": TimeInForce.GTC,
    "2": TimeInForce.OPG,
    "3": TimeInForce.IOC,
    "4": TimeInForce.FOK,
    "7": TimeInForce.CLS,
}
_PLAIN_TYPES = {
    "1": OrderType.MARKET,
    "2": OrderType.LIMIT,
    "3": OrderType.STOP,
    "4": OrderType.STOP_LIMIT,
}
_CLOSE_TYPES_42 = {"5": OrderType.MARKET_ON_CLOSE, "B": OrderType.LIMIT_ON_CLOSE}
"""FIX 4.2's own on-close order types (4.4 says OrdType 1/2 with TimeInForce 7)."""
_AUCTIONS = {
    (OrderType.MARKET, TimeInForce.OPG): OrderType.MARKET_ON_OPEN,
    (OrderType.LIMIT, TimeInForce.OPG): OrderType.LIMIT_ON_OPEN,
    (OrderType.MARKET, TimeInForce.CLS): OrderType.MARKET_ON_CLOSE,
    (OrderType.LIMIT, TimeInForce.CLS): OrderType.LIMIT_ON_CLOSE,
}
_PEGS = {"P": OrderType.PEG_MARKET, "R": OrderType.PEG_PRIMARY, "M": OrderType.PEG_MIDPOINT}
_POST_ONLY = "6"
"""ExecInst Participate-don't-initiate: the order must add liquidity."""
_HARMLESS_EXEC_INST = frozenset({"1", "5"})
"""Not held and held: instructions to a floor broker, without meaning on an electronic book."""


def time_in_force_of(message: FixMessage) -> TimeInForce:
    """TimeInForce (59), DAY when absent; GTD, GTX and the rest are refused."""
    text = message.get(59)
    if text is None:
        return TimeInForce.DAY
    tif = TIMES_IN_FORCE.get(text)
    if tif is None:
        raise refuse(
            RejectCode.INVALID_TIME_IN_FORCE,
            f"TimeInForce (59) {text!r} is not offered (0, 1, 2, 3, 4 or 7)",
        )
    return tif


def _exec_instructions(message: FixMessage) -> list[str]:
    text = message.get(18)
    return [] if text is None else text.split()


def order_type_of(
    message: FixMessage, version: FixVersion, tif: TimeInForce
) -> tuple[OrderType, TimeInForce]:
    """OrdType (40) with TimeInForce: on-open and on-close orders are market or limit orders
    with TIF 2 or 7 (or 4.2's OrdType 5 and B); pegs are OrdType P with the peg in ExecInst."""
    text = message.get(40) or ""
    plain = _PLAIN_TYPES.get(text)
    if plain is not None:
        auction = _AUCTIONS.get((plain, tif))
        if auction is not None:
            return auction, tif
        if tif in (TimeInForce.OPG, TimeInForce.CLS):
            raise refuse(
                RejectCode.INVALID_TIME_IN_FORCE,
                "TimeInForce (59) 2 and 7 need a market or limit order",
            )
        return plain, tif
    close = _CLOSE_TYPES_42.get(text) if version is FixVersion.FIX42 else None
    if close is not None:
        if tif not in (TimeInForce.DAY, TimeInForce.CLS):
            raise refuse(RejectCode.INVALID_TIME_IN_FORCE, "on-close orders are day orders")
        return close, TimeInForce.CLS
    if text == "P":
        pegs = [_PEGS[i] for i in _exec_instructions(message) if i in _PEGS]
        if len(pegs) != 1:
            raise refuse(
                RejectCode.INVALID_ATTRIBUTES,
                "a pegged order (40=P) needs exactly one of ExecInst (18) P, R or M",
            )
        return pegs[0], tif
    raise refuse(RejectCode.UNSUPPORTED_ORDER_TYPE, f"OrdType (40) {text!r} is not offered")


def _post_only(message: FixMessage, kind: OrderType) -> PostOnly:
    post_only = PostOnly.NO
    for instruction in _exec_instructions(message):
        if instruction == _POST_ONLY:
            post_only = PostOnly.REJECT
        elif instruction in _PEGS:
            if kind not in _PEGS.values():
                raise refuse(
                    RejectCode.INVALID_ATTRIBUTES,
                    f"ExecInst (18) {instruction} pegs: it needs OrdType (40) P",
                )
        elif instruction not in _HARMLESS_EXEC_INST:
            raise refuse(
                RejectCode.INVALID_ATTRIBUTES, f"ExecInst (18) {instruction!r} is not offered"
            )
    return post_only


def _check_refused_tags(message: FixMessage) -> None:
    """Tags whose meaning the broker does not offer, refused rather than ignored."""
    if message.get(152) is not None:
        raise refuse(RejectCode.WHOLE_SHARES_ONLY, "CashOrderQty (152): give OrderQty (38)")
    currency = message.get(15)
    if currency is not None and currency != "USD":
        raise refuse(RejectCode.INVALID_ATTRIBUTES, f"Currency (15) {currency!r}: USD only")
    locate = message.get(114)
    if locate is not None and locate not in ("Y", "N"):
        raise refuse(RejectCode.MALFORMED, f"LocateReqd (114) {locate!r} is not Y or N")
    peg_offset = message.get(211)
    if peg_offset is not None and peg_offset.strip("0.-") != "":
        raise refuse(RejectCode.INVALID_ATTRIBUTES, "peg offsets (211) are not offered")


def check_no_allocations(message: FixMessage) -> None:
    """Pre-allocations belong to block orders, whose Account (1) is a group
    (:mod:`directbroker.adapters.fix.block_entry`): an account's own order is refused whole."""
    groups = message.get(78)
    if (groups is not None and groups != "0") or message.all(79) or message.all(80):
        raise FixRefusal(
            RejectCode.BLOCK_ORDERS_UNSUPPORTED,
            "pre-allocations (78/79/80) need Account (1) naming a group of this session",
            business=BusinessReason.OTHER,
        )


def check_not_group(account: str, terms: SessionTerms, what: str) -> None:
    """A group's order is a block: placed by ``block_entry``, never replaced."""
    if account in terms.groups:
        raise refuse(RejectCode.INVALID_ATTRIBUTES, f"{what} cannot name the group {account}")


def route_of(message: FixMessage) -> str:
    """ExDestination (100): a venue the broker connects to, or SMART (also when absent)."""
    text = message.get(100)
    if text is None or text == "":
        return SMART
    route = text.strip().upper()
    if not route or len(route) > 16 or not route.isalnum():
        raise refuse(RejectCode.ROUTE_UNKNOWN_VENUE, f"ExDestination (100) {text!r}")
    return route


def display_of(message: FixMessage) -> tuple[int | None, bool]:
    """MaxFloor (111): the displayed part of a reserve order; 0 shows nothing (hidden)."""
    text = message.get(111)
    if text is None:
        return None, False
    if plain_number(text, 111, "MaxFloor") == 0:
        return None, True
    return quantity_of(message, 111, "MaxFloor"), False


def entered_by(message: FixMessage, terms: SessionTerms) -> str:
    """Who entered a request, for the order ticket: the counterparty's SenderCompID (49)."""
    sender = message.get(49)
    return f"fix:{sender if sender else terms.session_id}"


def new_order(message: FixMessage, terms: SessionTerms, order_id: str) -> PlaceOrder:
    """The :class:`PlaceOrder` a NewOrderSingle asks for, under the order id ``order_id``."""
    version = version_of(message, terms)
    cl_ord_id = client_id(message, 11, "ClOrdID")
    account = account_of(message, terms, version)
    check_not_group(account, terms, "an account's own order")
    check_no_allocations(message)
    _check_refused_tags(message)
    symbol = message.get(55) or ""
    if not symbol or len(symbol) > 16 or not all(" " < c <= "~" for c in symbol):
        raise refuse(RejectCode.UNKNOWN_SYMBOL, f"Symbol (55) {symbol!r}")
    side = side_of(message)
    quantity = quantity_of(message, 38, "OrderQty")
    if quantity is None:
        raise refuse(RejectCode.QUANTITY_NOT_POSITIVE, "OrderQty (38) is required")
    kind, tif = order_type_of(message, version, time_in_force_of(message))
    display, hidden = display_of(message)
    return PlaceOrder(
        order_id=order_id,
        client_order_id=cl_ord_id,
        account=account,
        symbol=symbol,
        side=side,
        order_type=kind,
        quantity=quantity,
        limit_price=price_of(message, 44, "Price"),
        stop_price=price_of(message, 99, "StopPx"),
        time_in_force=tif,
        route=route_of(message),
        display_quantity=display,
        hidden=hidden,
        post_only=_post_only(message, kind),
        entered_by=entered_by(message, terms),
    )


def cancel_request(message: FixMessage, terms: SessionTerms) -> CancelRequest:
    """The :class:`CancelRequest` an OrderCancelRequest asks for."""
    version = version_of(message, terms)
    return CancelRequest(
        cl_ord_id=client_id(message, 11, "ClOrdID"),
        orig_cl_ord_id=client_id(message, 41, "OrigClOrdID"),
        account=account_of(message, terms, version),
        order_id=message.get(37) or "",
    )


def replace_request(message: FixMessage, terms: SessionTerms) -> ReplaceRequest:
    """The :class:`ReplaceRequest` an OrderCancelReplaceRequest asks for."""
    version = version_of(message, terms)
    cl_ord_id = client_id(message, 11, "ClOrdID")
    orig = client_id(message, 41, "OrigClOrdID")
    account = account_of(message, terms, version)
    if account in terms.groups:
        raise refuse(RejectCode.INVALID_REPLACE, "a block cannot be replaced: cancel it")
    check_no_allocations(message)
    _check_refused_tags(message)
    quantity = quantity_of(message, 38, "OrderQty")
    if quantity is None:
        raise refuse(RejectCode.QUANTITY_NOT_POSITIVE, "OrderQty (38) is required")
    tif = time_in_force_of(message) if message.get(59) is not None else None
    kind = None
    if message.get(40) is not None:
        kind, _ = order_type_of(message, version, tif or TimeInForce.DAY)
    display = None
    if message.get(111) is not None:
        display, hidden = display_of(message)
        if hidden:
            raise refuse(RejectCode.INVALID_REPLACE, "a replace cannot hide an order")
    return ReplaceRequest(
        cl_ord_id=cl_ord_id,
        orig_cl_ord_id=orig,
        account=account,
        order_id=message.get(37) or "",
        quantity=quantity,
        limit_price=price_of(message, 44, "Price"),
        stop_price=price_of(message, 99, "StopPx"),
        symbol=message.get(55),
        side=side_of(message) if message.get(54) is not None else None,
        order_type=kind,
        time_in_force=tif,
        route=route_of(message) if message.get(100) is not None else None,
        display_quantity=display,
    )


def check_replace_terms(request: ReplaceRequest, order: OrderView) -> None:
    """A replace changes size and prices only: the terms it repeats must be the order's.

    An on-open or on-close order repeated without its TimeInForce reads as its plain market
    or limit type, which is the same order."""
    asked_type = request.order_type
    if asked_type is not None and request.time_in_force is None:
        asked_type = _AUCTIONS.get((asked_type, order.time_in_force), asked_type)
    changed = [
        name
        for name, asked, current in (
            ("Symbol (55)", request.symbol, order.symbol),
            ("Side (54)", request.side, order.side),
            ("OrdType (40)", asked_type, order.order_type),
            ("TimeInForce (59)", request.time_in_force, order.time_in_force),
            ("ExDestination (100)", request.route, order.route),
        )
        if asked is not None and asked != current
    ]
    if request.display_quantity is not None:
        changed.append("MaxFloor (111)")
    if changed:
        raise refuse(
            RejectCode.INVALID_REPLACE,
            f"a replace may change only OrderQty, Price and StopPx, not {', '.join(changed)}",
        )


def status_request(message: FixMessage, terms: SessionTerms) -> StatusRequest:
    """The :class:`StatusRequest` an OrderStatusRequest asks for."""
    version = version_of(message, terms)
    return StatusRequest(
        cl_ord_id=client_id(message, 11, "ClOrdID"),
        account=account_of(message, terms, version),
        order_id=message.get(37) or "",
    )

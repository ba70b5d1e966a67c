"""Field checks on customer order commands, before anything else looks at them.

Commands arrive from a journal and may hold any value in any field, so each field's type is
checked before it is used. Every check returns a :data:`Refusal` with a message that tells the
customer what to change; none raises.
"""

from __future__ import annotations

from enum import Enum

from directbroker.domain.broker_messages import PlaceOrder, ReplaceCustomerOrder
from directbroker.domain.instruments import is_on_tick
from directbroker.domain.numbers import MAX_QUANTITY, format_price
from directbroker.domain.order_status import OrderClass
from directbroker.domain.orders import OrderType, PostOnly, Side, TimeInForce
from directbroker.domain.rejects import RejectCode
from directbroker.engines.oms.model import STOP_TYPES, Parent
from directbroker.engines.oms.ports import Refusal

MAX_ORDER_ID = 48
"""Leaves room for the ``.tp``/``.sl`` leg and ``.<n>`` child suffixes within 64 characters."""

MAX_CLIENT_ORDER_ID = 128
"""Alpaca's limit for a customer's own order id; the client API admits exactly this much."""

MAX_TRAIL_BPS = 5_000

D, GTC, IOC, FOK = TimeInForce.DAY, TimeInForce.GTC, TimeInForce.IOC, TimeInForce.FOK
ALLOWED_TIF: dict[OrderType, frozenset[TimeInForce]] = {
    OrderType.MARKET: frozenset({D, IOC, FOK}),
    OrderType.LIMIT: frozenset({D, GTC, IOC, FOK, TimeInForce.DAY_PLUS}),
    OrderType.STOP: frozenset({D, GTC}),
    OrderType.STOP_LIMIT: frozenset({D, GTC}),
    OrderType.TRAILING_STOP: frozenset({D, GTC}),
    OrderType.MARKET_ON_OPEN: frozenset({TimeInForce.OPG, D}),
    OrderType.LIMIT_ON_OPEN: frozenset({TimeInForce.OPG, D}),
    OrderType.MARKET_ON_CLOSE: frozenset({TimeInForce.CLS, D}),
    OrderType.LIMIT_ON_CLOSE: frozenset({TimeInForce.CLS, D}),
    OrderType.PEG_PRIMARY: frozenset({D, GTC, IOC}),
    OrderType.PEG_MIDPOINT: frozenset({D, GTC, IOC}),
    OrderType.PEG_MARKET: frozenset({D, GTC, IOC}),
}
"""The order types customers may place and the times in force each may carry. Pegs are
admitted here whatever their kind: whether a venue on the order's route carries that peg is the
router's answer (4008), since it knows the venues."""

PEG_TYPES = frozenset({OrderType.PEG_PRIMARY, OrderType.PEG_MIDPOINT, OrderType.PEG_MARKET})
"""Pegged orders: priced by the venue from its quote, with an optional limit as a cap."""

_NEEDS_STOP = frozenset({OrderType.STOP, OrderType.STOP_LIMIT})
_ENTRY_SIDES = frozenset({Side.BUY, Side.SELL_SHORT, Side.SELL_SHORT_EXEMPT})


def valid_order_id(value: object) -> bool:
    """A gateway-assigned order id: 1-48 characters of text without ':'."""
    return type(value) is str and 0 < len(value) <= MAX_ORDER_ID and ":" not in value


def _is(value: object, kind: type[Enum]) -> bool:
    return isinstance(value, kind)


def _price(value: object, name: str) -> Refusal | None:
    if value is None:
        return None
    if type(value) is not int:
        return RejectCode.PRICE_NOT_A_NUMBER, f"The {name} must be a number of $0.0001 units"
    if not is_on_tick(value):
        if value <= 0:
            return RejectCode.PRICE_OUT_OF_RANGE, f"The {name} must be positive"
        return (
            RejectCode.PRICE_OFF_TICK,
            f"The {name} ${format_price(value)} is off tick: use whole cents at $1.00 and above",
        )
    return None


def _quantity(value: object) -> Refusal | None:
    if type(value) is not int:
        return RejectCode.QUANTITY_NOT_INTEGRAL, "The quantity must be a whole number of shares"
    if value <= 0:
        return RejectCode.QUANTITY_NOT_POSITIVE, "The quantity must be at least 1 share"
    if value > MAX_QUANTITY:
        return RejectCode.QUANTITY_TOO_LARGE, f"The quantity must be at most {MAX_QUANTITY:,}"
    return None


def _symbol(value: object) -> bool:
    return (
        type(value) is str
        and 0 < len(value) <= 12
        and all(c.isascii() and (c.isupper() or c.isdigit() or c in ".-/") for c in value)
    )


def _text(value: object, most: int, *, empty: bool = True) -> bool:
    return type(value) is str and (empty or value != "") and len(value) <= most


def check_place(cmd: PlaceOrder) -> Refusal | None:
    """Every field of a new order, and how the fields fit together."""
    if not valid_order_id(cmd.order_id):
        return RejectCode.INVALID_ID, "The order id must be 1-48 characters without ':'"
    if not _text(cmd.client_order_id, MAX_CLIENT_ORDER_ID) or not _text(
        cmd.account, 64, empty=False
    ):
        return (
            RejectCode.INVALID_ID,
            f"The client order id must be text of at most {MAX_CLIENT_ORDER_ID} characters "
            "and the account text of at most 64",
        )
    if ":" in cmd.account:
        return RejectCode.INVALID_ID, "The account must not contain ':'"
    if not _symbol(cmd.symbol):
        return RejectCode.UNKNOWN_SYMBOL, f"Unknown symbol {cmd.symbol!r}"
    fields: tuple[tuple[object, type[Enum]], ...] = (
        (cmd.side, Side),
        (cmd.order_type, OrderType),
        (cmd.time_in_force, TimeInForce),
        (cmd.post_only, PostOnly),
        (cmd.order_class, OrderClass),
    )
    if not all(_is(value, kind) for value, kind in fields):
        return RejectCode.MALFORMED, "Side, order type, time in force or order class is unknown"
    flags: tuple[object, object] = (cmd.extended_hours, cmd.hidden)
    if any(type(flag) is not bool for flag in flags):
        return RejectCode.MALFORMED, "extended_hours and hidden must be true or false"
    if not _text(cmd.route, 16, empty=False):
        return RejectCode.MALFORMED, "The route must name a venue or SMART"
    return (
        _quantity(cmd.quantity)
        or _check_prices(cmd)
        or _check_type(cmd)
        or _check_attributes(cmd)
        or _check_group(cmd)
    )


def _check_prices(cmd: PlaceOrder) -> Refusal | None:
    for value, name in (
        (cmd.limit_price, "limit price"),
        (cmd.stop_price, "stop price"),
        (cmd.take_profit_price, "take-profit price"),
        (cmd.stop_loss_price, "stop-loss price"),
        (cmd.stop_loss_limit_price, "stop-loss limit price"),
    ):
        refusal = _price(value, name)
        if refusal is not None:
            return refusal
    return _check_trail(cmd.trail_amount, cmd.trail_percent_bps)


def _check_trail(amount: object, bps: object) -> Refusal | None:
    if amount is not None and (type(amount) is not int or amount <= 0):
        return RejectCode.PRICE_OUT_OF_RANGE, "The trail amount must be a positive price"
    if bps is not None and (type(bps) is not int or not 0 < bps <= MAX_TRAIL_BPS):
        return RejectCode.PRICE_OUT_OF_RANGE, "The trail percent must be 0.01% to 50%"
    return None


def _check_type(cmd: PlaceOrder) -> Refusal | None:
    kind = cmd.order_type
    allowed = ALLOWED_TIF.get(kind)
    if allowed is None:
        return RejectCode.UNSUPPORTED_ORDER_TYPE, f"{kind.value} orders are not offered"
    if cmd.time_in_force not in allowed:
        names = ", ".join(sorted(t.value for t in allowed))
        return (
            RejectCode.INVALID_TIME_IN_FORCE,
            f"A {kind.value} order may be {names}, not {cmd.time_in_force.value}",
        )
    needs_limit = kind.needs_limit_price
    if needs_limit and cmd.limit_price is None:
        return RejectCode.PRICE_REQUIRED, f"A {kind.value} order needs a limit price"
    if not needs_limit and cmd.limit_price is not None and kind not in PEG_TYPES:
        return RejectCode.PRICE_NOT_ALLOWED, f"A {kind.value} order takes no limit price"
    if (kind in _NEEDS_STOP) != (cmd.stop_price is not None):
        if cmd.stop_price is None:
            return RejectCode.PRICE_REQUIRED, f"A {kind.value} order needs a stop price"
        return RejectCode.PRICE_NOT_ALLOWED, f"A {kind.value} order takes no stop price"
    trailing = kind is OrderType.TRAILING_STOP
    has_trail = (cmd.trail_amount is not None, cmd.trail_percent_bps is not None)
    if trailing and sum(has_trail) != 1:
        return RejectCode.PRICE_REQUIRED, "A trailing stop needs a trail amount or a percent"
    if not trailing and any(has_trail):
        return RejectCode.PRICE_NOT_ALLOWED, "Only trailing stops take a trail"
    return None


def _check_attributes(cmd: PlaceOrder) -> Refusal | None:
    resting_limit = cmd.order_type is OrderType.LIMIT and cmd.time_in_force not in (IOC, FOK)
    if cmd.extended_hours and not (
        cmd.order_type is OrderType.LIMIT and cmd.time_in_force in (D, GTC, TimeInForce.DAY_PLUS)
    ):
        return RejectCode.INVALID_ATTRIBUTES, "Extended-hours orders must be DAY or GTC limits"
    display = cmd.display_quantity
    if display is not None:
        if type(display) is not int or not 0 < display < cmd.quantity:
            return (
                RejectCode.INVALID_DISPLAY_QUANTITY,
                "The display quantity must be positive and below the order quantity",
            )
        if not resting_limit or cmd.hidden:
            return RejectCode.INVALID_ATTRIBUTES, "Reserve orders must be displayed DAY/GTC limits"
    if cmd.hidden and cmd.order_type is not OrderType.LIMIT:
        return RejectCode.INVALID_ATTRIBUTES, "Only limit orders can be hidden"
    if cmd.post_only is not PostOnly.NO and not resting_limit:
        return RejectCode.INVALID_ATTRIBUTES, "Post-only needs a DAY or GTC limit order"
    return None


def _check_group(cmd: PlaceOrder) -> Refusal | None:
    tp, sl, sl_limit = cmd.take_profit_price, cmd.stop_loss_price, cmd.stop_loss_limit_price
    order_class = cmd.order_class
    if order_class is OrderClass.SIMPLE:
        if tp is not None or sl is not None or sl_limit is not None:
            return (
                RejectCode.INVALID_ATTRIBUTES,
                "Take-profit and stop-loss need a bracket, OCO or OTO",
            )
        return None
    if cmd.time_in_force not in (D, GTC) or cmd.extended_hours:
        return RejectCode.INVALID_TIME_IN_FORCE, "Order groups must be regular-hours DAY or GTC"
    if sl is None and sl_limit is not None:
        return RejectCode.PRICE_REQUIRED, "A stop-loss limit price needs a stop-loss price"
    if order_class is OrderClass.OCO:
        if cmd.order_type is not OrderType.LIMIT or tp is not None or sl is None:
            return (
                RejectCode.INVALID_ATTRIBUTES,
                "An OCO is a limit take-profit with a stop_loss_price (no take_profit_price)",
            )
        if cmd.side not in (Side.SELL, Side.BUY):
            return RejectCode.INVALID_ATTRIBUTES, "An OCO closes a position: sell long or buy"
        assert cmd.limit_price is not None
        return _exit_prices(cmd.side is Side.SELL, cmd.limit_price, sl)
    if cmd.side not in _ENTRY_SIDES:
        return RejectCode.INVALID_ATTRIBUTES, "A bracket or OTO entry must buy or sell short"
    if cmd.order_type not in STOP_TYPES | {OrderType.MARKET, OrderType.LIMIT}:
        return RejectCode.INVALID_ATTRIBUTES, "A bracket or OTO entry must be market, limit or stop"
    if order_class is OrderClass.BRACKET:
        if tp is None or sl is None:
            return RejectCode.PRICE_REQUIRED, "A bracket needs a take-profit and a stop-loss price"
        return _exit_prices(cmd.side is Side.BUY, tp, sl)
    if (tp is None) == (sl is None):
        return RejectCode.INVALID_ATTRIBUTES, "An OTO needs exactly one of take-profit or stop-loss"
    return None


def _exit_prices(long_exit: bool, take_profit: int, stop_loss: int) -> Refusal | None:
    if (take_profit <= stop_loss) if long_exit else (take_profit >= stop_loss):
        relation = "above" if long_exit else "below"
        return (
            RejectCode.INVALID_ATTRIBUTES,
            f"The take-profit ${format_price(take_profit)} must be {relation} "
            f"the stop-loss ${format_price(stop_loss)}",
        )
    return None


def check_replace(cmd: ReplaceCustomerOrder, parent: Parent) -> Refusal | None:
    """The new terms of a cancel/replace, given the order they change."""
    if not _text(cmd.new_client_order_id, MAX_CLIENT_ORDER_ID):
        return (
            RejectCode.INVALID_ID,
            f"The new client order id must be text of at most {MAX_CLIENT_ORDER_ID} characters",
        )
    refusal = (
        _quantity(cmd.quantity)
        or _price(cmd.limit_price, "limit price")
        or _price(cmd.stop_price, "stop price")
        or _check_trail(cmd.trail_amount, cmd.trail_percent_bps)
    )
    if refusal is not None:
        return refusal
    if cmd.limit_price is not None and parent.limit_price is None:
        return RejectCode.INVALID_REPLACE, "This order has no limit price to change"
    if cmd.stop_price is not None and parent.stop_price is None:
        return RejectCode.INVALID_REPLACE, "This order has no stop price to change"
    changes_trail = cmd.trail_amount is not None or cmd.trail_percent_bps is not None
    if changes_trail and parent.order_type is not OrderType.TRAILING_STOP:
        return RejectCode.INVALID_REPLACE, "Only a trailing stop's trail can change"
    if parent.triggered and (cmd.stop_price is not None or changes_trail):
        return RejectCode.INVALID_REPLACE, "The stop already triggered; only price and size change"
    if cmd.quantity <= parent.cum_quantity:
        return (
            RejectCode.INVALID_REPLACE,
            f"The new quantity must be above the {parent.cum_quantity:,} shares already filled",
        )
    return None

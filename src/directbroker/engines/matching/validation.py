"""Every check a venue makes before it touches state, shared by the fast and reference engines.

Validation is complete before any mutation (there is no rollback), and it never raises: commands
arrive from outside and may carry any Python value in any field, so each field's type is checked
before the value is used (a list as an order id must not reach a dict lookup).

Fields not yet checked are read through the ``Raw*`` views below, which type every field as
``object``. Plain Python does not care, but code compiled with mypyc checks a value against its
declared type when it reads the attribute, and would raise ``TypeError`` on a malformed command
instead of rejecting it (see docs/adr/0009).
"""

from __future__ import annotations

from typing import Protocol

from directbroker.domain.instruments import is_on_tick
from directbroker.domain.numbers import MAX_PRICE, MAX_QUANTITY
from directbroker.domain.orders import AuctionKind, OrderType, PostOnly, Side, TimeInForce
from directbroker.domain.rejects import RejectCode
from directbroker.domain.venue_messages import (
    HaltTrading,
    ReplaceOrder,
    ResumeTrading,
    RunAuction,
    SubmitOrder,
)

Reject = tuple[RejectCode, str]

MAX_ID_LENGTH = 64

WOULD_TAKE: Reject = (RejectCode.POST_ONLY_WOULD_TAKE, "post-only order would take liquidity")
"""Why a post-only order (or replace) in reject mode is refused; depends on the book, so the
engines check it themselves after the field checks here."""

RESTING = frozenset({TimeInForce.DAY, TimeInForce.GTC, TimeInForce.DAY_PLUS})
"""Times in force under which what is left of a continuous order rests on the book."""

ALLOWED_TIME_IN_FORCE: dict[OrderType, frozenset[TimeInForce]] = {
    OrderType.LIMIT: RESTING | {TimeInForce.IOC, TimeInForce.FOK},
    OrderType.MARKET: frozenset({TimeInForce.DAY, TimeInForce.IOC, TimeInForce.FOK}),
    OrderType.PEG_MIDPOINT: RESTING | {TimeInForce.IOC},
    OrderType.MARKET_ON_OPEN: frozenset({TimeInForce.OPG, TimeInForce.DAY}),
    OrderType.LIMIT_ON_OPEN: frozenset({TimeInForce.OPG, TimeInForce.DAY}),
    OrderType.MARKET_ON_CLOSE: frozenset({TimeInForce.CLS, TimeInForce.DAY}),
    OrderType.LIMIT_ON_CLOSE: frozenset({TimeInForce.CLS, TimeInForce.DAY}),
}
"""The order types a venue supports and the times in force each may carry."""


class RawSubmit(Protocol):
    """A :class:`SubmitOrder` as it may really arrive: any field may hold any value."""

    @property
    def order_id(self) -> object: ...
    @property
    def participant(self) -> object: ...
    @property
    def symbol(self) -> object: ...
    @property
    def side(self) -> object: ...
    @property
    def order_type(self) -> object: ...
    @property
    def quantity(self) -> object: ...
    @property
    def price(self) -> object: ...
    @property
    def time_in_force(self) -> object: ...
    @property
    def display_quantity(self) -> object: ...
    @property
    def hidden(self) -> object: ...
    @property
    def post_only(self) -> object: ...


class RawOrderRef(Protocol):
    """The order a cancel or replace names, as it may really arrive."""

    @property
    def order_id(self) -> object: ...
    @property
    def participant(self) -> object: ...


class RawReplace(RawOrderRef, Protocol):
    """A :class:`ReplaceOrder` as it may really arrive."""

    @property
    def quantity(self) -> object: ...
    @property
    def price(self) -> object: ...


class RawHalt(Protocol):
    """A :class:`HaltTrading` as it may really arrive."""

    @property
    def symbol(self) -> object: ...
    @property
    def reason(self) -> object: ...


class RawSymbolCommand(Protocol):
    """Any command naming a symbol, as it may really arrive."""

    @property
    def symbol(self) -> object: ...


class RawAuction(Protocol):
    """A :class:`RunAuction` as it may really arrive."""

    @property
    def symbol(self) -> object: ...
    @property
    def kind(self) -> object: ...
    @property
    def reference_price(self) -> object: ...


class VenueFacts(Protocol):
    """What validation needs to know about the venue's current state."""

    @property
    def runs_auctions(self) -> bool: ...

    def trades(self, symbol: str) -> bool: ...

    def is_halted(self, symbol: str) -> bool: ...

    def id_used(self, order_id: str) -> bool: ...


def valid_id(value: object) -> bool:
    """Whether ``value`` is acceptable as an order id or participant name."""
    return type(value) is str and 0 < len(value) <= MAX_ID_LENGTH


def check_quantity(quantity: object) -> Reject | None:
    """Whole shares, positive, and not absurd (``bool`` is not a quantity)."""
    if type(quantity) is not int:
        return RejectCode.QUANTITY_NOT_INTEGRAL, f"quantity {quantity!r}"
    if quantity <= 0:
        return RejectCode.QUANTITY_NOT_POSITIVE, f"quantity {quantity}"
    if quantity > MAX_QUANTITY:
        return RejectCode.QUANTITY_TOO_LARGE, f"quantity {quantity}"
    return None


def check_price(price: object) -> Reject | None:
    """An int number of $0.0001 within range and on the Rule 612 tick grid."""
    if type(price) is not int:
        return RejectCode.PRICE_NOT_A_NUMBER, f"price {price!r}"
    if price <= 0 or price > MAX_PRICE:
        return RejectCode.PRICE_OUT_OF_RANGE, f"price {price}"
    if not is_on_tick(price):
        return RejectCode.PRICE_OFF_TICK, f"price {price}"
    return None


def _check_symbol(symbol: object, facts: VenueFacts) -> Reject | None:
    if type(symbol) is not str:
        return RejectCode.MALFORMED, f"symbol {symbol!r}"
    if not facts.trades(symbol):
        return RejectCode.SYMBOL_NOT_TRADED_HERE, symbol
    return None


def check_submit(cmd: SubmitOrder, facts: VenueFacts) -> Reject | None:
    """Everything about a new order that does not depend on the book's prices."""
    # Each check below has an inline fast path for the common well-formed case and falls back
    # to the detailed check (which picks the reject code) otherwise: this runs on every order.
    raw: RawSubmit = cmd
    order_id = raw.order_id
    participant = raw.participant
    if not (type(order_id) is str and 0 < len(order_id) <= MAX_ID_LENGTH) or not valid_id(
        participant
    ):
        return RejectCode.INVALID_ID, "order id and participant"
    reject = _check_symbol(raw.symbol, facts)
    if reject is not None:
        return reject
    # Read as ``object``: the annotations are a promise the sender may not have kept.
    side = raw.side
    order_type = raw.order_type
    tif = raw.time_in_force
    post_only = raw.post_only
    hidden = raw.hidden
    if not isinstance(side, Side) or not isinstance(order_type, OrderType):
        return RejectCode.MALFORMED, "side and order type"
    if not isinstance(tif, TimeInForce) or not isinstance(post_only, PostOnly):
        return RejectCode.MALFORMED, "time in force and post-only mode"
    if type(hidden) is not bool:
        return RejectCode.MALFORMED, f"hidden {hidden!r}"
    allowed = ALLOWED_TIME_IN_FORCE.get(order_type)
    if allowed is None:
        return RejectCode.UNSUPPORTED_ORDER_TYPE, order_type.value
    if tif not in allowed:
        return RejectCode.INVALID_TIME_IN_FORCE, f"{order_type.value} {tif.value}"
    quantity = raw.quantity
    if not (type(quantity) is int and 0 < quantity <= MAX_QUANTITY):
        reject = check_quantity(quantity)
        if reject is not None:
            return reject
    price = raw.price
    if not (order_type is OrderType.LIMIT and type(price) is int and is_on_tick(price)):
        reject = _check_order_price(order_type, price)
        if reject is not None:
            return reject
    if raw.display_quantity is not None or hidden or post_only is not PostOnly.NO:
        reject = _check_attributes(cmd)
        if reject is not None:
            return reject
    if facts.id_used(cmd.order_id):
        return RejectCode.DUPLICATE_ORDER_ID, cmd.order_id
    if facts.is_halted(cmd.symbol):
        return RejectCode.SYMBOL_HALTED, cmd.symbol
    if order_type.is_auction and not facts.runs_auctions:
        return RejectCode.AUCTION_NOT_ACCEPTING, "this venue runs no crosses"
    return None


def _check_order_price(order_type: OrderType, price: object) -> Reject | None:
    if price is None:
        if order_type.needs_limit_price:
            return RejectCode.PRICE_REQUIRED, order_type.value
        return None
    if not order_type.needs_limit_price and order_type is not OrderType.PEG_MIDPOINT:
        return RejectCode.PRICE_NOT_ALLOWED, order_type.value
    return check_price(price)


def _check_attributes(cmd: SubmitOrder) -> Reject | None:
    """Reserve, hidden and post-only are attributes of orders that can rest on the book."""
    raw: RawSubmit = cmd
    display = raw.display_quantity
    is_limit = cmd.order_type is OrderType.LIMIT
    rests = cmd.time_in_force in RESTING
    if display is not None:
        if type(display) is not int or not 0 < display < cmd.quantity:
            return RejectCode.INVALID_DISPLAY_QUANTITY, f"display {display!r}"
        if not (is_limit and rests) or cmd.hidden:
            return RejectCode.INVALID_ATTRIBUTES, "reserve needs a resting, displayed limit order"
    if cmd.hidden and not (is_limit or cmd.order_type is OrderType.PEG_MIDPOINT):
        return RejectCode.INVALID_ATTRIBUTES, "only limit orders can be hidden"
    if cmd.post_only is not PostOnly.NO and not (is_limit and rests):
        return RejectCode.INVALID_ATTRIBUTES, "post-only needs a resting limit order"
    return None


def check_replace_fields(cmd: ReplaceOrder, order_type: OrderType) -> Reject | None:
    """The new size and price of a replace, given the working order's type."""
    raw: RawReplace = cmd
    reject = check_quantity(raw.quantity)
    if reject is not None:
        return reject
    price = raw.price
    if price is None:
        return None
    if order_type in (OrderType.MARKET_ON_OPEN, OrderType.MARKET_ON_CLOSE):
        return RejectCode.PRICE_NOT_ALLOWED, order_type.value
    return check_price(price)


def check_halt(cmd: HaltTrading, facts: VenueFacts) -> Reject | None:
    """A halt needs a traded symbol that is not already halted."""
    raw: RawHalt = cmd
    reject = _check_symbol(raw.symbol, facts)
    if reject is not None:
        return reject
    reason = raw.reason
    if type(reason) is not str:
        return RejectCode.MALFORMED, f"reason {reason!r}"
    if facts.is_halted(cmd.symbol):
        return RejectCode.SYMBOL_HALTED, cmd.symbol
    return None


def check_resume(cmd: ResumeTrading, facts: VenueFacts) -> Reject | None:
    """A resume needs a halted symbol."""
    raw: RawSymbolCommand = cmd
    reject = _check_symbol(raw.symbol, facts)
    if reject is not None:
        return reject
    if not facts.is_halted(cmd.symbol):
        return RejectCode.SYMBOL_NOT_HALTED, cmd.symbol
    return None


def check_auction(cmd: RunAuction, facts: VenueFacts) -> Reject | None:
    """A cross needs a venue that runs them, a trading symbol and a legal reference price."""
    raw: RawAuction = cmd
    reject = _check_symbol(raw.symbol, facts)
    if reject is not None:
        return reject
    kind = raw.kind
    if not isinstance(kind, AuctionKind):
        return RejectCode.MALFORMED, f"kind {kind!r}"
    reject = check_price(raw.reference_price)
    if reject is not None:
        return reject
    if not facts.runs_auctions:
        return RejectCode.AUCTION_NOT_ACCEPTING, "this venue runs no crosses"
    if facts.is_halted(cmd.symbol):
        return RejectCode.SYMBOL_HALTED, cmd.symbol
    return None

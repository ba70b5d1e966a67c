"""Commands a trading venue accepts and the events it emits.

A venue (exchange or ECN) runs one matching engine. Its inputs are orders from participants
(the broker's router, other simulated traders), halts, and auction triggers; its outputs are
execution reports to the order's owner, trades for the tape, and an order-level market data feed
in the manner of NASDAQ TotalView-ITCH (add, execute, cancel, replace, delete) from which depth and
the venue's best bid and offer are derived.

All prices are ints in $0.0001 units; all quantities are whole shares; fees are ints in
micro-dollars ($0.000001) so sub-mill rates such as $0.00295 per share stay exact.
"""

from __future__ import annotations

from dataclasses import dataclass

from directbroker.domain.messages import Command, Event
from directbroker.domain.orders import (
    AuctionKind,
    BookSide,
    CancelReason,
    Liquidity,
    OrderType,
    PostOnly,
    Side,
    TimeInForce,
)
from directbroker.domain.rejects import RejectCode

FEE_SCALE = 1_000_000
"""Fee units per dollar: one unit is $0.000001."""


# --- commands -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SubmitOrder(Command):
    """Enter a new order. ``order_id`` is chosen by the participant and unique at this venue.

    ``price`` is the limit price (required for limit types, optional cap for a midpoint peg,
    absent for market types). ``display_quantity`` makes a reserve order: that much is shown and
    refreshed from the reserve. ``hidden`` rests the whole order undisplayed.
    """

    order_id: str
    participant: str
    symbol: str
    side: Side
    order_type: OrderType
    quantity: int
    price: int | None = None
    time_in_force: TimeInForce = TimeInForce.DAY
    display_quantity: int | None = None
    hidden: bool = False
    post_only: PostOnly = PostOnly.NO


@dataclass(frozen=True, slots=True)
class CancelOrder(Command):
    """Cancel what is left of a working order."""

    order_id: str
    participant: str


@dataclass(frozen=True, slots=True)
class ReplaceOrder(Command):
    """Cancel/replace: change price and/or quantity of a working order.

    ``quantity`` is the new total order quantity (as FIX OrderQty), so the new open quantity is
    ``quantity - filled``; a replace to at most the filled quantity cancels the rest. Priority is
    kept only when the price is unchanged and the size goes down.
    """

    order_id: str
    participant: str
    quantity: int
    price: int | None = None


@dataclass(frozen=True, slots=True)
class HaltTrading(Command):
    """Stop continuous trading in a symbol (regulatory or volatility halt)."""

    symbol: str
    reason: str = ""


@dataclass(frozen=True, slots=True)
class ResumeTrading(Command):
    """Resume continuous trading in a halted symbol."""

    symbol: str


@dataclass(frozen=True, slots=True)
class RunAuction(Command):
    """Run the opening or closing cross for a symbol at this venue.

    ``reference_price`` breaks ties between equally good clearing prices (the prior close for the
    open, the last sale for the close).
    """

    symbol: str
    kind: AuctionKind
    reference_price: int


# --- execution reports (to the order's owner) ----------------------------------------------


@dataclass(frozen=True, slots=True)
class OrderAccepted(Event):
    """The venue took the order. ``price`` is where it works (after any post-only reprice)."""

    venue: str
    order_id: str
    participant: str
    symbol: str
    side: Side
    order_type: OrderType
    quantity: int
    price: int | None
    time_in_force: TimeInForce
    ts_ns: int


@dataclass(frozen=True, slots=True)
class OrderRejected(Event):
    """The venue refused the input; nothing changed."""

    venue: str
    order_id: str
    participant: str
    code: RejectCode
    detail: str
    ts_ns: int


@dataclass(frozen=True, slots=True)
class OrderCancelled(Event):
    """``cancelled_quantity`` shares stopped working; the order is done."""

    venue: str
    order_id: str
    participant: str
    symbol: str
    cancelled_quantity: int
    reason: CancelReason
    ts_ns: int


@dataclass(frozen=True, slots=True)
class OrderReplaced(Event):
    """A cancel/replace took effect."""

    venue: str
    order_id: str
    participant: str
    symbol: str
    quantity: int
    leaves_quantity: int
    price: int | None
    kept_priority: bool
    ts_ns: int


@dataclass(frozen=True, slots=True)
class OrderFilled(Event):
    """An execution of part or all of an order.

    ``fee`` is in micro-dollars for this execution: positive is charged to the participant,
    negative is a rebate paid to it.
    """

    venue: str
    order_id: str
    participant: str
    symbol: str
    side: Side
    trade_id: int
    price: int
    quantity: int
    leaves_quantity: int
    cumulative_quantity: int
    liquidity: Liquidity
    fee: int
    ts_ns: int


# --- public feed ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TradeReported(Event):
    """A trade for the tape (time and sales). Hidden executions are reported too."""

    venue: str
    symbol: str
    trade_id: int
    price: int
    quantity: int
    aggressor: BookSide | None
    condition: str
    ts_ns: int


@dataclass(frozen=True, slots=True)
class BookOrderAdded(Event):
    """A displayed order (or a reserve order's refreshed display) joined the book (ITCH 'A').

    ``book_ref`` is the venue's public reference number, never the participant's order id.
    """

    venue: str
    symbol: str
    book_ref: int
    side: BookSide
    price: int
    quantity: int
    ts_ns: int


@dataclass(frozen=True, slots=True)
class BookOrderExecuted(Event):
    """Part of a displayed order traded (ITCH 'E')."""

    venue: str
    symbol: str
    book_ref: int
    quantity: int
    trade_id: int
    ts_ns: int


@dataclass(frozen=True, slots=True)
class BookOrderReduced(Event):
    """A displayed order's size went down without a trade (ITCH 'X')."""

    venue: str
    symbol: str
    book_ref: int
    quantity: int
    ts_ns: int


@dataclass(frozen=True, slots=True)
class BookOrderDeleted(Event):
    """A displayed order left the book (ITCH 'D')."""

    venue: str
    symbol: str
    book_ref: int
    ts_ns: int


@dataclass(frozen=True, slots=True)
class BookOrderReplaced(Event):
    """A displayed order was replaced by a new one with a new reference (ITCH 'U'); the new one
    is at the back of its price level."""

    venue: str
    symbol: str
    old_book_ref: int
    new_book_ref: int
    price: int
    quantity: int
    ts_ns: int


@dataclass(frozen=True, slots=True)
class TradingHalted(Event):
    """Continuous trading in a symbol stopped."""

    venue: str
    symbol: str
    reason: str
    ts_ns: int


@dataclass(frozen=True, slots=True)
class TradingResumed(Event):
    """Continuous trading in a symbol resumed."""

    venue: str
    symbol: str
    ts_ns: int


@dataclass(frozen=True, slots=True)
class AuctionCompleted(Event):
    """An opening or closing cross finished (ITCH 'Q' cross trade plus imbalance).

    ``price`` is None when nothing crossed. ``imbalance`` is the unmatched quantity at the
    clearing price on ``imbalance_side``.
    """

    venue: str
    symbol: str
    kind: AuctionKind
    price: int | None
    matched_quantity: int
    imbalance: int
    imbalance_side: BookSide | None
    ts_ns: int


ExecutionReport = OrderAccepted | OrderRejected | OrderCancelled | OrderReplaced | OrderFilled
"""A venue's report to the owner of one order; private, never market data."""

EXECUTION_REPORTS = (OrderAccepted, OrderRejected, OrderCancelled, OrderReplaced, OrderFilled)
"""The execution report types, for ``isinstance`` checks and handler tables."""

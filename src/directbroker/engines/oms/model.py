"""What the OMS remembers about an order: the customer's (parent) order and the child orders
sent to venues for it.

A parent's filled quantity and notional are sums over its children's executions, kept as
running totals updated by the same code that updates the child, so they cannot disagree; the
average price is derived from them (exact integers, rounded half up only when reported).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from directbroker.domain.order_status import LegRole, OrderClass, OrdStatus
from directbroker.domain.orders import OrderType, PostOnly, Side, TimeInForce
from directbroker.domain.routing import ChildPurpose

STOP_TYPES = frozenset({OrderType.STOP, OrderType.STOP_LIMIT, OrderType.TRAILING_STOP})
"""Types the broker holds until the tape triggers them; venues never see them."""


class ChildState(str, Enum):
    """Where a child order is at its venue. At most one request is outstanding at a time, so
    a venue's reject always answers the request the state names."""

    SENT = "sent"
    WORKING = "working"
    CANCEL_SENT = "cancel_sent"
    REPLACE_SENT = "replace_sent"
    DONE = "done"


@dataclass(slots=True)
class Child:
    """One order at one venue, sent for a parent."""

    child_id: str
    parent_id: str
    venue: str
    order_type: OrderType
    quantity: int
    limit_price: int | None
    time_in_force: TimeInForce
    purpose: ChildPurpose
    filled: int = 0
    state: ChildState = ChildState.SENT
    cancel_wanted: bool = False
    replace_quantity: int = 0
    replace_price: int | None = None

    @property
    def live(self) -> bool:
        """Whether the venue may still execute it."""
        return self.state is not ChildState.DONE

    @property
    def open_quantity(self) -> int:
        """Shares that may still execute."""
        return self.quantity - self.filled if self.live else 0


@dataclass(slots=True)
class Terms:
    """The parts of an order a replace may change."""

    quantity: int
    limit_price: int | None
    stop_price: int | None
    trail_amount: int | None
    trail_percent_bps: int | None


@dataclass(slots=True)
class Parent:
    """A customer's order as the OMS keeps it."""

    order_id: str
    client_order_id: str
    account: str
    symbol: str
    side: Side
    order_type: OrderType
    quantity: int
    limit_price: int | None
    stop_price: int | None
    trail_amount: int | None
    trail_percent_bps: int | None
    time_in_force: TimeInForce
    extended_hours: bool
    route: str
    display_quantity: int | None
    hidden: bool
    post_only: PostOnly
    order_class: OrderClass
    group_id: str
    role: LegRole
    status: OrdStatus
    reserve_price: int = 0
    """Estimated price per share that risk reserves buying power at (0: reduces a position)."""
    cum_quantity: int = 0
    notional: int = 0
    triggered: bool = False
    watermark: int | None = None
    children: list[str] = field(default_factory=list)
    next_child: int = 1
    pending_end: OrdStatus | None = None
    pending_terms: Terms | None = None
    replace_id: str = ""
    """The order that will carry on once a pending replace takes effect (its successor)."""
    replaces: str = ""
    """The order this one replaced (or will replace: see ``standby``)."""
    replaced_by: str = ""
    standby: bool = False
    """Created by a replace that has not taken effect yet: it waits (pending new) for the
    order it replaces, whose fate decides its own; nothing else moves it."""
    carried_quantity: int = 0
    """Shares the orders it replaced filled (a bracket's exits are sized on the whole chain)."""
    route_key: str = ""
    """The parent id the router knows this order's children by, when it took over live
    children from the order it replaced (empty: its own id)."""

    @property
    def routing_id(self) -> str:
        """The id the router tracks this order's children under."""
        return self.route_key or self.order_id

    @property
    def leaves_quantity(self) -> int:
        """Shares still to execute (0 once the order is done)."""
        return 0 if self.status.is_terminal else self.quantity - self.cum_quantity

    @property
    def avg_price(self) -> int:
        """Volume-weighted average execution price, half up to $0.0001 (0 before any fill)."""
        if not self.cum_quantity:
            return 0
        return (2 * self.notional + self.cum_quantity) // (2 * self.cum_quantity)

    @property
    def is_stop(self) -> bool:
        """Whether the broker holds it for a trigger."""
        return self.order_type in STOP_TYPES

    @property
    def held(self) -> bool:
        """Whether it waits at the broker (untriggered stop) rather than at venues."""
        return self.is_stop and not self.triggered

    @property
    def reduces_after_fill(self) -> bool:
        """Whether it is a contingent exit (its quantity follows its primary's fills)."""
        return self.role is not LegRole.PRIMARY

    def terms(self) -> Terms:
        """The current replaceable terms."""
        return Terms(
            self.quantity,
            self.limit_price,
            self.stop_price,
            self.trail_amount,
            self.trail_percent_bps,
        )

    def apply(self, terms: Terms) -> None:
        """Take new replaceable terms."""
        self.quantity = terms.quantity
        self.limit_price = terms.limit_price
        self.stop_price = terms.stop_price
        self.trail_amount = terms.trail_amount
        self.trail_percent_bps = terms.trail_percent_bps

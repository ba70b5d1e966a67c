"""Commands the router accepts and the events it emits.

The router's other inputs are facts it only observes: the venues' execution reports for its
children (``OrderAccepted`` ... ``OrderFilled`` from ``venue_messages``) and consolidated market
data (``DepthUpdated``, ``QuoteUpdated``, ``TradingStatusChanged``). The commands here are the
inputs nobody else defines: a parent order to route, the venue link's up/down status, and the
timer tick that makes time an input (timeouts are checked when a tick arrives, never by reading
a clock).

Every field is a flat value (str, int, enum, tuple of str) so the journal codec can carry it;
a child's terms are therefore spelled out in :class:`ChildRouted` rather than nested.
"""

from __future__ import annotations

from dataclasses import dataclass

from directbroker.domain.messages import Command, Event
from directbroker.domain.orders import OrderType, PostOnly, Side, TimeInForce
from directbroker.domain.rejects import RejectCode
from directbroker.domain.routing import SMART, ChildInstruction, ChildPurpose, RouteRequest
from directbroker.domain.venue_messages import CancelOrder, SubmitOrder

# --- commands -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RouteOrder(Command):
    """Route (what is left of) a parent order: a :class:`RouteRequest` as a journaled command."""

    parent_id: str
    symbol: str
    side: Side
    quantity: int
    limit_price: int | None
    time_in_force: TimeInForce
    route: str = SMART
    allowed_venues: tuple[str, ...] = ()
    display_quantity: int | None = None
    hidden: bool = False
    post_only: PostOnly = PostOnly.NO
    order_type: OrderType = OrderType.LIMIT

    @classmethod
    def from_request(cls, request: RouteRequest) -> RouteOrder:
        """The command for a request (same fields, same order)."""
        return cls(
            request.parent_id,
            request.symbol,
            request.side,
            request.quantity,
            request.limit_price,
            request.time_in_force,
            request.route,
            tuple(request.allowed_venues),
            request.display_quantity,
            request.hidden,
            request.post_only,
            request.order_type,
        )

    @property
    def request(self) -> RouteRequest:
        """The request this command carries."""
        return RouteRequest(
            self.parent_id,
            self.symbol,
            self.side,
            self.quantity,
            self.limit_price,
            self.time_in_force,
            self.route,
            self.allowed_venues,
            self.display_quantity,
            self.hidden,
            self.post_only,
            self.order_type,
        )


@dataclass(frozen=True, slots=True)
class StopRouting(Command):
    """The parent is being cancelled or replaced: re-route nothing more for it, and ask for
    every child still working to be cancelled."""

    parent_id: str


@dataclass(frozen=True, slots=True)
class MarkVenueDown(Command):
    """The venue link lost the venue (session dropped, operator action): route nothing there."""

    venue: str
    reason: str = ""


@dataclass(frozen=True, slots=True)
class MarkVenueUp(Command):
    """The venue link is back: the venue may be routed to again."""

    venue: str


@dataclass(frozen=True, slots=True)
class RoutingTimerTick(Command):
    """Time passed (the tick's timestamp is the sequencer's): check acknowledgement and cancel
    timeouts and settle realized-spread mark-outs that fell due."""


# --- events ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChildRouted(Event):
    """Send this child order: ``child_id`` is the venue order id to use."""

    parent_id: str
    child_id: str
    symbol: str
    side: Side
    venue: str
    quantity: int
    order_type: OrderType
    limit_price: int | None
    time_in_force: TimeInForce
    purpose: ChildPurpose
    display_quantity: int | None
    hidden: bool
    post_only: PostOnly
    ts_ns: int

    @property
    def instruction(self) -> ChildInstruction:
        """The child's terms as the routing contract spells them."""
        return ChildInstruction(
            self.venue,
            self.quantity,
            self.order_type,
            self.limit_price,
            self.time_in_force,
            self.purpose,
            self.display_quantity,
            self.hidden,
            self.post_only,
        )

    def to_submit(self, participant: str) -> SubmitOrder:
        """The venue command that sends this child (the link needs nothing else)."""
        return SubmitOrder(
            self.child_id,
            participant,
            self.symbol,
            self.side,
            self.order_type,
            self.quantity,
            self.limit_price,
            self.time_in_force,
            self.display_quantity,
            self.hidden,
            self.post_only,
        )


@dataclass(frozen=True, slots=True)
class ChildCancelRequested(Event):
    """Cancel this child at its venue (stale venue, or the parent stopped)."""

    parent_id: str
    child_id: str
    venue: str
    reason: str
    ts_ns: int

    def to_cancel(self, participant: str) -> CancelOrder:
        """The venue command that cancels this child."""
        return CancelOrder(self.child_id, participant)


@dataclass(frozen=True, slots=True)
class ChildInDoubt(Event):
    """A cancel went unanswered past its timeout: ``open_quantity`` may still fill. It is not
    re-routed unless the policy accepts the overfill risk (``rerouted`` says which)."""

    parent_id: str
    child_id: str
    venue: str
    open_quantity: int
    rerouted: bool
    ts_ns: int


@dataclass(frozen=True, slots=True)
class RouteRejected(Event):
    """The router could not place the request; nothing was sent."""

    parent_id: str
    code: RejectCode
    detail: str
    ts_ns: int


@dataclass(frozen=True, slots=True)
class RouteCompleted(Event):
    """No child of the parent is working and the router will route nothing more for it: the
    OMS may finish the parent (``unfilled_quantity`` was routed but not executed)."""

    parent_id: str
    filled_quantity: int
    unfilled_quantity: int
    ts_ns: int


@dataclass(frozen=True, slots=True)
class VenueMarkedDown(Event):
    """The router stopped routing to the venue (link status, or no answer within the timeout)."""

    venue: str
    reason: str
    ts_ns: int


@dataclass(frozen=True, slots=True)
class VenueMarkedUp(Event):
    """The venue may be routed to again."""

    venue: str
    ts_ns: int


@dataclass(frozen=True, slots=True)
class RoutingInputRejected(Event):
    """An input the router could not apply (malformed, or a report for an unknown child);
    nothing changed."""

    input_type: str
    code: RejectCode
    detail: str
    ts_ns: int

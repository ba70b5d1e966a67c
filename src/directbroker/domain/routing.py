"""The contract between the order management system and the router.

The OMS owns the customer's (parent) order; the router decides where its shares go. The OMS asks
with a :class:`RouteRequest` and gets back :class:`ChildInstruction` values (or a reject code);
it then sends each child to its venue and tells the router how each child ended, so the router
can re-route a remainder and keep execution-quality statistics. Both are plain values, so the two
engines never import each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from directbroker.domain.orders import OrderType, PostOnly, Side, TimeInForce

SMART = "SMART"
"""The route name that asks the smart order router to choose venues."""


class ChildPurpose(str, Enum):
    """Why the router sent a child: it tells execution-quality reports what each child was for."""

    DIRECTED = "directed"
    """The trader chose the venue; the order goes there as it is."""
    SWEEP = "sweep"
    """An immediate-or-cancel child taking displayed liquidity at one venue."""
    PING = "ping"
    """An immediate-or-cancel child probing hidden or midpoint liquidity."""
    POST = "post"
    """The remainder resting at the venue the posting policy chose."""
    REROUTE = "reroute"
    """A remainder sent elsewhere after a child was rejected or a venue stopped answering."""


@dataclass(frozen=True, slots=True)
class RouteRequest:
    """Where should (what is left of) a parent order go?

    ``quantity`` is the open quantity to place now; ``limit_price`` None means a market order;
    ``route`` is a venue name or :data:`SMART`; ``allowed_venues`` are the venues this account
    may use (empty: all).
    """

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


@dataclass(frozen=True, slots=True)
class ChildInstruction:
    """One child order to send: venue and the venue order's terms."""

    venue: str
    quantity: int
    order_type: OrderType
    limit_price: int | None
    time_in_force: TimeInForce
    purpose: ChildPurpose
    display_quantity: int | None = None
    hidden: bool = False
    post_only: PostOnly = PostOnly.NO

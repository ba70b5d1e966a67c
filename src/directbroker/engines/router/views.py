"""Routing transparency: what a trader (or the OMS) sees of a parent order and its children.

Views are immutable values built on request from the router's records; they are not journaled.
"""

from __future__ import annotations

from dataclasses import dataclass

from directbroker.domain.orders import OrderType, Side, TimeInForce
from directbroker.domain.routing import SMART, ChildPurpose
from directbroker.engines.router.records import Child, Fill, Parent
from directbroker.engines.router.report606 import OrderCategory, RoutedOrder, VenueShare


@dataclass(frozen=True, slots=True)
class ChildView:
    """Where some shares went: venue, terms, what filled, at what price and fee, and when.

    ``status`` is one of ``sent``, ``working``, ``filled``, ``cancelled``, ``rejected``,
    ``cancel_requested`` or ``in_doubt``. ``fee`` is micro-dollars (negative: a rebate).
    """

    child_id: str
    venue: str
    purpose: ChildPurpose
    quantity: int
    order_type: OrderType
    limit_price: int | None
    time_in_force: TimeInForce
    filled: int
    average_price: int | None
    fee: int
    status: str
    sent_ns: int
    accepted_ns: int | None
    done_ns: int | None
    fills: tuple[Fill, ...]


@dataclass(frozen=True, slots=True)
class ParentView:
    """A parent order and every child it was split into, in the order they were sent."""

    parent_id: str
    symbol: str
    side: Side
    quantity: int
    route: str
    category: str
    arrival_ns: int
    arrival_bid: int | None
    arrival_ask: int | None
    filled: int
    working: int
    unfilled: int
    fee: int
    completed: bool
    children: tuple[ChildView, ...]


def child_status(child: Child) -> str:
    """A word for where a child stands."""
    if child.reject_code:
        return "rejected"
    if child.done:
        if child.in_doubt:
            return "in_doubt"
        return "filled" if child.filled >= child.quantity else "cancelled"
    if child.in_doubt:
        return "in_doubt"
    if child.cancel_requested_ns is not None:
        return "cancel_requested"
    return "working" if child.answered else "sent"


def child_view(child: Child) -> ChildView:
    """The transparency view of one child."""
    return ChildView(
        child.child_id,
        child.venue,
        child.purpose,
        child.quantity,
        child.order_type,
        child.limit_price,
        child.time_in_force,
        child.filled,
        child.average_price,
        child.fee,
        child_status(child),
        child.sent_ns,
        child.accepted_ns,
        child.done_ns,
        tuple(child.fills),
    )


def parent_view(parent: Parent, children: list[Child]) -> ParentView:
    """The transparency view of one parent and its children."""
    request = parent.request
    return ParentView(
        request.parent_id,
        request.symbol,
        request.side,
        parent.quantity,
        request.route,
        parent.category,
        parent.arrival_ns,
        parent.arrival_bid,
        parent.arrival_ask,
        sum(c.filled for c in children),
        sum(c.open_quantity for c in children),
        parent.unfilled,
        sum(c.fee for c in children),
        parent.completed,
        tuple(child_view(c) for c in children),
    )


def routed_order(parent: Parent, children: list[Child]) -> RoutedOrder:
    """One parent as the Rule 606 report counts it: shares routed and net payment per venue
    (rebates received minus fees paid)."""
    per_venue: dict[str, list[int]] = {}
    for child in children:
        cell = per_venue.setdefault(child.venue, [0, 0])
        cell[0] += child.quantity
        cell[1] -= child.fee
    request = parent.request
    return RoutedOrder(
        request.parent_id,
        request.symbol,
        parent.arrival_ns,
        OrderCategory(parent.category),
        request.route != SMART,
        tuple(VenueShare(v, s, p) for v, (s, p) in sorted(per_venue.items())),
    )

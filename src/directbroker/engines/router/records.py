"""What the router remembers about each parent and child: routing transparency and the state
re-routing needs.

A parent's invariant, checked by the tests: every share of it is in exactly one place, namely
filled, working at a venue (open children), or finished unfilled. Re-routing only ever moves a
finished child's unfilled shares into new children, so shares routed never exceed the order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from directbroker.domain.orders import OrderType, PostOnly, Side, TimeInForce
from directbroker.domain.routing import ChildInstruction, ChildPurpose, RouteRequest


@dataclass(frozen=True, slots=True)
class Fill:
    """One execution of a child, as the venue reported it (``ts_ns`` is when it reached us)."""

    price: int
    quantity: int
    fee: int
    liquidity: str
    ts_ns: int


@dataclass(slots=True)
class Child:
    """One child order: its terms, timestamps and executions.

    ``replan_on_short``: a sweep of displayed levels whose IOC comes back short is re-planned
    (the liquidity moved); a last-resort IOC or a ping is not. ``answered``: the venue has said
    anything about it (an accept, a fill, a cancel or a reject).
    """

    child_id: str
    parent_id: str
    venue: str
    quantity: int
    order_type: OrderType
    limit_price: int | None
    time_in_force: TimeInForce
    purpose: ChildPurpose
    sent_ns: int
    replan_on_short: bool = False
    answered: bool = False
    accepted_ns: int | None = None
    done_ns: int | None = None
    filled: int = 0
    cancelled: int = 0
    fee: int = 0
    reject_code: int = 0
    cancel_requested_ns: int | None = None
    in_doubt: bool = False
    fills: list[Fill] = field(default_factory=list)

    @property
    def done(self) -> bool:
        """Whether nothing of it is working any more (or we stopped counting on it)."""
        return self.done_ns is not None

    @property
    def open_quantity(self) -> int:
        """Shares still working at the venue as far as we know."""
        return 0 if self.done else max(self.quantity - self.filled, 0)

    @property
    def average_price(self) -> int | None:
        """Share-weighted average execution price, rounded half up to a price unit."""
        if not self.filled:
            return None
        notional = sum(f.price * f.quantity for f in self.fills)
        return (2 * notional + self.filled) // (2 * self.filled)


@dataclass(frozen=True, slots=True)
class Planned:
    """A child planned for a parent whose caller sends children under its own ids (the OMS),
    held until the caller says it sent it. ``replan_on_short`` is kept here because a re-routed
    sweep goes out with purpose REROUTE and could no longer be told from a resting child."""

    instruction: ChildInstruction
    replan_on_short: bool


@dataclass(slots=True)
class Parent:
    """A parent order as routed: the request, the market at arrival and its children.

    ``external``: the caller (the OMS) names and sends the children, so plans wait in
    ``planned`` until it reports each one sent; nothing planned counts as routed or working
    until then."""

    request: RouteRequest
    arrival_ns: int
    arrival_bid: int | None
    arrival_ask: int | None
    category: str
    quantity: int
    children: list[str] = field(default_factory=list)
    excluded: set[str] = field(default_factory=set)
    reroutes: int = 0
    pings_done: int = 0
    unfilled: int = 0
    """Shares finished unfilled that the router will not route again."""
    stopped: bool = False
    completed: bool = False
    external: bool = False
    planned: list[Planned] = field(default_factory=list)

    @property
    def buying(self) -> bool:
        """Whether the parent buys."""
        return self.request.side is Side.BUY


def request_to_plain(r: RouteRequest) -> list[object]:
    """A request as plain values (snapshots)."""
    return [
        r.parent_id,
        r.symbol,
        r.side.value,
        r.quantity,
        r.limit_price,
        r.time_in_force.value,
        r.route,
        list(r.allowed_venues),
        r.display_quantity,
        r.hidden,
        r.post_only.value,
        r.order_type.value,
    ]


def request_from_plain(p: list[object]) -> RouteRequest:
    """Rebuild a request from :func:`request_to_plain`."""
    return RouteRequest(
        str(p[0]),
        str(p[1]),
        Side(p[2]),
        int(p[3]),  # type: ignore[call-overload]
        None if p[4] is None else int(p[4]),  # type: ignore[call-overload]
        TimeInForce(p[5]),
        str(p[6]),
        tuple(str(v) for v in p[7]),  # type: ignore[attr-defined]
        None if p[8] is None else int(p[8]),  # type: ignore[call-overload]
        bool(p[9]),
        PostOnly(p[10]),
        OrderType(p[11]),
    )


def child_to_plain(c: Child) -> list[object]:
    """A child as plain values (snapshots)."""
    return [
        c.child_id,
        c.parent_id,
        c.venue,
        c.quantity,
        c.order_type.value,
        c.limit_price,
        c.time_in_force.value,
        c.purpose.value,
        c.sent_ns,
        c.replan_on_short,
        c.answered,
        c.accepted_ns,
        c.done_ns,
        c.filled,
        c.cancelled,
        c.fee,
        c.reject_code,
        c.cancel_requested_ns,
        c.in_doubt,
        [[f.price, f.quantity, f.fee, f.liquidity, f.ts_ns] for f in c.fills],
    ]


def child_from_plain(p: list[object]) -> Child:
    """Rebuild a child from :func:`child_to_plain`."""
    values = list(p)
    values[4] = OrderType(values[4])
    values[6] = TimeInForce(values[6])
    values[7] = ChildPurpose(values[7])
    values[19] = [Fill(*f) for f in values[19]]  # type: ignore[attr-defined]
    return Child(*values)  # type: ignore[arg-type]


def parent_to_plain(p: Parent) -> list[object]:
    """A parent as plain values (snapshots)."""
    return [
        request_to_plain(p.request),
        p.arrival_ns,
        p.arrival_bid,
        p.arrival_ask,
        p.category,
        p.quantity,
        list(p.children),
        sorted(p.excluded),
        p.reroutes,
        p.pings_done,
        p.unfilled,
        p.stopped,
        p.completed,
        p.external,
        [[*instruction_to_plain(x.instruction), x.replan_on_short] for x in p.planned],
    ]


def parent_from_plain(p: list[object]) -> Parent:
    """Rebuild a parent from :func:`parent_to_plain`."""
    values = list(p)
    values[0] = request_from_plain(values[0])  # type: ignore[arg-type]
    values[6] = [str(c) for c in values[6]]  # type: ignore[attr-defined]
    values[7] = {str(v) for v in values[7]}  # type: ignore[attr-defined]
    if len(values) > 14:
        values[14] = [
            Planned(instruction_from_plain(x[:-1]), bool(x[-1]))
            for x in values[14]  # type: ignore[attr-defined]
        ]
    return Parent(*values)  # type: ignore[arg-type]


def instruction_to_plain(i: ChildInstruction) -> list[object]:
    """A child instruction as plain values (snapshots)."""
    return [
        i.venue,
        i.quantity,
        i.order_type.value,
        i.limit_price,
        i.time_in_force.value,
        i.purpose.value,
        i.display_quantity,
        i.hidden,
        i.post_only.value,
    ]


def instruction_from_plain(p: list[object]) -> ChildInstruction:
    """Rebuild an instruction from :func:`instruction_to_plain`."""
    return ChildInstruction(
        str(p[0]),
        int(p[1]),  # type: ignore[call-overload]
        OrderType(p[2]),
        None if p[3] is None else int(p[3]),  # type: ignore[call-overload]
        TimeInForce(p[4]),
        ChildPurpose(p[5]),
        None if p[6] is None else int(p[6]),  # type: ignore[call-overload]
        bool(p[7]),
        PostOnly(p[8]),
    )

"""Child order lifecycle: recording what was sent, applying venue reports, re-routing.

The re-route rules (docs/adr/0005-routing.md):

- A child the venue *rejects* is re-routed at once, whole, to other venues (the rejecting venue
  is excluded for that parent): a rejected order never worked, so nothing can overfill.
- A child whose venue goes down (link status, or no answer within ``ack_timeout_ns``) gets a
  cancel request; its unfilled remainder is re-routed only when the venue *confirms* the
  cancel. A cancel unanswered for ``cancel_timeout_ns`` puts the child in doubt: it is held
  (default) or, if the policy accepts overfill risk, re-routed as if cancelled.
- A sweep whose IOC comes back short is re-planned (the displayed size it aimed at was gone);
  the venue's levels through its limit are forgotten until market data shows them again.
- A midpoint ping that is done hands its remainder to the next ping or to the sweep.
- Each parent is re-planned at most ``max_reroutes`` times (pings aside); after that, or once
  the parent is stopped, what comes back unfilled stays unfilled. Directed children are never
  re-routed or cancelled by the router: the trader chose the venue.

Only a finished child's unfilled shares are ever re-planned, so the shares working, filled and
finished unfilled always add up to the parent's quantity.

Composed in the broker core, the OMS names and sends the children (an *external* parent): every
plan is held on the parent until the OMS says which children it sent, venue reports only add
facts (fills, accepts, replaced terms) and the OMS says when a child ends and whether it still
wants the shares. So the router counts and tracks only what really went out.
"""

from __future__ import annotations

from dataclasses import replace

from directbroker.domain.messages import Event
from directbroker.domain.orders import CancelReason, OrderType, TimeInForce
from directbroker.domain.routing import SMART, ChildInstruction, ChildPurpose, RouteRequest
from directbroker.domain.routing_messages import (
    ChildCancelRequested,
    ChildInDoubt,
    ChildRouted,
    RouteCompleted,
    VenueMarkedDown,
    VenueMarkedUp,
)
from directbroker.domain.venue_messages import (
    OrderCancelled,
    OrderFilled,
    OrderRejected,
    OrderReplaced,
)
from directbroker.engines.router import planner
from directbroker.engines.router.market import MarketView
from directbroker.engines.router.policy import RouterConfig
from directbroker.engines.router.records import Child, Fill, Parent, Planned
from directbroker.engines.router.report606 import categorize
from directbroker.engines.router.stats import Markout, StatsBook

_SHORT = "short"
_REJECTED = "rejected"
_STALE = "stale"
_OTHER = "other"


class Tracker:
    """Parents, children and the open set, with the transitions venue reports cause."""

    __slots__ = (
        "_prefix",
        "children",
        "market",
        "next_child",
        "open",
        "parents",
        "policy",
        "stats",
    )

    def __init__(
        self, market: MarketView, stats: StatsBook, policy: RouterConfig, prefix: str
    ) -> None:
        self.market = market
        self.stats = stats
        self.policy = policy
        self._prefix = prefix
        self.parents: dict[str, Parent] = {}
        self.children: dict[str, Child] = {}
        self.open: dict[str, None] = {}
        """Ids of children still working, in the order they were sent."""
        self.next_child = 1

    # --- routing --------------------------------------------------------------------------

    def open_parent(self, request: RouteRequest, ts_ns: int, external: bool = False) -> Parent:
        """The parent for a request: a new one (arrival NBBO noted), or the existing one
        re-armed for more shares (the OMS re-routes after a replace)."""
        parent = self.parents.get(request.parent_id)
        if parent is None:
            nbbo = self.market.nbbo(request.symbol)
            category = categorize(
                request.order_type, request.side, request.limit_price, nbbo.bid, nbbo.ask
            )
            parent = Parent(request, ts_ns, nbbo.bid, nbbo.ask, category.value, 0)
            parent.external = external
            self.parents[request.parent_id] = parent
        else:
            parent.request = request
            parent.stopped = parent.completed = False
        parent.quantity += request.quantity
        return parent

    def send(
        self, parent: Parent, children: list[ChildInstruction], ts_ns: int, reroute: bool = False
    ) -> list[Event]:
        """Record children with router-made ids and say where to send them."""
        events: list[Event] = []
        for planned in children:
            child_id = f"{self._prefix}{self.next_child}"
            self.next_child += 1
            replan = planned.purpose is ChildPurpose.SWEEP
            sent = replace(planned, purpose=ChildPurpose.REROUTE) if reroute else planned
            self.record(parent, child_id, sent, ts_ns, replan)
            if replan and planned.limit_price is not None:
                self._claim(parent, planned.venue, planned.limit_price, planned.quantity)
            events.append(_routed(parent.request, child_id, sent, ts_ns))
        return events

    def hold(self, parent: Parent, children: list[ChildInstruction], reroute: bool = False) -> None:
        """An external parent's plan: kept until the caller reports each child sent."""
        for planned in children:
            sent = replace(planned, purpose=ChildPurpose.REROUTE) if reroute else planned
            parent.planned.append(Planned(sent, planned.purpose is ChildPurpose.SWEEP))

    def sent(
        self, parent: Parent, child_id: str, instruction: ChildInstruction, ts_ns: int
    ) -> Child:
        """The caller sent ``instruction`` as ``child_id``: record it (it counts as routed and
        working from now). One the router did not plan still counts, its shares added to the
        parent's so the share invariant holds."""
        for index, held in enumerate(parent.planned):
            if held.instruction == instruction:
                del parent.planned[index]
                replan = held.replan_on_short
                break
        else:
            replan = False
            parent.quantity += instruction.quantity
        child = self.record(parent, child_id, instruction, ts_ns, replan)
        if replan and instruction.limit_price is not None:
            self._claim(parent, instruction.venue, instruction.limit_price, instruction.quantity)
        return child

    def _claim(self, parent: Parent, venue: str, limit: int, quantity: int) -> None:
        # The sweep is on its way to that displayed size: until market data says what is left,
        # a re-plan must not aim a second child at the same shares.
        request = parent.request
        levels = self.market.book.side(request.symbol, venue, request.side.book_side.opposite)
        if levels is not None:
            levels.consume(limit, quantity)

    def record(
        self,
        parent: Parent,
        child_id: str,
        instruction: ChildInstruction,
        ts_ns: int,
        replan_on_short: bool = False,
    ) -> Child:
        """Remember one child that is being sent."""
        child = Child(
            child_id,
            parent.request.parent_id,
            instruction.venue,
            instruction.quantity,
            instruction.order_type,
            instruction.limit_price,
            instruction.time_in_force,
            instruction.purpose,
            ts_ns,
            replan_on_short,
        )
        self.children[child_id] = child
        self.open[child_id] = None
        first = not parent.children
        parent.children.append(child_id)
        self.stats.on_routed(child.venue, parent.request.route, child.quantity, first)
        return child

    # --- venue reports --------------------------------------------------------------------

    def accepted(self, child: Child, ts_ns: int) -> None:
        """The venue took the child."""
        child.answered = True
        if child.accepted_ns is None:
            child.accepted_ns = ts_ns

    def filled(self, child: Child, report: OrderFilled, ts_ns: int) -> list[Event]:
        """An execution: record it, measure it, and finish the child if nothing is left."""
        self.record_fill(child, report, ts_ns)
        if report.leaves_quantity == 0 and not child.done:
            return self.finish(child, ts_ns, _OTHER)
        return []

    def record_fill(self, child: Child, report: OrderFilled, ts_ns: int) -> None:
        """An execution, recorded and measured (price, fee, speed, arrival NBBO, mark-out)."""
        child.answered = True
        parent = self.parents[child.parent_id]
        child.fills.append(
            Fill(report.price, report.quantity, report.fee, report.liquidity.value, ts_ns)
        )
        child.filled += report.quantity
        child.fee += report.fee
        route = parent.request.route
        arrival = (parent.arrival_bid, parent.arrival_ask)
        waited = ts_ns - child.sent_ns
        buying = parent.buying
        self.stats.on_fill(
            child.venue, route, buying, report.price, report.quantity, report.fee, waited, arrival
        )
        markout = Markout(
            ts_ns + self.policy.markout_ns,
            1 if buying else -1,
            report.price,
            report.quantity,
            child.venue,
            route,
        )
        self.stats.schedule_markout(parent.request.symbol, markout)

    def replaced(self, child: Child, report: OrderReplaced) -> None:
        """The venue changed the child's size and price (a customer's replace): the parent and
        the shares routed follow, so fill rates are of what was finally asked for."""
        child.answered = True
        delta = report.quantity - child.quantity
        child.quantity, child.limit_price = report.quantity, report.price
        parent = self.parents[child.parent_id]
        parent.quantity += delta
        for stats in (self.stats.venue(child.venue), self.stats.route(parent.request.route)):
            stats.shares_routed += delta

    def cancelled(self, child: Child, report: OrderCancelled, ts_ns: int) -> list[Event]:
        """The rest of the child stopped working."""
        child.answered = True
        if child.done:
            return []
        child.cancelled += report.cancelled_quantity
        if child.cancel_requested_ns is not None and report.reason is CancelReason.REQUESTED:
            return self.finish(child, ts_ns, _STALE)
        short = report.reason is not CancelReason.REQUESTED
        return self.finish(child, ts_ns, _SHORT if short else _OTHER)

    def rejected(self, child: Child, report: OrderRejected, ts_ns: int) -> list[Event]:
        """A reject before any accept or fill refuses the child itself; a later one refuses
        a cancel we asked for (the child already ended or is still working) and changes
        nothing."""
        if child.done or child.accepted_ns is not None or child.filled:
            child.answered = True
            return []
        child.answered = True
        child.reject_code = report.code.number
        return self.finish(child, ts_ns, _REJECTED)

    def ended(
        self, child: Child, filled: int, code: int, ts_ns: int, wanted: bool = True
    ) -> list[Event]:
        """The OMS's word that the child is done, with ``filled`` shares executed and, if
        ``code``, rejected; ``wanted``: whether the OMS would send a re-route. Fills reported
        with prices were measured already; any the summary adds are counted unmeasured."""
        child.answered = True
        if child.done:
            return []
        delta = max(filled - child.filled, 0)
        child.filled += delta
        route = self.parents[child.parent_id].request.route
        for stats in (self.stats.venue(child.venue), self.stats.route(route)):
            stats.shares_filled += delta
        if code:
            child.reject_code = code
            return self.finish(child, ts_ns, _REJECTED, wanted)
        if child.cancel_requested_ns is not None:
            return self.finish(child, ts_ns, _STALE, wanted)
        short = child.time_in_force is TimeInForce.IOC
        return self.finish(child, ts_ns, _SHORT if short else _OTHER, wanted)

    # --- finishing and re-routing ----------------------------------------------------------

    def finish(self, child: Child, ts_ns: int, how: str, wanted: bool = True) -> list[Event]:
        """The child is done: decide what becomes of its unfilled shares (never re-planned
        when the caller does not want them)."""
        child.done_ns = ts_ns
        self.open.pop(child.child_id, None)
        parent = self.parents[child.parent_id]
        if child.purpose is ChildPurpose.POST:
            self.stats.on_post_done(child.venue, child.quantity, min(child.filled, child.quantity))
        leftover = max(child.quantity - child.filled, 0)
        events: list[Event] = []
        if leftover:
            events = self._replan(parent, child, leftover, how, ts_ns, wanted)
        return events + self._maybe_complete(parent, ts_ns)

    def _replan(
        self, parent: Parent, child: Child, leftover: int, how: str, ts_ns: int, allowed: bool
    ) -> list[Event]:
        request = parent.request
        is_ping = child.order_type is OrderType.PEG_MIDPOINT and child.purpose is ChildPurpose.PING
        reroute = how in (_REJECTED, _STALE)
        wanted = reroute or is_ping or (how == _SHORT and child.replan_on_short)
        if not allowed or parent.stopped or request.route != SMART or not wanted:
            parent.unfilled += leftover
            return []
        if how == _REJECTED:
            parent.excluded.add(child.venue)
        if is_ping:
            parent.pings_done += 1
        else:
            if parent.reroutes >= self.policy.max_reroutes:
                parent.unfilled += leftover
                return []
            parent.reroutes += 1
        if how == _SHORT and child.replan_on_short and child.limit_price is not None:
            contra = request.side.book_side.opposite
            levels = self.market.book.side(request.symbol, child.venue, contra)
            if levels is not None:
                levels.remove_through(child.limit_price)
        result = planner.plan(
            replace(request, quantity=leftover),
            self.market,
            self.policy,
            self.stats.posted,
            exclude=frozenset(parent.excluded),
            pings_done=parent.pings_done,
        )
        if isinstance(result, tuple):
            parent.unfilled += leftover
            return []
        if parent.external:
            self.hold(parent, result, reroute)
            return []
        return self.send(parent, result, ts_ns, reroute=reroute)

    def _maybe_complete(self, parent: Parent, ts_ns: int) -> list[Event]:
        if parent.completed or parent.planned:
            return []
        children = [self.children[c] for c in parent.children]
        if any(not c.done for c in children):
            return []
        parent.completed = True
        filled = sum(c.filled for c in children)
        return [RouteCompleted(parent.request.parent_id, filled, parent.unfilled, ts_ns)]

    # --- venue status, timers, stop -------------------------------------------------------

    def venue_down(self, venue: str, reason: str, ts_ns: int) -> list[Event]:
        """Stop routing to the venue and ask for its smart-routed children to be cancelled."""
        if venue in self.market.down:
            return []
        self.market.down[venue] = reason
        events: list[Event] = [VenueMarkedDown(venue, reason, ts_ns)]
        for child_id in list(self.open):
            child = self.children[child_id]
            parent = self.parents[child.parent_id]
            if child.venue == venue and parent.request.route == SMART:
                events.extend(self._request_cancel(child, "venue down", ts_ns))
        return events

    def venue_up(self, venue: str, ts_ns: int) -> list[Event]:
        """The venue may be routed to again."""
        if self.market.down.pop(venue, None) is None:
            return []
        return [VenueMarkedUp(venue, ts_ns)]

    def stop(self, parent: Parent, ts_ns: int) -> list[Event]:
        """Route nothing more for the parent; cancel whatever of it still works."""
        parent.stopped = True
        events: list[Event] = []
        for child_id in parent.children:
            child = self.children[child_id]
            if not child.done:
                events.extend(self._request_cancel(child, "parent stopped", ts_ns))
        return events + self._maybe_complete(parent, ts_ns)

    def _request_cancel(self, child: Child, reason: str, ts_ns: int) -> list[Event]:
        if child.cancel_requested_ns is not None:
            return []
        child.cancel_requested_ns = ts_ns
        return [ChildCancelRequested(child.parent_id, child.child_id, child.venue, reason, ts_ns)]

    def tick(self, ts_ns: int) -> list[Event]:
        """Check answer and cancel timeouts at time ``ts_ns``."""
        policy = self.policy
        silent: list[str] = []
        for child_id in self.open:
            child = self.children[child_id]
            venue = child.venue
            if child.answered or venue in self.market.down or venue in silent:
                continue
            if ts_ns - child.sent_ns >= policy.ack_timeout_ns:
                silent.append(venue)
        events: list[Event] = []
        for venue in silent:
            waited_ms = policy.ack_timeout_ns // 1_000_000
            events.extend(self.venue_down(venue, f"no answer within {waited_ms} ms", ts_ns))
        for child_id in list(self.open):
            child = self.children[child_id]
            asked = child.cancel_requested_ns
            if asked is None or child.in_doubt or ts_ns - asked < policy.cancel_timeout_ns:
                continue
            child.in_doubt = True
            reroute = policy.reroute_in_doubt
            events.append(
                ChildInDoubt(
                    child.parent_id,
                    child.child_id,
                    child.venue,
                    child.open_quantity,
                    reroute,
                    ts_ns,
                )
            )
            if reroute:
                events.extend(self.finish(child, ts_ns, _STALE))
        return events


def _routed(request: RouteRequest, child_id: str, c: ChildInstruction, ts_ns: int) -> ChildRouted:
    return ChildRouted(
        request.parent_id,
        child_id,
        request.symbol,
        request.side,
        c.venue,
        c.quantity,
        c.order_type,
        c.limit_price,
        c.time_in_force,
        c.purpose,
        c.display_quantity,
        c.hidden,
        c.post_only,
        ts_ns,
    )

"""RouterEngine: directed and smart order routing as a deterministic core.

Two ways to drive it, with the same effects:

- as a :class:`~directbroker.engines.core.Core` behind its own sequencer: ``handle`` takes
  ``RouteOrder``/``StopRouting``/``MarkVenueDown``/``MarkVenueUp``/``RoutingTimerTick``, the
  venues' execution reports for its children and consolidated market data;
- composed inside the broker core, which calls the same operations as methods (``route``,
  ``on_report``, ``on_market_data``, ``tick``, ...) from its own journaled inputs; or, where
  the OMS names and sends the children itself, ``propose`` / ``confirm_sent`` /
  ``note_report`` / ``child_done`` (see :mod:`oms_port`), so the router measures exactly the
  children the OMS sent.

Either way every decision is a function of the inputs and their timestamps: no clock, no
randomness, and child ids are ``<prefix><n>`` from a counter that is part of the state.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import msgpack

from directbroker.domain.marketdata_messages import DepthUpdated, QuoteUpdated, TradingStatusChanged
from directbroker.domain.messages import Event, Message
from directbroker.domain.orders import BookSide
from directbroker.domain.rejects import RejectCode
from directbroker.domain.routing import ChildInstruction, RouteRequest
from directbroker.domain.routing_messages import (
    MarkVenueDown,
    MarkVenueUp,
    RouteOrder,
    RouteRejected,
    RoutingInputRejected,
    RoutingTimerTick,
    StopRouting,
)
from directbroker.domain.venue_config import VenueConfig
from directbroker.domain.venue_messages import (
    EXECUTION_REPORTS,
    ExecutionReport,
    OrderAccepted,
    OrderCancelled,
    OrderFilled,
    OrderRejected,
    OrderReplaced,
)
from directbroker.engines.router import planner
from directbroker.engines.router.book import ConsolidatedBook
from directbroker.engines.router.lifecycle import Tracker
from directbroker.engines.router.market import MarketView, Nbbo
from directbroker.engines.router.policy import RouterConfig
from directbroker.engines.router.records import (
    Child,
    child_from_plain,
    child_to_plain,
    parent_from_plain,
    parent_to_plain,
)
from directbroker.engines.router.report606 import RoutedOrder
from directbroker.engines.router.requests import invalid_request
from directbroker.engines.router.stats import ExecutionStats, StatsBook
from directbroker.engines.router.views import ParentView, parent_view, routed_order

VenueReport = ExecutionReport
MarketInput = DepthUpdated | QuoteUpdated | TradingStatusChanged
_Handler = Callable[[Any, int], list[Event]]
_SNAPSHOT_VERSION = 1


class RouterEngine:
    """The router. Implements :class:`directbroker.engines.core.Core`."""

    def __init__(
        self,
        venues: Sequence[VenueConfig],
        policy: RouterConfig | None = None,
        *,
        child_id_prefix: str = "R",
    ) -> None:
        """``venues``: the venues this broker connects to (fees and symbols); ``child_id_prefix``
        keeps child ids unique at a venue when several routers share one participant id."""
        self._venues = tuple(venues)
        self.policy = policy or RouterConfig()
        self._prefix = child_id_prefix
        self._reset()
        self._handlers: dict[type[Message], _Handler] = {
            RouteOrder: self._on_route,
            StopRouting: self._on_stop,
            MarkVenueDown: lambda c, ts: self.mark_venue_down(c.venue, c.reason, ts),
            MarkVenueUp: lambda c, ts: self.mark_venue_up(c.venue, ts),
            RoutingTimerTick: lambda _, ts: self.tick(ts),
            DepthUpdated: self.on_market_data,
            QuoteUpdated: self.on_market_data,
            TradingStatusChanged: self.on_market_data,
        }
        for report in EXECUTION_REPORTS:
            self._handlers[report] = self.on_report

    def _reset(self) -> None:
        self._market = MarketView(self._venues)
        self._stats = StatsBook()
        self._tracker = Tracker(self._market, self._stats, self.policy, self._prefix)

    # --- Core ---------------------------------------------------------------------------

    def handle(self, command: Message, ts_ns: int) -> list[Event]:
        """Apply one input and return the events it caused, in order."""
        handler = self._handlers.get(type(command))
        if handler is None:
            return _refuse(command, RejectCode.MALFORMED, "not a routing input", ts_ns)
        return handler(command, ts_ns)

    def snapshot(self) -> bytes:
        """The whole state, canonical (equal states give equal bytes)."""
        t, m = self._tracker, self._market
        plain = [
            _SNAPSHOT_VERSION,
            t.next_child,
            sorted([k, v] for k, v in m.down.items()),
            sorted([k, sorted(v)] for k, v in m.halted.items()),
            sorted([k, q.bid, q.ask] for k, q in m.quotes.items()),
            m.book.to_plain(),
            self._stats.to_plain(),
            [parent_to_plain(p) for p in t.parents.values()],
            [child_to_plain(c) for c in t.children.values()],
            list(t.open),
        ]
        data: bytes = msgpack.packb(plain, use_bin_type=True)
        return data

    def restore(self, data: bytes) -> None:
        """Replace the state with one taken by :meth:`snapshot`."""
        plain = msgpack.unpackb(data, raw=False, strict_map_key=False)
        version, next_child, down, halted, quotes, book, stats, parents, children, open_ = plain
        if version != _SNAPSHOT_VERSION:
            raise ValueError(f"router snapshot version {version}")
        self._reset()
        m, t = self._market, self._tracker
        m.down = {str(k): str(v) for k, v in down}
        m.halted = {str(k): frozenset(v) for k, v in halted}
        m.quotes = {str(k): Nbbo(b, a) for k, b, a in quotes}
        m.book = ConsolidatedBook.from_plain(book)
        self._stats = StatsBook.from_plain(stats)
        t.stats = self._stats
        t.next_child = int(next_child)
        for item in parents:
            parent = parent_from_plain(item)
            t.parents[parent.request.parent_id] = parent
        for item in children:
            child = child_from_plain(item)
            t.children[child.child_id] = child
        t.open = dict.fromkeys(str(c) for c in open_)

    def state_hash(self) -> str:
        """A hex digest of the state."""
        return hashlib.sha256(self.snapshot()).hexdigest()

    # --- routing (the composition API) --------------------------------------------------

    def plan(self, request: RouteRequest) -> list[ChildInstruction] | RejectCode:
        """What the router would send for ``request`` now; changes nothing."""
        problem = invalid_request(request)
        if problem is not None:
            return RejectCode.MALFORMED
        result = planner.plan(request, self._market, self.policy, self._stats.posted)
        return result[0] if isinstance(result, tuple) else result

    def _plan_for(self, request: RouteRequest) -> list[ChildInstruction] | tuple[RejectCode, str]:
        """The plan for ``request`` given what its parent already went through."""
        problem = invalid_request(request)
        if problem is not None:
            return RejectCode.MALFORMED, problem
        known = self._tracker.parents.get(request.parent_id)
        return planner.plan(
            request,
            self._market,
            self.policy,
            self._stats.posted,
            exclude=frozenset(known.excluded) if known else frozenset(),
            pings_done=known.pings_done if known else 0,
        )

    def route(self, request: RouteRequest, ts_ns: int) -> list[Event]:
        """Plan and record the children for ``request``: ``ChildRouted`` events (send each
        with :meth:`ChildRouted.to_submit`), or one ``RouteRejected``."""
        result = self._plan_for(request)
        if isinstance(result, tuple):
            return [RouteRejected(str(request.parent_id), *result, ts_ns)]
        parent = self._tracker.open_parent(request, ts_ns)
        return self._tracker.send(parent, result, ts_ns)

    def child_sent(
        self, request: RouteRequest, child_id: str, instruction: ChildInstruction, ts_ns: int
    ) -> None:
        """Record a child the OMS planned with :meth:`plan` and sent under its own id (instead
        of :meth:`route`); reports for ``child_id`` are then tracked like any other."""
        tracker = self._tracker
        parent = tracker.parents.get(request.parent_id)
        if parent is None:
            parent = tracker.open_parent(replace_quantity(request, 0), ts_ns)
        parent.quantity += instruction.quantity
        tracker.record(parent, child_id, instruction, ts_ns, instruction.purpose.value == "sweep")

    # --- children named and sent by the caller (the OMS port) ------------------------------

    def propose(self, request: RouteRequest, ts_ns: int) -> list[ChildInstruction] | RouteRejected:
        """Plan ``request`` for a caller that names and sends the children itself: the parent
        is recorded (arrival NBBO, 606 category) and the plan held until :meth:`confirm_sent`
        reports each child sent; re-plans of this parent are held the same way."""
        result = self._plan_for(request)
        if isinstance(result, tuple):
            return RouteRejected(str(request.parent_id), *result, ts_ns)
        parent = self._tracker.open_parent(request, ts_ns, external=True)
        # A plan the caller never sent (it must send all) is let go as finished unfilled, so
        # the parent's shares still add up.
        parent.unfilled += sum(p.instruction.quantity for p in parent.planned)
        parent.planned.clear()
        self._tracker.hold(parent, result)
        return result

    def confirm_sent(
        self, parent_id: str, child_id: str, instruction: ChildInstruction, ts_ns: int
    ) -> bool:
        """The caller sent ``instruction`` as ``child_id``; only from now does the child count
        as routed and working. False (nothing recorded) for an unknown parent or a reused id."""
        parent = self._tracker.parents.get(parent_id)
        if parent is None or child_id in self._tracker.children:
            return False
        self._tracker.sent(parent, child_id, instruction, ts_ns)
        return True

    def note_report(self, report: VenueReport, ts_ns: int) -> bool:
        """The facts of a venue report for a child the caller sent and ends itself (with
        :meth:`child_done`): accepts, fills (measured: price, fee, speed, improvement),
        replaced terms. False for a report about no such working child."""
        child_id = report.order_id if type(report.order_id) is str else None
        child = self._tracker.children.get(child_id) if child_id is not None else None
        if child is None or child.venue != report.venue or child.done:
            return False
        if isinstance(report, OrderFilled):
            if type(report.quantity) is not int or type(report.price) is not int:
                return False
            self._tracker.record_fill(child, report, ts_ns)
        elif isinstance(report, OrderReplaced):
            if type(report.quantity) is not int:
                return False
            self._tracker.replaced(child, report)
        elif isinstance(report, OrderAccepted):
            self._tracker.accepted(child, ts_ns)
        else:
            child.answered = True
            if isinstance(report, OrderCancelled) and type(report.cancelled_quantity) is int:
                child.cancelled += report.cancelled_quantity
        return True

    def child_done(
        self,
        parent_id: str,
        child_id: str,
        filled: int,
        code: RejectCode | None,
        wanted: bool,
        ts_ns: int,
    ) -> list[ChildInstruction]:
        """The caller ended child ``child_id`` (``code``: the venue rejected it). Returns the
        children planned for its unfilled shares under the re-route rules (none unless
        ``wanted``), held until the caller confirms them."""
        parent = self._tracker.parents.get(parent_id)
        child = self._tracker.children.get(child_id)
        if parent is None or child is None or child.parent_id != parent_id:
            return []
        self._tracker.ended(child, filled, 0 if code is None else code.number, ts_ns, wanted)
        return [p.instruction for p in parent.planned]

    def stop(self, parent_id: str, ts_ns: int) -> list[Event]:
        """The parent is cancelled or replaced: re-route nothing more, cancel what works."""
        parent = self._tracker.parents.get(parent_id)
        if parent is None:
            return _refuse(StopRouting(parent_id), RejectCode.UNKNOWN_ORDER, parent_id, ts_ns)
        return self._tracker.stop(parent, ts_ns)

    def on_report(self, report: VenueReport, ts_ns: int) -> list[Event]:
        """A venue's execution report for one of the children."""
        if type(report.order_id) is not str:
            return _refuse(report, RejectCode.MALFORMED, "order_id", ts_ns)
        child = self._tracker.children.get(report.order_id)
        if child is None or child.venue != report.venue:
            detail = f"{report.venue} {report.order_id!r}"
            return _refuse(report, RejectCode.ROUTE_UNKNOWN_CHILD, detail, ts_ns)
        tracker = self._tracker
        if isinstance(report, OrderFilled):
            if type(report.quantity) is not int or type(report.price) is not int:
                return _refuse(report, RejectCode.MALFORMED, "fill fields", ts_ns)
            return tracker.filled(child, report, ts_ns)
        if isinstance(report, OrderCancelled):
            if type(report.cancelled_quantity) is not int:
                return _refuse(report, RejectCode.MALFORMED, "cancelled_quantity", ts_ns)
            return tracker.cancelled(child, report, ts_ns)
        if isinstance(report, OrderRejected):
            return tracker.rejected(child, report, ts_ns)
        tracker.accepted(child, ts_ns)
        return []

    def child_ended(
        self,
        parent_id: str,
        venue: str,
        filled: int,
        unfilled: int,
        code: RejectCode | None,
        ts_ns: int,
    ) -> list[Event]:
        """A child finished, told as a summary by an OMS that keeps its own child ids: the
        oldest open child of the parent at ``venue`` (of that size, if one matches) ends."""
        parent = self._tracker.parents.get(parent_id)
        if parent is None:
            return []
        open_here = [
            child
            for child in (self._tracker.children[c] for c in parent.children)
            if child.venue == venue and not child.done
        ]
        sized = [c for c in open_here if c.quantity == filled + unfilled]
        chosen = (sized or open_here)[:1]
        if not chosen:
            return []
        return self._tracker.ended(chosen[0], filled, 0 if code is None else code.number, ts_ns)

    def mark_venue_down(self, venue: str, reason: str, ts_ns: int) -> list[Event]:
        """Route nothing more to ``venue``; cancel its smart-routed children (re-routed when
        the cancels are confirmed)."""
        if venue not in self._market.configs:
            return _refuse(
                MarkVenueDown(venue, reason), RejectCode.ROUTE_UNKNOWN_VENUE, venue, ts_ns
            )
        return self._tracker.venue_down(venue, reason or "link down", ts_ns)

    def mark_venue_up(self, venue: str, ts_ns: int) -> list[Event]:
        """``venue`` may be routed to again."""
        if venue not in self._market.configs:
            return _refuse(MarkVenueUp(venue), RejectCode.ROUTE_UNKNOWN_VENUE, venue, ts_ns)
        return self._tracker.venue_up(venue, ts_ns)

    def tick(self, ts_ns: int) -> list[Event]:
        """Time passed: answer and cancel timeouts, and realized-spread mark-outs due."""
        events = self._tracker.tick(ts_ns)
        for symbol in list(self._stats.markouts):
            self._stats.settle(symbol, ts_ns, self._market.nbbo(symbol).mid2)
        return events

    def on_market_data(self, event: MarketInput, ts_ns: int) -> list[Event]:
        """Consolidated market data: depth deltas, NBBO changes and halts."""
        market = self._market
        if isinstance(event, DepthUpdated):
            ok = (
                type(event.price) is int
                and event.price > 0
                and type(event.quantity) is int
                and isinstance(event.side, BookSide)
                and type(event.venue) is str
                and type(event.symbol) is str
            )
            if not ok:
                return _refuse(event, RejectCode.MALFORMED, "depth fields", ts_ns)
            market.book.set_level(
                event.symbol, event.venue, event.side, event.price, event.quantity
            )
        elif isinstance(event, QuoteUpdated):
            prices = (event.bid_price, event.ask_price)
            if not all(p is None or type(p) is int for p in prices):
                return _refuse(event, RejectCode.MALFORMED, "quote prices", ts_ns)
            self._stats.settle(event.symbol, ts_ns - 1, market.nbbo(event.symbol).mid2)
            market.quotes[event.symbol] = Nbbo(event.bid_price, event.ask_price)
        else:
            venues = event.halted_venues
            if not isinstance(venues, tuple) or not all(type(v) is str for v in venues):
                return _refuse(event, RejectCode.MALFORMED, "halted_venues", ts_ns)
            market.halted[event.symbol] = frozenset(venues)
        return []

    def _on_route(self, command: RouteOrder, ts_ns: int) -> list[Event]:
        return self.route(command.request, ts_ns)

    def _on_stop(self, command: StopRouting, ts_ns: int) -> list[Event]:
        return self.stop(command.parent_id, ts_ns)

    # --- views ----------------------------------------------------------------------------

    def parent(self, parent_id: str) -> ParentView | None:
        """A parent order and all its children (routing transparency)."""
        parent = self._tracker.parents.get(parent_id)
        if parent is None:
            return None
        return parent_view(parent, [self._tracker.children[c] for c in parent.children])

    def child(self, child_id: str) -> Child | None:
        """The raw record of one child (tests and diagnostics)."""
        return self._tracker.children.get(child_id)

    def venue_statistics(self) -> dict[str, ExecutionStats]:
        """Execution quality per venue (copies)."""
        return {
            k: ExecutionStats.from_plain(v.to_plain())
            for k, v in sorted(self._stats.by_venue.items())
        }

    def route_statistics(self) -> dict[str, ExecutionStats]:
        """Execution quality per route: ``SMART`` or the directed venue's name (copies)."""
        return {
            k: ExecutionStats.from_plain(v.to_plain())
            for k, v in sorted(self._stats.by_route.items())
        }

    def down_venues(self) -> dict[str, str]:
        """Venues the router is not routing to, with the reason."""
        return dict(self._market.down)

    def routing_history(self) -> list[RoutedOrder]:
        """Every parent that sent a child, as the Rule 606 report counts it (see
        :mod:`report606`)."""
        children = self._tracker.children
        return [
            routed_order(parent, [children[c] for c in parent.children])
            for parent in self._tracker.parents.values()
            if parent.children
        ]


def replace_quantity(request: RouteRequest, quantity: int) -> RouteRequest:
    """The same request for another quantity."""
    return replace(request, quantity=quantity)


def _refuse(message: Message, code: RejectCode, detail: str, ts_ns: int) -> list[Event]:
    return [RoutingInputRejected(type(message).__name__, code, detail, ts_ns)]

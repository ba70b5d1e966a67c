"""The smart router behind the OMS's routing port (``engines.oms.RoutingPolicy``).

The OMS owns child ids and the child lifecycle; the router owns where shares go and what the
routing achieved. :class:`SmartRouting` satisfies the port structurally (neither engine imports
the other) with a :class:`RouterEngine` whose parents are *external*: the OMS names and sends
every child, so

- ``plan`` records the parent (arrival NBBO, 606 category) and holds the plan;
- ``child_sent`` maps the OMS's child id to a held child: only children really sent count as
  routed and working (a re-route the OMS declines is never planned: ``child_ended`` says
  whether the OMS still wants the shares);
- ``child_report`` takes the venue's reports as the OMS applies them, so fills are measured
  with price, liquidity and fee (fill rate, speed, effective and realized spread, price
  improvement against the arrival NBBO, net fees) exactly as in the standalone router;
- ``child_ended`` finishes the child when the OMS says so and answers the re-route.

The queries (statistics, a parent's routing view, the Rule 606 report) read the same state,
which is part of the broker core's snapshot, so they survive restore and replay. Not carried
over the port: the router's answer and cancel timeouts and venue-down handling (the OMS owns
cancels; drive :attr:`SmartRouting.engine` ``tick`` / ``mark_venue_down`` to use them).
"""

from __future__ import annotations

from collections.abc import Sequence

from directbroker.domain.marketdata_messages import DepthUpdated, QuoteUpdated, TradingStatusChanged
from directbroker.domain.messages import Event
from directbroker.domain.rejects import RejectCode
from directbroker.domain.routing import ChildInstruction, RouteRequest
from directbroker.domain.venue_config import VenueConfig
from directbroker.engines.router.engine import RouterEngine, VenueReport
from directbroker.engines.router.policy import RouterConfig
from directbroker.engines.router.report606 import Rule606Report, rule606_report
from directbroker.engines.router.stats import ExecutionStats
from directbroker.engines.router.views import ParentView


class SmartRouting:
    """Implements the OMS's ``RoutingPolicy`` port with the smart order router."""

    def __init__(self, venues: Sequence[VenueConfig], config: RouterConfig | None = None) -> None:
        self.engine = RouterEngine(venues, config)

    # --- the port ------------------------------------------------------------------------

    def plan(self, request: RouteRequest, ts_ns: int) -> list[ChildInstruction] | RejectCode:
        """Route the parent's open shares; the OMS sends the children under its own ids."""
        answer = self.engine.propose(request, ts_ns)
        return answer if isinstance(answer, list) else answer.code

    def child_sent(
        self, parent_id: str, child_id: str, instruction: ChildInstruction, ts_ns: int
    ) -> None:
        """The OMS sent a planned child as ``child_id``: from now it is routed and working."""
        self.engine.confirm_sent(parent_id, child_id, instruction, ts_ns)

    def child_report(self, report: VenueReport, ts_ns: int) -> None:
        """A venue report the OMS applied to one of its children: measure it."""
        self.engine.note_report(report, ts_ns)

    def observe(self, event: Event) -> None:
        """Depth, NBBO and trading status feed the router; other events are not its concern."""
        if isinstance(event, DepthUpdated | QuoteUpdated | TradingStatusChanged):
            self.engine.on_market_data(event, event.ts_ns)

    def child_ended(
        self,
        parent_id: str,
        child_id: str,
        venue: str,
        filled: int,
        unfilled: int,
        code: RejectCode | None,
        wanted: bool,
        ts_ns: int,
    ) -> list[ChildInstruction]:
        """Re-route what the rules say to (see :mod:`lifecycle`) for this parent, if the OMS
        still wants the shares."""
        return self.engine.child_done(parent_id, child_id, filled, code, wanted, ts_ns)

    def snapshot(self) -> bytes:
        """The router's state."""
        return self.engine.snapshot()

    def restore(self, data: bytes) -> None:
        """Replace the router's state."""
        self.engine.restore(data)

    # --- read-only queries ---------------------------------------------------------------

    def venue_statistics(self) -> dict[str, ExecutionStats]:
        """Execution quality per venue, over the children the OMS sent (copies)."""
        return self.engine.venue_statistics()

    def route_statistics(self) -> dict[str, ExecutionStats]:
        """Execution quality per route: ``SMART`` or the directed venue (copies)."""
        return self.engine.route_statistics()

    def parent(self, parent_id: str) -> ParentView | None:
        """A customer order's routing view: its children (OMS ids) with venue, quantity,
        price, fee or rebate and timestamps; ``None`` if it was never routed."""
        return self.engine.parent(parent_id)

    def rule606_report(self, start_ns: int, end_ns: int, label: str = "") -> Rule606Report:
        """The Rule 606-style routing report for orders that arrived in ``[start_ns, end_ns)``
        (see :func:`~directbroker.engines.router.report606.quarter_bounds_ns`)."""
        return rule606_report(self.engine.routing_history(), start_ns, end_ns, label)

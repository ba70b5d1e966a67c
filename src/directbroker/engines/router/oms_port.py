"""The smart router behind the OMS's routing port (``engines.oms.RoutingPolicy``).

The OMS owns child ids and the child lifecycle, and asks its router four things: a plan for a
parent's open shares, market data to observe, what to do when a child ended, and snapshots.
:class:`SmartRouting` answers them with a :class:`RouterEngine` and satisfies that protocol
structurally, so neither engine imports the other; the broker core's composition passes one
in where it passes ``DirectedRouting`` today.

What the summary port cannot carry, the adapter does without: execution prices (so spreads and
price improvement are measured only when the engine gets venue reports, as in the standalone
router), and the router's own answer and cancel timeouts (the OMS owns cancels; drive
:meth:`SmartRouting.engine` ``tick`` and ``mark_venue_down`` from the core to use them).
"""

from __future__ import annotations

from collections.abc import Sequence

from directbroker.domain.marketdata_messages import DepthUpdated, QuoteUpdated, TradingStatusChanged
from directbroker.domain.messages import Event
from directbroker.domain.rejects import RejectCode
from directbroker.domain.routing import ChildInstruction, RouteRequest
from directbroker.domain.routing_messages import ChildRouted, RouteRejected
from directbroker.domain.venue_config import VenueConfig
from directbroker.engines.router.engine import RouterEngine
from directbroker.engines.router.policy import RouterConfig


class SmartRouting:
    """Implements the OMS's ``RoutingPolicy`` port with the smart order router."""

    def __init__(self, venues: Sequence[VenueConfig], config: RouterConfig | None = None) -> None:
        self.engine = RouterEngine(venues, config)

    def plan(self, request: RouteRequest, ts_ns: int) -> list[ChildInstruction] | RejectCode:
        """Route the parent's open shares; the OMS sends the children under its own ids."""
        events = self.engine.route(request, ts_ns)
        for event in events:
            if isinstance(event, RouteRejected):
                return event.code
        return [e.instruction for e in events if isinstance(e, ChildRouted)]

    def observe(self, event: Event) -> None:
        """Depth, NBBO and trading status feed the router; other events are not its concern."""
        if isinstance(event, DepthUpdated | QuoteUpdated | TradingStatusChanged):
            self.engine.on_market_data(event, event.ts_ns)

    def child_ended(
        self,
        parent_id: str,
        venue: str,
        filled: int,
        unfilled: int,
        code: RejectCode | None,
        ts_ns: int,
    ) -> list[ChildInstruction]:
        """Re-route what the rules say to (see :mod:`lifecycle`) for this parent."""
        events = self.engine.child_ended(parent_id, venue, filled, unfilled, code, ts_ns)
        return [
            e.instruction for e in events if isinstance(e, ChildRouted) and e.parent_id == parent_id
        ]

    def snapshot(self) -> bytes:
        """The router's state."""
        return self.engine.snapshot()

    def restore(self, data: bytes) -> None:
        """Replace the router's state."""
        self.engine.restore(data)

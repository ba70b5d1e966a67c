"""Directed routing: the fallback router the broker core ships until the smart order router
is wired in by the composition root.

A directed route goes to the venue the customer named, as it is. ``SMART`` goes, whole, to the
venue quoting the NBBO on the side the order would trade against (the best offer's venue for a
buy, the best bid's for a sale); with that side empty, to the venue quoting the order's own
side; with no quote, to the symbol's listing venue. Auction orders go to the listing venue. It
never splits, sweeps or re-routes: that is the smart router's job (issue 6).

It keeps no execution-quality statistics, so the port's ``child_sent`` and ``child_report``
are deliberate no-ops here and ``child_ended`` answers nothing: the OMS and the ledger already
hold every child and fill, and its state stays the NBBO venues alone (snapshots unchanged).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import msgpack

from directbroker.domain.marketdata_messages import QuoteUpdated
from directbroker.domain.messages import Event
from directbroker.domain.orders import Side
from directbroker.domain.rejects import RejectCode
from directbroker.domain.routing import SMART, ChildInstruction, ChildPurpose, RouteRequest
from directbroker.domain.venue_messages import (
    ExecutionReport,
)


class DirectedRouting:
    """Implements :class:`~directbroker.engines.oms.RoutingPolicy` with one child per order."""

    def __init__(self, venues: Sequence[str], listings: Mapping[str, str] | None = None) -> None:
        self._venues = frozenset(venues)
        self._listings = dict(listings or {})
        self._nbbo_venues: dict[str, tuple[str, str]] = {}

    def plan(self, request: RouteRequest, ts_ns: int) -> list[ChildInstruction] | RejectCode:
        """One child with all of ``request.quantity``."""
        if request.route != SMART:
            if request.route not in self._venues:
                return RejectCode.ROUTE_UNKNOWN_VENUE
            venue, purpose = request.route, ChildPurpose.DIRECTED
        else:
            found = self._smart_venue(request)
            if found is None:
                return RejectCode.ROUTE_NO_VENUE
            venue, purpose = found, ChildPurpose.POST
        return [
            ChildInstruction(
                venue,
                request.quantity,
                request.order_type,
                request.limit_price,
                request.time_in_force,
                purpose,
                request.display_quantity,
                request.hidden,
                request.post_only,
            )
        ]

    def _smart_venue(self, request: RouteRequest) -> str | None:
        listing = self._listings.get(request.symbol)
        if request.order_type.is_auction:
            return listing
        bid_venue, ask_venue = self._nbbo_venues.get(request.symbol, ("", ""))
        buying = request.side is Side.BUY
        far, near = (ask_venue, bid_venue) if buying else (bid_venue, ask_venue)
        for venue in (far, near, listing):
            if venue and venue in self._venues:
                return venue
        return None

    def observe(self, event: Event) -> None:
        """Remember which venues set the NBBO."""
        if isinstance(event, QuoteUpdated) and type(event.symbol) is str:
            self._nbbo_venues[event.symbol] = (str(event.bid_venue), str(event.ask_venue))

    def child_sent(
        self, parent_id: str, child_id: str, instruction: ChildInstruction, ts_ns: int
    ) -> None:
        """Nothing to record: no statistics are kept."""

    def child_report(self, report: ExecutionReport, ts_ns: int) -> None:
        """Nothing to measure: no statistics are kept."""

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
        """Never re-routes."""
        return []

    def snapshot(self) -> bytes:
        """The NBBO venues per symbol."""
        rows = [[s, b, a] for s, (b, a) in sorted(self._nbbo_venues.items())]
        data: bytes = msgpack.packb(rows, use_bin_type=True)
        return data

    def restore(self, data: bytes) -> None:
        """Replace the NBBO venues with a snapshot's."""
        rows = msgpack.unpackb(data, raw=False)
        self._nbbo_venues = {s: (b, a) for s, b, a in rows}

"""Running the simulation against venues in this process, as fast as they go.

Used by tests, by history generation and (paced) by the demo. Venues are anything that takes
venue commands and can say their top of book, so the same loop drives the fast engine, the
reference engine, or engines behind a journaling sequencer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol

from directbroker.domain.messages import Command, Event
from directbroker.sim.simulation import Batch, MarketSimulation
from directbroker.sim.view import Top


class BestBidOfferLike(Protocol):
    """The shape of a venue's top-of-book answer."""

    @property
    def bid_price(self) -> int | None: ...
    @property
    def bid_size(self) -> int: ...
    @property
    def ask_price(self) -> int | None: ...
    @property
    def ask_size(self) -> int: ...


class QuotingVenue(Protocol):
    """A venue the simulation can trade with and look at."""

    def handle(self, command: Command, ts_ns: int) -> list[Event]:
        """Apply a command, return its events."""
        ...

    def best_bid_offer(self, symbol: str) -> BestBidOfferLike:
        """The venue's displayed top of book."""
        ...


class VenuesView:
    """:class:`~directbroker.sim.view.MarketView` over in-process venues."""

    def __init__(self, venues: Mapping[str, QuotingVenue]) -> None:
        self._venues = venues

    def top(self, venue: str, symbol: str) -> Top:
        """The venue's displayed best bid and offer."""
        bbo = self._venues[venue].best_bid_offer(symbol)
        return Top(bbo.bid_price, bbo.bid_size, bbo.ask_price, bbo.ask_size)


EventSink = Callable[[str, Command, list[Event]], None]


def apply_batch(
    simulation: MarketSimulation,
    venues: Mapping[str, QuotingVenue],
    batch: Batch,
    sink: EventSink | None = None,
) -> None:
    """Send one batch's commands to their venues, in order, and let the simulation see the
    results (and ``sink``, for whoever records the day)."""
    for venue, command in batch.commands:
        events = venues[venue].handle(command, batch.ts_ns)
        simulation.observe(events)
        if sink is not None:
            sink(venue, command, events)


def run_day(
    simulation: MarketSimulation,
    venues: Mapping[str, QuotingVenue],
    sink: EventSink | None = None,
) -> None:
    """Run the simulation's whole day as fast as the venues allow."""
    while (batch := simulation.next_batch()) is not None:
        apply_batch(simulation, venues, batch, sink)

"""The embedded market: simulated venues, the order flow that drives them and the consolidated
market data built from their feeds, wired together in one process.

This is the composition the demo runs and the one tests use to get a live market without
sockets: each venue is a matching engine, every event a venue emits goes to the market data
engine, and the simulation sees the venues only through their top of book.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from directbroker.domain.marketdata_messages import SetPriorClose, StartTradingDay, TradePrinted
from directbroker.domain.messages import Command, Event
from directbroker.domain.venue_config import VenueConfig
from directbroker.domain.venue_messages import OrderRejected
from directbroker.engines.marketdata import MarketDataEngine
from directbroker.engines.matching import VenueEngine
from directbroker.sim.local import VenuesView
from directbroker.sim.simulation import Batch, MarketSimulation, SimulationConfig
from directbroker.sim.universe import LISTINGS, Listing, default_venues

VenueHandler = Callable[[str, Command, int], list[Event]]


@dataclass(slots=True)
class SessionCounts:
    """What the market has done so far."""

    commands: int = 0
    venue_events: int = 0
    trades: int = 0
    shares: int = 0
    rejects: int = 0


class EmbeddedMarket:
    """Venues + simulation + market data, stepped by the caller's clock."""

    def __init__(
        self,
        config: SimulationConfig,
        start_ns: int,
        trading_date: str,
        listings: Sequence[Listing] = LISTINGS,
        venues: Sequence[VenueConfig] | None = None,
    ) -> None:
        self.listings = tuple(listings)
        self.venue_configs = tuple(venues or default_venues(self.listings))
        self.venues = {config.name: VenueEngine(config) for config in self.venue_configs}
        self.market_data = MarketDataEngine()
        self.simulation = MarketSimulation(
            config, self.venue_configs, self.listings, VenuesView(self.venues), start_ns
        )
        self.tape: deque[TradePrinted] = deque(maxlen=500)
        self.counts = SessionCounts()
        self._pending: Batch | None = None
        self._start_day(trading_date, start_ns)

    def _start_day(self, trading_date: str, ts_ns: int) -> None:
        self.market_data.handle(StartTradingDay(trading_date), ts_ns)
        for listing in self.listings:
            prior = SetPriorClose(listing.symbol, listing.reference_price, trading_date)
            self.market_data.handle(prior, ts_ns)

    def send(self, venue: str, command: Command, ts_ns: int) -> list[Event]:
        """Send one command to a venue and publish what it caused to market data."""
        events = self.venues[venue].handle(command, ts_ns)
        self.counts.commands += 1
        self.counts.venue_events += len(events)
        for event in events:
            if isinstance(event, OrderRejected):
                self.counts.rejects += 1
        self._publish(events, ts_ns)
        return events

    def _publish(self, events: list[Event], ts_ns: int) -> None:
        for event in events:
            for output in self.market_data.handle(event, ts_ns):
                if isinstance(output, TradePrinted):
                    self.tape.append(output)
                    self.counts.trades += 1
                    self.counts.shares += output.quantity

    def run_until(self, now_ns: int) -> None:
        """Play the simulation up to ``now_ns`` (the caller's clock)."""
        while True:
            batch = self._pending or self.simulation.next_batch()
            if batch is None:
                return
            if batch.ts_ns > now_ns:
                self._pending = batch
                return
            self._pending = None
            for venue, command in batch.commands:
                self.simulation.observe(self.send(venue, command, batch.ts_ns))

    def run_to_end(self) -> None:
        """Play the rest of the simulated day as fast as possible."""
        self.run_until(2**63)

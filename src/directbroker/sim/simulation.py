"""The simulated market day: every agent, one Poisson clock, seeded and deterministic.

``next_batch`` returns the next moment's commands for the venues; the caller sends them, in
order, and hands the venues' events back through ``observe`` before asking again. The caller
decides the pace: as fast as possible for tests and history, or to the wall clock for the demo.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from directbroker.domain.instruments import tick_size
from directbroker.domain.messages import Command, Event
from directbroker.domain.orders import AuctionKind
from directbroker.domain.venue_config import VenueConfig
from directbroker.domain.venue_messages import (
    AuctionCompleted,
    BookOrderAdded,
    BookOrderReplaced,
    TradeReported,
)
from directbroker.sim.flow import FlowRates, ZeroIntelligenceFlow, venue_weights
from directbroker.sim.latent import LatentPrice
from directbroker.sim.market_makers import MarketMakers
from directbroker.sim.own_orders import IdSource, OrderOutcomes, OwnOrders
from directbroker.sim.session import NS, AuctionParticipants, DaySchedule, Phase, cross
from directbroker.sim.takers import Arbitrageur, Sweeper
from directbroker.sim.universe import Listing
from directbroker.sim.view import MarketView, national_top


@dataclass(frozen=True, slots=True)
class SimulationConfig:
    """Knobs of a simulated day."""

    seed: int = 7
    schedule: DaySchedule = DaySchedule()
    events_per_second: float = 400.0
    sweep_probability: float = 0.002
    auction_order_probability: float = 0.05
    routing_delay_ns: int = 1_000_000
    volatility_speedup: float = 1.0
    """How many seconds of a real day's price movement one simulated second carries."""
    rates: FlowRates = FlowRates()


@dataclass(frozen=True, slots=True)
class Batch:
    """Commands that happen at one simulated instant."""

    ts_ns: int
    commands: list[tuple[str, Command]]


@dataclass(slots=True)
class DayStatistics:
    """What the day looked like, to check the simulation against its targets."""

    commands: int = 0
    trades_by_symbol: dict[str, int] = field(default_factory=dict)
    volume_by_symbol: dict[str, int] = field(default_factory=dict)
    spread_samples_by_symbol: dict[str, int] = field(default_factory=dict)
    spread_ticks_by_symbol: dict[str, int] = field(default_factory=dict)
    crossed_durations_ns: list[int] = field(default_factory=list)
    auctions: list[AuctionCompleted] = field(default_factory=list)

    def mean_spread_ticks(self, symbol: str) -> float:
        """Average NBBO spread of ``symbol`` in ticks over the sampled moments."""
        samples = self.spread_samples_by_symbol.get(symbol, 0)
        return self.spread_ticks_by_symbol.get(symbol, 0) / max(1, samples)


class MarketSimulation:
    """One trading day across all venues and listings."""

    def __init__(
        self,
        config: SimulationConfig,
        venues: Sequence[VenueConfig],
        listings: Sequence[Listing],
        view: MarketView,
        start_ns: int,
        *,
        id_prefix: str = "SIM",
        resume_ns: int | None = None,
    ) -> None:
        """``id_prefix`` starts every order id the simulation makes; a run that resumes on
        venues that already saw another run's orders needs one of its own. ``resume_ns`` joins
        the day under way at that time (after a restart): a cross already due is not run
        again."""
        self.config = config
        self._rng = random.Random(config.seed)
        self._venues = [venue.name for venue in venues]
        self._listings = list(listings)
        self._weights = [listing.average_daily_volume for listing in listings]
        self._view = view
        self._start_ns = start_ns
        self._now = start_ns if resume_ns is None else max(start_ns, resume_ns)
        self._speedup = config.volatility_speedup
        self._fair = {
            item.symbol: LatentPrice(item.reference_price, item.volatility_bps, self._rng)
            for item in listings
        }
        self._last_move = dict.fromkeys(self._fair, self._now)
        self._quoted_at: dict[str, int] = {}
        self._last_trade = {item.symbol: item.reference_price for item in listings}
        self._crossed_since: dict[str, int] = {}
        self._arbitrage_due: dict[str, int] = {}
        offset = self._now - start_ns
        self._opened = offset > config.schedule.open_ns
        self._closed = offset > config.schedule.close_ns
        self.orders = OwnOrders()
        ids = IdSource(id_prefix)
        rebates = [-venue.fees.maker for venue in venues]
        self._makers = MarketMakers(venues, self.orders, ids)
        self._flow = ZeroIntelligenceFlow(
            self._rng, venue_weights(self._venues, rebates), self.orders, ids, config.rates
        )
        self._sweeper = Sweeper(self._rng, self._venues, self.orders, ids)
        self._arbitrageur = Arbitrageur(self._venues, self.orders, ids)
        self._auctions = AuctionParticipants(self._rng, self.orders, ids)
        self.stats = DayStatistics(
            trades_by_symbol=dict.fromkeys(self._fair, 0),
            volume_by_symbol=dict.fromkeys(self._fair, 0),
        )

    @property
    def finished(self) -> bool:
        """Whether the closing cross has run."""
        return self._closed

    @property
    def outcomes(self) -> OrderOutcomes:
        """How the simulation's resting orders ended."""
        return self.orders.outcomes

    def phase(self) -> Phase:
        """Where in the day the simulation is now."""
        return self.config.schedule.phase(self._now - self._start_ns)

    def fair_price(self, symbol: str) -> int:
        """The latent price the symbol's traders are centred on."""
        return self._fair[symbol].value

    def next_batch(self) -> Batch | None:
        """The next instant's commands, or None once the day is over."""
        if self._closed:
            return None
        schedule = self.config.schedule
        step = int(self._rng.expovariate(self.config.events_per_second) * NS) + 1
        upcoming = self._now + step
        if not self._opened and upcoming - self._start_ns >= schedule.open_ns:
            self._now = self._start_ns + schedule.open_ns
            self._opened = True
            return self._crosses(AuctionKind.OPEN)
        if upcoming - self._start_ns >= schedule.close_ns:
            self._now = self._start_ns + schedule.close_ns
            self._closed = True
            return self._crosses(AuctionKind.CLOSE)
        due = self._next_arbitrage(upcoming)
        if due is not None:
            return due
        self._now = upcoming
        listing = self._rng.choices(self._listings, self._weights)[0]
        commands = self._act(listing)
        self.stats.commands += len(commands)
        return Batch(self._now, commands)

    def skip_to(self, ts_ns: int) -> None:
        """Jump over the flow due before ``ts_ns`` (the caller fell behind and sheds it), but
        never over a cross: those run whatever the load."""
        schedule = self.config.schedule
        if not self._opened:
            limit = self._start_ns + schedule.open_ns - 1
        elif not self._closed:
            limit = self._start_ns + schedule.close_ns - 1
        else:
            return
        self._now = max(self._now, min(ts_ns, limit))

    def observe(self, events: Iterable[Event]) -> None:
        """Take in what the venues did."""
        events = list(events)
        self.orders.observe(events)
        touched: set[str] = set()
        for event in events:
            if isinstance(event, BookOrderAdded | BookOrderReplaced):
                touched.add(event.symbol)
            elif isinstance(event, TradeReported):
                touched.add(event.symbol)
                self.stats.trades_by_symbol[event.symbol] += 1
                self.stats.volume_by_symbol[event.symbol] += event.quantity
                self._last_trade[event.symbol] = event.price
            elif isinstance(event, AuctionCompleted):
                self.stats.auctions.append(event)
                if event.price is not None:
                    self._last_trade[event.symbol] = event.price
        if self._opened:
            for symbol in sorted(touched):
                self._watch_for_crossing(symbol)

    def _next_arbitrage(self, before_ns: int) -> Batch | None:
        if not self._arbitrage_due:
            return None
        symbol = min(self._arbitrage_due, key=lambda name: (self._arbitrage_due[name], name))
        due = self._arbitrage_due[symbol]
        if due > before_ns:
            return None
        del self._arbitrage_due[symbol]
        self._now = max(self._now, due)
        market = national_top(self._view, self._venues, symbol)
        commands = self._arbitrageur.act(symbol, market, self._view)
        self.stats.commands += len(commands)
        return Batch(self._now, commands)

    def _watch_for_crossing(self, symbol: str) -> None:
        market = national_top(self._view, self._venues, symbol)
        if market.crossed_or_locked:
            self._crossed_since.setdefault(symbol, self._now)
            self._arbitrage_due.setdefault(symbol, self._now + self.config.routing_delay_ns)
            return
        since = self._crossed_since.pop(symbol, None)
        if since is not None:
            self.stats.crossed_durations_ns.append(self._now - since)

    def _crosses(self, kind: AuctionKind) -> Batch:
        commands: list[tuple[str, Command]] = []
        for listing in self._listings:
            if listing.primary_venue not in self._venues:
                continue  # its listing exchange runs elsewhere and holds its own crosses
            reference = self._last_trade[listing.symbol]
            commands.append(cross(listing, kind, reference))
        self.stats.commands += len(commands)
        return Batch(self._now, commands)

    def _act(self, listing: Listing) -> list[tuple[str, Command]]:
        symbol = listing.symbol
        fair = self._fair[symbol]
        fair.advance((self._now - self._last_move[symbol]) / NS, self._speedup)
        self._last_move[symbol] = self._now
        phase = self.phase()
        listed_here = listing.primary_venue in self._venues
        if phase is Phase.PRE_OPEN:
            return (
                [self._auctions.act(listing, fair.value, AuctionKind.OPEN)] if listed_here else []
            )
        market = national_top(self._view, self._venues, symbol)
        if market.crossed_or_locked:
            return []
        self._sample(symbol, market.bid, market.ask)
        # A requote is its own instant: the other traders price off the market it leaves.
        requotes = self._requote_if_needed(listing, fair.value)
        if requotes:
            return requotes
        roll = self._rng.random()
        if (
            phase is Phase.CLOSING_WINDOW
            and listed_here
            and roll < self.config.auction_order_probability
        ):
            return [self._auctions.act(listing, fair.value, AuctionKind.CLOSE)]
        if roll > 1.0 - self.config.sweep_probability:
            return self._sweeper.act(symbol, market)
        return self._flow.act(symbol, fair.value, market)

    def _requote_if_needed(self, listing: Listing, fair: int) -> list[tuple[str, Command]]:
        quoted = self._quoted_at.get(listing.symbol)
        # Requote when the fair value moved a tick, and now and then anyway (quotes get hit).
        moved = quoted is None or abs(quoted - fair) >= tick_size(fair)
        if not moved and self._rng.random() > 0.05:
            return []
        self._quoted_at[listing.symbol] = fair
        return self._makers.requote(listing.symbol, fair, listing.spread_ticks, self._view)

    def _sample(self, symbol: str, bid: int | None, ask: int | None) -> None:
        if bid is None or ask is None:
            return
        stats = self.stats
        stats.spread_samples_by_symbol[symbol] = stats.spread_samples_by_symbol.get(symbol, 0) + 1
        ticks = (ask - bid) // tick_size(bid)
        stats.spread_ticks_by_symbol[symbol] = stats.spread_ticks_by_symbol.get(symbol, 0) + ticks

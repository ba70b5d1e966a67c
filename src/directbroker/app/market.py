"""The embedded market: simulated venues, the order flow that drives them and the consolidated
market data built from their feeds, wired together in one process.

Every venue is a matching engine behind its own sequencer and journal, and so is the market data
engine (its inputs are the venues' feed events), so the whole day can be rebuilt from the
journals. The market data outputs (trades, quotes, bars) are also recorded in the historical
data store as they happen. The simulation sees the venues only through their top of book.

Every message carried from a venue's journal to market data is keyed by its origin (see
:mod:`directbroker.app.reconcile`), so one lost in a crash is re-sent on start-up, and the
simulation's order ids carry a prefix unique to the run, so a restarted simulation never
reuses an id the venues have already seen.
"""

from __future__ import annotations

import dataclasses
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from directbroker.adapters.history import SqlHistoryStore
from directbroker.app.reconcile import Origin, Route, keyed, reconcile
from directbroker.domain.marketdata_messages import (
    EndTradingDay,
    SetPriorClose,
    StartTradingDay,
    TradePrinted,
)
from directbroker.domain.messages import Command, Event, Message
from directbroker.domain.venue_config import VenueConfig
from directbroker.domain.venue_messages import OrderRejected, RunAuction
from directbroker.engines.marketdata import MarketDataEngine
from directbroker.engines.matching import VenueEngine
from directbroker.protocols.codec import decode_many
from directbroker.runtime.journal import Journal, reading
from directbroker.runtime.sequencer import Outcome
from directbroker.runtime.snapshots import SnapshotStore
from directbroker.runtime.stepped import SteppedCore
from directbroker.sim.local import VenuesView
from directbroker.sim.simulation import Batch, MarketSimulation, SimulationConfig
from directbroker.sim.universe import LISTINGS, Listing, default_venues

MARKET_DATA = "marketdata"
"""The journal name of the market data core (venue journals are named after the venue)."""

OpenJournal = Callable[[str], tuple[Journal, SnapshotStore | None]]


@dataclass(frozen=True, slots=True)
class StepResult:
    """What one instant of the market produced: every venue event (execution reports and the
    public feed) and the consolidated market data built from them."""

    venue_events: list[Event]
    market_data: list[Event]
    venue_ids: list[str | None] = field(default_factory=list)
    """The origin key (``VENUE:seq:index``) of each venue event, for carrying it on."""
    market_data_ids: list[str | None] = field(default_factory=list)
    """The origin key (``marketdata:seq:index``) of each market data event."""
    market_data_inputs: list[Message] = field(default_factory=list)
    """The venue feed events market data newly applied (not duplicates), in order: what a
    replica of the market data engine takes to stay equal to it."""
    market_data_ts: int = 0
    """The time market data's sequencer stamped those inputs with."""


StepListener = Callable[[StepResult, int], None]
Pause = Callable[[], bool]


@dataclass(slots=True)
class SessionCounts:
    """What the market has done so far."""

    commands: int = 0
    venue_events: int = 0
    trades: int = 0
    shares: int = 0
    rejects: int = 0


class EmbeddedMarket:
    """Journaled venues + simulation + journaled market data, stepped by the caller's clock."""

    def __init__(
        self,
        config: SimulationConfig,
        start_ns: int,
        trading_date: str | None,
        open_journal: OpenJournal,
        listings: Sequence[Listing] = LISTINGS,
        venues: Sequence[VenueConfig] | None = None,
        history: SqlHistoryStore | None = None,
        snapshot_every: int = 50_000,
    ) -> None:
        self.listings = tuple(listings)
        self.venue_configs = tuple(default_venues(self.listings) if venues is None else venues)
        self._venue_cores: dict[str, SteppedCore[VenueEngine]] = {}
        for venue in self.venue_configs:
            journal, snapshots = open_journal(venue.name)
            self._venue_cores[venue.name] = SteppedCore(
                _venue_factory(venue), journal, snapshots, snapshot_every=snapshot_every
            )
        self.venues = {name: core.core for name, core in self._venue_cores.items()}
        journal, snapshots = open_journal(MARKET_DATA)
        self._market_data = SteppedCore(
            MarketDataEngine, journal, snapshots, snapshot_every=snapshot_every
        )
        self.market_data = self._market_data.core
        self.history = history
        self.simulation = MarketSimulation(
            config,
            self.venue_configs,
            self.listings,
            VenuesView(self.venues),
            start_ns,
            id_prefix=run_prefix(start_ns),
        )
        self.tape: deque[TradePrinted] = deque(maxlen=500)
        self._unrecorded: list[Event] = []
        self._unrecorded_seq = 0

        self.counts = SessionCounts()
        self._flowing = trading_date is not None
        """Whether the simulation is playing a day (a firm's day driver starts each day's
        flow with :meth:`start_flow`; a single-day market plays from the start)."""
        self.flow_date = trading_date or ""
        if self._market_data.last_seq == 0 and trading_date is not None:
            self._start_day(trading_date, start_ns)
        self.history_caught_up = self._catch_up_history()
        """Market data entries recorded into history at start-up (a crash had lost them)."""
        self.reconciled = reconcile(self.origins(), self._on_reconciled)
        """What start-up re-sent from the venues to market data (see ADR 0010)."""
        # The first batch is drawn lazily: whoever owns the market (the platform) may still
        # reconcile, and the simulation should price off the books as they then stand.
        self._pending: Batch | None = None
        self._primed = False

    def _start_day(self, trading_date: str, ts_ns: int) -> None:
        commands: list[Command] = [StartTradingDay(trading_date)]
        commands += [
            SetPriorClose(listing.symbol, listing.reference_price, trading_date)
            for listing in self.listings
        ]
        self._market_data.apply(commands, ts_ns)

    @property
    def trading_date(self) -> str:
        """Market data's trading date (ISO; empty before the first)."""
        return self.market_data.trading_date

    def start_trading_day(self, trading_date: str, ts_ns: int) -> StepResult:
        """A new trading date in market data (the first one also takes the listings'
        reference prices as prior closes)."""
        commands: list[Message] = [StartTradingDay(trading_date)]
        if not self.market_data.trading_date:
            commands += [
                SetPriorClose(listing.symbol, listing.reference_price, trading_date)
                for listing in self.listings
            ]
        return self._publish(commands, ts_ns)

    def start_flow(
        self, trading_date: str, config: SimulationConfig, start_ns: int, resume_ns: int
    ) -> None:
        """Play ``trading_date``'s simulated flow: pre-open auction orders from ``start_ns``,
        the crosses and continuous trading as ``config.schedule`` says, joined at
        ``resume_ns`` (later than the start after a restart)."""
        self.simulation = MarketSimulation(
            config,
            self.venue_configs,
            self.listings,
            VenuesView(self.venues),
            start_ns,
            id_prefix=run_prefix(resume_ns),
            resume_ns=resume_ns,
        )
        self.flow_date = trading_date
        self._flowing = True
        self._primed = True
        self._pending = self.simulation.next_batch()

    def stop_flow(self) -> None:
        """No simulated flow until the next :meth:`start_flow` (the market is closed)."""
        self._flowing = False
        self._pending = None

    @property
    def flowing(self) -> bool:
        """Whether the simulation is playing a day's flow now."""
        return self._flowing and (self._pending is not None or not self._primed)

    def run_until(
        self, now_ns: int, on_step: StepListener | None = None, pause: Pause | None = None
    ) -> bool:
        """Play the simulation up to ``now_ns`` (the caller's clock). ``on_step`` sees each
        instant's results before the simulation moves on, so other participants (the broker)
        react to the market as it happens. ``pause`` is asked after each instant: when it says
        so the market stops early (the caller has clients waiting, or its time slice is
        spent). Returns whether the market caught up with ``now_ns``."""
        if not self._flowing:
            return True
        if not self._primed:
            self._primed = True
            self._pending = self.simulation.next_batch()
        while self._pending is not None and self._pending.ts_ns <= now_ns:
            batch = self._pending
            result = self.send(batch.commands, batch.ts_ns)
            if on_step is not None:
                on_step(result, batch.ts_ns)
            self._pending = self.simulation.next_batch()
            if pause is not None and pause():
                return self._pending is None or self._pending.ts_ns > now_ns
        return True

    def due_ns(self) -> int | None:
        """When the simulation's next instant is due (None: the day's flow is over)."""
        if not self._flowing:
            return None
        if not self._primed:
            return 0
        return None if self._pending is None else self._pending.ts_ns

    def shed(self, now_ns: int, max_lag_ns: int) -> bool:
        """When the flow is more than ``max_lag_ns`` behind ``now_ns``, drop what is due
        before now (the crosses excepted) so the market catches up; True if it shed."""
        pending = self._pending
        if not self._flowing or pending is None or now_ns - pending.ts_ns <= max_lag_ns:
            return False
        if any(isinstance(command, RunAuction) for _, command in pending.commands):
            return False
        self.simulation.skip_to(now_ns)
        self._pending = self.simulation.next_batch()
        return True

    def lag_ns(self, now_ns: int) -> int:
        """How far the simulation is behind ``now_ns`` (0 when it is up to date)."""
        due = self.due_ns()
        return 0 if due is None else max(0, now_ns - due)

    def run_to_end(self, on_step: StepListener | None = None) -> None:
        """Play the rest of the simulated day as fast as possible (history written)."""
        self.run_until(2**63, on_step)
        self.flush_history()

    def origins(self, broker: Route | None = None) -> list[Origin]:
        """The venues as origins of delivery: their feed to market data and, given the broker's
        route, the broker's execution reports. Market data comes first (the live order)."""
        routes: list[Route] = [Route(MARKET_DATA, self._market_data, _everything)]
        if broker is not None:
            routes.append(broker)
        return [Origin(name, core, tuple(routes)) for name, core in self._venue_cores.items()]

    def _on_reconciled(self, destination: str, outcomes: Sequence[Outcome]) -> None:
        if destination == MARKET_DATA:
            self.record(outcomes)

    @property
    def venue_cores(self) -> dict[str, SteppedCore[VenueEngine]]:
        """Each venue's journaled core, by venue name (for reconciliation)."""
        return dict(self._venue_cores)

    @property
    def market_data_core(self) -> SteppedCore[MarketDataEngine]:
        """The journaled market data core (for reconciliation)."""
        return self._market_data

    def send(
        self,
        commands: Sequence[tuple[str, Command]],
        ts_ns: int,
        client_ids: Sequence[str | None] | None = None,
    ) -> StepResult:
        """Send commands to their venues durably, in order, and publish what they caused.

        Venues are independent, so each venue's share is one durable commit; the results are
        then taken in the commands' order, as if sent one by one. The simulation sees every
        venue event (its orders may trade with anyone's); market data sees the public feed.
        ``client_ids`` (parallel to ``commands``) key commands carried from another journal.
        """
        ids = [None] * len(commands) if client_ids is None else list(client_ids)
        by_venue: dict[str, tuple[list[Message], list[str | None]]] = {}
        for (venue, command), client_id in zip(commands, ids, strict=True):
            batch, batch_ids = by_venue.setdefault(venue, ([], []))
            batch.append(command)
            batch_ids.append(client_id)
        results = {
            venue: iter(self._venue_cores[venue].apply_outcomes(batch, ts_ns, batch_ids))
            for venue, (batch, batch_ids) in by_venue.items()
        }
        venue_events: list[Event] = []
        venue_ids: list[str | None] = []
        for venue, _ in commands:
            events, events_ids = keyed(venue, [next(results[venue])], _everything)
            venue_events.extend(events)
            venue_ids.extend(events_ids)
        self.simulation.observe(venue_events)
        self._count(venue_events)
        self.counts.commands += len(commands)
        published = self._publish(venue_events, ts_ns, venue_ids)
        return dataclasses.replace(published, venue_events=venue_events, venue_ids=venue_ids)

    def _count(self, events: Sequence[Event]) -> None:
        self.counts.venue_events += len(events)
        for event in events:
            if isinstance(event, OrderRejected):
                self.counts.rejects += 1

    def _publish(
        self, feed: Sequence[Message], ts_ns: int, client_ids: Sequence[str | None] | None = None
    ) -> StepResult:
        """Apply ``feed`` to market data durably; the result holds its outputs, their origin
        keys, the inputs newly applied (a re-sent duplicate is answered from the journal) and
        their stamp. The venue fields are left for the caller."""
        outcomes = self._market_data.apply_outcomes(feed, ts_ns, client_ids)
        outputs, output_ids = keyed(MARKET_DATA, outcomes, _everything)
        self.record([outcome for outcome in outcomes if not outcome.duplicate])
        fresh = [
            (item, done) for item, done in zip(feed, outcomes, strict=True) if not done.duplicate
        ]
        stamp = fresh[0][1].ts_ns if fresh else ts_ns
        return StepResult([], outputs, [], output_ids, [item for item, _ in fresh], stamp)

    def record(self, outcomes: Sequence[Outcome]) -> None:
        """Take in market data outcomes newly applied (live, or by reconciliation): the tape,
        the counts and, in batches (see :meth:`flush_history`), the historical data store."""
        outputs = [event for outcome in outcomes for event in outcome.events]
        for output in outputs:
            if isinstance(output, TradePrinted):
                self.tape.append(output)
                self.counts.trades += 1
                self.counts.shares += output.quantity
        if self.history is not None and outcomes:
            self._unrecorded.extend(outputs)
            self._unrecorded_seq = max(self._unrecorded_seq, *(o.seq for o in outcomes))

    def flush_history(self) -> None:
        """Write what market data produced since the last flush to the history store, in one
        transaction. Call it only once market data's journal has committed what it records
        (the platform does, after each commit): history is derived from that journal, so what
        a crash loses here is recorded again at the next start (:meth:`_catch_up_history`),
        but it must never run ahead of it."""
        if self.history is None or not self._unrecorded_seq:
            return
        self.history.record(self._unrecorded, (MARKET_DATA, self._unrecorded_seq))
        self._unrecorded = []
        self._unrecorded_seq = 0

    def _catch_up_history(self) -> int:
        """Record what market data journaled but the history store never got (a crash between
        the two commits): the market data journal holds every entry's events."""
        if self.history is None:
            return 0
        recorded = self.history.recorded_seq(MARKET_DATA)
        tail = self._market_data.last_seq
        if recorded is None:
            if not self.history.is_empty():
                # A store from before positions were kept: take it as up to date.
                self.history.record([], (MARKET_DATA, tail))
                return 0
            recorded = 0
        caught_up = 0
        batch: list[Event] = []
        last = recorded
        with reading(self._market_data.journal, after_seq=recorded) as entries:
            for entry in entries:
                batch.extend(e for e in decode_many(entry.events) if isinstance(e, Event))
                caught_up += 1
                last = entry.seq
                if len(batch) >= 10_000:
                    self.history.record(batch, (MARKET_DATA, last))
                    batch = []
        if last != recorded:
            self.history.record(batch, (MARKET_DATA, last))
        return caught_up

    def publish_feed(
        self, feed: Sequence[Event], ts_ns: int, client_ids: Sequence[str | None]
    ) -> StepResult:
        """The public feed of venues in other processes into market data, keyed by origin
        (``VENUE:seq:index``), so a feed event delivered twice is applied once."""
        return self._publish(feed, ts_ns, client_ids)

    def end_day(self, trading_date: str, ts_ns: int) -> StepResult:
        """Close the trading date in market data (the day bars are final)."""
        return self._publish([EndTradingDay(trading_date)], ts_ns)


def run_prefix(start_ns: int) -> str:
    """The simulation's order-id prefix for a run started at ``start_ns``: ``S`` and the
    start time in base 36, so a restarted run never reuses the previous run's order ids."""
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    value, text = max(start_ns, 0), ""
    while True:
        value, digit = divmod(value, 36)
        text = digits[digit] + text
        if value == 0:
            return "S" + text


def _everything(event: Event) -> Event:
    return event


def _venue_factory(config: VenueConfig) -> Callable[[], VenueEngine]:
    def build() -> VenueEngine:
        return VenueEngine(config)

    return build

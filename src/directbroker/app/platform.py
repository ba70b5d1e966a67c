"""The whole embedded platform in one process: the broker core (OMS, risk, smart router and
ledger), the simulated venues, the market simulation, consolidated market data and the
historical data store, each core behind its own sequencer and journal.

One thread owns every core. Client commands arrive through :meth:`Platform.submit` from any
thread and are answered only after the broker core has journaled them; the platform thread
interleaves them with the simulated market, feeds the broker core the market data and the
venues' execution reports as journaled inputs, and sends the broker's child orders to the venues.

Every message carried between cores is keyed by its origin journal entry, and start-up
re-sends whatever a crash left undelivered before anything new happens (ADR 0010).
"""

from __future__ import annotations

import datetime
import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass

from directbroker.adapters.calendar import XnysCalendar
from directbroker.adapters.history import SqlHistoryStore
from directbroker.app.market import MARKET_DATA, EmbeddedMarket, OpenJournal, StepResult
from directbroker.app.reconcile import Origin, Reconciled, Route, origin_id, reconcile
from directbroker.domain.accounts import AccountType, Registration
from directbroker.domain.broker_messages import (
    EndBrokerDay,
    StartBrokerDay,
    venue_command,
)
from directbroker.domain.ledger_messages import Deposit, OpenAccount, RecordPriorClose
from directbroker.domain.messages import Command, Event, Message
from directbroker.domain.venue_messages import (
    EXECUTION_REPORTS,
)
from directbroker.engines.broker import BrokerConfig, BrokerCore
from directbroker.engines.broker.core import MARKET_INPUTS
from directbroker.engines.ledger import LedgerCore
from directbroker.engines.router import SmartRouting
from directbroker.runtime.sequencer import Outcome
from directbroker.runtime.stepped import SteppedCore
from directbroker.sim.simulation import SimulationConfig
from directbroker.sim.universe import LISTINGS, Listing

BROKER = "broker"
"""The journal name of the broker core."""


CustomerListener = Callable[[Sequence[Event]], None]
MarketDataListener = Callable[[Sequence[Event], int], None]


@dataclass(frozen=True, slots=True)
class DemoAccount:
    """An account the platform opens and funds on its first start."""

    account: str
    owner: str
    account_type: AccountType
    cash: int
    """Opening deposit in $0.0001 units (whole cents)."""


DEMO_ACCOUNTS = (
    DemoAccount("DEMO-1", "demo", AccountType.MARGIN, 100_000 * 10_000),
    DemoAccount("DEMO-2", "demo-cash", AccountType.CASH, 25_000 * 10_000),
)


def accelerated_clock(speed: float, wall_ns: Callable[[], int] = time.time_ns) -> Callable[[], int]:
    """A clock that starts at the wall time and runs ``speed`` times faster: a simulated
    day (bars, crosses) in minutes, for demos and tests that cannot wait a real minute."""
    origin = wall_ns()

    def now() -> int:
        return origin + int((wall_ns() - origin) * speed)

    return now


def trading_date_for(start_ns: int, calendar: XnysCalendar) -> int:
    """The session date (YYYYMMDD) a platform started at ``start_ns`` trades: today if the
    exchange is open today, else the next session."""
    today = datetime.datetime.fromtimestamp(start_ns / 1e9, datetime.UTC).date()
    date = today.year * 10_000 + today.month * 100 + today.day
    if calendar.is_business_day(date):
        return date
    return calendar.add_business_days(date, 1)


def iso_date(date: int) -> str:
    """YYYYMMDD as ISO text (market data speaks ISO dates)."""
    return f"{date // 10_000:04d}-{date // 100 % 100:02d}-{date % 100:02d}"


class Platform:
    """Broker core + embedded market, driven by one thread (or stepped by a test)."""

    def __init__(
        self,
        journals: OpenJournal,
        config: SimulationConfig,
        start_ns: int,
        *,
        listings: Sequence[Listing] = LISTINGS,
        history: SqlHistoryStore | None = None,
        accounts: Sequence[DemoAccount] = DEMO_ACCOUNTS,
        calendar: XnysCalendar | None = None,
        broker_config: BrokerConfig | None = None,
    ) -> None:
        self.calendar = calendar or XnysCalendar()
        self.trading_date = trading_date_for(start_ns, self.calendar)
        self.market = EmbeddedMarket(
            config, start_ns, iso_date(self.trading_date), journals, listings, history=history
        )
        venues = self.market.venue_configs
        calendar_ = self.calendar
        settings = broker_config or BrokerConfig()

        def new_broker() -> BrokerCore:
            return BrokerCore(LedgerCore(calendar_), SmartRouting(venues), settings)

        journal, snapshots = journals(BROKER)
        self._broker = SteppedCore(new_broker, journal, snapshots, snapshot_every=20_000)
        self.broker = self._broker.core
        self.participant = settings.participant
        self.lock = threading.RLock()
        """Held while the platform changes state; hold it to read the cores consistently."""
        self._inbox: queue.SimpleQueue[tuple[Message, Future[tuple[Event, ...]]]] = (
            queue.SimpleQueue()
        )
        self._listeners: list[CustomerListener] = []
        self._market_listeners: list[MarketDataListener] = []
        self.started_ns = start_ns
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._wake = threading.Event()
        self._failure: BaseException | None = None
        self._day_ended = False
        self.reconciled: Reconciled = self._reconcile()
        """What start-up re-sent between the cores after a crash (nothing after a clean stop)."""
        if self._broker.last_seq == 0:
            self._open_books(start_ns, listings, accounts)

    @property
    def broker_core(self) -> SteppedCore[BrokerCore]:
        """The broker core behind its sequencer (its journal and position)."""
        return self._broker

    # --- set-up ----------------------------------------------------------------------------

    def _reconcile(self) -> Reconciled:
        """Deliver what a crash left between the cores, in causal order: each venue's feed to
        market data and its reports to the broker, market data's quotes to the broker, then
        the broker's child commands to the venues; again until nothing new happens (re-sent
        child orders make new reports). The market already did venue → market data alone."""
        market = self.market
        broker = self._broker
        venues = market.venue_cores
        origins = [
            *market.origins(Route(BROKER, broker, self._report_for_broker)),
            Origin(MARKET_DATA, market.market_data_core, (Route(BROKER, broker, _market_input),)),
            Origin(
                BROKER,
                broker,
                tuple(Route(name, core, _command_for(name)) for name, core in venues.items()),
            ),
        ]
        report = reconcile(origins, self._on_reconciled)
        report.absorb(market.reconciled)
        return report

    def _on_reconciled(self, destination: str, outcomes: Sequence[Outcome]) -> None:
        if destination == MARKET_DATA:
            self.market.record(outcomes)
        elif destination == BROKER:
            outputs = [event for outcome in outcomes for event in outcome.events]
            for listener in self._listeners:
                listener(outputs)

    def _report_for_broker(self, event: Event) -> Message | None:
        if isinstance(event, EXECUTION_REPORTS) and event.participant == self.participant:
            return event
        return None

    def _open_books(
        self, ts_ns: int, listings: Sequence[Listing], accounts: Sequence[DemoAccount]
    ) -> None:
        commands: list[Message] = [StartBrokerDay(self.trading_date)]
        commands += [RecordPriorClose(item.symbol, item.reference_price) for item in listings]
        for demo in accounts:
            commands.append(
                OpenAccount(demo.account, demo.owner, demo.account_type, Registration.INDIVIDUAL)
            )
            commands.append(Deposit(demo.account, f"opening-{demo.account}", demo.cash))
        self._broker_apply(commands, ts_ns)

    # --- the client side -------------------------------------------------------------------

    def submit(self, command: Command) -> Future[tuple[Event, ...]]:
        """Queue a client command; the future resolves with its events once journaled."""
        future: Future[tuple[Event, ...]] = Future()
        if self._failure is not None:
            future.set_exception(self._failure)
            return future
        self._inbox.put((command, future))
        self._wake.set()
        return future

    def on_customer_events(self, listener: CustomerListener) -> None:
        """Call ``listener`` (on the platform thread) with every batch of broker events."""
        self._listeners.append(listener)

    def now_ns(self) -> int:
        """The platform's clock for clients (wall time; the cores stamp their own)."""
        return time.time_ns()

    def on_market_data(self, listener: MarketDataListener) -> None:
        """Call ``listener`` (on the platform thread) with every batch of market data."""
        self._market_listeners.append(listener)

    # --- running ----------------------------------------------------------------------------

    def start(self, wall_ns: Callable[[], int] = time.time_ns) -> None:
        """Run the platform on its own thread, paced to ``wall_ns``."""
        if self._thread is not None:
            raise RuntimeError("already started")
        self._thread = threading.Thread(
            target=self._run, args=(wall_ns,), name="platform", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float | None = 10.0) -> None:
        """Stop the platform thread after its current step."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def failure(self) -> BaseException | None:
        """Why the platform thread stopped on its own (crash-only: restart to recover)."""
        return self._failure

    def _run(self, wall_ns: Callable[[], int]) -> None:
        try:
            while not self._stopping.is_set():
                self.step(wall_ns())
                # Idle until the market is due again, but a client command wakes us at once.
                self._wake.wait(0.005)
                self._wake.clear()
        except BaseException as exc:
            # Fail fast: state may be ahead of the journals, so nothing more runs; the owner
            # sees the failure and a restart recovers from the journals.
            self._failure = exc
            self._stopping.set()
            while True:
                try:
                    _, future = self._inbox.get_nowait()
                except queue.Empty:
                    break
                future.set_exception(exc)

    def step(self, now_ns: int) -> None:
        """Everything due by ``now_ns``: client commands, then the market up to that time."""
        with self.lock:
            self._serve_clients(now_ns)
            self.market.run_until(now_ns, self._react)
            if self.market.simulation.finished and not self._day_ended:
                self._day_ended = True
                self._broker_apply([EndBrokerDay(self.trading_date)], now_ns)
                self.market.end_day(iso_date(self.trading_date), now_ns)

    def run_to_end(self) -> None:
        """Play the rest of the simulated day as fast as possible (tests, backtests)."""
        self.step(2**62)

    # --- the loop between broker and venues ------------------------------------------------

    def _serve_clients(self, now_ns: int) -> None:
        batch: list[tuple[Message, Future[tuple[Event, ...]]]] = []
        while True:
            try:
                batch.append(self._inbox.get_nowait())
            except queue.Empty:
                break
        if not batch:
            return
        try:
            results = self._broker_apply([command for command, _ in batch], now_ns)
        except BaseException as exc:
            for _, future in batch:
                future.set_exception(exc)
            raise
        for (_, future), events in zip(batch, results, strict=True):
            future.set_result(events)

    def _react(self, result: StepResult, ts_ns: int) -> None:
        self._tell_market(result, ts_ns)
        inputs, ids = self._broker_inputs(result)
        if inputs:
            self._broker_apply(inputs, ts_ns, ids)

    def _tell_market(self, result: StepResult, ts_ns: int) -> None:
        if result.market_data:
            for listener in self._market_listeners:
                listener(result.market_data, ts_ns)

    def _broker_inputs(self, result: StepResult) -> tuple[list[Message], list[str | None]]:
        """The broker's share of a market step, each keyed by where it came from: its own
        execution reports first, then the market data it prices and checks risk against."""
        inputs: list[Message] = []
        ids: list[str | None] = []
        for event, client_id in zip(result.venue_events, result.venue_ids, strict=True):
            if self._report_for_broker(event) is not None:
                inputs.append(event)
                ids.append(client_id)
        for event, client_id in zip(result.market_data, result.market_data_ids, strict=True):
            if isinstance(event, MARKET_INPUTS):
                inputs.append(event)
                ids.append(client_id)
        return inputs, ids

    def _broker_apply(
        self,
        inputs: Sequence[Message],
        ts_ns: int,
        client_ids: Sequence[str | None] | None = None,
    ) -> list[tuple[Event, ...]]:
        """Journal ``inputs`` in the broker core, send the child orders it asks for, and feed
        back what the venues and market data answered, until nothing more happens."""
        outcomes = self._broker.apply_outcomes(inputs, ts_ns, client_ids)
        results = [outcome.events for outcome in outcomes]
        while outcomes:
            outputs = [event for outcome in outcomes for event in outcome.events]
            for listener in self._listeners:
                listener(outputs)
            orders, ids = _venue_commands(outcomes)
            if not orders:
                break
            answer = self.market.send(orders, ts_ns, ids)
            self._tell_market(answer, ts_ns)
            follow_up, follow_ids = self._broker_inputs(answer)
            outcomes = (
                self._broker.apply_outcomes(follow_up, ts_ns, follow_ids) if follow_up else []
            )
        return results


def _venue_commands(
    outcomes: Sequence[Outcome],
) -> tuple[list[tuple[str, Command]], list[str | None]]:
    """The venue commands the broker's outcomes ask for, keyed ``broker:seq:index`` (the same
    keys reconciliation derives from the broker journal)."""
    commands: list[tuple[str, Command]] = []
    ids: list[str | None] = []
    for outcome in outcomes:
        for index, event in enumerate(outcome.events):
            child = venue_command(event)
            if child is not None:
                commands.append(child)
                ids.append(origin_id(BROKER, outcome.seq, index))
    return commands, ids


def _command_for(venue: str) -> Callable[[Event], Message | None]:
    def select(event: Event) -> Message | None:
        child = venue_command(event)
        return child[1] if child is not None and child[0] == venue else None

    return select


def _market_input(event: Event) -> Message | None:
    return event if isinstance(event, MARKET_INPUTS) else None

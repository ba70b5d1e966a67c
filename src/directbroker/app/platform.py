"""The whole embedded platform in one process: the broker core (OMS, risk, smart router and
ledger), the simulated venues, the market simulation, consolidated market data and the
historical data store, each core behind its own sequencer and journal.

One thread owns every core. Client commands arrive through :meth:`Platform.submit` from any
thread (a bounded inbox: when it is full the command is refused at once) and are answered only
after the broker core has journaled them; the platform thread serves them ahead of the
simulated market, feeds the broker core the market data and the venues' execution reports as
journaled inputs, and sends the broker's child orders to the venues. Whatever a core commits is
handed to listeners, which feed the read models clients query: nobody reads a core's state
from another thread.

Every message carried between cores is keyed by its origin journal entry, and start-up
re-sends whatever a crash left undelivered before anything new happens (ADR 0010).
"""

from __future__ import annotations

import datetime
import logging
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from directbroker.adapters.calendar import XnysCalendar
from directbroker.adapters.history import SqlHistoryStore
from directbroker.app.admission import Admission, Reply
from directbroker.app.journals import JournalStore
from directbroker.app.market import MARKET_DATA, EmbeddedMarket, StepResult
from directbroker.app.reconcile import Origin, Reconciled, Route, origin_id, reconcile
from directbroker.app.remote_venues import RemoteVenues
from directbroker.app.trading_days import DayPlan
from directbroker.domain.accounts import AccountType, Registration
from directbroker.domain.broker_messages import (
    EndBrokerDay,
    StartBrokerDay,
    venue_command,
)
from directbroker.domain.ledger_messages import Deposit, OpenAccount, RecordPriorClose
from directbroker.domain.marketdata_messages import StartTradingDay
from directbroker.domain.messages import Command, Event, Message
from directbroker.domain.sessions import SessionPhase
from directbroker.domain.venue_messages import (
    EXECUTION_REPORTS,
    CancelOrder,
    ReplaceOrder,
    SubmitOrder,
)
from directbroker.engines.broker import BrokerConfig, BrokerCore
from directbroker.engines.broker.core import MARKET_INPUTS
from directbroker.engines.ledger import LedgerCore
from directbroker.engines.router import SmartRouting
from directbroker.runtime import days as day_rules
from directbroker.runtime.schedule import Position, Transition
from directbroker.runtime.sequencer import CoreHaltedError, Outcome
from directbroker.runtime.stepped import SteppedCore
from directbroker.sim.simulation import SimulationConfig
from directbroker.sim.universe import LISTINGS, Listing, default_venues

BROKER = "broker"
"""The journal name of the broker core."""
VENUE_COMMANDS = (SubmitOrder, CancelOrder, ReplaceOrder)

log = logging.getLogger(__name__)


STEP_BUDGET_S = 0.02
"""How long the market may play in one step before clients and the clock are looked at."""
IDLE_WAIT_S = 0.005
SERVE_BUDGET_S = 0.01
"""How long the platform keeps taking client batches that arrive while it serves, before the
step goes on (the market, the clock, the listeners)."""
SWITCH_INTERVAL_S = 0.0005
"""How long a thread may hold the interpreter lock while another waits for it (see start)."""
HISTORY_INTERVAL_S = 0.25
"""How often the live loop writes market data to the history store (one transaction)."""

CustomerListener = Callable[[Sequence[Event]], None]
BrokerListener = Callable[[Sequence[Message], Sequence[Outcome]], None]
"""(inputs, their outcomes) of one durable broker batch, in journal order."""
MarketDataListener = Callable[[Sequence[Message], Sequence[Event], int], None]
"""(feed events applied, market data outputs, their stamp) of one durable market data batch."""
TickListener = Callable[[int], None]
InputSource = Callable[[int], Sequence[Message]]
"""Inputs for the broker core due by a time (e.g. a simulated bank's answers)."""


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
    """Broker core + embedded market, driven by one thread (or stepped by a test).

    Nothing outside the platform thread touches a core once :meth:`start` has run: clients
    hand commands in through :meth:`submit` (bounded admission) and follow what the cores
    commit through the listeners, which run on the platform thread right after each durable
    commit and must only hand the data on (never block, never call back in).
    """

    def __init__(
        self,
        journals: JournalStore,
        config: SimulationConfig,
        start_ns: int,
        *,
        listings: Sequence[Listing] = LISTINGS,
        history: SqlHistoryStore | None = None,
        accounts: Sequence[DemoAccount] = DEMO_ACCOUNTS,
        calendar: XnysCalendar | None = None,
        broker_config: BrokerConfig | None = None,
        admission: Admission | None = None,
        days: DayPlan | None = None,
        remote: RemoteVenues | None = None,
    ) -> None:
        """Without ``days`` the platform trades one simulated day from ``start_ns`` (tests,
        backtests); with it, day after day on the exchange calendar and ``days.clock``.
        ``remote``: venues in other processes (the rest run here, in the embedded market)."""
        self.calendar = calendar or XnysCalendar()
        self.days = days
        self.trading_date = trading_date_for(start_ns, self.calendar)
        first_day = None if days is not None else iso_date(self.trading_date)
        self._remote = remote
        local = None
        if remote is not None:
            local = [v for v in default_venues(tuple(listings)) if v.name not in remote.names]
        self.market = EmbeddedMarket(
            config, start_ns, first_day, journals, listings, venues=local, history=history
        )
        venues = (*self.market.venue_configs, *(remote.configs if remote is not None else ()))
        calendar_ = self.calendar
        settings = broker_config or BrokerConfig()

        def new_broker() -> BrokerCore:
            return BrokerCore(LedgerCore(calendar_), SmartRouting(venues), settings)

        journal, snapshots = journals(BROKER)
        self._broker = SteppedCore(new_broker, journal, snapshots, snapshot_every=20_000)
        self.broker = self._broker.core
        self.participant = settings.participant
        # Not ``admission or ...``: an empty inbox has length 0, so it is falsy.
        self.admission = admission if admission is not None else Admission()
        """The bounded inbox of client commands (full: :class:`Overloaded`)."""
        self._broker_listeners: list[BrokerListener] = []
        self._market_listeners: list[MarketDataListener] = []
        self._tick_listeners: list[TickListener] = []
        self._input_sources: list[InputSource] = []
        self._journals = journals
        self._outbox: list[Callable[[], None]] = []
        """What waits for the next commit: listener calls and client answers."""
        self._commit_order: tuple[str | tuple[str, ...], ...] = (
            tuple(self.market.venue_cores),
            MARKET_DATA,
            BROKER,
        )
        """Cores in the order their deferred writes commit: every core after the cores it
        takes input from (a venue's report before the broker that applied it); the venues
        take nothing from one another and commit together. The one
        delivery against this order, the broker's child orders to the venues, commits first
        (see :meth:`_broker_apply`)."""
        self.started_ns = start_ns
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._wake = threading.Event()
        self._failure: BaseException | None = None
        self._day_ended = False
        self._history_flushed = time.monotonic()
        self.reconciled: Reconciled = self._reconcile()
        self.remote_resent = 0 if remote is None else remote.resend_from(journal, BROKER)
        """Child commands re-sent to remote venues at start-up (they drop what they have)."""
        """What start-up re-sent between the cores after a crash (nothing after a clean stop)."""
        self.market.flush_history()
        new = self._broker.last_seq == 0
        if days is not None:
            if not new:
                days.clock.resume_at(self._last_stamp())
            start_ns = days.clock.now_ns()
            self.started_ns = start_ns  # the firm's own set-up is stamped on the firm's clock
            self._catch_up(start_ns)
            self.trading_date = self.broker.date
        if new:
            self._open_books(start_ns, listings, accounts)
        self.commit()
        journals.defer(True)

    @property
    def broker_core(self) -> SteppedCore[BrokerCore]:
        """The broker core behind its sequencer (its journal and position)."""
        return self._broker

    # --- set-up ----------------------------------------------------------------------------

    def _reconcile(self) -> Reconciled:
        """Deliver what a crash left between the cores, in causal order: each venue's feed to
        market data and its reports to the broker, market data's quotes to the broker, then
        the broker's child commands to the venues; again until nothing new happens (re-sent
        child orders make new reports). The market already did venue → market data alone.

        This runs before anyone listens: read models built afterwards start from the cores'
        reconciled state."""
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

    def _report_for_broker(self, event: Event) -> Message | None:
        if isinstance(event, EXECUTION_REPORTS) and event.participant == self.participant:
            return event
        return None

    def _open_books(
        self, ts_ns: int, listings: Sequence[Listing], accounts: Sequence[DemoAccount]
    ) -> None:
        commands: list[Message] = [] if self.days else [StartBrokerDay(self.trading_date)]
        commands += [RecordPriorClose(item.symbol, item.reference_price) for item in listings]
        for demo in accounts:
            commands.append(
                OpenAccount(demo.account, demo.owner, demo.account_type, Registration.INDIVIDUAL)
            )
            commands.append(Deposit(demo.account, f"opening-{demo.account}", demo.cash))
        self._broker_apply(commands, ts_ns)

    def apply_before_start(self, commands: Sequence[Command]) -> list[tuple[Event, ...]]:
        """Journal and commit ``commands`` in the broker core before the platform runs (the
        firm's own set-up, such as its first staff key); the listeners hear of them."""
        if self.running:
            raise RuntimeError("the platform is running: submit commands instead")
        results = self._broker_apply(commands, self.started_ns)
        self.commit()
        return results

    # --- the client side -------------------------------------------------------------------

    def submit(self, command: Command) -> Reply:
        """Admit a client command for the broker core; the future resolves with its events
        once journaled, after every listener has seen the commit, or with
        :class:`Overloaded` if the platform did not take it within the admission deadline (it
        was then not executed). Raises :class:`Overloaded` at once when the inbox is full or
        holds more work than the deadline allows. Cancelling the future before the platform
        takes the command withdraws it (never executed)."""
        if self._failure is not None:
            raise CoreHaltedError(f"the platform stopped: {self._failure!r}")
        reply = self.admission.offer(BROKER, command)
        self._wake.set()
        return reply

    def on_broker_commit(self, listener: BrokerListener) -> None:
        """Call ``listener`` (on the platform thread) with every durable batch of the broker
        core: its inputs and their outcomes, in journal order."""
        self._broker_listeners.append(listener)

    def on_customer_events(self, listener: CustomerListener) -> None:
        """Call ``listener`` (on the platform thread) with every batch of broker events."""

        def events_only(inputs: Sequence[Message], outcomes: Sequence[Outcome]) -> None:
            listener([event for outcome in outcomes for event in outcome.events])

        self._broker_listeners.append(events_only)

    def on_market_data(self, listener: MarketDataListener) -> None:
        """Call ``listener`` (on the platform thread) with every batch market data commits:
        the feed events it applied, its outputs and the batch's time."""
        self._market_listeners.append(listener)

    def on_tick(self, listener: TickListener) -> None:
        """Call ``listener`` (on the platform thread) after every step with the step's time,
        for work that is due by the clock rather than by an event (throttled publications)."""
        self._tick_listeners.append(listener)

    def add_input_source(self, source: InputSource) -> None:
        """Ask ``source`` (on the platform thread) at every step for broker inputs due by the
        step's time; they are journaled like any other input."""
        self._input_sources.append(source)

    def now_ns(self) -> int:
        """The firm's clock for clients (simulated time under a simulated clock)."""
        if self.days is not None:
            return self.days.clock.now_ns()
        return time.time_ns()

    @property
    def position(self) -> Position:
        """Where the broker core is in the calendar (its date and session phase)."""
        broker = self.broker
        return day_rules.broker_position(broker.date, broker.open, broker.phase)

    # --- running ----------------------------------------------------------------------------

    def start(self, wall_ns: Callable[[], int] = time.time_ns) -> None:
        """Run the platform on its own thread, paced to ``wall_ns``."""
        if self._thread is not None:
            raise RuntimeError("already started")
        # The platform thread gives the interpreter lock up at every journal write and fsync;
        # with the API's event loop busy it would wait a whole switch interval (5 ms by
        # default) to get it back, several times a step. A short interval bounds that wait.
        sys.setswitchinterval(SWITCH_INTERVAL_S)
        if self.days is not None and self.days.clock.skips:
            # Simulated time runs from here, on from where the firm was opened: opening it
            # (read models rebuilt from a long journal, the API started) takes wall time in
            # which nothing happens, and a fast clock would skip whole days over it.
            self.days.clock.resume_at(self.started_ns)
        self._thread = threading.Thread(
            target=self._run, args=(wall_ns,), name="platform", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float | None = 10.0) -> None:
        """Stop the platform thread: the step under way finishes, every command already
        admitted is applied and answered, and later ones are refused."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def failure(self) -> BaseException | None:
        """Why the platform thread stopped on its own (crash-only: restart to recover)."""
        return self._failure

    @property
    def running(self) -> bool:
        """Whether the platform thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def _run(self, wall_ns: Callable[[], int]) -> None:
        if self.days is not None:
            wall_ns = self.days.clock.now_ns
        try:
            while not self._stopping.is_set():
                now = wall_ns()
                if self.days is not None:
                    self.market.shed(now, self.days.max_lag_ns)
                self.step(now, budget_s=STEP_BUDGET_S)
                self._skip_idle(now)
                due = self._due_ns()
                if due is not None and due <= wall_ns():
                    # Behind the clock: go on at once, but let the API's thread run first.
                    time.sleep(0)
                    continue
                # Idle until the market is due again; a client command wakes us at once.
                wait = IDLE_WAIT_S if due is None else min(IDLE_WAIT_S, (due - wall_ns()) / 1e9)
                self._wake.wait(max(wait, 0.0))
                self._wake.clear()
            # A clean stop: what was admitted is applied and answered before we go.
            self._serve_clients(wall_ns())
            self.commit()
            self.market.flush_history()
            self.admission.close(CoreHaltedError("the platform is shutting down"))
        except BaseException as exc:
            # Fail fast: state may be ahead of the journals, so nothing more runs; the owner
            # sees the failure and a restart recovers from the journals.
            log.critical("the platform stopped", exc_info=exc)
            self._failure = exc
            self._stopping.set()
            self.admission.close(exc)

    def step(self, now_ns: int, budget_s: float | None = None) -> None:
        """Everything due by ``now_ns``: client commands, then the market up to that time
        (and, running day after day, every session phase that starts by then).

        With ``budget_s`` the market plays for at most that long (wall time) before the step
        returns, and clients waiting are served between any two of the market's instants:
        client commands always go ahead of the simulated flow."""
        deadline = None if budget_s is None else time.monotonic() + budget_s
        admission = self.admission

        def pause() -> bool:
            return len(admission) > 0 or (deadline is not None and time.monotonic() >= deadline)

        for source in self._input_sources:
            inputs = source(now_ns)
            if inputs:
                self._broker_apply(inputs, now_ns)
        if self._remote is not None:
            self._take_remote(now_ns)
        while True:
            self._serve_clients(now_ns)
            due = self._next_phase(now_ns)
            until = now_ns if due is None else min(due.ts_ns, now_ns)
            caught_up = self.market.run_until(until, self._react, pause)
            if caught_up and due is not None:
                self._enter(due)
                continue
            if caught_up or (deadline is not None and time.monotonic() >= deadline):
                break
        if self.days is None and self.market.simulation.finished and not self._day_ended:
            self._day_ended = True
            self._broker_apply([EndBrokerDay(self.trading_date)], now_ns)
            self._tell_market(self.market.end_day(iso_date(self.trading_date), now_ns))
        self.commit()
        for listener in self._tick_listeners:
            listener(now_ns)
        moment = time.monotonic()
        if budget_s is None or moment - self._history_flushed >= HISTORY_INTERVAL_S:
            self._history_flushed = moment
            self.market.flush_history()

    # --- trading days -----------------------------------------------------------------------

    def _next_phase(self, now_ns: int) -> Transition | None:
        """The first session phase due by ``now_ns`` that the broker core has not entered."""
        if self.days is None:
            return None
        self._ensure_flow(now_ns)
        steps = self.days.schedule.transitions(self.position, now_ns)
        return steps[0] if steps else None

    def _last_stamp(self) -> int:
        """The latest time any core's journal holds (where a simulated clock resumes)."""
        stamps = [self._broker.recovered.last_ts_ns]
        stamps.append(self.market.market_data_core.recovered.last_ts_ns)
        stamps += [core.recovered.last_ts_ns for core in self.market.venue_cores.values()]
        return max(stamps)

    def _catch_up(self, now_ns: int) -> None:
        """Enter every phase due by ``now_ns`` (start-up: the firm was down, or is new)."""
        assert self.days is not None
        for step in self.days.schedule.transitions(self.position, now_ns):
            self._enter(step)

    def _enter(self, step: Transition) -> None:
        """Start a session phase: the broker core's, then the venues' and market data's, each
        a journaled input stamped with the phase's start."""
        ts = step.ts_ns
        self._broker_apply(day_rules.broker_inputs(step), ts)
        venues = day_rules.venue_inputs(step, list(self.market.venue_cores))
        if venues:
            self._react(self.market.send(venues, ts), ts)
        market_data = day_rules.market_data_inputs(step, self.market.trading_date)
        for command in market_data:
            if isinstance(command, StartTradingDay):
                self._tell_market(self.market.start_trading_day(day_rules.iso(step.date), ts))
            else:
                self._tell_market(self.market.end_day(day_rules.iso(step.date), ts))
        if step.phase in (SessionPhase.AFTER_HOURS, SessionPhase.CLOSED):
            self.market.stop_flow()
        self.trading_date = self.broker.date
        self.commit()

    def _ensure_flow(self, now_ns: int) -> None:
        """Play the simulated flow of the broker's session date while it is before the close."""
        assert self.days is not None
        position = self.position
        if position.phase not in (SessionPhase.PRE_MARKET, SessionPhase.REGULAR):
            return
        date = day_rules.iso(position.date)
        if self.market.flow_date == date:
            return
        times = self.days.schedule.times(position.date)
        config, start = self.days.flow_for(times)
        self.market.start_flow(date, config, start, now_ns)

    def _due_ns(self) -> int | None:
        """When something is next due: the market's next instant or the next phase."""
        due = self.market.due_ns()
        if self.days is None:
            return due
        following = self.days.schedule.next_transition(self.position).ts_ns
        return following if due is None else min(due, following)

    def _skip_idle(self, now_ns: int) -> None:
        """Under a simulated clock, jump over time in which nothing can happen: the market is
        outside its regular session and neither the flow nor a phase is due before then."""
        days = self.days
        if days is None or not days.clock.skips or self.position.phase is SessionPhase.REGULAR:
            return
        if len(self.admission):
            return
        due = self._due_ns()
        if due is not None and due > now_ns:
            days.clock.skip_to(due)

    def run_to_end(self) -> None:
        """Play the rest of the simulated day as fast as possible (tests, backtests); running
        day after day, up to the end of the broker's current session date."""
        if self.days is None:
            self.step(2**62)
            return
        position = self.position
        date = position.date
        if position.phase is SessionPhase.CLOSED:
            date = self.days.schedule.next_transition(position).date
        self.step(self.days.schedule.times(date).end_ns)

    # --- the loop between broker and venues ------------------------------------------------

    def _take_remote(self, now_ns: int) -> None:
        """What the remote venues said since the last step: their feed to market data (keyed
        by origin, so a repeat is applied once), then their reports to the broker core. The
        link's own status changes are not inputs of the broker core yet (ADR 0022)."""
        assert self._remote is not None
        replies, feed = self._remote.take()
        if feed:
            events = [item.event for item in feed]
            result = self.market.publish_feed(events, now_ns, [item.origin for item in feed])
            self._react(result, now_ns)
        reports = [(r, key) for r, key in replies if isinstance(r, EXECUTION_REPORTS)]
        if reports:
            self._broker_apply([r for r, _ in reports], now_ns, [key for _, key in reports])

    def _send_remote(
        self, orders: list[tuple[str, Command]], ids: list[str | None]
    ) -> tuple[list[tuple[str, Command]], list[str | None]]:
        """Hand the remote venues' share of ``orders`` to their link; the rest stay here."""
        remote = self._remote
        if remote is None:
            return orders, ids
        local: list[tuple[str, Command]] = []
        local_ids: list[str | None] = []
        for (venue, command), client_id in zip(orders, ids, strict=True):
            if venue in remote.names and isinstance(command, VENUE_COMMANDS):
                remote.send(venue, command, client_id)
            else:
                local.append((venue, command))
                local_ids.append(client_id)
        return local, local_ids

    def _serve_clients(self, now_ns: int, budget_s: float = SERVE_BUDGET_S) -> None:
        """Apply every client command waiting (those past the admission deadline are dropped
        unexecuted) and answer them once durable.

        Batches that arrive while one is applied are taken at once, for up to ``budget_s``,
        and made durable together: each batch's hand-off to the venues commits what came
        before it (see :meth:`_broker_apply`), so a flood costs about one commit per batch,
        not two, and the answers of the last batches go out with one final commit."""
        admission = self.admission
        started = time.monotonic()
        served = 0
        while True:
            batch = admission.take_all()
            if not batch:
                break
            try:
                results = self._broker_apply([item.command for item in batch], now_ns)
            except BaseException as exc:
                for item in batch:
                    item.reply.set_exception(exc)
                raise
            for item, events in zip(batch, results, strict=True):
                self._outbox.append(partial(item.reply.set_result, events))
            served += len(batch)
            if time.monotonic() - started >= budget_s:
                break
        if served:
            self.commit()
            admission.served(served, time.monotonic() - started)

    def commit(self) -> None:
        """Make everything applied so far durable, then tell the listeners and answer the
        clients, in order: nothing leaves the platform before it is durable."""
        self._journals.commit(self._commit_order)
        outbox, self._outbox = self._outbox, []
        for deliver in outbox:
            deliver()

    def _react(self, result: StepResult, ts_ns: int) -> None:
        self._tell_market(result)
        inputs, ids = self._broker_inputs(result)
        if inputs:
            self._broker_apply(inputs, ts_ns, ids)

    def _tell_market(self, result: StepResult) -> None:
        if result.market_data or result.market_data_inputs:
            for listener in self._market_listeners:
                self._outbox.append(
                    partial(
                        listener,
                        result.market_data_inputs,
                        result.market_data,
                        result.market_data_ts,
                    )
                )

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
        applied: Sequence[Message] = inputs
        while outcomes:
            for listener in self._broker_listeners:
                self._outbox.append(partial(listener, applied, outcomes))
            orders, ids = _venue_commands(outcomes)
            if not orders:
                break
            # The venues take these keyed by the broker's entries: those must be durable first.
            self.commit()
            orders, ids = self._send_remote(orders, ids)
            if not orders:
                break
            answer = self.market.send(orders, ts_ns, ids)
            self._tell_market(answer)
            applied, follow_ids = self._broker_inputs(answer)
            outcomes = self._broker.apply_outcomes(applied, ts_ns, follow_ids) if applied else []
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

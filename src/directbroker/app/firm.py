"""A running firm on a data directory: the platform, its storage, the API and their lifecycle.

The data directory holds everything the firm is: every core's journal (``journals/``, or the
PostgreSQL database ``[storage]`` names, recorded in ``journals/postgres.dsn``), the
historical data store (``history.db``) and the staff credential (``admin.key``). Opening it
again resumes exactly where the last run stopped, cleanly or not: the cores recover from their
journals, start-up reconciliation delivers what a crash left between them, and the read models
are rebuilt from the journals before the API answers anyone. One server at a time may own a
data directory (a lock file says which).
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import IO

from directbroker.adapters.calendar import XnysCalendar
from directbroker.adapters.history import SqlHistoryStore, open_sqlite
from directbroker.adapters.history.equity import SqliteEquityStore
from directbroker.adapters.http.history import ThreadedHistory
from directbroker.adapters.http.ports import STAFF_ROLES, Role
from directbroker.adapters.http.prefs_sqlite import SqlitePreferences
from directbroker.adapters.http.ratelimit import RateLimit
from directbroker.adapters.http.server import ApiServer
from directbroker.adapters.http.shedding import ShedLimits
from directbroker.app.admission import Admission
from directbroker.app.api import ApiKey, PlatformApi, key_command
from directbroker.app.backoffice_jobs import back_office_for, publisher
from directbroker.app.backoffice_runner import BackOfficeRunner
from directbroker.app.bank import attach_bank
from directbroker.app.clearing_dropcopy import ClearingDropCopy, clearing_session, effective_fix
from directbroker.app.config import FirmConfig
from directbroker.app.document_files import issue_documents, load_documents
from directbroker.app.fix_service import FixService
from directbroker.app.journal_location import JournalsInUse, is_new, open_journals
from directbroker.app.journals import JournalStore, SqliteJournals
from directbroker.app.platform import DemoAccount, Platform
from directbroker.app.rebalancer import RebalancerConfig, attach_rebalancer
from directbroker.app.remote_venues import RemoteVenues
from directbroker.app.trading_days import DayPlan
from directbroker.domain.broker_messages import SetEasyToBorrow
from directbroker.domain.onboarding_messages import SetOnboardingPolicy
from directbroker.engines.broker import BrokerConfig
from directbroker.runtime.clocks import FirmClock, RealClock, SimClock
from directbroker.runtime.schedule import TradingSchedule
from directbroker.sim.session import DaySchedule
from directbroker.sim.simulation import SimulationConfig
from directbroker.sim.universe import LISTINGS, Listing, default_venues

BOOTSTRAP_ACTOR = "system:bootstrap"
"""Who the journal says made what the firm makes for itself (its first staff key, its lists)."""
ADMIN_USER = "admin"
"""The user id of the staff key written to admin.key."""

FULL_DAY_SECONDS = 23_400.0
PRE_OPEN_SECONDS = 3.0


class DataDirInUse(RuntimeError):
    """Another server owns the data directory."""


@dataclass(frozen=True, slots=True)
class DataDir:
    """Where a firm keeps everything, and the names of its parts."""

    root: Path

    @property
    def journals(self) -> Path:
        """One SQLite journal per core."""
        return self.root / "journals"

    @property
    def history(self) -> Path:
        """The historical market data store."""
        return self.root / "history.db"

    @property
    def admin_key(self) -> Path:
        """The staff credential written at the firm's creation (``KEY_ID:SECRET``)."""
        return self.root / "admin.key"

    @property
    def api_url(self) -> Path:
        """The running server's address, written at each start (for ``directbroker admin``)."""
        return self.root / "api.url"

    @property
    def demo_keys(self) -> Path:
        """The demo customers' credentials (``ACCOUNT KEY_ID SECRET`` per line, mode 0600):
        secrets cannot be recovered from the journal's digests, so the demo keeps them."""
        return self.root / "demo-keys"

    @property
    def portfolio_history(self) -> Path:
        """Each account's equity by minute."""
        return self.root / "portfolio_history.db"

    @property
    def preferences(self) -> Path:
        """Watchlists and account configurations."""
        return self.root / "preferences.db"

    @property
    def fix(self) -> Path:
        """The FIX sessions' stores (sequence numbers, sent messages, drop copy records)."""
        return self.root / "fix"

    @property
    def lock(self) -> Path:
        """Held by the server that owns the directory."""
        return self.root / "server.lock"

    def is_new(self) -> bool:
        """Whether no firm has been created here yet."""
        return not (self.journals / "broker.journal.db").exists()


def listings_for(config: FirmConfig) -> tuple[Listing, ...]:
    """The listed universe: the configured symbols, or every built-in listing."""
    wanted = config.market.symbols
    if not wanted:
        return LISTINGS
    known = {item.symbol: item for item in LISTINGS}
    missing = [symbol for symbol in wanted if symbol not in known]
    if missing:
        raise ValueError(f"market.symbols: {', '.join(missing)} not in the built-in universe")
    return tuple(known[symbol] for symbol in wanted)


def day_plan_for(config: FirmConfig, calendar: XnysCalendar, wall_ns: Callable[[], int]) -> DayPlan:
    """Day after day on the exchange calendar, on the configured clock."""
    clock: FirmClock
    speed = 1.0
    if config.clock.mode == "sim":
        speed = config.clock.speed
        clock = SimClock(config.clock.start_ns(wall_ns()), speed, wall_ns)
    else:
        clock = RealClock(wall_ns)
    rate = config.market.rate if config.market.simulate else 1e-9
    simulation = SimulationConfig(seed=config.market.seed, events_per_second=rate)
    lag = config.market.max_lag_seconds
    return DayPlan(TradingSchedule(calendar), clock, simulation, speed, lag)


def simulation_for(config: FirmConfig, duration: float | None) -> SimulationConfig:
    """The simulated day: one that fits ``duration`` (both crosses included) or a full day."""
    continuous = FULL_DAY_SECONDS if duration is None else max(1.0, duration - PRE_OPEN_SECONDS)
    schedule = DaySchedule(
        pre_open_seconds=PRE_OPEN_SECONDS,
        continuous_seconds=continuous,
        closing_window_seconds=min(60.0, continuous / 4),
    )
    rate = config.market.rate if config.market.simulate else 1e-9
    return SimulationConfig(seed=config.market.seed, schedule=schedule, events_per_second=rate)


@dataclass
class Firm:
    """The firm open on a data directory; :meth:`start` runs it, :meth:`stop` stops it."""

    data: DataDir
    config: FirmConfig
    platform: Platform
    api: PlatformApi
    history: SqlHistoryStore
    queries: ThreadedHistory
    """The history store as the API reads it (its own connection and thread)."""
    journals: JournalStore
    equity: SqliteEquityStore
    created: bool
    """Whether this start created the firm (the data directory was new)."""
    admin_key_written: bool
    """Whether this start issued the staff key and wrote it to ``admin.key``."""
    _lock: IO[str]
    server: ApiServer | None = None
    remote: RemoteVenues | None = None
    """The links to venues in other processes (None: every venue runs here)."""
    port_fallback: bool = False
    """Whether the configured port was taken and a free one is used instead."""
    fix: FixService | None = None
    """The FIX sessions (``[fix] enabled``, or the clearing firm's drop copy), on the API
    server's event loop."""
    clearing: ClearingDropCopy | None = None
    """The simulated clearing firm's end of the drop copy (``[backoffice] drop_copy``)."""
    backoffice: BackOfficeRunner | None = None
    """The end-of-day and end-of-month jobs (``[backoffice] enabled``), on their own thread."""
    _closed: bool = field(default=False, init=False)

    def start(self, *, serve_api: bool = True, wall_ns: Callable[[], int] = time.time_ns) -> None:
        """Serve the API (its event loop takes over the read models), then run the cores."""
        if serve_api:
            api = self.config.api
            shedding = ShedLimits(
                api.max_requests_in_flight,
                api.max_commands_in_flight,
                api.max_request_wait_seconds,
            )
            try:
                self.server = self.api.server(api.host, api.port, shedding)
            except OSError:
                self.server = self.api.server(api.host, 0, shedding)
                self.port_fallback = True
            self.server.start()
            # Where `directbroker admin --data-dir` finds this server.
            self.data.api_url.write_text(self.server.url + "\n", encoding="utf-8")
            section = effective_fix(self.config)
            if section.enabled:
                ports = self.api.ports
                fix = FixService(
                    section, self.data.fix, ports.trading, blocks=ports.blocks,
                    every_account=self.api.models.accounts.accounts,
                )  # fmt: skip
                self.fix = fix
                port = self.server.run_on_loop(fix.start)
                if port is not None and clearing_session(self.config) is not None:
                    clearing = ClearingDropCopy(self.data.root, self.config.firm.participant)
                    self.clearing = clearing
                    self.server.run_on_loop(partial(clearing.start, section.host, port))
        self.platform.start(wall_ns)
        if self.backoffice is not None:
            self.backoffice.start()

    def fix_summary(self) -> str | None:
        """Where the FIX acceptor listens and its sessions, for the start-up message."""
        fix = self.fix
        if fix is None:
            return None
        section = effective_fix(self.config)
        sessions = ", ".join(
            f"{s.target_comp_id}->{s.sender_comp_id} FIX {s.version} {s.kind}"
            for s in section.sessions
        )
        where = f"{section.host}:{fix.port}" if fix.port is not None else "no acceptor"
        return f"FIX sessions at {where} ({sessions})"

    def stop(self) -> None:
        """A clean stop: stop taking requests (in-flight ones finish), let the platform apply
        and answer what it admitted, then close the storage and release the directory."""
        if self._closed:
            return
        self._closed = True
        try:
            if self.server is not None:
                if self.clearing is not None:
                    self.server.run_on_loop(self.clearing.close)
                if self.fix is not None:
                    self.server.run_on_loop(self.fix.close)
                self.server.stop()
            self.platform.stop()
            if not self.platform.running:
                self.api.accounts_publisher.save()
            if self.backoffice is not None:
                self.backoffice.stop()
        finally:
            if self.remote is not None:
                self.remote.close()
            self.queries.close()
            self.equity.close()
            self.api.prefs.close()
            self.history.close()
            self.journals.close()
            self._lock.close()

    def __enter__(self) -> Firm:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def open_firm(
    root: Path,
    config: FirmConfig,
    *,
    accounts: Sequence[DemoAccount] = (),
    duration: float | None = None,
    wall_ns: Callable[[], int] = time.time_ns,
) -> Firm:
    """Open (creating on first use) the firm in ``root``; nothing runs until ``start``.

    ``accounts`` are opened and funded when the firm is created (the demo's customers)."""
    data = DataDir(root)
    root.mkdir(parents=True, exist_ok=True)
    lock = _take_lock(data)
    try:
        calendar = XnysCalendar()  # built before the clock starts: it takes a moment
        try:
            journals = open_journals(root, config.storage)
        except JournalsInUse as exc:
            raise DataDirInUse(str(exc)) from exc
        history = open_sqlite(str(data.history))
        equity = SqliteEquityStore(str(data.portfolio_history))
        # History queries get their own connection on their own thread: never the writer's.
        queries = ThreadedHistory(partial(open_sqlite, str(data.history)))
        remote = None
        try:
            created = data.is_new() if isinstance(journals, SqliteJournals) else is_new(journals)
            remote = remote_venues_for(config, root, journals)
            platform = Platform(
                journals,
                simulation_for(config, duration),
                wall_ns(),
                listings=listings_for(config),
                history=history,
                accounts=accounts,
                calendar=calendar,
                broker_config=BrokerConfig(participant=config.firm.participant),
                admission=Admission(
                    config.api.queue_capacity, deadline_s=config.api.admission_deadline_seconds
                ),
                days=day_plan_for(config, calendar, wall_ns),
                remote=remote,
            )
            attach_bank(platform)
            review = config.rebalancing
            attach_rebalancer(
                platform,
                RebalancerConfig(
                    review.review_seconds, review.retry_seconds, review.drift_check_seconds
                ),
            )
            api = PlatformApi(
                platform,
                queries,
                rate_limit=RateLimit(config.api.rate_per_second, config.api.burst),
                answer_timeout_s=config.api.answer_timeout_seconds,
                equity_store=equity,
                preferences=SqlitePreferences(str(data.preferences)),
                data_dir=root,
            )
            load_documents(root, api.onboarding.documents)
        except BaseException:
            if remote is not None:
                remote.close()
            queries.close()
            equity.close()
            history.close()
            journals.close()
            raise
    except BaseException:
        lock.close()
        raise
    try:
        if created and config.firm.easy_to_borrow:
            platform.apply_before_start(
                [SetEasyToBorrow(s, True, BOOTSTRAP_ACTOR) for s in config.firm.easy_to_borrow]
            )
            api.feed.drain_now()
        written = ensure_admin_key(data, api)
        api.apply_onboarding_policy(onboarding_policy(config))
    except BaseException:
        closers: list[Callable[[], None]] = [
            api.prefs.close,
            queries.close,
            equity.close,
            history.close,
            journals.close,
        ]
        if remote is not None:
            closers.insert(0, remote.close)
        for close in (*closers, lock.close):
            close()
        raise
    return Firm(
        data,
        config,
        platform,
        api,
        history,
        queries,
        journals,
        equity,
        created,
        written,
        lock,
        remote=remote,
        backoffice=back_office_for(
            root,
            config,
            platform,
            calendar,
            publisher(api.feed.push, partial(issue_documents, api.onboarding.documents)),
        ),
    )


def remote_venues_for(
    config: FirmConfig, root: Path, journals: JournalStore
) -> RemoteVenues | None:
    """The FIX links to the configured remote venues, started (None: every venue is here).
    Their FIX sessions keep their numbers and sent messages in ``root/fix-links.db``; each
    venue resumes its reports after the last position the broker journal applied."""
    links = config.venues.remote()
    if not links:
        return None
    from directbroker.app.platform import BROKER
    from directbroker.app.remote_links import connect_remote_venues
    from directbroker.app.remote_venues import applied_positions

    venues = default_venues(tuple(listings_for(config)))
    journal, _ = journals(BROKER)
    applied = applied_positions(journal, frozenset(link.venue for link in links))
    return connect_remote_venues(
        links, venues, config.firm.participant, root / "fix-links.db", applied
    )


def onboarding_policy(config: FirmConfig) -> SetOnboardingPolicy:
    """The configuration's ``[onboarding]`` section as the broker core's policy command."""
    section = config.onboarding
    return SetOnboardingPolicy(
        section.auto_approve, section.countries, section.blocked_countries, section.states,
        section.blocked_states, section.minimum_age, BOOTSTRAP_ACTOR,
    )  # fmt: skip


def write_secret_file(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable by its owner only (0600), atomically: a crash
    leaves either no file or the whole file, never a partial credential."""
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)


def ensure_admin_key(data: DataDir, api: PlatformApi) -> bool:
    """Issue the staff key with every staff role and write it to ``admin.key`` unless the
    file exists; True when it was issued now. The key is journaled (actor
    ``system:bootstrap``) before the file is written: after a crash in between the next start
    issues another, and the orphan, whose secret nobody saw, can be revoked by id."""
    if data.admin_key.exists():
        return False
    roles = sorted(STAFF_ROLES, key=lambda role: role.value)
    command, key = key_command(ADMIN_USER, roles, actor=BOOTSTRAP_ACTOR)
    api.issue_keys_before_start([command])
    write_secret_file(data.admin_key, key.credential + "\n")
    return True


def ensure_customer_keys(
    data: DataDir, api: PlatformApi, accounts: Sequence[DemoAccount]
) -> list[ApiKey]:
    """The demo customers' keys: issued through the journal on first use and kept in
    ``demo-keys`` (0600), read back on later starts so the credentials stay the same."""
    path = data.demo_keys
    known: dict[str, ApiKey] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if len(parts) == 4:
                account, owner, key_id, secret = parts
                known[account] = ApiKey(owner, key_id, secret, (account,))
    missing = [demo for demo in accounts if demo.account not in known]
    if missing:
        made = [
            key_command(demo.owner, [Role.CUSTOMER], [demo.account], actor=BOOTSTRAP_ACTOR)
            for demo in missing
        ]
        api.issue_keys_before_start([command for command, _ in made])
        for demo, (_, key) in zip(missing, made, strict=True):
            known[demo.account] = key
        lines = [
            f"{account} {key.user_id} {key.key_id} {key.secret}" for account, key in known.items()
        ]
        write_secret_file(path, "\n".join(lines) + "\n")
    return [known[demo.account] for demo in accounts]


def _take_lock(data: DataDir) -> IO[str]:
    handle = data.lock.open("a+", encoding="utf-8")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise DataDirInUse(f"another server is running on {data.root}") from None
    handle.truncate(0)
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle

"""The client API wired to the platform: the read models and how the platform feeds them, the
ports over them, API keys, and the HTTP server.

Build :class:`PlatformApi` after the platform is built and before it starts: the read models
are rebuilt from the journals (orders and activity) or copied from the cores' state (account
values, market data) while nothing else runs, and from then on they follow what the cores
commit, through the :class:`~directbroker.app.edge_feed.EdgeFeed`, on the API's event loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from directbroker.adapters.history.equity import SqliteEquityStore
from directbroker.adapters.http import create_app
from directbroker.adapters.http.auth import (
    ApiKeyStore,
    KeyRecord,
    hash_secret,
    new_key_id,
    new_salt,
    new_secret,
)
from directbroker.adapters.http.broker import BrokerPorts
from directbroker.adapters.http.broker.trading_on_behalf_port import OnBehalfPorts
from directbroker.adapters.http.document_routes import customer_documents_router
from directbroker.adapters.http.ports import HistoryPort, Ports, Role
from directbroker.adapters.http.prefs import InMemoryPreferences, PreferencesStore
from directbroker.adapters.http.ratelimit import RateLimit
from directbroker.adapters.http.server import ApiServer
from directbroker.adapters.http.shedding import ShedLimits
from directbroker.adapters.web import mount_web
from directbroker.app.account_book import AccountBook, AccountPublisher, AccountState
from directbroker.app.api_ports import (
    ANSWER_TIMEOUT_S,
    CommandGate,
    EdgeModels,
    PlatformMarketData,
    PlatformTrading,
)
from directbroker.app.block_ports import PlatformBlocks
from directbroker.app.block_views import BlockViews
from directbroker.app.breaks_ports import RecordedBreaks
from directbroker.app.edge_feed import EdgeFeed
from directbroker.app.equity import EquityRecorder
from directbroker.app.firm_ports import PlatformFirm
from directbroker.app.firm_views import FirmViews
from directbroker.app.funding_ports import PlatformFunding
from directbroker.app.funding_views import FundingViews
from directbroker.app.margin_views import MarginCalls
from directbroker.app.market_views import MarketReplica
from directbroker.app.onboarding_ports import PlatformAccounts
from directbroker.app.onboarding_views import OnboardingViews
from directbroker.app.order_views import OrderViews
from directbroker.app.platform import Platform
from directbroker.app.rebalancing_ports import PlatformRebalancing
from directbroker.app.rebalancing_views import RebalancingViews
from directbroker.app.records_ports import PlatformRecords
from directbroker.app.report_ports import PlatformReports
from directbroker.domain.access_messages import ApiKeyIssued, ApiKeyRevoked, IssueApiKey
from directbroker.domain.instruments import Instrument
from directbroker.domain.ledger_messages import AccountOpened
from directbroker.domain.messages import Event, Message
from directbroker.domain.onboarding_messages import OnboardingPolicySet, SetOnboardingPolicy
from directbroker.engines.onboarding import Policy
from directbroker.protocols.codec import decode, decode_many
from directbroker.runtime.journal import reading
from directbroker.runtime.sequencer import Outcome

REBUILD_CHUNK = 2_000
"""Journal entries replayed into the read models at a time at start-up."""


@dataclass(frozen=True, slots=True)
class ApiKey:
    """An API key as handed to its user (the secret is shown once, stored only hashed)."""

    user_id: str
    key_id: str
    secret: str
    accounts: tuple[str, ...]

    @property
    def credential(self) -> str:
        """``KEY_ID:SECRET``, as the admin.key file and HTTP Basic take it."""
        return f"{self.key_id}:{self.secret}"


def key_command(
    user_id: str,
    roles: Sequence[Role],
    accounts: Sequence[str] = (),
    groups: Sequence[str] = (),
    *,
    actor: str,
    key_id: str | None = None,
    secret: str | None = None,
) -> tuple[IssueApiKey, ApiKey]:
    """A new key's journal command (salt and digest only) and the key to hand its user."""
    key_id = key_id or new_key_id()
    secret = secret or new_secret()
    salt = new_salt()
    command = IssueApiKey(
        key_id, user_id, tuple(role.value for role in roles), tuple(accounts), tuple(groups),
        salt, hash_secret(secret, salt), actor,
    )  # fmt: skip
    return command, ApiKey(user_id, key_id, secret, tuple(accounts))


class PlatformApi:
    """Everything the client API needs, attached to a platform (build it before it starts)."""

    def __init__(
        self,
        platform: Platform,
        history: HistoryPort,
        *,
        rate_limit: RateLimit | None = None,
        answer_timeout_s: float = ANSWER_TIMEOUT_S,
        equity_store: SqliteEquityStore | None = None,
        preferences: PreferencesStore | None = None,
        data_dir: Path | None = None,
    ) -> None:
        """``equity_store`` keeps portfolio history and ``preferences`` watchlists and
        configurations across restarts (both in memory without); ``data_dir`` is the firm's
        directory, whose back-office files (the reconciliations) staff read."""
        if platform.running:
            raise RuntimeError("attach the API before the platform starts")
        self.platform = platform
        self.feed = EdgeFeed()
        self.keys = ApiKeyStore()
        """The key registry's read model: who may call the APIs (journaled keys)."""
        self.firm = FirmViews()
        self.onboarding = OnboardingViews()
        """Onboarded accounts, their status events and documents (staff only: PII)."""
        self.prefs = preferences if preferences is not None else InMemoryPreferences()
        self.models = EdgeModels(
            feed=self.feed,
            orders=OrderViews(),
            accounts=AccountBook(),
            market=MarketReplica(platform.market.market_data.snapshot()),
            equity=EquityRecorder(),
            margin=MarginCalls(platform.calendar),
        )
        self.funding = FundingViews()
        self.blocks = BlockViews()
        """Account groups and block orders (the institutional desk)."""
        self.rebalancing = RebalancingViews()
        self.reports = PlatformReports(
            {v.name: v.fees for v in platform.market.venue_configs}, platform.calendar
        )
        self.records = PlatformRecords()
        """The order tickets (Rule 17a-3(a)(6)) staff read at ``/v1/firm/records``."""
        self._rebuild_orders()
        if equity_store is not None:
            for sample in equity_store.read_all():
                self.models.equity.take(sample.account, sample.ts_ns, sample.equity)
        publisher = AccountPublisher(
            platform.broker, self._publish_accounts, equity_store=equity_store
        )
        self.accounts_publisher = publisher
        """Values accounts after commits; :meth:`AccountPublisher.save` after a stop."""
        self._take_accounts(publisher.everything(platform.now_ns()))
        platform.on_broker_commit(self._on_broker_commit)
        platform.on_broker_commit(publisher.on_commit)
        platform.on_tick(publisher.on_tick)
        platform.on_market_data(self._on_market_data)
        self._rate_limit = rate_limit or RateLimit()
        instruments = [
            Instrument(item.symbol, item.name, primary_venue=item.primary_venue)
            for item in platform.market.listings
        ]
        gate = CommandGate(platform, self.feed, answer_timeout_s)
        self.funding_port = PlatformFunding(gate, self.funding, self.models)
        blocks = PlatformBlocks(gate, self.blocks, self.models)
        self.ports = Ports(
            trading=PlatformTrading(gate, self.models),
            market_data=PlatformMarketData(instruments, self.models),
            history=history,
            directory=self.keys,
            now_ns=platform.now_ns,
            easy_to_borrow=self.firm.is_easy_to_borrow,
            blocks=blocks,
        )
        accounts = PlatformAccounts(gate, self.models, self.onboarding)
        self.broker_ports = BrokerPorts(
            directory=self.keys,
            firm=PlatformFirm(gate, self.firm),
            funding=self.funding_port,
            accounts=accounts,
            trading_on_behalf=OnBehalfPorts(self.ports, self.prefs, accounts),
            groups=blocks,
            rebalancing=PlatformRebalancing(gate, self.rebalancing, self.models),
            reports=self.reports,
            records=self.records,
            breaks=None if data_dir is None else RecordedBreaks(data_dir),
            now_ns=platform.now_ns,
        )

    @property
    def views(self) -> OrderViews:
        """The orders read model."""
        return self.models.orders

    # --- start-up --------------------------------------------------------------------------

    def _rebuild_orders(self) -> None:
        """Replay the broker journal into the orders read model (nothing runs yet)."""
        core = self.platform.broker_core
        inputs: list[Message] = []
        outcomes: list[Outcome] = []
        with reading(core.journal, 0, core.last_seq) as entries:
            for entry in entries:
                events = tuple(e for e in decode_many(entry.events) if isinstance(e, Event))
                inputs.append(decode(entry.command))
                outcomes.append(Outcome(entry.seq, entry.ts_ns, events))
                if len(inputs) >= REBUILD_CHUNK:
                    self._apply_broker(inputs, outcomes, live=False)
                    inputs, outcomes = [], []
        self._apply_broker(inputs, outcomes, live=False)

    # --- what the platform thread hands over ------------------------------------------------

    def _on_broker_commit(self, inputs: Sequence[Message], outcomes: Sequence[Outcome]) -> None:
        batch_inputs, batch_outcomes = list(inputs), list(outcomes)
        self.feed.push(lambda: self._apply_broker(batch_inputs, batch_outcomes, live=True))

    def _publish_accounts(self, states: Sequence[AccountState]) -> None:
        batch = list(states)
        self.feed.push(lambda: self._take_accounts(batch))

    def _on_market_data(
        self, inputs: Sequence[Message], outputs: Sequence[Event], stamp: int
    ) -> None:
        batch_inputs, batch_outputs = list(inputs), list(outputs)

        def apply() -> None:
            self.models.market.apply(batch_inputs, stamp)
            if batch_outputs:
                self.models.fanout.publish(batch_outputs)

        self.feed.push(apply)

    # --- applied on the event loop ----------------------------------------------------------

    def _apply_broker(
        self, inputs: Sequence[Message], outcomes: Sequence[Outcome], *, live: bool
    ) -> None:
        models = self.models
        updates = models.orders.apply_batch(inputs, outcomes)
        self.funding.apply(outcomes, updates)
        models.margin.apply(outcomes)
        self.rebalancing.apply(outcomes)
        self.reports.apply(inputs, outcomes)
        self.records.apply(inputs, outcomes)
        self.firm.apply_batch(inputs, outcomes)
        for outcome in outcomes:
            self.onboarding.apply(outcome.events)
            for group in self.blocks.apply(outcome.events):
                # A manager's key reaches its groups' members as they are now.
                self.keys.set_group(group, self.blocks.groups[group].accounts)
            for event in outcome.events:
                if isinstance(event, AccountOpened):
                    models.opened_ns.setdefault(event.account, event.ts_ns)
                elif isinstance(event, ApiKeyIssued):
                    self._take_key(event)
                elif isinstance(event, ApiKeyRevoked):
                    self.keys.remove(event.key_id)
        if live:
            for update in updates:
                models.hub.publish(update)

    def _take_key(self, event: ApiKeyIssued) -> None:
        roles = frozenset(Role(role) for role in event.roles)
        self.keys.add(
            KeyRecord(
                event.key_id, event.user_id, roles, event.salt, event.digest,
                event.accounts, event.groups,
            )
        )  # fmt: skip

    def _take_accounts(self, states: Sequence[AccountState]) -> None:
        models = self.models
        models.accounts.apply(states)
        for state in states:
            models.equity.take(state.values.account, state.ts_ns, state.values.equity)

    # --- keys and the server -----------------------------------------------------------------

    def issue_key(
        self, user_id: str, accounts: Sequence[str], key_id: str | None = None,
        secret: str | None = None,
    ) -> ApiKey:  # fmt: skip
        """A customer key for ``accounts`` (the first is the default), known to this process
        only: tests. A firm's keys are journaled: :meth:`issue_keys_before_start`."""
        role = Role.CUSTOMER if len(accounts) == 1 else Role.TRADER
        key, shown = self.keys.issue(user_id, role, accounts, key_id=key_id, secret=secret)
        return ApiKey(user_id, key, shown, tuple(accounts))

    def issue_keys_before_start(self, commands: Sequence[IssueApiKey]) -> None:
        """Journal keys the firm makes for itself (the staff key at creation, the demo's
        customers) before the platform runs; the read models take them in at once."""
        results = self.platform.apply_before_start(commands)
        self.feed.drain_now()
        for command, events in zip(commands, results, strict=True):
            if not any(isinstance(event, ApiKeyIssued) for event in events):
                raise RuntimeError(f"the broker refused key {command.key_id}: {events!r}")

    def apply_onboarding_policy(self, command: SetOnboardingPolicy) -> None:
        """Journal the configured eligibility policy before start when it differs from the
        one the broker core holds (so the journal says when policy changed)."""
        held = self.platform.broker.onboarding.state.policy
        wanted = Policy(
            command.auto_approve, command.countries, command.blocked_countries, command.states,
            command.blocked_states, command.minimum_age,
        )  # fmt: skip
        if held == wanted:
            return
        (events,) = self.platform.apply_before_start([command])
        self.feed.drain_now()
        if not any(isinstance(event, OnboardingPolicySet) for event in events):
            raise RuntimeError(f"the broker refused the onboarding policy: {events!r}")

    def server(
        self, host: str = "127.0.0.1", port: int = 0, shedding: ShedLimits | None = None
    ) -> ApiServer:
        """An HTTP server for the API (not started); its event loop owns the read models.
        ``shedding`` bounds what it handles at once (503 beyond)."""
        app = create_app(
            self.ports, rate_limit=self._rate_limit, preferences=self.prefs,
            broker=self.broker_ports,
        )  # fmt: skip
        app.include_router(customer_documents_router(app.state.context, self.onboarding.documents))
        mount_web(app)
        # Built here, once, not on the event loop at the first request: the document of every
        # route takes seconds of CPU on a loaded machine, and no request may wait that long.
        app.openapi()
        return ApiServer(app, host, port, on_loop=self.feed.attach, shedding=shedding)

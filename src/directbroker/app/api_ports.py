"""The client API's ports bound to the platform: commands through bounded admission, queries
from the edge's read models.

Every method here runs on the API's event loop. Queries read only the read models the loop
itself keeps (:class:`EdgeModels`, fed by :class:`~directbroker.app.edge_feed.EdgeFeed` with
what the cores committed); commands are admitted into the platform's bounded inbox, refused
at once with :class:`~directbroker.adapters.http.ports.PortBusy` when it is full, and answered
once durable, after the read models have taken the commit in. Nothing here takes a lock a core
holds, waits on a thread or touches a disk.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field

from directbroker.adapters.http.hub import TradeUpdateHub
from directbroker.adapters.http.ports import (
    AccountSnapshot,
    Activity,
    EquityPoint,
    OrderQuery,
    OrderView,
    PortBusy,
    PortRejection,
    TradeUpdateSubscription,
)
from directbroker.adapters.marketdata import MarketDataFanout
from directbroker.app.account_book import AccountBook
from directbroker.app.admission import Overloaded
from directbroker.app.edge_feed import EdgeFeed
from directbroker.app.equity import EquityRecorder
from directbroker.app.margin_views import MarginCalls
from directbroker.app.market_views import MarketReplica
from directbroker.app.order_views import OrderViews
from directbroker.app.platform import Platform
from directbroker.domain.accounts import AccountType, PositionView
from directbroker.domain.broker_messages import (
    AccountConfiguration,
    AccountConfigured,
    BrokerCommandRejected,
    CancelCustomerOrder,
    ConfigureAccount,
    CustomerOrderRejected,
    PlaceOrder,
    ReplaceCustomerOrder,
)
from directbroker.domain.instruments import Instrument
from directbroker.domain.marketdata_messages import (
    Bar,
    Montage,
    SymbolSnapshot,
    Timeframe,
    TradePrinted,
)
from directbroker.domain.messages import Command, Event
from directbroker.domain.order_status import TERMINAL_STATUSES
from directbroker.domain.rejects import RejectCode
from directbroker.runtime.sequencer import CoreHaltedError

_OPEN = "open"
_CLOSED = "closed"

ANSWER_TIMEOUT_S = 10.0
"""How long an admitted command may wait for its durable outcome before the client is told
the outcome is not known yet (it may still happen: the client looks the order up)."""


@dataclass
class EdgeModels:
    """The read models the API's event loop owns."""

    feed: EdgeFeed
    orders: OrderViews
    accounts: AccountBook
    market: MarketReplica
    equity: EquityRecorder
    hub: TradeUpdateHub = field(default_factory=TradeUpdateHub)
    fanout: MarketDataFanout = field(default_factory=MarketDataFanout)
    opened_ns: dict[str, int] = field(default_factory=dict)
    """When each account was opened (from the broker's ``AccountOpened`` events)."""
    margin: MarginCalls = field(default_factory=MarginCalls)
    """Open margin calls and their event stream."""

    def here(self) -> EdgeModels:
        """The models, owned from now on by the running event loop (the first loop that
        serves a request takes them over; the feed applies commits there). Called off any
        loop (a test reading the thread-safe fan-out), it changes nothing."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return self
        self.feed.attach(loop)
        return self


class CommandGate:
    """Admits commands into the platform and waits, on the loop, for their durable answer.

    A command the platform has not taken within the admission deadline is withdrawn (or
    dropped by the platform): the client gets :class:`PortBusy` knowing it was not executed.
    Once taken, the answer follows within the platform's step; ``timeout_s`` only bounds a
    platform that stopped making progress (the outcome is then unknown)."""

    def __init__(
        self, platform: Platform, feed: EdgeFeed, timeout_s: float = ANSWER_TIMEOUT_S
    ) -> None:
        self._platform = platform
        self._feed = feed
        self._timeout_s = timeout_s

    async def submit(self, command: Command) -> tuple[Event, ...]:
        """The command's events once journaled; :class:`PortBusy` when the platform cannot
        take it or did not take it in time (nothing happened), or does not answer in time
        once it took it (the outcome is unknown)."""
        loop = asyncio.get_running_loop()
        self._feed.attach(loop)
        answer: asyncio.Future[tuple[Event, ...]] = loop.create_future()
        admission = self._platform.admission
        try:
            reply = self._platform.submit(command)
        except Overloaded as busy:
            raise PortBusy(busy.retry_after, busy.reason) from None
        except CoreHaltedError as halted:
            raise PortBusy(5.0, f"the platform is not running: {halted}") from None

        def settle(done: Future[tuple[Event, ...]]) -> None:
            if answer.done() or done.cancelled():
                return
            failure = done.exception()
            if failure is None:
                answer.set_result(done.result())
            elif isinstance(failure, Overloaded):
                answer.set_exception(PortBusy(failure.retry_after, failure.reason))
            else:
                answer.set_exception(PortBusy(5.0, f"the platform stopped: {failure!r}"))

        # The answer travels behind the commit on the feed, so the read models have it first.
        reply.add_done_callback(lambda done: self._feed.push(lambda: settle(done)))
        await asyncio.wait((answer,), timeout=admission.deadline_s)
        if not answer.done() and reply.cancel():
            # Not taken by the platform within the deadline, and now never will be.
            raise PortBusy(admission.retry_after, "the platform did not take the command in time")
        try:
            return await asyncio.wait_for(answer, self._timeout_s)
        except TimeoutError:
            raise PortBusy(
                1.0, "the platform has not answered yet; look the request up before retrying"
            ) from None


class PlatformTrading:
    """:class:`~directbroker.adapters.http.ports.TradingPort` over the read models."""

    def __init__(self, gate: CommandGate, models: EdgeModels) -> None:
        self._gate = gate
        self._models = models
        self._placing: set[tuple[str, str]] = set()

    @property
    def _live(self) -> EdgeModels:
        """The read models, on the loop serving this call."""
        return self._models.here()

    async def _submit(self, command: Command) -> tuple[Event, ...]:
        events = await self._gate.submit(command)
        for event in events:
            if isinstance(event, CustomerOrderRejected):
                raise PortRejection(event.code, event.message)
        return events

    def _order_now(self, order_id: str) -> OrderView:
        view = self._live.orders.order(order_id)
        if view is None:
            raise PortRejection(RejectCode.UNKNOWN_ORDER, f"order not found for {order_id}")
        return view

    async def place_order(self, command: PlaceOrder) -> OrderView:
        """Submit a new order; answered once journaled (accepted or refused)."""
        key = (command.account, command.client_order_id)
        if key in self._placing or self._live.orders.knows_client_id(*key):
            raise PortRejection(RejectCode.DUPLICATE_ORDER_ID, "client_order_id must be unique")
        self._placing.add(key)
        try:
            self._live.orders.note_request(command)
            await self._submit(command)
        finally:
            self._placing.discard(key)
        return self._order_now(command.order_id)

    async def cancel_order(self, account: str, order_id: str, actor: str = "") -> OrderView:
        """Request a cancel of a working order (``actor``: who asked)."""
        current = self._order_now(order_id)
        if current.account != account:
            raise PortRejection(RejectCode.UNKNOWN_ORDER, f"order not found for {order_id}")
        if current.status in TERMINAL_STATUSES:
            raise PortRejection(
                RejectCode.REPLACE_TOO_LATE, f"order is already {current.status.value}"
            )
        await self._submit(CancelCustomerOrder(order_id, account, actor))
        return self._order_now(order_id)

    async def replace_order(self, command: ReplaceCustomerOrder) -> OrderView:
        """Replace a working order; answers with the new order once the request is durable
        (pending new until the venue agrees; the old order then ends replaced)."""
        current = self._order_now(command.order_id)
        if current.account != command.account:
            raise PortRejection(RejectCode.UNKNOWN_ORDER, "order not found")
        if current.status in TERMINAL_STATUSES:
            raise PortRejection(RejectCode.REPLACE_TOO_LATE, "order is no longer working")
        if not command.new_client_order_id:
            await self._submit(command)
            return self._order_now(command.new_order_id or command.order_id)
        # The new order takes the client's new id: unique in the account, like a new order's.
        key = (command.account, command.new_client_order_id)
        if key in self._placing or self._live.orders.knows_client_id(*key):
            raise PortRejection(RejectCode.DUPLICATE_ORDER_ID, "client_order_id must be unique")
        self._placing.add(key)
        try:
            await self._submit(command)
        finally:
            self._placing.discard(key)
        return self._order_now(command.new_order_id or command.order_id)

    async def get_order(self, order_id: str) -> OrderView | None:
        """Any order by id (the edge checks the caller may see it)."""
        return self._live.orders.order(order_id)

    async def get_order_by_client_id(self, account: str, client_order_id: str) -> OrderView | None:
        """An account's order by the client's id."""
        return self._live.orders.by_client_id(account, client_order_id)

    async def list_orders(self, accounts: Sequence[str], query: OrderQuery) -> list[OrderView]:
        """Orders of ``accounts`` that match ``query``."""
        orders = [view for account in accounts for view in self._live.orders.orders_of(account)]
        return select_orders(orders, query)

    async def account(self, account: str) -> AccountSnapshot:
        """The account's values as of its last commit."""
        state = self._live.accounts.state(account)
        if state is None:
            raise PortRejection(RejectCode.UNKNOWN_ACCOUNT, f"no account {account}")
        values = state.values
        margin = values.account_type is AccountType.MARGIN
        config = state.configuration
        power = state.power
        return AccountSnapshot(
            values=values,
            account_number=account,
            created_ns=self._live.opened_ns.get(account, 0),
            last_equity=values.equity - values.day_pnl,
            multiplier=config.max_margin_multiplier if margin else 1,
            shorting_enabled=margin and not config.no_shorting,
            buying_power=None if power is None else power.buying_power,
            regt_buying_power=None if power is None else power.regt_buying_power,
            daytrading_buying_power=None if power is None else power.daytrading_buying_power,
            non_marginable_buying_power=(
                None if power is None else power.non_marginable_buying_power
            ),
            trade_suspended_by_user=config.suspend_trade,
            margin_call=self._live.margin.call(account),
        )

    async def configuration(self, account: str) -> AccountConfiguration:
        """The account's configurations as of its last commit."""
        state = self._live.accounts.state(account)
        if state is None:
            raise PortRejection(RejectCode.UNKNOWN_ACCOUNT, f"no account {account}")
        return state.configuration

    async def configure_account(self, command: ConfigureAccount) -> AccountConfiguration:
        """Change configurations through the broker core; answered once durable (the read
        model has taken the change in by then)."""
        for event in await self._gate.submit(command):
            if isinstance(event, BrokerCommandRejected):
                raise PortRejection(event.code, event.message)
            if isinstance(event, AccountConfigured):
                return event.configuration
        raise PortRejection(RejectCode.MALFORMED, "the broker did not take the configuration")

    async def positions(self, account: str) -> list[PositionView]:
        """Open positions."""
        state = self._live.accounts.state(account)
        return [] if state is None else list(state.positions)

    async def activities(
        self, account: str, types: frozenset[str], after_ns: int | None, until_ns: int | None
    ) -> list[Activity]:
        """Fills and cash movements in the window."""
        return [
            a
            for a in self._live.orders.activities(account)
            if (not types or a.activity_type in types)
            and (after_ns is None or a.ts_ns > after_ns)
            and (until_ns is None or a.ts_ns <= until_ns)
        ]

    async def equity_history(
        self, account: str, start_ns: int, end_ns: int, step_ns: int
    ) -> list[EquityPoint]:
        """Equity sampled at the end of each window."""
        return self._live.equity.history(account, start_ns, end_ns, step_ns)

    def subscribe_trade_updates(self, accounts: frozenset[str] | None) -> TradeUpdateSubscription:
        """A live trade update feed."""
        return self._live.hub.subscribe(accounts)


def select_orders(orders: list[OrderView], query: OrderQuery) -> list[OrderView]:
    """The orders matching ``query`` (status, window, symbols, side), sorted and limited."""
    chosen = []
    for view in orders:
        terminal = view.status in TERMINAL_STATUSES
        if (query.status == _OPEN and terminal) or (query.status == _CLOSED and not terminal):
            continue
        if query.after_ns is not None and view.created_ns <= query.after_ns:
            continue
        if query.until_ns is not None and view.created_ns > query.until_ns:
            continue
        if query.symbols and view.symbol not in query.symbols:
            continue
        if query.side is not None and view.side is not query.side:
            continue
        chosen.append(view)
    chosen.sort(key=lambda v: (v.created_ns, v.order_id), reverse=query.direction == "desc")
    return chosen[: query.limit]


class PlatformMarketData:
    """:class:`~directbroker.adapters.http.ports.MarketDataPort` over the market replica."""

    def __init__(self, instruments: Sequence[Instrument], models: EdgeModels) -> None:
        self._instruments = tuple(instruments)
        self._symbols = {item.symbol for item in self._instruments}
        self._models = models

    @property
    def _live(self) -> EdgeModels:
        """The read models, on the loop serving this call."""
        return self._models.here()

    def instruments(self) -> Sequence[Instrument]:
        """The asset master."""
        return self._instruments

    def snapshot(self, symbol: str) -> SymbolSnapshot | None:
        """Last trade, NBBO, today's bar, prior close."""
        return self._live.market.snapshot(symbol)

    def montage(self, symbol: str, levels: int) -> Montage | None:
        """Level II by venue."""
        if symbol not in self._symbols:
            return None
        return self._live.market.montage(symbol, levels)

    def recent_trades(self, symbol: str, limit: int) -> Sequence[TradePrinted]:
        """Time and sales."""
        return self._live.market.trades(symbol, limit)

    def latest_bar(self, symbol: str, timeframe: Timeframe) -> Bar | None:
        """The newest bar (possibly forming)."""
        bars = self._live.market.bars(symbol, timeframe)
        return bars[-1] if bars else None

    def fanout(self) -> MarketDataFanout:
        """The live fan-out."""
        return self._live.fanout

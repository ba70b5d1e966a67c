"""The client API's ports bound to the embedded platform.

Trading calls become broker core commands submitted through :class:`Platform`; they answer
once the command is journaled, with the order as the read model then shows it. Reads take the
platform's lock so they see the cores between steps, never halfway through one.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Sequence

from directbroker.adapters.history import Page, SqlHistoryStore
from directbroker.adapters.http.hub import TradeUpdateHub
from directbroker.adapters.http.ports import (
    AccountSnapshot,
    Activity,
    EquityPoint,
    OrderQuery,
    OrderView,
    PortRejection,
    TradeUpdateSubscription,
)
from directbroker.adapters.marketdata import MarketDataFanout
from directbroker.app.equity import EquityRecorder
from directbroker.app.order_views import OrderViews
from directbroker.app.platform import Platform
from directbroker.domain.accounts import PositionView
from directbroker.domain.broker_messages import (
    CancelCustomerOrder,
    CustomerOrderRejected,
    PlaceOrder,
    ReplaceCustomerOrder,
)
from directbroker.domain.instruments import Instrument
from directbroker.domain.marketdata_messages import (
    Bar,
    Montage,
    QuoteUpdated,
    SymbolSnapshot,
    Timeframe,
    TradePrinted,
)
from directbroker.domain.messages import Command, Event
from directbroker.domain.order_status import TERMINAL_STATUSES
from directbroker.domain.rejects import RejectCode
from directbroker.engines.router import SmartRouting

_OPEN = "open"
_CLOSED = "closed"


class PlatformTrading:
    """:class:`~directbroker.adapters.http.ports.TradingPort` over the platform."""

    def __init__(
        self, platform: Platform, views: OrderViews, hub: TradeUpdateHub, equity: EquityRecorder
    ) -> None:
        self._platform = platform
        self._views = views
        self._hub = hub
        self._equity = equity

    async def _submit(self, command: Command) -> tuple[Event, ...]:
        events = await asyncio.wrap_future(self._platform.submit(command))
        for event in events:
            if isinstance(event, CustomerOrderRejected):
                raise PortRejection(event.code, event.message)
        return events

    def _routed(self, view: OrderView | None) -> OrderView | None:
        """The view with each child's fills, average price, fee and times as the smart
        router recorded them (the read model sees only what the broker's events say)."""
        router = self._platform.broker.router
        if view is None or not isinstance(router, SmartRouting):
            return view
        parent = router.parent(view.order_id)
        if parent is None:
            return view
        routed = {child.child_id: child for child in parent.children}
        children = tuple(
            child
            if (seen := routed.get(child.child_id)) is None
            else dataclasses.replace(
                child,
                filled_quantity=seen.filled,
                filled_avg_price=seen.average_price,
                fee=seen.fee,
                status=seen.status,
                accepted_ns=seen.accepted_ns,
                done_ns=seen.done_ns,
            )
            for child in view.children
        )
        return dataclasses.replace(view, children=children)

    def _order_now(self, order_id: str) -> OrderView:
        with self._platform.lock:
            view = self._routed(self._views.order(order_id))
        if view is None:
            raise PortRejection(RejectCode.UNKNOWN_ORDER, f"order not found for {order_id}")
        return view

    async def place_order(self, command: PlaceOrder) -> OrderView:
        """Submit a new order; answered once journaled (accepted or refused)."""
        with self._platform.lock:
            if self._views.knows_client_id(command.account, command.client_order_id):
                raise PortRejection(RejectCode.DUPLICATE_ORDER_ID, "client_order_id must be unique")
            self._views.note_request(command)
        await self._submit(command)
        return self._order_now(command.order_id)

    async def cancel_order(self, account: str, order_id: str) -> OrderView:
        """Request a cancel of a working order."""
        current = self._order_now(order_id)
        if current.account != account:
            raise PortRejection(RejectCode.UNKNOWN_ORDER, f"order not found for {order_id}")
        if current.status in TERMINAL_STATUSES:
            raise PortRejection(
                RejectCode.REPLACE_TOO_LATE, f"order is already {current.status.value}"
            )
        await self._submit(CancelCustomerOrder(order_id, account))
        return self._order_now(order_id)

    async def replace_order(self, command: ReplaceCustomerOrder) -> OrderView:
        """Cancel/replace a working order."""
        current = self._order_now(command.order_id)
        if current.account != command.account:
            raise PortRejection(RejectCode.UNKNOWN_ORDER, "order not found")
        if current.status in TERMINAL_STATUSES:
            raise PortRejection(RejectCode.REPLACE_TOO_LATE, "order is no longer working")
        await self._submit(command)
        return self._order_now(command.order_id)

    async def get_order(self, order_id: str) -> OrderView | None:
        """Any order by id (the edge checks the caller may see it)."""
        with self._platform.lock:
            return self._routed(self._views.order(order_id))

    async def get_order_by_client_id(self, account: str, client_order_id: str) -> OrderView | None:
        """An account's order by the client's id."""
        with self._platform.lock:
            return self._routed(self._views.by_client_id(account, client_order_id))

    async def list_orders(self, accounts: Sequence[str], query: OrderQuery) -> list[OrderView]:
        """Orders of ``accounts`` that match ``query``."""
        with self._platform.lock:
            orders = [view for account in accounts for view in self._views.orders_of(account)]
        return _select(orders, query)

    async def account(self, account: str) -> AccountSnapshot:
        """The account's values now."""
        with self._platform.lock:
            ledger = self._platform.broker.ledger
            if account not in ledger.accounts():
                raise PortRejection(RejectCode.UNKNOWN_ACCOUNT, f"no account {account}")
            values = ledger.account_values(account)
            last_equity = self._equity.last_close(account, values.equity)
        return AccountSnapshot(
            values=values,
            account_number=account,
            created_ns=self._platform.started_ns,
            last_equity=last_equity,
            multiplier=2 if values.buying_power > values.equity else 1,
            shorting_enabled=values.buying_power > values.equity,
        )

    async def positions(self, account: str) -> list[PositionView]:
        """Open positions."""
        with self._platform.lock:
            positions = self._platform.broker.ledger.positions(account)
        return [p for p in positions if p.quantity]

    async def activities(
        self, account: str, types: frozenset[str], after_ns: int | None, until_ns: int | None
    ) -> list[Activity]:
        """Fills and cash movements in the window."""
        with self._platform.lock:
            items = self._views.activities(account)
        return [
            a
            for a in items
            if (not types or a.activity_type in types)
            and (after_ns is None or a.ts_ns > after_ns)
            and (until_ns is None or a.ts_ns <= until_ns)
        ]

    async def equity_history(
        self, account: str, start_ns: int, end_ns: int, step_ns: int
    ) -> list[EquityPoint]:
        """Equity sampled at the end of each window."""
        with self._platform.lock:
            return self._equity.history(account, start_ns, end_ns, step_ns)

    def subscribe_trade_updates(self, accounts: frozenset[str] | None) -> TradeUpdateSubscription:
        """A live trade update feed."""
        return self._hub.subscribe(accounts)


def _select(orders: list[OrderView], query: OrderQuery) -> list[OrderView]:
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
    """:class:`~directbroker.adapters.http.ports.MarketDataPort` over the platform."""

    def __init__(self, platform: Platform, fanout: MarketDataFanout) -> None:
        self._platform = platform
        self._fanout = fanout
        self._instruments = tuple(
            Instrument(item.symbol, item.name, primary_venue=item.primary_venue)
            for item in platform.market.listings
        )
        self._symbols = {item.symbol for item in self._instruments}

    def instruments(self) -> Sequence[Instrument]:
        """The asset master."""
        return self._instruments

    def snapshot(self, symbol: str) -> SymbolSnapshot | None:
        """Last trade, NBBO, today's bar, prior close."""
        with self._platform.lock:
            return self._platform.market.market_data.snapshot_of(symbol)

    def montage(self, symbol: str, levels: int) -> Montage | None:
        """Level II by venue."""
        if symbol not in self._symbols:
            return None
        with self._platform.lock:
            return self._platform.market.market_data.montage(symbol, levels)

    def recent_trades(self, symbol: str, limit: int) -> Sequence[TradePrinted]:
        """Time and sales."""
        with self._platform.lock:
            return self._platform.market.market_data.trades(symbol, limit)

    def latest_bar(self, symbol: str, timeframe: Timeframe) -> Bar | None:
        """The newest bar (possibly forming)."""
        with self._platform.lock:
            bars = self._platform.market.market_data.bars(symbol, timeframe)
        return bars[-1] if bars else None

    def fanout(self) -> MarketDataFanout:
        """The live fan-out."""
        return self._fanout


class StoreHistory:
    """:class:`~directbroker.adapters.http.ports.HistoryPort` over the platform's own SQL
    history store. Unlike ``ThreadedHistory`` (which owns a store on one worker thread), this
    shares the store the platform records into; the store serialises its connection itself,
    so queries run on any worker thread."""

    def __init__(self, store: SqlHistoryStore) -> None:
        self._store = store

    async def trades(
        self, symbol: str, start_ns: int, end_ns: int, limit: int, cursor: str | None
    ) -> Page[TradePrinted]:
        """Stored prints."""
        return await asyncio.to_thread(self._store.trades, symbol, start_ns, end_ns, limit, cursor)

    async def quotes(
        self, symbol: str, start_ns: int, end_ns: int, limit: int, cursor: str | None
    ) -> Page[QuoteUpdated]:
        """Stored NBBO changes."""
        return await asyncio.to_thread(self._store.quotes, symbol, start_ns, end_ns, limit, cursor)

    async def bars(
        self,
        symbol: str,
        timeframe: Timeframe,
        start_ns: int,
        end_ns: int,
        limit: int,
        cursor: str | None,
    ) -> Page[Bar]:
        """Stored bars."""
        return await asyncio.to_thread(
            self._store.bars, symbol, timeframe, start_ns, end_ns, limit, cursor
        )

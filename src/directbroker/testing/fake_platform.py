"""An in-memory platform behind the client API's ports: a tiny broker for API tests.

It accepts orders, fills market orders (and marketable limits) at each symbol's fixed price,
holds bracket legs until their entry fills, cancels, replaces, keeps positions and cash, and
publishes trade updates; market data is whatever the test publishes. Good enough to drive the
real alpaca-py SDK end to end; the real platform binds the same ports in the composition root.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

from directbroker.adapters.history import HistoryStore, open_sqlite
from directbroker.adapters.http import (
    AccountSnapshot,
    Activity,
    ApiKeyStore,
    EquityPoint,
    OrderQuery,
    OrderView,
    PortRejection,
    Ports,
    Role,
    ThreadedHistory,
    TradeEvent,
    TradeUpdate,
    TradeUpdateHub,
    TradeUpdateSubscription,
)
from directbroker.adapters.marketdata import MarketDataFanout
from directbroker.domain.accounts import AccountStatus, AccountType, AccountValues, PositionView
from directbroker.domain.broker_messages import PlaceOrder, ReplaceCustomerOrder
from directbroker.domain.instruments import Instrument
from directbroker.domain.marketdata_messages import (
    Bar,
    BarClosed,
    Montage,
    PriceLevel,
    Quote,
    QuoteUpdated,
    SymbolSnapshot,
    Timeframe,
    TradePrinted,
    VenueDepth,
)
from directbroker.domain.order_status import LegRole, OrderClass, OrdStatus
from directbroker.domain.orders import BookSide, OrderType, Side
from directbroker.domain.rejects import RejectCode
from directbroker.sim.universe import LISTINGS, instruments

START_CASH = 100_000 * 10_000
"""Every fake account starts with $100,000."""


@dataclass
class _Account:
    number: str
    cash: int = START_CASH
    positions: dict[str, tuple[int, int]] = field(default_factory=dict)
    """symbol -> (quantity, total cost in price units x shares)"""
    activities: list[Activity] = field(default_factory=list)


class FakeTrading:
    """:class:`~directbroker.adapters.http.TradingPort` as a one-price-per-symbol broker."""

    def __init__(self, prices: dict[str, int], now_ns: Callable[[], int]) -> None:
        self.prices = dict(prices)
        self.hub = TradeUpdateHub()
        self._now = now_ns
        self._lock = threading.RLock()
        self._orders: dict[str, OrderView] = {}
        self._accounts: dict[str, _Account] = {}
        self._exec = 0

    def open_account(self, number: str) -> None:
        """An account with $100,000 deposited."""
        with self._lock:
            account = self._accounts.setdefault(number, _Account(number))
            account.activities.append(
                Activity(
                    f"dep-{number}",
                    number,
                    "CSD",
                    self._now(),
                    20260105,
                    net_amount=START_CASH,
                    description="initial deposit",
                )
            )

    def _account(self, number: str) -> _Account:
        if number not in self._accounts:
            raise PortRejection(RejectCode.UNKNOWN_ACCOUNT, f"no account {number}")
        return self._accounts[number]

    def _emit(
        self,
        event: TradeEvent,
        view: OrderView,
        execution_id: str | None = None,
        price: int | None = None,
        quantity: int | None = None,
        position_qty: int | None = None,
    ) -> None:
        update = TradeUpdate(
            event, self._with_legs(view), self._now(), execution_id, price, quantity, position_qty
        )
        self.hub.publish(update)

    def _with_legs(self, view: OrderView) -> OrderView:
        if view.role is not LegRole.PRIMARY:
            return view
        legs = tuple(
            o
            for o in self._orders.values()
            if o.group_id == view.order_id and o.order_id != view.order_id
        )
        return replace(view, legs=legs)

    def _store(self, view: OrderView) -> OrderView:
        self._orders[view.order_id] = view
        return view

    def _fill(self, view: OrderView, price: int) -> OrderView:
        account = self._account(view.account)
        qty = view.quantity - view.filled_quantity
        signed = qty if view.side is Side.BUY else -qty
        held, cost = account.positions.get(view.symbol, (0, 0))
        if held and (held > 0) != (signed > 0):
            closing = min(abs(held), abs(signed))
            cost = cost * (abs(held) - closing) // abs(held)
            cost += (abs(signed) - closing) * price * (1 if signed > 0 else -1)
        else:
            cost += signed * price
        account.positions[view.symbol] = (held + signed, cost)
        account.cash -= signed * price
        now = self._now()
        self._exec += 1
        filled = self._store(
            replace(
                view,
                filled_quantity=view.quantity,
                filled_avg_price=price,
                status=OrdStatus.FILLED,
                filled_ns=now,
                updated_ns=now,
            )
        )
        account.activities.append(
            Activity(
                f"exec-{self._exec}",
                view.account,
                "FILL",
                now,
                20260105,
                view.symbol,
                view.side,
                qty,
                price,
                view.quantity,
                0,
                view.order_id,
                OrdStatus.FILLED,
            )
        )
        self._emit(
            TradeEvent.FILL,
            filled,
            execution_id=f"E{self._exec}",
            price=price,
            quantity=qty,
            position_qty=held + signed,
        )
        for leg in list(self._orders.values()):
            if leg.group_id == view.order_id and leg.status is OrdStatus.SUSPENDED:
                self._emit(TradeEvent.NEW, self._store(replace(leg, status=OrdStatus.NEW)))
        return filled

    def _marketable(self, view: OrderView) -> bool:
        price = self.prices[view.symbol]
        if view.order_type is OrderType.MARKET:
            return True
        if view.order_type is OrderType.LIMIT and view.limit_price is not None:
            buy = view.side is Side.BUY
            return view.limit_price >= price if buy else view.limit_price <= price
        return False

    def _view(
        self,
        cmd: PlaceOrder,
        order_id: str,
        role: LegRole,
        kind: OrderType,
        limit: int | None,
        stop: int | None,
        side: Side,
        status: OrdStatus,
    ) -> OrderView:
        now = self._now()
        return OrderView(
            order_id,
            cmd.client_order_id if role is LegRole.PRIMARY else order_id,
            cmd.account,
            cmd.symbol,
            side,
            kind,
            cmd.time_in_force,
            cmd.quantity,
            0,
            None,
            limit,
            stop,
            status,
            now,
            now,
            cmd.order_class,
            role,
            cmd.order_id,
            cmd.trail_amount,
            cmd.trail_percent_bps,
            None,
            cmd.extended_hours,
            cmd.route,
        )

    async def place_order(self, command: PlaceOrder) -> OrderView:
        """Accept, then fill at once if marketable."""
        with self._lock:
            self._account(command.account)
            if command.symbol not in self.prices:
                raise PortRejection(RejectCode.UNKNOWN_SYMBOL, f"unknown symbol {command.symbol}")
            if any(
                o.client_order_id == command.client_order_id and o.account == command.account
                for o in self._orders.values()
            ):
                raise PortRejection(RejectCode.DUPLICATE_ORDER_ID, "client_order_id must be unique")
            primary = self._store(
                self._view(
                    command,
                    command.order_id,
                    LegRole.PRIMARY,
                    command.order_type,
                    command.limit_price,
                    command.stop_price,
                    command.side,
                    OrdStatus.NEW,
                )
            )
            exit_side = Side.SELL if command.side is Side.BUY else Side.BUY
            held = OrdStatus.NEW if command.order_class is OrderClass.OCO else OrdStatus.SUSPENDED
            if command.take_profit_price is not None:
                self._store(
                    self._view(
                        command,
                        f"{command.order_id}.tp",
                        LegRole.TAKE_PROFIT,
                        OrderType.LIMIT,
                        command.take_profit_price,
                        None,
                        exit_side,
                        held,
                    )
                )
            if command.stop_loss_price is not None:
                kind = (
                    OrderType.STOP
                    if command.stop_loss_limit_price is None
                    else OrderType.STOP_LIMIT
                )
                self._store(
                    self._view(
                        command,
                        f"{command.order_id}.sl",
                        LegRole.STOP_LOSS,
                        kind,
                        command.stop_loss_limit_price,
                        command.stop_loss_price,
                        command.side if command.order_class is OrderClass.OCO else exit_side,
                        held,
                    )
                )
            self._emit(TradeEvent.NEW, primary)
            if self._marketable(primary):
                primary = self._fill(primary, self.prices[command.symbol])
            return self._with_legs(primary)

    async def cancel_order(self, account: str, order_id: str) -> OrderView:
        """Cancel a working order (and its held legs)."""
        with self._lock:
            view = self._orders.get(order_id)
            if view is None or view.account != account:
                raise PortRejection(RejectCode.UNKNOWN_ORDER, f"order not found for {order_id}")
            if view.status.is_terminal:
                raise PortRejection(
                    RejectCode.REPLACE_TOO_LATE, f'order is already in "{view.status.value}" state'
                )
            now = self._now()
            done = self._store(
                replace(view, status=OrdStatus.CANCELED, canceled_ns=now, updated_ns=now)
            )
            for leg in list(self._orders.values()):
                if (
                    leg.group_id == order_id
                    and leg.order_id != order_id
                    and not leg.status.is_terminal
                ):
                    self._store(replace(leg, status=OrdStatus.CANCELED, canceled_ns=now))
            self._emit(TradeEvent.CANCELED, done)
            return self._with_legs(done)

    async def replace_order(self, command: ReplaceCustomerOrder) -> OrderView:
        """Change quantity and prices in place (FIX cancel/replace semantics)."""
        with self._lock:
            view = self._orders.get(command.order_id)
            if view is None or view.account != command.account:
                raise PortRejection(RejectCode.UNKNOWN_ORDER, "order not found")
            if view.status.is_terminal:
                raise PortRejection(RejectCode.REPLACE_TOO_LATE, "order is no longer working")
            now = self._now()
            changed = self._store(
                replace(
                    view,
                    quantity=command.quantity,
                    status=OrdStatus.REPLACED,
                    replaced_ns=now,
                    updated_ns=now,
                    limit_price=command.limit_price
                    if command.limit_price is not None
                    else view.limit_price,
                    stop_price=command.stop_price
                    if command.stop_price is not None
                    else view.stop_price,
                )
            )
            self._emit(TradeEvent.REPLACED, changed)
            if self._marketable(changed):
                changed = self._fill(changed, self.prices[changed.symbol])
            return self._with_legs(changed)

    async def get_order(self, order_id: str) -> OrderView | None:
        """Any account's order, legs included."""
        with self._lock:
            view = self._orders.get(order_id)
            return None if view is None else self._with_legs(view)

    async def get_order_by_client_id(self, account: str, client_order_id: str) -> OrderView | None:
        """An account's order by the client's id."""
        with self._lock:
            for view in self._orders.values():
                if view.account == account and view.client_order_id == client_order_id:
                    return self._with_legs(view)
            return None

    async def list_orders(self, accounts: Sequence[str], query: OrderQuery) -> list[OrderView]:
        """Orders of ``accounts`` matching ``query``."""
        with self._lock:
            found = [
                self._with_legs(v)
                for v in self._orders.values()
                if v.account in accounts
                and (query.status == "all" or (query.status == "open") != v.status.is_terminal)
                and (not query.symbols or v.symbol in query.symbols)
                and (query.after_ns is None or v.created_ns > query.after_ns)
                and (query.until_ns is None or v.created_ns <= query.until_ns)
                and (not query.nested or v.role is LegRole.PRIMARY)
            ]
        found.sort(key=lambda v: v.created_ns, reverse=query.direction == "desc")
        return found[: query.limit]

    def _positions(self, account: str) -> list[PositionView]:
        out = []
        for symbol, (qty, cost) in sorted(self._account(account).positions.items()):
            if qty:
                mark = self.prices[symbol]
                pnl = qty * mark - cost
                out.append(
                    PositionView(
                        account,
                        symbol,
                        qty,
                        abs(cost // qty),
                        cost,
                        mark,
                        qty * mark,
                        pnl,
                        0,
                        pnl,
                        (),
                    )
                )
        return out

    async def account(self, account: str) -> AccountSnapshot:
        """Cash plus positions at the fixed prices."""
        with self._lock:
            holder = self._account(account)
            positions = self._positions(account)
        longs = sum(p.market_value for p in positions if p.quantity > 0)
        shorts = -sum(p.market_value for p in positions if p.quantity < 0)
        equity = holder.cash + longs - shorts
        values = AccountValues(
            account,
            AccountType.MARGIN,
            AccountStatus.ACTIVE,
            holder.cash,
            0,
            0,
            holder.cash,
            longs,
            shorts,
            equity,
            0,
            0,
            equity,
            0,
            max(equity, 0) * 2,
            holder.cash,
            0,
            0,
            0,
            0,
        )
        return AccountSnapshot(values, account, 1_767_225_600_000_000_000, START_CASH, 2, True)

    async def positions(self, account: str) -> list[PositionView]:
        """Open positions."""
        with self._lock:
            return self._positions(account)

    async def activities(
        self, account: str, types: frozenset[str], after_ns: int | None, until_ns: int | None
    ) -> list[Activity]:
        """Fills and deposits."""
        with self._lock:
            items = list(self._account(account).activities)
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
        """Today's equity at every step (the fake keeps no history)."""
        equity = (await self.account(account)).values.equity
        return [
            EquityPoint(ts, equity, equity - START_CASH) for ts in range(start_ns, end_ns, step_ns)
        ][:1_000]

    def subscribe_trade_updates(self, accounts: frozenset[str] | None) -> TradeUpdateSubscription:
        """A hub subscription."""
        return self.hub.subscribe(accounts)


class FakeMarketData:
    """:class:`~directbroker.adapters.http.MarketDataPort` over what the test publishes."""

    def __init__(self, instruments_: Sequence[Instrument]) -> None:
        self._instruments = tuple(instruments_)
        self._fanout = MarketDataFanout()
        self._lock = threading.Lock()
        self._last: dict[str, TradePrinted] = {}
        self._quotes: dict[str, QuoteUpdated] = {}
        self._bars: dict[str, BarClosed] = {}
        self._tape_seq = 0

    def instruments(self) -> Sequence[Instrument]:
        """The demo universe."""
        return self._instruments

    def publish_tick(self, symbol: str, price: int, ts_ns: int, size: int = 100) -> None:
        """A quote, a print and a closed minute bar at ``price`` (any thread)."""
        with self._lock:
            self._tape_seq += 1
            quote = QuoteUpdated(symbol, price - 100, 300, "NSDQ", price + 100, 200, "ARCA", ts_ns)
            trade = TradePrinted(
                self._tape_seq, symbol, "NSDQ", self._tape_seq, price, size, BookSide.BID, "", ts_ns
            )
            start = ts_ns - ts_ns % 60_000_000_000
            bar = BarClosed(
                symbol,
                Timeframe.MINUTE,
                start,
                price,
                price,
                price,
                price,
                size,
                price * size,
                price,
                1,
                "2026-01-05",
                ts_ns,
            )
            self._quotes[symbol], self._last[symbol], self._bars[symbol] = quote, trade, bar
        self._fanout.publish([quote, trade, bar])

    def snapshot(self, symbol: str) -> SymbolSnapshot | None:
        """The last published tick."""
        if symbol not in {i.symbol for i in self._instruments}:
            return None
        with self._lock:
            q = self._quotes.get(symbol)
            quote = (
                None
                if q is None
                else Quote(
                    q.symbol,
                    q.bid_price,
                    q.bid_size,
                    q.bid_venue,
                    q.ask_price,
                    q.ask_size,
                    q.ask_venue,
                    q.ts_ns,
                )
            )
            return SymbolSnapshot(
                symbol, "2026-01-05", self._last.get(symbol), quote, None, None, (), False
            )

    def montage(self, symbol: str, levels: int) -> Montage | None:
        """Two venues one level deep around the last quote."""
        q = self._quotes.get(symbol)
        if q is None or q.bid_price is None or q.ask_price is None:
            return None
        return Montage(
            symbol,
            (
                VenueDepth(
                    "ARCA", (PriceLevel(q.bid_price, 100, 1),), (PriceLevel(q.ask_price, 200, 2),)
                ),
                VenueDepth("NSDQ", (PriceLevel(q.bid_price, 300, 3),), ()),
            ),
        )

    def recent_trades(self, symbol: str, limit: int) -> Sequence[TradePrinted]:
        """The last print."""
        last = self._last.get(symbol)
        return [last] if last else []

    def latest_bar(self, symbol: str, timeframe: Timeframe) -> Bar | None:
        """The last minute bar."""
        b = self._bars.get(symbol)
        if b is None or timeframe is not Timeframe.MINUTE:
            return None
        return Bar(
            b.symbol,
            b.timeframe,
            b.start_ns,
            b.open,
            b.high,
            b.low,
            b.close,
            b.volume,
            b.notional,
            b.trade_count,
            b.trading_date,
        )

    def fanout(self) -> MarketDataFanout:
        """The fan-out streams subscribe to."""
        return self._fanout


def seeded_history(bars: Iterable[Bar]) -> Callable[[], HistoryStore]:
    """A factory for an in-memory history store holding ``bars`` (opened on first use)."""
    rows = list(bars)

    def open_store() -> HistoryStore:
        store = open_sqlite(":memory:")
        store.add_bars(rows)
        return store

    return open_store


def minute_bars(symbol: str, start_ns: int, count: int, price: int) -> list[Bar]:
    """``count`` one-minute bars from ``start_ns``, one cent apart."""
    return [
        Bar(
            symbol,
            Timeframe.MINUTE,
            start_ns + i * 60_000_000_000,
            price + i * 100,
            price + i * 100 + 100,
            price + i * 100 - 100,
            price + i * 100 + 50,
            1_000 + i,
            (price + i * 100) * (1_000 + i),
            10 + i,
            "2026-01-05",
        )
        for i in range(count)
    ]


@dataclass
class FakePlatform:
    """The fakes wired together, with API keys for two customers, a trader, a portfolio
    manager and an operations user (``keys[name] == (key_id, secret)``)."""

    trading: FakeTrading
    market_data: FakeMarketData
    history: ThreadedHistory
    directory: ApiKeyStore
    keys: dict[str, tuple[str, str]]
    now_ns: Callable[[], int] = time.time_ns

    def ports(self) -> Ports:
        """The ports for :func:`directbroker.adapters.http.create_app`."""
        return Ports(self.trading, self.market_data, self.history, self.directory, self.now_ns)

    def close(self) -> None:
        """Close the history worker."""
        self.history.close()


def fake_platform(history_bars: Iterable[Bar] = (), iterations: int = 1_000) -> FakePlatform:
    """A fresh fake platform. Accounts: A1 (customer A), B1 (customer B), T1 and T2 (the
    trader), G1 and G2 (group G, the portfolio manager's)."""
    prices = {item.symbol: item.reference_price for item in LISTINGS}
    trading = FakeTrading(prices, time.time_ns)
    for number in ("A1", "B1", "T1", "T2", "G1", "G2"):
        trading.open_account(number)
    directory = ApiKeyStore(iterations=iterations)
    directory.set_group("G", ("G1", "G2"))
    keys = {
        "alice": directory.issue("alice", Role.CUSTOMER, ["A1"]),
        "bob": directory.issue("bob", Role.CUSTOMER, ["B1"]),
        "trader": directory.issue("tess", Role.TRADER, ["T1", "T2"]),
        "pm": directory.issue("pat", Role.PORTFOLIO_MANAGER, groups=["G"]),
        "ops": directory.issue("olga", Role.OPERATIONS),
    }
    history = ThreadedHistory(seeded_history(history_bars))
    return FakePlatform(trading, FakeMarketData(instruments()), history, directory, keys)

"""The fake platform's trading side: a tiny broker for API tests.

It accepts orders, fills market orders (and marketable limits) at each symbol's fixed price,
holds bracket legs until their entry fills, cancels, replaces, keeps positions and cash, and
publishes trade updates.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from directbroker.adapters.http import (
    AccountSnapshot,
    Activity,
    EquityPoint,
    OrderQuery,
    OrderView,
    PortRejection,
    TradeEvent,
    TradeUpdate,
    TradeUpdateHub,
    TradeUpdateSubscription,
)
from directbroker.domain.accounts import AccountStatus, AccountType, AccountValues, PositionView
from directbroker.domain.broker_messages import (
    AccountConfiguration,
    AccountConfigured,
    ConfigureAccount,
    PlaceOrder,
    ReplaceCustomerOrder,
)
from directbroker.domain.order_status import LegRole, OrderClass, OrdStatus
from directbroker.domain.orders import OrderType, Side
from directbroker.domain.rejects import RejectCode
from directbroker.engines.risk import RiskState
from directbroker.engines.risk.admin import configure_account

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
        self._risk = RiskState()

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

    async def cancel_order(self, account: str, order_id: str, actor: str = "") -> OrderView:
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
        """Alpaca's replace: the old order ends replaced and a new one carries on."""
        with self._lock:
            view = self._orders.get(command.order_id)
            if view is None or view.account != command.account:
                raise PortRejection(RejectCode.UNKNOWN_ORDER, "order not found")
            if view.status.is_terminal:
                raise PortRejection(RejectCode.REPLACE_TOO_LATE, "order is no longer working")
            new_id = command.new_order_id or f"{command.order_id}-r"
            now = self._now()
            old = self._store(
                replace(view, status=OrdStatus.REPLACED, replaced_ns=now, updated_ns=now,
                        replaced_by=new_id)
            )  # fmt: skip
            self._emit(TradeEvent.REPLACED, old)
            changed = self._store(
                replace(
                    view,
                    order_id=new_id,
                    quantity=command.quantity - view.filled_quantity,
                    filled_quantity=0,
                    filled_avg_price=None,
                    status=OrdStatus.NEW,
                    created_ns=now,
                    updated_ns=now,
                    replaces=view.order_id,
                    limit_price=command.limit_price
                    if command.limit_price is not None
                    else view.limit_price,
                    stop_price=command.stop_price
                    if command.stop_price is not None
                    else view.stop_price,
                )
            )
            self._emit(TradeEvent.NEW, changed)
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
        config = self._risk.configuration(account)
        return AccountSnapshot(
            values,
            account,
            1_767_225_600_000_000_000,
            START_CASH,
            config.max_margin_multiplier,
            not config.no_shorting,
            trade_suspended_by_user=config.suspend_trade,
        )

    async def configuration(self, account: str) -> AccountConfiguration:
        """The account's configurations (the broker core's rules, kept in memory)."""
        with self._lock:
            self._account(account)
            return self._risk.configuration(account)

    async def configure_account(self, command: ConfigureAccount) -> AccountConfiguration:
        """Change configurations with the broker core's own validation."""
        with self._lock:
            self._account(command.account)
            result = configure_account(self._risk, command, self._now())
        if isinstance(result, tuple):
            raise PortRejection(result[0], result[1])
        changed = result[0]
        assert isinstance(changed, AccountConfigured)
        return changed.configuration

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

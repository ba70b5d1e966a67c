"""The client API's read model of customer orders and account activity, built from the broker
core's events.

The broker core keeps what it needs to trade; clients also want history: when an order was
created, filled or cancelled, which children went where, every fill and cash movement. This
projection follows the broker's event stream on the platform thread and answers the API's
reads (under the platform's lock). It is rebuilt by replaying the broker journal's events.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from directbroker.adapters.http.ports import (
    Activity,
    ChildOrderView,
    OrderView,
    TradeEvent,
    TradeUpdate,
)
from directbroker.domain.broker_messages import (
    ChildOrderSent,
    OrderReceived,
    OrderRestated,
    OrderStatusChanged,
    ParentFilled,
    PlaceOrder,
)
from directbroker.domain.ledger_messages import CashWithdrawn, DepositCredited
from directbroker.domain.messages import Event
from directbroker.domain.order_status import LegRole, OrdStatus
from directbroker.domain.routing import SMART

PositionOf = Callable[[str, str], int]
"""(account, symbol) -> signed position quantity now."""

_EVENT_FOR_STATUS = {
    OrdStatus.PENDING_NEW: TradeEvent.PENDING_NEW,
    OrdStatus.NEW: TradeEvent.NEW,
    OrdStatus.CANCELED: TradeEvent.CANCELED,
    OrdStatus.EXPIRED: TradeEvent.EXPIRED,
    OrdStatus.DONE_FOR_DAY: TradeEvent.DONE_FOR_DAY,
    OrdStatus.REPLACED: TradeEvent.REPLACED,
    OrdStatus.REJECTED: TradeEvent.REJECTED,
    OrdStatus.PENDING_CANCEL: TradeEvent.PENDING_CANCEL,
    OrdStatus.PENDING_REPLACE: TradeEvent.PENDING_REPLACE,
}


@dataclass(slots=True)
class _Extras:
    """What the client asked for that the broker's events do not repeat."""

    trail_amount: int | None = None
    trail_percent_bps: int | None = None
    extended_hours: bool = False
    route: str = SMART


@dataclass(slots=True)
class _Record:
    view: OrderView
    children: dict[str, ChildOrderView] = field(default_factory=dict)


class OrderViews:
    """Orders by id, by client order id and by account; activities by account."""

    def __init__(self, position_of: PositionOf, business_date: Callable[[], int]) -> None:
        self._position_of = position_of
        self._business_date = business_date
        self._orders: dict[str, _Record] = {}
        self._by_client: dict[tuple[str, str], str] = {}
        self._by_account: dict[str, list[str]] = {}
        self._groups: dict[str, list[str]] = {}
        self._extras: dict[str, _Extras] = {}
        self._activities: dict[str, list[Activity]] = {}

    # --- queries ---------------------------------------------------------------------------

    def order(self, order_id: str) -> OrderView | None:
        """The order with its legs and children, or None."""
        record = self._orders.get(order_id)
        return None if record is None else self._full(record)

    def by_client_id(self, account: str, client_order_id: str) -> OrderView | None:
        """An account's order by the client's id."""
        order_id = self._by_client.get((account, client_order_id))
        return None if order_id is None else self.order(order_id)

    def orders_of(self, account: str) -> list[OrderView]:
        """Every order of ``account``, oldest first."""
        return [self._full(self._orders[oid]) for oid in self._by_account.get(account, [])]

    def activities(self, account: str) -> list[Activity]:
        """Fills and cash movements of ``account``, oldest first."""
        return list(self._activities.get(account, []))

    def knows_client_id(self, account: str, client_order_id: str) -> bool:
        """Whether the account already used this client order id."""
        return (account, client_order_id) in self._by_client

    # --- feeding ---------------------------------------------------------------------------

    def note_request(self, command: PlaceOrder) -> None:
        """Remember the request's terms the broker's events do not carry."""
        self._extras[command.order_id] = _Extras(
            command.trail_amount, command.trail_percent_bps, command.extended_hours, command.route
        )

    def apply(self, events: Iterable[Event]) -> list[TradeUpdate]:
        """Follow the broker's events; returns the trade updates they make."""
        updates: list[TradeUpdate] = []
        for event in events:
            if isinstance(event, OrderReceived):
                updates += self._received(event)
            elif isinstance(event, OrderStatusChanged):
                updates += self._status(event)
            elif isinstance(event, ParentFilled):
                updates.append(self._filled(event))
            elif isinstance(event, ChildOrderSent):
                self._child(event)
            elif isinstance(event, OrderRestated):
                updates += self._restated(event)
            elif isinstance(event, DepositCredited):
                self._cash(event.account, "CSD", event.amount, event.transfer_id, event.ts_ns)
            elif isinstance(event, CashWithdrawn):
                self._cash(event.account, "CSW", -event.amount, event.transfer_id, event.ts_ns)
        return updates

    def _received(self, event: OrderReceived) -> list[TradeUpdate]:
        extras = self._extras.pop(event.order_id, _Extras())
        view = OrderView(
            order_id=event.order_id,
            client_order_id=event.client_order_id,
            account=event.account,
            symbol=event.symbol,
            side=event.side,
            order_type=event.order_type,
            time_in_force=event.time_in_force,
            quantity=event.quantity,
            filled_quantity=0,
            filled_avg_price=None,
            limit_price=event.limit_price,
            stop_price=event.stop_price,
            status=event.status,
            created_ns=event.ts_ns,
            updated_ns=event.ts_ns,
            order_class=event.order_class,
            role=event.role,
            group_id=event.group_id,
            trail_amount=extras.trail_amount,
            trail_percent_bps=extras.trail_percent_bps,
            extended_hours=extras.extended_hours,
            route=extras.route,
        )
        self._orders[event.order_id] = _Record(view)
        self._by_client[(event.account, event.client_order_id)] = event.order_id
        self._by_account.setdefault(event.account, []).append(event.order_id)
        if event.group_id:
            self._groups.setdefault(event.group_id, []).append(event.order_id)
        trade_event = _EVENT_FOR_STATUS.get(event.status)
        if trade_event is None or event.role is not LegRole.PRIMARY:
            return []
        return [TradeUpdate(trade_event, self._full(self._orders[event.order_id]), event.ts_ns)]

    def _status(self, event: OrderStatusChanged) -> list[TradeUpdate]:
        record = self._orders.get(event.order_id)
        if record is None:
            return []
        ts = event.ts_ns
        status = event.status
        record.view = dataclasses.replace(
            record.view,
            status=status,
            quantity=event.quantity,
            limit_price=event.limit_price,
            stop_price=event.stop_price,
            filled_quantity=event.cum_quantity,
            filled_avg_price=event.avg_price if event.cum_quantity else None,
            updated_ns=ts,
            canceled_ns=ts if status is OrdStatus.CANCELED else record.view.canceled_ns,
            expired_ns=ts if status is OrdStatus.EXPIRED else record.view.expired_ns,
            failed_ns=ts if status is OrdStatus.REJECTED else record.view.failed_ns,
            replaced_ns=ts if status is OrdStatus.REPLACED else record.view.replaced_ns,
            reject_reason=event.text if event.code is not None else record.view.reject_reason,
        )
        trade_event = _EVENT_FOR_STATUS.get(status)
        if trade_event is None:
            return []
        return [TradeUpdate(trade_event, self._full(record), ts)]

    def _filled(self, event: ParentFilled) -> TradeUpdate:
        record = self._orders[event.order_id]
        done = event.status is OrdStatus.FILLED
        record.view = dataclasses.replace(
            record.view,
            status=event.status,
            filled_quantity=event.cum_quantity,
            filled_avg_price=event.avg_price,
            updated_ns=event.ts_ns,
            filled_ns=event.ts_ns if done else record.view.filled_ns,
        )
        child = record.children.get(event.child_id)
        if child is not None:
            record.children[event.child_id] = dataclasses.replace(
                child,
                filled_quantity=child.filled_quantity + event.last_quantity,
                status="filled"
                if child.filled_quantity + event.last_quantity >= child.quantity
                else "partially_filled",
            )
        position = self._position_of(event.account, event.symbol)
        self._activities.setdefault(event.account, []).append(
            Activity(
                activity_id=event.execution_id,
                account=event.account,
                activity_type="FILL",
                ts_ns=event.ts_ns,
                date=self._business_date(),
                symbol=event.symbol,
                side=event.side,
                quantity=event.last_quantity,
                price=event.last_price,
                cum_quantity=event.cum_quantity,
                leaves_quantity=event.leaves_quantity,
                order_id=event.order_id,
                order_status=event.status,
            )
        )
        return TradeUpdate(
            TradeEvent.FILL if done else TradeEvent.PARTIAL_FILL,
            self._full(record),
            event.ts_ns,
            execution_id=event.execution_id,
            price=event.last_price,
            quantity=event.last_quantity,
            position_qty=position,
        )

    def _child(self, event: ChildOrderSent) -> None:
        record = self._orders.get(event.parent_id)
        if record is None:
            return
        record.children[event.child_id] = ChildOrderView(
            child_id=event.child_id,
            venue=event.venue,
            quantity=event.quantity,
            filled_quantity=0,
            limit_price=event.limit_price,
            purpose=event.purpose.value,
            status="sent",
            sent_ns=event.ts_ns,
        )

    def _restated(self, event: OrderRestated) -> list[TradeUpdate]:
        record = self._orders.get(event.order_id)
        if record is None:
            return []
        record.view = dataclasses.replace(
            record.view, quantity=event.quantity, updated_ns=event.ts_ns
        )
        return [TradeUpdate(TradeEvent.RESTATED, self._full(record), event.ts_ns)]

    def _cash(self, account: str, kind: str, amount: int, transfer: str, ts_ns: int) -> None:
        self._activities.setdefault(account, []).append(
            Activity(
                activity_id=f"{kind}-{transfer}",
                account=account,
                activity_type=kind,
                ts_ns=ts_ns,
                date=self._business_date(),
                net_amount=amount,
                description=transfer,
            )
        )

    def _full(self, record: _Record) -> OrderView:
        view = record.view
        legs: tuple[OrderView, ...] = ()
        if view.group_id and view.role is LegRole.PRIMARY:
            legs = tuple(
                self._orders[oid].view
                for oid in self._groups.get(view.group_id, [])
                if oid != view.order_id
            )
        return dataclasses.replace(view, legs=legs, children=tuple(record.children.values()))

"""The client API's read model of customer orders and account activity, built from the broker
core's events.

The broker core keeps what it needs to trade; clients also want history: when an order was
created, filled or cancelled, which children went where and how each fared at its venue, every
fill and cash movement. This projection follows the broker journal (each input and the events
it caused: the venues' reports on our children are inputs) on the edge's event loop and
answers the API's reads from its own state only. It is rebuilt by replaying the journal.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field

from directbroker.adapters.http.ports import (
    Activity,
    ChildOrderView,
    OrderView,
    TradeEvent,
    TradeUpdate,
)
from directbroker.domain.broker_messages import (
    BrokerDayStarted,
    ChildOrderSent,
    OrderReceived,
    OrderReplacedBy,
    OrderRestated,
    OrderStatusChanged,
    ParentFilled,
    PlaceOrder,
    ReplaceCustomerOrder,
)
from directbroker.domain.ledger_messages import CashWithdrawn, DepositCredited, PositionChanged
from directbroker.domain.messages import Event, Message
from directbroker.domain.order_status import LegRole, OrdStatus
from directbroker.domain.routing import SMART
from directbroker.domain.venue_messages import (
    OrderAccepted,
    OrderCancelled,
    OrderFilled,
    OrderRejected,
    OrderReplaced,
)
from directbroker.runtime.sequencer import Outcome

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
    replaces: str = ""


@dataclass(slots=True)
class _Record:
    view: OrderView
    children: dict[str, ChildOrderView] = field(default_factory=dict)
    full: tuple[OrderView, tuple[ChildOrderView, ...], OrderView] | None = None
    """The last full view built, with the view and children it was built from."""


@dataclass(slots=True)
class _ChildFills:
    """What the venue reported of one child: shares, notional and fees so far."""

    parent_id: str
    quantity: int = 0
    notional: int = 0
    fee: int = 0


class OrderViews:
    """Orders by id, by client order id and by account; activities by account."""

    def __init__(self) -> None:
        self._business_date = 0
        self._positions: dict[tuple[str, str], int] = {}
        self._child_fills: dict[str, _ChildFills] = {}
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

    def apply_batch(
        self, inputs: Sequence[Message], outcomes: Sequence[Outcome]
    ) -> list[TradeUpdate]:
        """Follow one committed broker batch: each input (a venue's report on one of our
        children tells how it fared) and then the events it caused."""
        updates: list[TradeUpdate] = []
        for message, outcome in zip(inputs, outcomes, strict=True):
            if not outcome.duplicate:
                self._report(message)
                if isinstance(message, ReplaceCustomerOrder):
                    self._note_replace(message)
                updates += self.apply(outcome.events)
        return updates

    def apply(self, events: Sequence[Event]) -> list[TradeUpdate]:
        """Follow the broker's events; returns the trade updates they make."""
        updates: list[TradeUpdate] = []
        for index, event in enumerate(events):
            if isinstance(event, PositionChanged):
                self._positions[(event.account, event.symbol)] = event.quantity
            elif isinstance(event, OrderReceived):
                updates += self._received(event)
            elif isinstance(event, OrderStatusChanged):
                if event.status is OrdStatus.REPLACED:
                    self._link_ahead(event.order_id, events, index)
                updates += self._status(event)
            elif isinstance(event, ParentFilled):
                updates.append(self._filled(event, _position_after(event, events, index)))
            elif isinstance(event, ChildOrderSent):
                self._child(event)
            elif isinstance(event, OrderRestated):
                updates += self._restated(event)
            elif isinstance(event, OrderReplacedBy):
                self._replaced_by(event)
            elif isinstance(event, DepositCredited):
                self._cash(event.account, "CSD", event.amount, event.transfer_id, event.ts_ns)
            elif isinstance(event, CashWithdrawn):
                self._cash(event.account, "CSW", -event.amount, event.transfer_id, event.ts_ns)
            elif isinstance(event, BrokerDayStarted):
                self._business_date = event.date
        return updates

    def _note_replace(self, command: ReplaceCustomerOrder) -> None:
        """A replace creates a new order: it keeps the old one's request terms (trail, route,
        extended hours) and names the order it replaces."""
        record = self._orders.get(command.order_id)
        if record is None or not command.new_order_id:
            return
        view = record.view
        self._extras[command.new_order_id] = _Extras(
            command.trail_amount if command.trail_amount is not None else view.trail_amount,
            command.trail_percent_bps
            if command.trail_percent_bps is not None
            else view.trail_percent_bps,
            view.extended_hours,
            view.route,
            command.order_id,
        )

    def _link_ahead(self, order_id: str, events: Sequence[Event], index: int) -> None:
        """The core reports an order ``replaced`` just before naming its successor: link the
        two first, so the ``replaced`` trade update already carries ``replaced_by``."""
        for later in events[index + 1 :]:
            if isinstance(later, OrderReplacedBy) and later.order_id == order_id:
                self._replaced_by(later)
                return

    def _replaced_by(self, event: OrderReplacedBy) -> None:
        """The replace took effect: link the two, and the children still working move to the
        new order (their later fills are its fills)."""
        old = self._orders.get(event.order_id)
        new = self._orders.get(event.new_order_id)
        if old is None or new is None:
            return
        old.view = dataclasses.replace(old.view, replaced_by=event.new_order_id)
        for child_id, child in list(old.children.items()):
            if child.done_ns is None:
                new.children[child_id] = child
                del old.children[child_id]
                fills = self._child_fills.get(child_id)
                if fills is not None:
                    fills.parent_id = event.new_order_id

    def _report(self, message: Message) -> None:
        """A venue's report on one of our children: its acceptance, fills and fees, end."""
        if not isinstance(message, _REPORTS):
            return
        fills = self._child_fills.get(message.order_id)
        if fills is None:
            return
        record = self._orders.get(fills.parent_id)
        child = None if record is None else record.children.get(message.order_id)
        if record is None or child is None:
            return
        ts = message.ts_ns
        if isinstance(message, OrderAccepted):
            child = dataclasses.replace(
                child, status="working", accepted_ns=child.accepted_ns or ts
            )
        elif isinstance(message, OrderFilled):
            fills.quantity += message.quantity
            fills.notional += message.quantity * message.price
            fills.fee += message.fee
            done = message.leaves_quantity == 0
            child = dataclasses.replace(
                child,
                filled_quantity=fills.quantity,
                filled_avg_price=(2 * fills.notional + fills.quantity) // (2 * fills.quantity),
                fee=fills.fee,
                status="filled" if done else "partially_filled",
                accepted_ns=child.accepted_ns or ts,
                done_ns=ts if done else child.done_ns,
            )
        elif isinstance(message, OrderCancelled):
            child = dataclasses.replace(child, status="cancelled", done_ns=ts)
        elif isinstance(message, OrderRejected):
            child = dataclasses.replace(child, status="rejected", done_ns=ts)
        elif isinstance(message, OrderReplaced):
            child = dataclasses.replace(child, quantity=message.quantity, limit_price=message.price)
        record.children[message.order_id] = child

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
            replaces=extras.replaces,
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
            reject_code=event.code.number if event.code is not None else record.view.reject_code,
        )
        trade_event = _EVENT_FOR_STATUS.get(status)
        if trade_event is None:
            return []
        return [TradeUpdate(trade_event, self._full(record), ts)]

    def _filled(self, event: ParentFilled, position: int) -> TradeUpdate:
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
        self._activities.setdefault(event.account, []).append(
            Activity(
                activity_id=event.execution_id,
                account=event.account,
                activity_type="FILL",
                ts_ns=event.ts_ns,
                date=self._business_date,
                symbol=event.symbol,
                side=event.side,
                quantity=event.last_quantity,
                price=event.last_price,
                cum_quantity=event.cum_quantity,
                leaves_quantity=event.leaves_quantity,
                order_id=event.order_id,
                order_status=event.status,
                venue=event.venue,
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
            venue=event.venue,
        )

    def _child(self, event: ChildOrderSent) -> None:
        record = self._orders.get(event.parent_id)
        if record is None:
            return
        self._child_fills[event.child_id] = _ChildFills(event.parent_id)
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
                date=self._business_date,
                net_amount=amount,
                description=transfer,
            )
        )

    def _full(self, record: _Record) -> OrderView:
        view = record.view
        if view.group_id and view.role is LegRole.PRIMARY:
            legs = tuple(
                self._orders[oid].view
                for oid in self._groups.get(view.group_id, [])
                if oid != view.order_id
            )
            return dataclasses.replace(view, legs=legs, children=tuple(record.children.values()))
        # Clients read an order far more often than it changes (every answer, every update):
        # build its full view once per change rather than on every read.
        children = tuple(record.children.values())
        cached = record.full
        if cached is not None and cached[0] is view and cached[1] == children:
            return cached[2]
        full = dataclasses.replace(view, legs=(), children=children)
        record.full = (view, children, full)
        return full


_REPORTS = (OrderAccepted, OrderFilled, OrderCancelled, OrderRejected, OrderReplaced)


def _position_after(fill: ParentFilled, events: Sequence[Event], index: int) -> int:
    """The account's position in the symbol after ``fill``: the ledger books each fill right
    after it (``PositionChanged`` follows in the same batch)."""
    for event in events[index + 1 :]:
        if (
            isinstance(event, PositionChanged)
            and event.account == fill.account
            and event.symbol == fill.symbol
        ):
            return event.quantity
    return 0

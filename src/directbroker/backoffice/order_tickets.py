"""The order ticket of every customer order (SEC Rule 17a-3(a)(6)), folded from the broker journal.

The rule asks a broker-dealer to keep, for each order it receives, the terms and conditions of
the order and of any modification or cancellation, the account, the time of entry, the time of
execution or cancellation, the price, who entered it and where it was routed. Every one of
those facts is already in the broker core's journal (the input and the events it caused), so the
ticket is a pure fold over journal entries, like :mod:`~directbroker.backoffice.order_flow`: it
can be rebuilt at any time from any copy of the journal, and a correction is a new journal
entry, never an edit of a ticket.

One ticket (:mod:`~directbroker.backoffice.ticket_records`) per order the core received
(``OrderReceived``), and one for each ``PlaceOrder`` refused before it was received (its terms
are the request's). Who entered an order comes from the input: ``PlaceOrder.entered_by``; the
requester of the replace for the order a replace created; the ``actor`` of a staff or block
input; the rebalancer for its orders; otherwise ``system``. A bracket's legs share their
parent's entry. Empty in journals written before orders recorded who entered them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from directbroker.backoffice.ticket_records import (
    REPLACE_SENT,
    SYSTEM,
    Cancellation,
    Execution,
    Modification,
    OrderTicket,
    Rejection,
    Routed,
    StatusChange,
)
from directbroker.domain.broker_messages import (
    BrokerDayEnded,
    BrokerDayStarted,
    CancelCustomerOrder,
    ChildOrderSent,
    ChildReplaceSent,
    CustomerOrderRejected,
    OrderReceived,
    OrderReplacedBy,
    OrderRestated,
    OrderStatusChanged,
    OrderTriggered,
    ParentFilled,
    PlaceOrder,
    ReplaceCustomerOrder,
)
from directbroker.domain.messages import Event, Message
from directbroker.domain.order_status import LegRole, OrdStatus
from directbroker.domain.rebalancing_messages import REBALANCER_ACTOR

REBALANCE_PREFIX = "rebalance-"
"""The client order id prefix of the rebalancer's orders (``RebalancingRuns`` names them)."""


class OrderTickets:
    """The fold: feed it every broker journal entry in order (:meth:`take`)."""

    def __init__(self) -> None:
        self.tickets: dict[str, OrderTicket] = {}
        """Tickets by order id, in the order the orders were received."""
        self._replaced_from: dict[str, str] = {}
        self._unasked: dict[str, Cancellation] = {}
        """Orders taken off the venues without a request, until that settles (expired, done
        for the day, or cancelled)."""
        self._open_date = 0
        self._between_days: list[OrderTicket] = []
        """Orders entered since the last close, for the next day to open."""

    def take(self, message: Message, events: Sequence[Event], ts_ns: int) -> None:
        """Fold one journal entry: the input and the events it caused."""
        kind = type(message)
        if kind is ReplaceCustomerOrder:
            assert isinstance(message, ReplaceCustomerOrder)
            self._replace_asked(message, ts_ns)
        elif kind is CancelCustomerOrder:
            assert isinstance(message, CancelCustomerOrder)
            ticket = self.tickets.get(message.order_id)
            if ticket is not None and (ticket.cancellation is None or ticket.cancellation.refused):
                ticket.cancellation = Cancellation(ts_ns, message.actor)
        for event in events:
            self._event(message, event, ts_ns)

    # -- events -----------------------------------------------------------------------------

    def _event(self, message: Message, event: Event, ts_ns: int) -> None:
        kind = type(event)
        if kind is OrderReceived:
            assert isinstance(event, OrderReceived)
            self._received(message, event)
        elif kind is OrderStatusChanged:
            assert isinstance(event, OrderStatusChanged)
            self._status(message, event)
        elif kind is ParentFilled:
            assert isinstance(event, ParentFilled)
            self._filled(event)
        elif kind is ChildOrderSent:
            assert isinstance(event, ChildOrderSent)
            ticket = self.tickets.get(event.parent_id)
            if ticket is not None:
                ticket.routes.append(
                    Routed(event.child_id, event.venue, event.quantity, event.limit_price,
                           event.purpose.value, event.ts_ns)
                )  # fmt: skip
        elif kind is ChildReplaceSent:
            assert isinstance(event, ChildReplaceSent)
            changed = self.tickets.get(event.parent_id)
            if changed is not None:
                changed.routes.append(
                    Routed(event.child_id, event.venue, event.quantity, event.limit_price,
                           REPLACE_SENT, event.ts_ns)
                )  # fmt: skip
        elif kind is OrderReplacedBy:
            assert isinstance(event, OrderReplacedBy)
            self._replaced(event)
        elif kind is CustomerOrderRejected:
            assert isinstance(event, CustomerOrderRejected)
            self._rejected(message, event)
        elif kind is OrderRestated:
            assert isinstance(event, OrderRestated)
            ticket = self.tickets.get(event.order_id)
            if ticket is not None:
                ticket.modifications.append(
                    Modification(event.ts_ns, SYSTEM, event.quantity, ticket.limit_price,
                                 ticket.stop_price, "", event.ts_ns, reason=event.reason)
                )  # fmt: skip
        elif kind is BrokerDayStarted:
            assert isinstance(event, BrokerDayStarted)
            self._open_date = event.date
            for waiting in self._between_days:
                waiting.business_date = event.date
            self._between_days.clear()
        elif kind is BrokerDayEnded:
            self._open_date = 0
        elif kind is OrderTriggered:
            assert isinstance(event, OrderTriggered)
            ticket = self.tickets.get(event.order_id)
            if ticket is not None:
                ticket.triggered_ns = event.ts_ns

    def _received(self, message: Message, event: OrderReceived) -> None:
        placed = message if isinstance(message, PlaceOrder) else None
        old_id = self._replaced_from.get(event.order_id, "")
        if isinstance(message, ReplaceCustomerOrder) and message.new_order_id == event.order_id:
            old_id = message.order_id
        old = self.tickets.get(old_id)
        ticket = OrderTicket(
            event.order_id, event.client_order_id, event.account, event.symbol, event.side,
            event.order_type, event.quantity, event.limit_price, event.stop_price,
            event.time_in_force, event.order_class, event.role, event.group_id, event.ts_ns,
            self._entered_by(message, event, old),
        )  # fmt: skip
        if placed is not None:
            ticket.route = placed.route
            ticket.extended_hours = placed.extended_hours
            if placed.order_id == event.order_id:
                ticket.trail_amount = placed.trail_amount
                ticket.trail_percent_bps = placed.trail_percent_bps
        elif old is not None:
            ticket.route = old.route
            ticket.extended_hours = old.extended_hours
            ticket.replaces = old.order_id
            ticket.trail_amount = old.trail_amount
            ticket.trail_percent_bps = old.trail_percent_bps
        ticket.status = event.status
        ticket.history.append(StatusChange(None, event.status, event.ts_ns))
        self._add(ticket)

    def _add(self, ticket: OrderTicket) -> None:
        self.tickets[ticket.order_id] = ticket
        if self._open_date:
            ticket.business_date = self._open_date
        else:
            self._between_days.append(ticket)

    def _entered_by(self, message: Message, event: OrderReceived, old: OrderTicket | None) -> str:
        if isinstance(message, PlaceOrder):
            return message.entered_by
        if old is not None:
            asked = next((m for m in old.modifications if m.new_order_id == event.order_id), None)
            return asked.actor if asked is not None and asked.actor else old.entered_by
        if event.client_order_id.startswith(REBALANCE_PREFIX):
            return REBALANCER_ACTOR
        return _actor_of(message)

    def _status(self, message: Message, event: OrderStatusChanged) -> None:
        ticket = self.tickets.get(event.order_id)
        if ticket is None:
            return
        # The terms stay as entered: a change of terms is a replace (a new order with its own
        # ticket) or a restatement, each recorded as a modification.
        ticket.status = event.status
        ticket.cum_quantity = event.cum_quantity
        ticket.avg_price = event.avg_price
        ticket.history.append(
            StatusChange(event.old_status, event.status, event.ts_ns, event.code, event.text)
        )
        unasked = self._unasked.pop(ticket.order_id, None)
        if event.status is OrdStatus.PENDING_CANCEL and not _pending(ticket.cancellation):
            # Taken off the venues without a request: by the kill switch, a sibling's fill, or
            # for the night. Whether that is a cancellation shows when it settles.
            self._unasked[ticket.order_id] = Cancellation(
                event.ts_ns, _actor_of(message), reason=event.text
            )
        elif event.status is OrdStatus.CANCELED:
            # A cancel nobody asked for is in the name of whoever gave the input behind it.
            asked = ticket.cancellation if _pending(ticket.cancellation) else None
            if asked is None:
                asked = unasked or Cancellation(event.ts_ns, _actor_of(message))
                ticket.cancellation = asked
            asked.effective_ns = event.ts_ns
            asked.reason = event.text or asked.reason
        elif event.status is OrdStatus.REJECTED and event.code is not None:
            ticket.rejections.append(Rejection("venue", event.code, event.text, event.ts_ns))

    def _filled(self, event: ParentFilled) -> None:
        ticket = self.tickets.get(event.order_id)
        if ticket is None:
            return
        ticket.executions.append(
            Execution(event.execution_id, event.venue, event.last_quantity, event.last_price,
                      event.liquidity, event.ts_ns)
        )  # fmt: skip
        ticket.history.append(StatusChange(event.old_status, event.status, event.ts_ns))
        ticket.status = event.status
        ticket.cum_quantity = event.cum_quantity
        ticket.avg_price = event.avg_price

    def _replace_asked(self, message: ReplaceCustomerOrder, ts_ns: int) -> None:
        ticket = self.tickets.get(message.order_id)
        if ticket is None:
            return
        ticket.modifications.append(
            Modification(ts_ns, message.actor, message.quantity, message.limit_price,
                         message.stop_price, message.new_order_id)
        )  # fmt: skip

    def _replaced(self, event: OrderReplacedBy) -> None:
        self._replaced_from[event.new_order_id] = event.order_id
        ticket = self.tickets.get(event.order_id)
        if ticket is None:
            return
        ticket.replaced_by = event.new_order_id
        for asked in reversed(ticket.modifications):
            pending = not asked.refused and not asked.effective_ns
            if pending and asked.new_order_id in (event.new_order_id, ""):
                asked.effective_ns = event.ts_ns
                asked.new_order_id = event.new_order_id
                break

    def _rejected(self, message: Message, event: CustomerOrderRejected) -> None:
        ticket = self.tickets.get(event.order_id)
        refusal = Rejection(event.command, event.code, event.message, event.ts_ns)
        if ticket is None:
            if not isinstance(message, PlaceOrder) or message.order_id != event.order_id:
                return
            ticket = _refused_ticket(message, event.ts_ns)
            self._add(ticket)
        elif isinstance(message, ReplaceCustomerOrder) and ticket.modifications:
            ticket.modifications[-1].refused = event.message
        elif isinstance(message, CancelCustomerOrder) and _pending(ticket.cancellation):
            assert ticket.cancellation is not None
            ticket.cancellation.refused = event.message
        ticket.rejections.append(refusal)

    # -- reading ----------------------------------------------------------------------------

    def of_date(self, date: int) -> list[OrderTicket]:
        """The tickets of orders entered for business day ``date`` (YYYYMMDD), in entry
        order (:attr:`OrderTicket.entered_date`)."""
        return [t for t in self.tickets.values() if t.entered_date == date]


def _pending(cancellation: Cancellation | None) -> bool:
    """Whether a cancel was asked for and has neither taken effect nor been refused."""
    return cancellation is not None and not cancellation.effective_ns and not cancellation.refused


def _actor_of(message: Message) -> str:
    """Who gave an input that is not an order request: its ``actor`` (staff and block inputs,
    the kill switch), else the system (a venue report, the close, a timer)."""
    actor = getattr(message, "actor", "")
    return actor if isinstance(actor, str) and actor else SYSTEM


def _refused_ticket(order: PlaceOrder, ts_ns: int) -> OrderTicket:
    """The ticket of an order refused before the core received it: the request's terms."""
    return OrderTicket(
        order.order_id, order.client_order_id, order.account, order.symbol, order.side,
        order.order_type, order.quantity, order.limit_price, order.stop_price,
        order.time_in_force, order.order_class, LegRole.PRIMARY, "", ts_ns, order.entered_by,
        order.route, order.extended_hours, order.trail_amount, order.trail_percent_bps,
        OrdStatus.REJECTED, history=[StatusChange(None, OrdStatus.REJECTED, ts_ns)],
    )  # fmt: skip


def fold(entries: Iterable[tuple[Message, Sequence[Event], int]]) -> OrderTickets:
    """The :class:`OrderTickets` of ``entries`` (a whole journal, say)."""
    tickets = OrderTickets()
    for message, events, ts_ns in entries:
        tickets.take(message, events, ts_ns)
    return tickets

"""The simulation's memory of its own orders: what it sent, what rests, how each one ended.

The venues are the truth; this follows their execution reports, so cancels and replaces are only
sent for orders that still work, and the day's statistics (how many resting orders were
cancelled rather than filled) come from what the venues said.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from directbroker.domain.messages import Event
from directbroker.domain.orders import CancelReason, Side
from directbroker.domain.venue_messages import (
    OrderAccepted,
    OrderCancelled,
    OrderFilled,
    OrderRejected,
    OrderReplaced,
)


@dataclass(slots=True)
class OwnOrder:
    """One of our orders as the venue last described it."""

    order_id: str
    agent: str
    venue: str
    symbol: str
    side: Side
    price: int | None
    quantity: int
    filled: int = 0
    resting: bool = False

    @property
    def leaves(self) -> int:
        """Shares still working."""
        return self.quantity - self.filled


@dataclass(slots=True)
class OrderOutcomes:
    """How our resting orders ended (the day's cancel ratio comes from these)."""

    rested: int = 0
    cancelled: int = 0
    filled: int = 0
    rejected: int = 0
    executions: int = 0
    shares: int = 0


@dataclass(slots=True)
class OwnOrders:
    """Our orders by id and, for those resting, by symbol."""

    orders: dict[str, OwnOrder] = field(default_factory=dict)
    resting_by_symbol: dict[str, dict[str, OwnOrder]] = field(default_factory=dict)
    outcomes: OrderOutcomes = field(default_factory=OrderOutcomes)

    def sent(self, order: OwnOrder) -> None:
        """Remember an order we are about to send."""
        self.orders[order.order_id] = order

    def resting(self, symbol: str) -> dict[str, OwnOrder]:
        """Our orders resting in ``symbol``'s books, by id."""
        return self.resting_by_symbol.setdefault(symbol, {})

    def observe(self, events: Iterable[Event]) -> None:
        """Follow the venues' execution reports for our orders."""
        for event in events:
            if isinstance(event, OrderAccepted):
                self._accepted(event)
            elif isinstance(event, OrderFilled):
                self._filled(event)
            elif isinstance(event, OrderCancelled):
                self._cancelled(event)
            elif isinstance(event, OrderReplaced):
                self._replaced(event)
            elif isinstance(event, OrderRejected):
                self._rejected(event)

    def _accepted(self, event: OrderAccepted) -> None:
        order = self.orders.get(event.order_id)
        if order is None:
            return
        order.price = event.price
        order.resting = True
        self.resting(order.symbol)[order.order_id] = order

    def _filled(self, event: OrderFilled) -> None:
        order = self.orders.get(event.order_id)
        if order is None:
            return
        order.filled = event.cumulative_quantity
        self.outcomes.executions += 1
        self.outcomes.shares += event.quantity
        if event.leaves_quantity == 0:
            if self._was_resting(order):
                self.outcomes.filled += 1
            self._drop(order)

    def _cancelled(self, event: OrderCancelled) -> None:
        order = self.orders.get(event.order_id)
        if order is None:
            return
        if event.reason is CancelReason.REQUESTED and self._was_resting(order):
            self.outcomes.cancelled += 1
        self._drop(order)

    def _replaced(self, event: OrderReplaced) -> None:
        order = self.orders.get(event.order_id)
        if order is None:
            return
        order.quantity = event.quantity
        order.price = event.price
        if event.leaves_quantity == 0:
            self._drop(order)

    def _rejected(self, event: OrderRejected) -> None:
        order = self.orders.get(event.order_id)
        if order is not None and not order.resting:
            self.outcomes.rejected += 1
            self._drop(order)

    def _was_resting(self, order: OwnOrder) -> bool:
        if order.order_id in self.resting(order.symbol):
            self.outcomes.rested += 1
            return True
        return False

    def _drop(self, order: OwnOrder) -> None:
        self.orders.pop(order.order_id, None)
        self.resting(order.symbol).pop(order.order_id, None)


class IdSource:
    """Deterministic order ids: the agent's name and a counter shared by the whole simulation."""

    def __init__(self, prefix: str = "SIM") -> None:
        self._prefix = prefix
        self._counter = 0

    def __call__(self, agent: str) -> str:
        self._counter += 1
        return f"{self._prefix}-{agent}-{self._counter}"

"""A desk for driving the order manager by hand: a scripted router and the venue's answers."""

from __future__ import annotations

from typing import Any

from directbroker.domain.broker_messages import (
    ChildCancelSent,
    ChildOrderSent,
    ChildReplaceSent,
    OrderStatusChanged,
    ParentFilled,
    PlaceOrder,
)
from directbroker.domain.messages import Event
from directbroker.domain.order_status import OrdStatus
from directbroker.domain.orders import CancelReason, Liquidity, OrderType, Side
from directbroker.domain.rejects import RejectCode
from directbroker.domain.routing import SMART, ChildInstruction, ChildPurpose, RouteRequest
from directbroker.domain.venue_messages import (
    OrderAccepted,
    OrderCancelled,
    OrderFilled,
    OrderRejected,
    OrderReplaced,
)
from directbroker.engines.oms import (
    OrderManager,
    Parent,
    RoutingGate,
    VenueReport,
    check_place,
)
from directbroker.engines.oms.ports import admit_all

PARTICIPANT = "DBRK"
USD = 10_000


class ScriptedRouter:
    """Routes to the named venue (SMART: venue "V1"), optionally split in ``split`` children."""

    def __init__(self, split: int = 1) -> None:
        self.split = split
        self.refuse: RejectCode | None = None
        self.ended: list[tuple[str, str, int, int, RejectCode | None]] = []
        self.sent: list[tuple[str, str, ChildInstruction]] = []
        self.reports: list[Event] = []
        self.unwanted: list[str] = []
        """Children that ended while the OMS no longer wanted their shares re-routed."""
        self.reports_at_end: list[int] = []
        """How many reports the router had seen each time a child ended."""

    def plan(self, request: RouteRequest, ts_ns: int) -> list[ChildInstruction] | RejectCode:
        if self.refuse is not None:
            return self.refuse
        venue = "V1" if request.route == SMART else request.route
        parts = min(self.split, request.quantity)
        sizes = [request.quantity // parts] * parts
        sizes[0] += request.quantity - sum(sizes)
        return [
            ChildInstruction(
                venue if i == 0 else f"V{i + 1}",
                size,
                request.order_type,
                request.limit_price,
                request.time_in_force,
                ChildPurpose.DIRECTED,
            )
            for i, size in enumerate(sizes)
        ]

    def observe(self, event: Event) -> None:
        pass

    def child_sent(
        self, parent_id: str, child_id: str, instruction: ChildInstruction, ts_ns: int
    ) -> None:
        self.sent.append((parent_id, child_id, instruction))

    def child_report(self, report: VenueReport, ts_ns: int) -> None:
        self.reports.append(report)

    def child_ended(
        self,
        parent_id: str,
        child_id: str,
        venue: str,
        filled: int,
        unfilled: int,
        code: RejectCode | None,
        wanted: bool,
        ts_ns: int,
    ) -> list[ChildInstruction]:
        self.ended.append((parent_id, venue, filled, unfilled, code))
        self.reports_at_end.append(len(self.reports))
        if not wanted:
            self.unwanted.append(child_id)
        return []

    def snapshot(self) -> bytes:
        return b""

    def restore(self, data: bytes) -> None:
        pass


def order(order_id: str = "o1", **fields: Any) -> PlaceOrder:
    """A PlaceOrder with test defaults: buy 100 AAPL limit $100."""
    values: dict[str, Any] = {
        "order_id": order_id,
        "client_order_id": "c-" + order_id,
        "account": "A1",
        "symbol": "AAPL",
        "side": Side.BUY,
        "order_type": OrderType.LIMIT,
        "quantity": 100,
        "limit_price": 100 * USD,
    }
    values.update(fields)
    return PlaceOrder(**values)


class Desk:
    """An order manager and the venue side of its children."""

    def __init__(self, split: int = 1, gate: RoutingGate = admit_all) -> None:
        self.router = ScriptedRouter(split)
        self.oms = OrderManager(self.router, PARTICIPANT, gate)
        self.ts = 0
        self.trade_id = 0
        self.events: list[Event] = []

    def _record(self, events: list[Event]) -> list[Event]:
        self.events.extend(events)
        return events

    def tick(self) -> int:
        self.ts += 1
        return self.ts

    def place(self, cmd: PlaceOrder, last: int | None = None) -> list[Event]:
        assert check_place(cmd) is None, check_place(cmd)
        assert self.oms.check_new(cmd) is None
        parents = self.oms.build(cmd, 0, last)
        plan = self.oms.route_first(parents, self.ts + 1)
        assert isinstance(plan, list), plan
        return self._record(self.oms.place(parents, plan, self.tick()))

    def parent(self, order_id: str) -> Parent:
        parent = self.oms.order(order_id)
        assert parent is not None
        return parent

    def status(self, order_id: str) -> OrdStatus:
        return self.parent(order_id).status

    def cancel(self, order_id: str) -> list[Event]:
        found = self.oms.find(order_id, self.parent(order_id).account)
        assert not isinstance(found, tuple), found
        return self._record(self.oms.cancel(found, self.tick()))

    def children(self, order_id: str) -> list[str]:
        return list(self.parent(order_id).children)

    def child(self, order_id: str, n: int = 1) -> str:
        return f"{order_id}.{n}"

    def _venue(self, child_id: str) -> str:
        return self.oms.book.children[child_id].venue

    def _symbol(self, child_id: str) -> str:
        return self.parent(self.oms.book.children[child_id].parent_id).symbol

    def accept(self, child_id: str) -> list[Event]:
        child = self.oms.book.children[child_id]
        parent = self.parent(child.parent_id)
        report = OrderAccepted(
            child.venue, child_id, PARTICIPANT, parent.symbol, parent.side, child.order_type,
            child.quantity, child.limit_price, child.time_in_force, self.ts,
        )  # fmt: skip
        return self._record(self.oms.on_report(report, self.tick()))

    def fill(self, child_id: str, quantity: int, price: int = 100 * USD) -> list[Event]:
        child = self.oms.book.children[child_id]
        parent = self.parent(child.parent_id)
        self.trade_id += 1
        filled = child.filled + quantity
        report = OrderFilled(
            child.venue, child_id, PARTICIPANT, parent.symbol, parent.side, self.trade_id,
            price, quantity, child.quantity - filled, filled, Liquidity.MAKER, 0, self.ts,
        )  # fmt: skip
        return self._record(self.oms.on_report(report, self.tick()))

    def cancelled(self, child_id: str) -> list[Event]:
        child = self.oms.book.children[child_id]
        report = OrderCancelled(
            child.venue, child_id, PARTICIPANT, self._symbol(child_id),
            child.quantity - child.filled, CancelReason.REQUESTED, self.ts,
        )  # fmt: skip
        return self._record(self.oms.on_report(report, self.tick()))

    def reject(self, child_id: str, code: RejectCode = RejectCode.SYMBOL_HALTED) -> list[Event]:
        report = OrderRejected(self._venue(child_id), child_id, PARTICIPANT, code, "", self.ts)
        return self._record(self.oms.on_report(report, self.tick()))

    def replaced(self, child_id: str) -> list[Event]:
        child = self.oms.book.children[child_id]
        quantity, price = child.replace_quantity, child.replace_price
        report = OrderReplaced(
            child.venue, child_id, PARTICIPANT, self._symbol(child_id), quantity,
            max(0, quantity - child.filled), price, False, self.ts,
        )  # fmt: skip
        return self._record(self.oms.on_report(report, self.tick()))


def statuses(events: list[Event]) -> list[tuple[str, OrdStatus]]:
    """(order id, new status) for every status move among ``events``."""
    found: list[tuple[str, OrdStatus]] = []
    for event in events:
        if isinstance(event, OrderStatusChanged | ParentFilled):
            found.append((event.order_id, event.status))
    return found


def sent(events: list[Event]) -> list[Event]:
    """The venue-bound events."""
    return [e for e in events if isinstance(e, ChildOrderSent | ChildCancelSent | ChildReplaceSent)]

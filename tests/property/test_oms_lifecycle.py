"""Random sequences of submits, cancels, replaces, venue answers and prints: every order is in
exactly one status, fills never exceed the order, no event is emitted twice, each order's
events tell its status history exactly, and replaying the same inputs gives the same state."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from directbroker.domain.broker_messages import (
    OrderReceived,
    OrderStatusChanged,
    ParentFilled,
)
from directbroker.domain.messages import Event
from directbroker.domain.order_status import OrderClass, OrdStatus
from directbroker.domain.orders import OrderType, Side, TimeInForce
from directbroker.domain.rejects import RejectCode
from directbroker.engines.oms import ChildState, Terms
from tests.unit.oms.oms_helpers import USD, Desk, order

OPS = st.lists(
    st.tuples(
        st.sampled_from(
            ["place", "place", "cancel", "replace", "accept", "fill", "fill", "venue_cancel",
             "reject", "replaced", "print", "end_day", "start_day"]
        ),
        st.integers(0, 1_000),
        st.integers(1, 300),
    ),
    max_size=60,
)  # fmt: skip


def run(ops: list[tuple[str, int, int]]) -> Desk:
    desk = Desk(split=2)
    placed = 0
    for kind, pick, size in ops:
        book = desk.oms.book
        open_parents = [book.parents[i] for i in book.open_ids]
        live = [c for c in book.children.values() if c.live]
        if kind == "place":
            placed += 1
            style = pick % 4
            fields: dict[str, object] = {"quantity": size, "limit_price": (90 + pick % 20) * USD}
            if style == 1:
                fields.update(order_type=OrderType.STOP, limit_price=None, stop_price=95 * USD,
                              side=Side.SELL, time_in_force=TimeInForce.GTC)  # fmt: skip
            elif style == 2:
                fields.update(order_class=OrderClass.BRACKET, take_profit_price=120 * USD,
                              stop_loss_price=80 * USD)  # fmt: skip
            elif style == 3:
                fields.update(time_in_force=TimeInForce.GTC)
            desk.place(order(f"o{placed}", **fields), last=100 * USD)
        elif kind == "cancel" and open_parents:
            parent = open_parents[pick % len(open_parents)]
            found = desk.oms.find(parent.order_id, parent.account)
            if not isinstance(found, tuple):
                desk.cancel(parent.order_id)
        elif kind == "replace" and open_parents:
            parent = open_parents[pick % len(open_parents)]
            found = desk.oms.find(parent.order_id, parent.account)
            ok = parent.status in (OrdStatus.NEW, OrdStatus.PARTIALLY_FILLED, OrdStatus.REPLACED)
            if not isinstance(found, tuple) and ok:
                terms = Terms(parent.cum_quantity + size, parent.limit_price, parent.stop_price,
                              None, None)  # fmt: skip
                desk._record(desk.oms.replace(parent, terms, desk.tick()))
        elif kind == "accept":
            sent = [c for c in live if c.state is ChildState.SENT]
            if sent:
                desk.accept(sent[pick % len(sent)].child_id)
        elif kind == "fill":
            working = [c for c in live if c.state is not ChildState.SENT]
            if working:
                child = working[pick % len(working)]
                desk.fill(child.child_id, min(size, child.quantity - child.filled))
        elif kind == "venue_cancel":
            working = [c for c in live if c.state is not ChildState.SENT]
            if working:
                desk.cancelled(working[pick % len(working)].child_id)
        elif kind == "reject" and live:
            desk.reject(live[pick % len(live)].child_id, RejectCode.SYMBOL_HALTED)
        elif kind == "replaced":
            pending = [c for c in live if c.state is ChildState.REPLACE_SENT]
            if pending:
                desk.replaced(pending[pick % len(pending)].child_id)
        elif kind == "print":
            desk._record(desk.oms.on_trade("AAPL", (80 + pick % 40) * USD, desk.tick(), False))
        elif kind == "end_day":
            desk._record(desk.oms.end_day(desk.tick()))
        elif kind == "start_day":
            desk._record(desk.oms.start_day(desk.tick()))
        check(desk)
    return desk


def check(desk: Desk) -> None:
    book = desk.oms.book
    for parent in book.parents.values():
        assert isinstance(parent.status, OrdStatus)
        assert (parent.order_id in book.open_ids) == (not parent.status.is_terminal)
        children = [book.children[c] for c in parent.children]
        assert sum(c.filled for c in children) == parent.cum_quantity
        assert 0 <= parent.cum_quantity <= parent.quantity
        assert (parent.status is OrdStatus.FILLED) == (parent.cum_quantity == parent.quantity)
        if parent.status.is_terminal:
            assert not any(c.live for c in children)
        assert all(0 <= c.filled <= c.quantity for c in children)


def histories(events: list[Event]) -> dict[str, list[OrdStatus]]:
    seen: dict[str, list[OrdStatus]] = {}
    for event in events:
        if isinstance(event, OrderReceived):
            assert event.order_id not in seen
            seen[event.order_id] = [event.status]
        elif isinstance(event, OrderStatusChanged | ParentFilled):
            history = seen[event.order_id]
            assert event.old_status is history[-1], (event, history)
            history.append(event.status)
    return seen


@settings(max_examples=300, deadline=None)
@given(OPS)
def test_random_order_flow_keeps_every_invariant(ops: list[tuple[str, int, int]]) -> None:
    desk = run(ops)
    events = desk.events
    assert len(set(events)) == len(events), "an event was emitted twice"
    for order_id, history in histories(events).items():
        assert history[-1] is desk.status(order_id)
        terminal = [s for s in history if s.is_terminal]
        assert len(terminal) <= 1 and (not terminal or history[-1] is terminal[0])
    again = run(ops)
    assert again.oms.book.to_plain() == desk.oms.book.to_plain()
    assert again.events == events

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
            ok = parent.status in (OrdStatus.NEW, OrdStatus.PARTIALLY_FILLED)
            if not isinstance(found, tuple) and ok:
                terms = Terms(parent.cum_quantity + size, parent.limit_price, parent.stop_price,
                              None, None)  # fmt: skip
                # As Alpaca: a new order (new id, an input) carries on once the venue agrees.
                successor = desk.oms.successor(parent, terms, f"{parent.order_id}r{pick}")
                if successor.order_id not in book.parents:
                    desk._record(desk.oms.replace(parent, terms, desk.tick(), successor))
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
    # Every share a venue filled is booked on exactly one order, before, during or after a
    # replace (a child moves to the new order when the replace takes effect).
    assert sum(c.filled for c in book.children.values()) == sum(
        p.cum_quantity for p in book.parents.values()
    )
    booked: dict[str, int] = {}
    for event in desk.events:
        if isinstance(event, ParentFilled):
            booked[event.order_id] = booked.get(event.order_id, 0) + event.last_quantity
    for parent in book.parents.values():
        assert isinstance(parent.status, OrdStatus)
        assert (parent.order_id in book.open_ids) == (not parent.status.is_terminal)
        assert booked.get(parent.order_id, 0) == parent.cum_quantity
        children = [book.children[c] for c in parent.children]
        owned = [c for c in children if c.parent_id == parent.order_id]
        assert 0 <= parent.cum_quantity <= parent.quantity
        assert (parent.status is OrdStatus.FILLED) == (parent.cum_quantity == parent.quantity)
        if parent.status.is_terminal:
            assert not any(c.live for c in owned)
        if parent.status is OrdStatus.REPLACED:
            successor = book.parents[parent.replaced_by]
            assert successor.replaces == parent.order_id and not successor.standby
            assert not parent.replace_id
        if parent.standby:
            assert book.parents[parent.replaces].replace_id == parent.order_id
            assert book.parents[parent.replaces].status is OrdStatus.PENDING_REPLACE or (
                book.parents[parent.replaces].status is OrdStatus.PENDING_CANCEL
            )
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


def _fill_some(desk: Desk, child_id: str, wanted: int, room: int) -> None:
    child = desk.oms.book.children[child_id]
    quantity = min(wanted, child.quantity - child.filled, room)
    if child.live and quantity > 0:
        desk.fill(child_id, quantity)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(2, 200),
    st.integers(0, 100),
    st.integers(1, 200),
    st.lists(st.integers(1, 80), max_size=4),
    st.sampled_from(["agrees", "refuses", "cancel"]),
    st.lists(st.integers(1, 80), max_size=4),
)
def test_fills_around_a_replace_are_booked_exactly_once(
    quantity: int,
    before: int,
    more: int,
    in_flight: list[int],
    venue: str,
    after: list[int],
) -> None:
    """Fills before the replace, between the request and the venue's answer, and after it
    each land on exactly one order (the old one until the replace takes effect, the new one
    from then), and the new order is for exactly what the old one left."""
    desk = Desk()
    desk.place(order("o1", quantity=quantity))
    desk.accept("o1.1")
    _fill_some(desk, "o1.1", min(before, quantity - 1), quantity)
    old = desk.oms.book.parents["o1"]
    total = old.cum_quantity + more
    terms = Terms(total, old.limit_price, None, None, None)
    desk._record(desk.oms.replace(old, terms, desk.tick(), desk.oms.successor(old, terms, "o2")))
    for size in in_flight:  # the venue fills the old terms before it sees the replace
        _fill_some(desk, "o1.1", size, min(total, old.quantity) - old.cum_quantity)
        check(desk)
    if venue == "agrees":
        desk.replaced("o1.1")
    elif venue == "refuses":
        desk.reject("o1.1")
    else:
        if not old.status.is_terminal:
            desk._record(desk.oms.cancel(old, desk.tick()))  # as the kill switch does
        desk.replaced("o1.1")
        if desk.oms.book.children["o1.1"].state is ChildState.CANCEL_SENT:
            desk.cancelled("o1.1")
    check(desk)
    new = desk.oms.book.parents["o2"]
    child = desk.oms.book.children["o1.1"]
    for size in after:
        owner = desk.oms.book.parents[child.parent_id]
        _fill_some(desk, "o1.1", size, owner.quantity - owner.cum_quantity)
        check(desk)
    assert child.filled == old.cum_quantity + new.cum_quantity
    if old.status is OrdStatus.REPLACED:
        assert (new.quantity, old.replaced_by, new.replaces) == (
            total - old.cum_quantity,
            "o2",
            "o1",
        )
        assert child.parent_id == "o2" and child.open_quantity == new.leaves_quantity
    else:
        assert new.status in (OrdStatus.REJECTED, OrdStatus.CANCELED) and new.cum_quantity == 0
    assert len(set(desk.events)) == len(desk.events)
    for order_id, history in histories(desk.events).items():
        assert history[-1] is desk.status(order_id)

"""Whatever customers do (orders at any price, directed or smart, cancels, replaces), the order
tickets are complete and agree with the journal and the blotter: one ticket per order the core
received or refused, every execution on exactly its order's ticket, each ticket's executions
summing to its filled quantity, and the blotter holding the same executions."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from directbroker.backoffice import order_tickets, trade_blotter
from directbroker.backoffice.books import FirmBooks
from directbroker.domain.broker_messages import (
    CancelCustomerOrder,
    CustomerOrderRejected,
    OrderReceived,
    ParentFilled,
    PlaceOrder,
    ReplaceCustomerOrder,
)
from directbroker.domain.orders import OrderType, Side
from directbroker.domain.routing import SMART
from directbroker.testing.broker_harness import BrokerHarness, dollars, smart_routing

DATE = 20260601
place = st.tuples(
    st.just("place"),
    st.sampled_from((Side.BUY, Side.SELL)),
    st.integers(1, 4).map(lambda n: n * 50),
    st.integers(-3, 3),
    st.sampled_from((SMART, "NSDQ", "ARCA")),
)
change = st.tuples(st.sampled_from(("cancel", "replace")), st.integers(0, 20), st.integers(-3, 3))
actions = st.lists(st.one_of(place, change), min_size=1, max_size=14)


def _run(steps: list[tuple[object, ...]]) -> BrokerHarness:
    h = BrokerHarness(router=smart_routing())
    h.quote("AAPL", "199.99", "200.01", size=200, venue="NSDQ")
    h.quote("AAPL", "199.98", "200.02", size=200, venue="ARCA")
    h.open_account("A1", "1000000.00")
    h.send(PlaceOrder("seed", "seed", "A1", "AAPL", Side.BUY, OrderType.MARKET, 300))
    placed: list[str] = []
    for n, step in enumerate(steps):
        if step[0] == "place":
            _, side, quantity, ticks, route = step
            assert isinstance(side, Side) and isinstance(quantity, int)
            assert isinstance(ticks, int) and isinstance(route, str)
            price = dollars("200.00") + ticks * 100
            order = f"o{n}"
            placed.append(order)
            h.send(PlaceOrder(order, order, "A1", "AAPL", side, OrderType.LIMIT, quantity,
                              price, route=route, entered_by="key:K"))  # fmt: skip
        elif placed:
            kind, pick, ticks = step
            assert isinstance(pick, int) and isinstance(ticks, int)
            target = placed[pick % len(placed)]
            if kind == "cancel":
                h.send(CancelCustomerOrder(target, "A1", actor="key:K"))
            else:
                new = f"r{n}"
                h.send(ReplaceCustomerOrder(target, "A1", 400, dollars("200.00") + ticks * 100,
                                            new_order_id=new, actor="staff:S"))  # fmt: skip
                placed.append(new)
    return h


@settings(max_examples=40, deadline=None)
@given(actions)
def test_tickets_are_complete_and_agree_with_the_journal_and_the_blotter(
    steps: list[tuple[object, ...]],
) -> None:
    h = _run(steps)
    core = h.new_core()
    entries = [(m, core.handle(m, ts), ts) for m, ts in h.inputs]
    tickets = order_tickets.fold(entries).tickets
    received = {e.order_id for e in h.of_type(OrderReceived)}
    refused_new = {
        e.order_id for e in h.of_type(CustomerOrderRejected) if e.command == "PlaceOrder"
    }
    assert set(tickets) == received | refused_new
    fills = h.of_type(ParentFilled)
    on_tickets = [(t.order_id, x.execution_id) for t in tickets.values() for x in t.executions]
    assert sorted(on_tickets) == sorted((f.order_id, f.execution_id) for f in fills)
    for ticket in tickets.values():
        assert sum(x.quantity for x in ticket.executions) == ticket.cum_quantity
        assert ticket.history and ticket.history[-1].status is ticket.status
        assert ticket.entered_by in ("key:K", "staff:S", "")
    books = FirmBooks()
    for message, events, ts in entries:
        books.take(message, events, ts)
    blotter = trade_blotter.blotter(books, DATE)
    assert sorted(line.execution_id for line in blotter) == sorted(x for _, x in on_tickets)

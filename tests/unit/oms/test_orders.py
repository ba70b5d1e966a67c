"""A customer order's life through its children: acknowledgements, fills, cancel and replace
with pending states, venue rejects, and the router's part."""

from __future__ import annotations

from directbroker.domain.broker_messages import (
    ChildCancelSent,
    ChildOrderSent,
    ChildReplaceSent,
    OrderReceived,
    OrderReplacedBy,
    OrderRestated,
    OrderStatusChanged,
    ParentFilled,
    VenueReportIgnored,
)
from directbroker.domain.messages import Event
from directbroker.domain.order_status import OrdStatus
from directbroker.domain.orders import Liquidity, OrderType, Side
from directbroker.domain.rejects import RejectCode
from directbroker.domain.venue_messages import OrderFilled
from directbroker.engines.oms import OmsBook, Terms
from tests.unit.oms.oms_helpers import USD, Desk, order, statuses

N, PF, F = OrdStatus.NEW, OrdStatus.PARTIALLY_FILLED, OrdStatus.FILLED
PC, PR, CXL = OrdStatus.PENDING_CANCEL, OrdStatus.PENDING_REPLACE, OrdStatus.CANCELED
PN = OrdStatus.PENDING_NEW


def test_a_limit_order_is_acknowledged_filled_in_parts_and_averaged() -> None:
    desk = Desk()
    events = desk.place(order())
    assert statuses(events) == []  # creation is OrderReceived (pending new)
    assert [type(e) for e in events[1:]] == [ChildOrderSent]
    assert desk.status("o1") is OrdStatus.PENDING_NEW
    assert statuses(desk.accept("o1.1")) == [("o1", N)]
    assert statuses(desk.fill("o1.1", 30, 100 * USD)) == [("o1", PF)]
    fill = desk.fill("o1.1", 70, 101 * USD)[0]
    assert isinstance(fill, ParentFilled)
    assert (fill.status, fill.cum_quantity, fill.leaves_quantity) == (F, 100, 0)
    # (30 x $100 + 70 x $101) / 100 = $100.70
    assert fill.avg_price == 1_007_000
    assert desk.router.ended == [("o1", "V1", 100, 0, None)]


def test_the_parent_sums_its_children() -> None:
    desk = Desk(split=2)
    desk.place(order(quantity=101))
    assert desk.children("o1") == ["o1.1", "o1.2"]
    desk.accept("o1.1")
    desk.accept("o1.2")
    desk.fill("o1.2", 50, 1_000_100)
    fill = desk.fill("o1.1", 51, 1_000_000)[0]
    assert isinstance(fill, ParentFilled)
    # (50 x 100.01 + 51 x 100.00) / 101 = 100.00495... -> $100.0050
    assert (fill.cum_quantity, fill.avg_price, fill.status) == (101, 1_000_050, F)


def test_cancel_waits_for_the_venue() -> None:
    desk = Desk()
    desk.place(order())
    desk.accept("o1.1")
    events = desk.cancel("o1")
    assert statuses(events) == [("o1", PC)]
    assert isinstance(events[-1], ChildCancelSent)
    assert statuses(desk.cancelled("o1.1")) == [("o1", CXL)]


def test_an_order_that_fills_while_its_cancel_is_in_flight_ends_filled() -> None:
    desk = Desk()
    desk.place(order())
    desk.accept("o1.1")
    desk.fill("o1.1", 40)
    desk.cancel("o1")
    assert statuses(desk.fill("o1.1", 30)) == [("o1", PC)]
    assert statuses(desk.fill("o1.1", 30)) == [("o1", F)]
    late = desk.reject("o1.1", RejectCode.REPLACE_TOO_LATE)
    assert [type(e) for e in late] == [VenueReportIgnored]
    assert desk.status("o1") is F


def test_a_cancel_before_the_acknowledgement_is_sent_after_it() -> None:
    desk = Desk()
    desk.place(order())
    events = desk.cancel("o1")
    assert statuses(events) == [("o1", PC)]
    assert not [e for e in events if isinstance(e, ChildCancelSent)]
    assert [type(e) for e in desk.accept("o1.1")] == [ChildCancelSent]
    assert statuses(desk.cancelled("o1.1")) == [("o1", CXL)]


def test_a_refused_cancel_puts_the_order_back_to_work() -> None:
    desk = Desk()
    desk.place(order())
    desk.accept("o1.1")
    desk.fill("o1.1", 10)
    desk.cancel("o1")
    back = desk.reject("o1.1", RejectCode.SYMBOL_HALTED)
    assert statuses(back) == [("o1", PF)]
    assert isinstance(back[0], OrderStatusChanged) and back[0].code is RejectCode.SYMBOL_HALTED


def test_a_venue_reject_rejects_the_order() -> None:
    desk = Desk()
    desk.place(order())
    events = desk.reject("o1.1", RejectCode.SYMBOL_HALTED)
    assert statuses(events) == [("o1", OrdStatus.REJECTED)]
    assert isinstance(events[0], OrderStatusChanged)
    assert events[0].code is RejectCode.SYMBOL_HALTED
    assert desk.router.ended == [("o1", "V1", 0, 100, RejectCode.SYMBOL_HALTED)]


def test_a_venue_cancel_of_the_remainder_cancels_the_order() -> None:
    desk = Desk()
    desk.place(order())
    desk.accept("o1.1")
    desk.fill("o1.1", 60)
    assert statuses(desk.cancelled("o1.1")) == [("o1", CXL)]
    assert desk.parent("o1").cum_quantity == 60


def _replace(desk: Desk, order_id: str, terms: Terms, new_id: str) -> list[Event]:
    parent = desk.parent(order_id)
    return desk.oms.replace(parent, terms, desk.tick(), desk.oms.successor(parent, terms, new_id))


def test_replace_of_one_child_goes_through_the_venue() -> None:
    desk = Desk()
    desk.place(order())
    desk.accept("o1.1")
    desk.fill("o1.1", 20)
    events = _replace(desk, "o1", Terms(60, 99 * USD, None, None, None), "o2")
    assert statuses(events) == [("o1", PR)]
    new = [e for e in events if isinstance(e, OrderReceived)]
    assert [(e.order_id, e.status, e.quantity) for e in new] == [("o2", PN, 40)]
    request = events[-1]
    assert isinstance(request, ChildReplaceSent)
    # new total 60, 20 filled: the child keeps its 20 and may do 40 more
    assert (request.quantity, request.limit_price) == (60, 99 * USD)
    done = desk.replaced("o1.1")
    assert statuses(done) == [("o1", OrdStatus.REPLACED), ("o2", N)]
    assert any(isinstance(e, OrderReplacedBy) and e.new_order_id == "o2" for e in done)
    old, new_order = desk.parent("o1"), desk.parent("o2")
    assert (old.quantity, old.cum_quantity, old.replaced_by) == (100, 20, "o2")
    assert (new_order.quantity, new_order.limit_price, new_order.replaces) == (40, 99 * USD, "o1")
    assert statuses(desk.fill("o1.1", 40)) == [("o2", F)]  # the child now works for o2
    assert (old.cum_quantity, new_order.cum_quantity) == (20, 40)


def test_a_refused_replace_keeps_the_old_terms_and_rejects_the_new_order() -> None:
    desk = Desk()
    desk.place(order())
    desk.accept("o1.1")
    _replace(desk, "o1", Terms(50, 99 * USD, None, None, None), "o2")
    back = desk.reject("o1.1", RejectCode.SYMBOL_HALTED)
    assert statuses(back) == [("o1", N), ("o2", OrdStatus.REJECTED)]
    parent = desk.parent("o1")
    assert (parent.quantity, parent.limit_price, parent.replace_id) == (100, 100 * USD, "")


def test_fills_in_flight_count_once_and_shrink_the_new_order() -> None:
    desk = Desk()
    desk.place(order())
    desk.accept("o1.1")
    _replace(desk, "o1", Terms(50, None, None, None, None), "o2")
    desk.fill("o1.1", 30)  # the venue filled 30 before it saw the replace
    assert desk.parent("o1").status is PR
    done = desk.replaced("o1.1")
    assert statuses(done) == [("o1", OrdStatus.REPLACED), ("o2", N)]
    assert [e.quantity for e in done if isinstance(e, OrderRestated)] == [20]
    assert (desk.parent("o1").cum_quantity, desk.parent("o2").quantity) == (30, 20)


def test_fills_in_flight_can_complete_the_order_and_the_new_one_is_cancelled() -> None:
    desk = Desk()
    desk.place(order())
    desk.accept("o1.1")
    _replace(desk, "o1", Terms(50, None, None, None, None), "o2")
    desk.fill("o1.1", 50)
    assert statuses(desk.replaced("o1.1")) == [("o1", F), ("o2", CXL)]
    assert (desk.parent("o1").quantity, desk.parent("o1").cum_quantity) == (50, 50)


def test_replace_of_a_split_order_cancels_and_routes_the_new_order() -> None:
    desk = Desk(split=2)
    desk.place(order(quantity=100))
    desk.accept("o1.1")
    desk.accept("o1.2")
    desk.fill("o1.2", 10)
    events = _replace(desk, "o1", Terms(80, 101 * USD, None, None, None), "o2")
    assert statuses(events) == [("o1", PR)]
    assert sum(isinstance(e, ChildCancelSent) for e in events) == 2
    desk.cancelled("o1.1")
    done = desk.cancelled("o1.2")
    assert statuses(done) == [("o1", OrdStatus.REPLACED)]
    resent = [e for e in done if isinstance(e, ChildOrderSent)]
    assert all(e.parent_id == "o2" for e in resent)
    assert sum(e.quantity for e in resent) == 70
    assert all(e.limit_price == 101 * USD for e in resent)


def test_the_new_order_cannot_be_changed_until_the_replace_is_done() -> None:
    desk = Desk()
    desk.place(order())
    desk.accept("o1.1")
    _replace(desk, "o1", Terms(50, None, None, None, None), "o2")
    found = desk.oms.find("o2", desk.parent("o1").account)
    assert isinstance(found, tuple) and found[0] is RejectCode.CHANGE_PENDING


def test_cancelling_the_old_order_during_the_replace_cancels_the_new_one() -> None:
    desk = Desk()
    desk.place(order())
    desk.accept("o1.1")
    _replace(desk, "o1", Terms(50, None, None, None, None), "o2")
    desk.oms.cancel(desk.parent("o1"), desk.tick())
    desk.replaced("o1.1")
    assert statuses(desk.cancelled("o1.1")) == [("o1", CXL), ("o2", CXL)]


def test_a_report_for_no_child_of_ours_is_ignored() -> None:
    desk = Desk()
    desk.place(order())
    foreign = OrderFilled(
        "V1", "zz.1", "OTHER", "AAPL", Side.BUY, 1, USD, 1, 0, 1, Liquidity.MAKER, 0, 0
    )
    assert [type(e) for e in desk.oms.on_report(foreign, desk.tick())] == [VenueReportIgnored]
    wrong_venue = OrderFilled(
        "V9", "o1.1", "DBRK", "AAPL", Side.BUY, 1, USD, 1, 99, 1, Liquidity.MAKER, 0, 0
    )
    assert [type(e) for e in desk.oms.on_report(wrong_venue, desk.tick())] == [VenueReportIgnored]
    assert desk.parent("o1").cum_quantity == 0


def test_the_book_round_trips_through_its_plain_form() -> None:
    desk = Desk(split=2)
    desk.place(order())
    desk.accept("o1.1")
    desk.fill("o1.1", 10)
    desk.place(order("o2", order_type=OrderType.STOP, limit_price=None, stop_price=110 * USD))
    plain = desk.oms.book.to_plain()
    assert OmsBook.from_plain(plain).to_plain() == plain

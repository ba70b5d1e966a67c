"""What the OMS tells its router, so routing statistics see exactly what happened: every child
it sends (under its own id), every venue report it applies (before acting on it), and whether
it still wants a finished child's shares."""

from __future__ import annotations

import pytest

from directbroker.domain.rejects import RejectCode
from directbroker.domain.venue_messages import OrderAccepted, OrderFilled, OrderRejected
from directbroker.engines.oms import BrokenInvariant, Terms
from tests.unit.oms.oms_helpers import USD, Desk, order


def test_every_child_sent_is_announced_with_its_oms_id_and_terms() -> None:
    desk = Desk(split=2)
    desk.place(order(quantity=100))
    assert [(p, c, i.venue, i.quantity) for p, c, i in desk.router.sent] == [
        ("o1", "o1.1", "V1", 50),
        ("o1", "o1.2", "V2", 50),
    ]


def test_applied_reports_reach_the_router_and_ignored_ones_do_not() -> None:
    desk = Desk()
    desk.place(order(quantity=100))
    desk.accept("o1.1")
    desk.accept("o1.1")  # a duplicate: the OMS ignores it, so the router never sees it
    desk.fill("o1.1", 40)
    desk.fill("o1.1", 60)
    desk.reject("o1.1")  # late, after the child is done
    assert [type(r) for r in desk.router.reports] == [OrderAccepted, OrderFilled, OrderFilled]


def test_the_fill_reaches_the_router_before_the_child_ends() -> None:
    desk = Desk()
    desk.place(order(quantity=100))
    desk.accept("o1.1")
    desk.fill("o1.1", 100)
    assert desk.router.reports_at_end == [2]


def test_a_cancel_reject_and_a_venue_reject_are_passed_on() -> None:
    desk = Desk()
    desk.place(order(quantity=100))
    desk.reject("o1.1", RejectCode.SYMBOL_HALTED)
    assert [type(r) for r in desk.router.reports] == [OrderRejected]
    assert desk.router.ended == [("o1", "V1", 0, 100, RejectCode.SYMBOL_HALTED)]
    assert desk.router.unwanted == []


def test_shares_the_parent_no_longer_wants_are_marked_unwanted() -> None:
    desk = Desk(split=2)
    desk.place(order(quantity=100))
    desk.accept("o1.1")
    desk.accept("o1.2")
    desk.cancel("o1")
    desk.cancelled("o1.1")
    desk.cancelled("o1.2")
    assert desk.router.unwanted == ["o1.1", "o1.2"]


def test_a_replace_in_progress_does_not_want_a_reroute() -> None:
    desk = Desk(split=2)
    desk.place(order(quantity=100))
    desk.accept("o1.1")
    desk.accept("o1.2")
    desk.oms.replace(desk.parent("o1"), Terms(80, 101 * USD, None, None, None), desk.tick())
    desk.cancelled("o1.1")
    assert desk.router.unwanted == ["o1.1"]


def test_a_router_that_reroutes_unwanted_shares_breaks_an_invariant() -> None:
    desk = Desk()
    desk.place(order(quantity=100))
    desk.accept("o1.1")
    desk.cancel("o1")
    instruction = desk.router.sent[0][2]
    desk.router.child_ended = lambda *_: [instruction]  # type: ignore[method-assign]
    with pytest.raises(BrokenInvariant):
        desk.cancelled("o1.1")

"""Re-routing: rejected children, venues that go down or stop answering, and the rule that
shares routed never exceed the order (filled + working + unfilled == quantity)."""

from __future__ import annotations

from directbroker.domain.orders import OrderType, Side
from directbroker.domain.routing import ChildPurpose
from directbroker.domain.routing_messages import (
    ChildCancelRequested,
    ChildInDoubt,
    ChildRouted,
    MarkVenueDown,
    RouteCompleted,
    VenueMarkedDown,
)
from directbroker.domain.venue_messages import HaltTrading, SubmitOrder
from directbroker.engines.router import RouterConfig, RouterEngine
from tests.unit.router.router_helpers import SYMBOL, Market, of_type, request, usd


def assert_accounted(router: RouterEngine, parent_id: str) -> None:
    view = router.parent(parent_id)
    assert view is not None
    assert view.filled + view.working + view.unfilled == view.quantity
    assert sum(c.filled for c in view.children) <= view.quantity


def test_a_rejected_child_is_rerouted_whole_to_the_other_venues() -> None:
    m = Market()
    m.rest("ARCA", Side.SELL, 100, "10.00")
    m.rest("BATS", Side.SELL, 200, "10.00")
    # IEX halts without market data having told the router yet: its child will be refused.
    m.rest("IEX", Side.SELL, 100, "10.00")
    m.venues["IEX"].handle(HaltTrading(SYMBOL), m.ts())
    events = m.route(request(Side.BUY, 300, "10.00"))
    routed = [(c.venue, c.quantity, c.purpose) for c in of_type(events, ChildRouted)]
    assert routed[:2] == [("IEX", 100, ChildPurpose.SWEEP), ("BATS", 200, ChildPurpose.SWEEP)]
    # IEX's 100 come back rejected and go to ARCA, the only displayed size left.
    assert routed[2] == ("ARCA", 100, ChildPurpose.REROUTE)
    view = m.router.parent("P1")
    assert view is not None
    assert [c.status for c in view.children] == ["rejected", "filled", "filled"]
    assert view.filled == 300
    assert_accounted(m.router, "P1")


def test_a_venue_that_goes_down_mid_order_has_its_remainder_rerouted_after_the_cancel() -> None:
    m = Market()
    m.rest("ARCA", Side.SELL, 100, "10.00")
    events = m.route(request(Side.BUY, 500, "10.00"))
    assert [(c.venue, c.purpose) for c in of_type(events, ChildRouted)] == [
        ("ARCA", ChildPurpose.SWEEP),
        ("BATS", ChildPurpose.POST),
    ]
    m.rest("IEX", Side.SELL, 150, "10.01")
    down = m.play(m.router.handle(MarkVenueDown("BATS", "session lost"), m.ts()))
    assert isinstance(down[0], VenueMarkedDown)
    (cancel,) = of_type(down, ChildCancelRequested)
    assert (cancel.venue, cancel.reason) == ("BATS", "venue down")
    # The cancel was confirmed, so exactly the 400 that were working move on: none to BATS.
    rerouted = [(c.venue, c.quantity, c.limit_price) for c in of_type(down, ChildRouted)]
    assert rerouted == [("ARCA", 400, usd("10.00"))]
    assert all(c.purpose is ChildPurpose.REROUTE for c in of_type(down, ChildRouted))
    assert_accounted(m.router, "P1")


def test_a_venue_that_stops_answering_is_marked_down_and_nothing_is_rerouted_unconfirmed() -> None:
    m = Market()
    m.rest("BATS", Side.SELL, 100, "10.00")
    m.rest("ARCA", Side.SELL, 100, "10.01")
    m.silent.add("BATS")
    first = m.route(request(Side.BUY, 200, "10.01"))
    assert [c.venue for c in of_type(first, ChildRouted)] == ["BATS", "ARCA"]
    assert m.tick(500_000_000) == []  # within the one-second timeout
    late = m.tick(600_000_000)
    assert [type(e).__name__ for e in late] == ["VenueMarkedDown", "ChildCancelRequested"]
    assert "no answer" in of_type(late, VenueMarkedDown)[0].reason
    doubt = m.tick(2_000_000_000)
    assert [(d.open_quantity, d.rerouted) for d in of_type(doubt, ChildInDoubt)] == [(100, False)]
    assert of_type(doubt, ChildRouted) == []  # the held child might still fill: no overfill risk
    view = m.router.parent("P1")
    assert view is not None and view.working == 100 and view.children[0].status == "in_doubt"
    # BATS wakes up: the held order executes, the cancel finds nothing, the parent completes.
    after = m.answer_again("BATS")
    assert [(d.filled_quantity, d.unfilled_quantity) for d in of_type(after, RouteCompleted)] == [
        (200, 0)
    ]
    assert_accounted(m.router, "P1")


def test_policy_may_accept_overfill_risk_and_reroute_a_child_in_doubt() -> None:
    m = Market(policy=RouterConfig(reroute_in_doubt=True))
    m.rest("BATS", Side.SELL, 100, "10.00")
    m.rest("ARCA", Side.SELL, 100, "10.01")
    m.silent.add("BATS")
    m.route(request(Side.BUY, 100, "10.01"))
    m.tick(1_100_000_000)
    m.rest("ARCA", Side.SELL, 100, "10.01")
    doubt = m.tick(2_000_000_000)
    assert [d.rerouted for d in of_type(doubt, ChildInDoubt)] == [True]
    assert [(c.venue, c.quantity) for c in of_type(doubt, ChildRouted)] == [("ARCA", 100)]


def test_a_sweep_that_comes_back_short_is_replanned_at_most_max_reroutes_times() -> None:
    m = Market(policy=RouterConfig(max_reroutes=1))
    m.rest("ARCA", Side.SELL, 100, "10.00")
    m.rest("BATS", Side.SELL, 100, "10.00")
    # Someone else takes BATS's offer without the router hearing of it before it routes.
    m.router.handle(MarkVenueDown("IEX"), m.ts())
    taker = SubmitOrder("X1", "other", SYMBOL, Side.BUY, OrderType.LIMIT, 100, usd("10.00"))
    assert m.venues["BATS"].handle(taker, m.ts())
    events = m.route(request(Side.BUY, 200, "10.00", parent_id="P1"))
    routed = of_type(events, ChildRouted)
    assert [(c.venue, c.quantity) for c in routed][:2] == [("BATS", 100), ("ARCA", 100)]
    # BATS's shortfall was re-planned once: with no displayed size left it posts.
    assert routed[-1].purpose is ChildPurpose.POST and routed[-1].quantity == 100
    assert_accounted(m.router, "P1")


def test_stop_routing_cancels_working_children_and_completes_the_parent() -> None:
    m = Market()
    m.route(request(Side.BUY, 300, "9.50"))
    stopped = m.play(m.router.stop("P1", m.ts()))
    assert [type(e).__name__ for e in stopped] == ["ChildCancelRequested", "RouteCompleted"]
    (done,) = of_type(stopped, RouteCompleted)
    assert (done.filled_quantity, done.unfilled_quantity) == (0, 300)
    assert_accounted(m.router, "P1")

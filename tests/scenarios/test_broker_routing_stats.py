"""The smart router composed in the broker core measures what really happened: per-venue and
per-route execution quality from the venues' own reports (worked against their fee
schedules), each customer order's routing view under the OMS's child ids, the Rule 606 report,
and all of it surviving snapshot/restore and replay."""

from __future__ import annotations

from fractions import Fraction

from directbroker.domain.broker_messages import CancelCustomerOrder, ChildOrderSent, PlaceOrder
from directbroker.domain.order_status import OrdStatus
from directbroker.domain.orders import OrderType, Side, TimeInForce
from directbroker.domain.routing import SMART, ChildPurpose
from directbroker.domain.venue_config import FeeSchedule
from directbroker.engines.router import OrderCategory, VenueRow, quarter_bounds_ns, render_csv
from directbroker.testing.broker_harness import BrokerHarness, dollars, smart_routing

NSDQ_FEES = FeeSchedule(maker=-2_000, taker=3_000)
"""$0.0030 a share to take, $0.0020 rebate to make (micro-dollars per share)."""
ARCA_FEES = FeeSchedule(maker=-2_500, taker=2_800)


def order(
    order_id: str,
    side: Side,
    quantity: int,
    limit: str | None = None,
    *,
    route: str = SMART,
    tif: TimeInForce = TimeInForce.DAY,
) -> PlaceOrder:
    kind = OrderType.MARKET if limit is None else OrderType.LIMIT
    price = None if limit is None else dollars(limit)
    return PlaceOrder(
        order_id, "c-" + order_id, "A1", "AAPL", side, kind, quantity, price,
        time_in_force=tif, route=route,
    )  # fmt: skip


def market(auto_flush: bool = True) -> BrokerHarness:
    """NSDQ 199.99 x 200.01 (200 each side), ARCA 199.98 x 200.02 (1,000 each side)."""
    h = BrokerHarness(
        router=smart_routing(),
        venue_fees={"NSDQ": NSDQ_FEES, "ARCA": ARCA_FEES},
        auto_flush=auto_flush,
    )
    h.open_account("A1", "200000.00")
    h.quote("AAPL", "199.99", "200.01", size=200, venue="NSDQ")
    h.quote("AAPL", "199.98", "200.02", size=1_000, venue="ARCA")
    return h


def trading_day() -> BrokerHarness:
    """Four customer orders, one of each kind the 606 report separates, and a directed one.

    1. ``sweep``: market buy 300 at arrival NBBO 199.99 x 200.01: 200 at NSDQ 200.01, 100 at
       ARCA 200.02 (paid one cent through the arrival offer).
    2. ``post``: limit buy 100 at 200.00 (NBBO now 199.99 x 200.02): rests at ARCA, the best
       rebate, and is filled by a seller there: two cents better than the arrival offer.
    3. ``sell``: marketable limit sell 50 at 199.99: NSDQ's bid.
    4. ``dir``: buy 10 at 200.01 IOC directed to NSDQ, whose offer is gone: nothing fills.
    """
    h = market()
    h.send(order("sweep", Side.BUY, 300))
    h.send(order("post", Side.BUY, 100, "200.00"))
    h.resting("ARCA", "AAPL", Side.SELL, "200.00", 100, "MM2")
    h.send(order("sell", Side.SELL, 50, "199.99"))
    h.send(order("dir", Side.BUY, 10, "200.01", route="NSDQ", tif=TimeInForce.IOC))
    for order_id, status in (("sweep", "filled"), ("post", "filled"), ("sell", "filled")):
        parent = h.broker.order(order_id)
        assert parent is not None and parent.status.value == status
    return h


def test_per_venue_statistics_come_from_the_venues_reports() -> None:
    h = trading_day()
    stats = h.smart_router().venue_statistics()
    nsdq, arca = stats["NSDQ"], stats["ARCA"]
    # NSDQ: sweep 200 + sell 50 + directed 10 routed; the directed IOC found nothing.
    assert (nsdq.orders, nsdq.shares_routed, nsdq.shares_filled) == (3, 260, 250)
    assert nsdq.fill_rate == Fraction(25, 26)
    # Taker fees 250 x $0.0030 = $0.75 paid.
    assert nsdq.fees == 750_000 and nsdq.net_payment == -750_000
    # ARCA: sweep 100 taken ($0.28 paid) + post 100 made ($0.25 rebate): net $0.03 paid.
    assert (arca.orders, arca.shares_routed, arca.shares_filled) == (2, 200, 200)
    assert arca.fill_rate == 1 and arca.fees == 100 * 2_800 - 100 * 2_500 == 30_000


def test_price_improvement_and_spreads_are_against_the_arrival_nbbo() -> None:
    h = trading_day()
    router = h.smart_router()
    arca = router.venue_statistics()["ARCA"]
    # Sweep: 200.01 - 200.02 = -$0.01 (paid through) on 100; post: 200.02 - 200.00 = +$0.02 on
    # 100. Mean: +$0.005 a share (50 price units), half of the shares improved.
    assert arca.improvement_shares == -100 * 100 + 200 * 100
    assert arca.price_improvement == 50 and arca.improved_shares == 100
    # Effective spread |2p - (bid + ask)|: sweep 400 units on 100, post 100 units on 100.
    assert arca.effective_spread == Fraction(400 * 100 + 100 * 100, 200)
    nsdq = router.venue_statistics()["NSDQ"]
    assert nsdq.price_improvement == 0  # at the arrival offer, then at the arrival bid
    smart = router.route_statistics()["SMART"]
    assert (smart.orders, smart.shares_routed, smart.shares_filled) == (3, 450, 450)
    assert smart.fees == 750_000 + 30_000
    directed = router.route_statistics()["NSDQ"]
    assert (directed.orders, directed.shares_routed, directed.shares_filled) == (1, 10, 0)


def test_the_parent_routing_view_lists_its_children_fills_and_fees() -> None:
    h = trading_day()
    router = h.smart_router()
    sweep = router.parent("sweep")
    assert sweep is not None
    assert (sweep.category, sweep.arrival_bid, sweep.arrival_ask) == (
        "market",
        dollars("199.99"),
        dollars("200.01"),
    )
    assert [
        (c.child_id, c.venue, c.purpose, c.quantity, c.filled, c.average_price, c.fee, c.status)
        for c in sweep.children
    ] == [
        ("sweep.1", "NSDQ", ChildPurpose.SWEEP, 200, 200, dollars("200.01"), 600_000, "filled"),
        ("sweep.2", "ARCA", ChildPurpose.SWEEP, 100, 100, dollars("200.02"), 280_000, "filled"),
    ]
    assert (sweep.filled, sweep.working, sweep.unfilled, sweep.fee) == (300, 0, 0, 880_000)
    assert sweep.completed
    sent = {e.child_id: e.ts_ns for e in h.of_type(ChildOrderSent)}
    first = sweep.children[0]
    assert first.sent_ns == sent["sweep.1"]
    assert first.accepted_ns is not None and first.sent_ns < first.accepted_ns
    assert first.done_ns == first.fills[0].ts_ns
    post = router.parent("post")
    assert post is not None
    (rested,) = post.children
    assert (rested.venue, rested.purpose, rested.fee) == ("ARCA", ChildPurpose.POST, -250_000)
    assert rested.fills[0].liquidity == "maker"
    directed = router.parent("dir")
    assert directed is not None and directed.children[0].status == "cancelled"
    assert (directed.filled, directed.unfilled) == (0, 10)


def test_the_606_report_counts_orders_by_venue_and_type() -> None:
    h = trading_day()
    start, end = quarter_bounds_ns(2026, 2)
    report = h.smart_router().rule606_report(start, end, "2026Q2")
    assert dict(report.orders_by_category) == {
        OrderCategory.MARKET: 1,
        OrderCategory.MARKETABLE_LIMIT: 1,
        OrderCategory.NON_MARKETABLE_LIMIT: 1,
        OrderCategory.OTHER: 0,
    }
    assert report.directed_orders == 1
    one = Fraction(1)
    assert report.rows == (
        VenueRow(OrderCategory.MARKET, "ARCA", 1, one, 100, -280_000),
        VenueRow(OrderCategory.MARKET, "NSDQ", 1, one, 200, -600_000),
        VenueRow(OrderCategory.MARKETABLE_LIMIT, "NSDQ", 1, one, 50, -150_000),
        VenueRow(OrderCategory.NON_MARKETABLE_LIMIT, "ARCA", 1, one, 100, 250_000),
    )
    assert "2026Q2,non_marketable_limit,ARCA,1,100.00,100,0.25,0.2500" in render_csv(report)
    earlier = h.smart_router().rule606_report(*quarter_bounds_ns(2026, 1), "2026Q1")
    assert earlier.rows == () and earlier.directed_orders == 0


def test_statistics_survive_snapshot_restore_and_replay() -> None:
    h = trading_day()
    live = h.smart_router()
    restored = h.new_core()
    restored.restore(h.broker.snapshot())
    assert restored.state_hash() == h.broker.state_hash()
    replayed = h.replay()
    assert replayed.state_hash() == h.broker.state_hash()
    for core in (restored, replayed):
        router = h.smart_router(core)
        assert router.venue_statistics() == live.venue_statistics()
        assert router.route_statistics() == live.route_statistics()
        assert router.parent("sweep") == live.parent("sweep")
        bounds = quarter_bounds_ns(2026, 2)
        assert router.rule606_report(*bounds) == live.rule606_report(*bounds)


def test_a_reroute_the_oms_does_not_send_is_not_counted_as_working() -> None:
    # The sweep's NSDQ child is in flight when another buyer lifts NSDQ's offer and the
    # customer cancels: it comes back short, which the router would re-route, but the OMS
    # no longer wants the shares, so nothing is planned and nothing counts as working.
    h = market(auto_flush=False)
    h.send(order("px", Side.BUY, 300, "200.05"))
    h.resting("NSDQ", "AAPL", Side.BUY, "200.01", 200, "MM2")
    h.send(CancelCustomerOrder("px", "A1"))
    h.flush()
    parent = h.broker.order("px")
    assert parent is not None and parent.status is OrdStatus.CANCELED
    router = h.smart_router()
    view = router.parent("px")
    assert view is not None
    assert [(c.child_id, c.status) for c in view.children] == [
        ("px.1", "cancelled"),
        ("px.2", "filled"),
    ]
    assert (view.filled, view.working, view.unfilled, view.completed) == (100, 0, 200, True)
    stats = router.venue_statistics()
    assert {venue: s.orders for venue, s in stats.items()} == {"NSDQ": 1, "ARCA": 1}
    assert h.replay().state_hash() == h.broker.state_hash()


def test_a_reroute_the_oms_sends_is_mapped_to_its_child_id() -> None:
    # The same short sweep without the cancel: the router re-plans the 200 and the OMS sends
    # them as px.3, which the router then measures like any other child.
    h = market(auto_flush=False)
    h.send(order("px", Side.BUY, 300, "200.05"))
    h.resting("NSDQ", "AAPL", Side.BUY, "200.01", 200, "MM2")
    h.flush()
    parent = h.broker.order("px")
    assert parent is not None and parent.status is OrdStatus.FILLED
    view = h.smart_router().parent("px")
    assert view is not None
    assert [(c.child_id, c.venue, c.quantity, c.status) for c in view.children] == [
        ("px.1", "NSDQ", 200, "cancelled"),
        ("px.2", "ARCA", 100, "filled"),
        ("px.3", "ARCA", 200, "filled"),
    ]
    assert (view.filled, view.working, view.unfilled) == (300, 0, 0)
    arca = h.smart_router().venue_statistics()["ARCA"]
    assert (arca.orders, arca.shares_filled, arca.fees) == (2, 300, 300 * 2_800)

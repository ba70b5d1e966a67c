"""Smart routing of marketable orders: sweeps across venues, ties, odd lots, sweep and post."""

from __future__ import annotations

from collections.abc import Sequence

from directbroker.domain.orders import OrderType, PostOnly, Side, TimeInForce
from directbroker.domain.rejects import RejectCode
from directbroker.domain.routing import ChildPurpose
from directbroker.domain.routing_messages import ChildRouted, RouteCompleted, RouteRejected
from directbroker.engines.router import PostingPolicy, RouterConfig
from tests.unit.router.router_helpers import BROKER, THREE, Market, of_type, request, usd, venue


def terms(events: Sequence[object]) -> list[tuple[str, int, int | None, str]]:
    """(venue, quantity, limit, purpose) of each child routed, in order."""
    return [
        (c.venue, c.quantity, c.limit_price, c.purpose.value) for c in of_type(events, ChildRouted)
    ]


def test_sweep_across_three_venues_with_different_depths_and_fees() -> None:
    m = Market()
    m.rest("ARCA", Side.SELL, 300, "10.00")
    m.rest("ARCA", Side.SELL, 500, "10.03")
    m.rest("BATS", Side.SELL, 200, "10.01")
    m.rest("BATS", Side.SELL, 400, "10.02")
    m.rest("IEX", Side.SELL, 100, "10.01")
    events = m.route(request(Side.BUY, 900, "10.02"))
    assert terms(events) == [
        ("ARCA", 300, usd("10.00"), "sweep"),
        ("IEX", 100, usd("10.01"), "sweep"),  # IEX's taker fee (0.09c) beats BATS's at 10.01
        ("BATS", 500, usd("10.02"), "sweep"),  # BATS's 10.01 and 10.02 levels in one child
    ]
    assert all(c.time_in_force is TimeInForce.IOC for c in of_type(events, ChildRouted))
    fills = [(f.venue, f.price, f.quantity) for f in m.executions]
    assert fills == [
        ("ARCA", usd("10.00"), 300),
        ("IEX", usd("10.01"), 100),
        ("BATS", usd("10.01"), 200),
        ("BATS", usd("10.02"), 300),
    ]
    done = of_type(events, RouteCompleted)
    assert [(d.filled_quantity, d.unfilled_quantity) for d in done] == [(900, 0)]
    view = m.router.parent("P1")
    assert view is not None and view.filled == 900 and view.working == 0 and view.completed
    assert view.fee == 300 * 3_000 + 100 * 900 + 500 * 2_800


def test_price_ties_go_to_the_lowest_taker_fee_then_size_then_name() -> None:
    configs = (*THREE, venue("EDGX", taker=3_000))
    m = Market(configs)
    m.rest("ARCA", Side.SELL, 100, "10.00")
    m.rest("EDGX", Side.SELL, 200, "10.00")
    m.rest("BATS", Side.SELL, 100, "10.00")
    m.rest("IEX", Side.SELL, 100, "10.00")
    events = m.route(request(Side.BUY, 500, "10.00"))
    # IEX 900 < BATS 2800 < ARCA = EDGX 3000, and EDGX shows more than ARCA.
    assert [(c.venue, c.quantity) for c in of_type(events, ChildRouted)] == [
        ("IEX", 100),
        ("BATS", 100),
        ("EDGX", 200),
        ("ARCA", 100),
    ]


def test_same_fee_and_size_falls_back_to_venue_name() -> None:
    configs = (venue("ZZZ"), venue("AAA"))
    m = Market(configs)
    m.rest("ZZZ", Side.BUY, 100, "9.99")
    m.rest("AAA", Side.BUY, 100, "9.99")
    events = m.route(request(Side.SELL, 150, "9.99", tif=TimeInForce.IOC))
    assert [(c.venue, c.quantity) for c in of_type(events, ChildRouted)][:2] == [
        ("AAA", 100),
        ("ZZZ", 50),
    ]


def test_odd_lots_are_taken_as_displayed_and_the_odd_remainder_posts() -> None:
    m = Market()
    m.rest("ARCA", Side.SELL, 37, "10.00")
    m.rest("BATS", Side.SELL, 163, "10.00")
    m.rest("IEX", Side.SELL, 5, "10.01")
    events = m.route(request(Side.BUY, 213, "10.01"))
    assert terms(events) == [
        ("BATS", 163, usd("10.00"), "sweep"),
        ("ARCA", 37, usd("10.00"), "sweep"),
        ("IEX", 5, usd("10.01"), "sweep"),
        ("BATS", 8, usd("10.01"), "post"),  # best rebate; nothing left to lock at 10.01
    ]
    assert sum(f.quantity for f in m.executions) == 205
    view = m.router.parent("P1")
    assert view is not None and (view.filled, view.working) == (205, 8)


def test_partial_sweep_then_post_at_the_best_rebate_venue() -> None:
    m = Market()
    m.rest("ARCA", Side.BUY, 200, "10.00")
    m.rest("IEX", Side.BUY, 100, "9.99")
    m.rest("ARCA", Side.SELL, 100, "10.05")
    events = m.route(request(Side.SELL, 500, "9.99"))
    assert terms(events) == [
        ("ARCA", 200, usd("10.00"), "sweep"),
        ("IEX", 100, usd("9.99"), "sweep"),
        ("BATS", 200, usd("9.99"), "post"),
    ]
    bbo = m.venues["BATS"].best_bid_offer("XYZ")
    assert (bbo.ask_price, bbo.ask_size) == (usd("9.99"), 200)


def test_best_fill_rate_policy_posts_where_our_posts_filled() -> None:
    m = Market(policy=RouterConfig(posting=PostingPolicy.BEST_FILL_RATE))
    m.route(request(Side.BUY, 100, "9.90", route="IEX", parent_id="D1"))
    # Untried venues tie at 1/2; the tie goes to the best rebate (BATS).
    first = of_type(m.route(request(Side.BUY, 100, "9.91", parent_id="S1")), ChildRouted)
    assert [c.venue for c in first] == ["BATS"]
    m.play(m.router.stop("S1", m.ts()))  # BATS: posted 100, filled 0 -> 1/4
    second = of_type(m.route(request(Side.BUY, 100, "9.91", parent_id="S2")), ChildRouted)
    assert [c.venue for c in second] == ["ARCA"]  # ARCA untried (1/2), better rebate than IEX


def test_limit_that_would_trade_through_sweeps_the_better_prices_first() -> None:
    m = Market()
    m.rest("ARCA", Side.SELL, 100, "10.00")
    m.rest("ARCA", Side.SELL, 100, "10.02")
    m.rest("BATS", Side.SELL, 100, "10.01")
    events = m.route(request(Side.BUY, 300, "10.02"))
    assert terms(events) == [
        ("ARCA", 100, usd("10.00"), "sweep"),
        ("BATS", 100, usd("10.01"), "sweep"),
        ("ARCA", 100, usd("10.02"), "sweep"),
    ]
    for child, tops in m.snapshots_at_send:
        away = [ask for name, (_, ask) in tops.items() if name != child.venue and ask is not None]
        assert child.limit_price is not None and all(child.limit_price <= a for a in away)


def test_a_venue_the_account_may_not_use_still_caps_the_sweep_and_the_post() -> None:
    m = Market()
    m.rest("IEX", Side.SELL, 100, "10.01")  # protected, but not for this account
    m.rest("ARCA", Side.SELL, 100, "10.01")
    m.rest("ARCA", Side.SELL, 100, "10.02")
    events = m.route(request(Side.BUY, 300, "10.03", allowed_venues=("ARCA", "BATS")))
    assert terms(events) == [
        ("ARCA", 100, usd("10.01"), "sweep"),  # at IEX's price: not a trade-through
        ("BATS", 200, usd("10.00"), "post"),  # one tick inside IEX's offer: no lock
    ]


def test_market_order_sweeps_then_probes_the_cheapest_venue_for_the_rest() -> None:
    m = Market()
    m.rest("ARCA", Side.SELL, 100, "10.00")
    m.rest("BATS", Side.SELL, 100, "10.05")
    events = m.route(request(Side.BUY, 300, None))
    routed = of_type(events, ChildRouted)
    assert [(c.venue, c.quantity, c.order_type, c.purpose) for c in routed] == [
        ("ARCA", 100, OrderType.LIMIT, ChildPurpose.SWEEP),
        ("BATS", 100, OrderType.LIMIT, ChildPurpose.SWEEP),
        ("IEX", 100, OrderType.MARKET, ChildPurpose.PING),
    ]
    done = of_type(events, RouteCompleted)
    assert [(d.filled_quantity, d.unfilled_quantity) for d in done] == [(200, 100)]


def test_non_marketable_limit_posts_whole_with_its_attributes() -> None:
    m = Market()
    m.rest("ARCA", Side.SELL, 100, "10.05")
    events = m.route(request(Side.BUY, 1_000, "10.00", display_quantity=100))
    (child,) = of_type(events, ChildRouted)
    assert (child.venue, child.quantity, child.limit_price, child.purpose) == (
        "BATS",
        1_000,
        usd("10.00"),
        ChildPurpose.POST,
    )
    assert child.display_quantity == 100
    assert child.to_submit(BROKER).display_quantity == 100


def test_post_only_is_refused_or_repriced_when_marketable_and_never_sweeps() -> None:
    m = Market()
    m.rest("IEX", Side.SELL, 100, "10.00")
    rejected = m.route(request(Side.BUY, 100, "10.00", post_only=PostOnly.REJECT))
    assert [r.code for r in of_type(rejected, RouteRejected)] == [RejectCode.POST_ONLY_WOULD_TAKE]
    repriced = m.route(request(Side.BUY, 100, "10.02", post_only=PostOnly.REPRICE, parent_id="P2"))
    assert terms(repriced) == [("BATS", 100, usd("9.99"), "post")]
    assert m.executions == []


def test_fill_or_kill_goes_whole_to_one_venue_that_can_fill_it_or_is_refused() -> None:
    m = Market()
    m.rest("ARCA", Side.SELL, 60, "10.00")
    m.rest("BATS", Side.SELL, 60, "10.00")
    # 120 shown across two venues, but no single venue shows 100: all-or-nothing across
    # venues cannot be guaranteed, so nothing is sent.
    events = m.route(request(Side.BUY, 100, "10.00", tif=TimeInForce.FOK))
    assert [r.code for r in of_type(events, RouteRejected)] == [RejectCode.FOK_NO_SINGLE_VENUE]
    assert m.executions == []
    m.rest("IEX", Side.SELL, 100, "10.01")
    too_dear = m.route(request(Side.BUY, 100, "10.00", tif=TimeInForce.FOK, parent_id="P2"))
    assert [r.code for r in of_type(too_dear, RouteRejected)] == [RejectCode.FOK_NO_SINGLE_VENUE]
    m.rest("ARCA", Side.SELL, 40, "10.00")  # ARCA now shows 100 at $10.00
    whole = m.route(request(Side.BUY, 100, "10.00", tif=TimeInForce.FOK, parent_id="P3"))
    assert [(t[0], t[1]) for t in terms(whole)] == [("ARCA", 100)]


def test_plan_is_pure_and_matches_route() -> None:
    m = Market()
    m.rest("ARCA", Side.SELL, 100, "10.00")
    req = request(Side.BUY, 150, "10.00")
    before = m.router.state_hash()
    planned = m.router.plan(req)
    assert m.router.state_hash() == before
    assert isinstance(planned, list)
    routed = of_type(m.router.route(req, m.ts()), ChildRouted)
    assert [c.instruction for c in routed] == planned

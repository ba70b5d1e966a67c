"""Execution quality per venue and route, midpoint pings, and the Rule 606-style report."""

from __future__ import annotations

from fractions import Fraction

from directbroker.domain.marketdata_messages import QuoteUpdated
from directbroker.domain.orders import OrderType, Side
from directbroker.domain.routing import ChildPurpose
from directbroker.domain.routing_messages import ChildRouted
from directbroker.engines.router import (
    OrderCategory,
    RoutedOrder,
    RouterConfig,
    VenueShare,
    quarter_bounds_ns,
    render_csv,
    render_text,
    rule606_report,
)
from tests.unit.router.router_helpers import SYMBOL, Market, of_type, request, usd


def quoted_market(policy: RouterConfig | None = None) -> Market:
    m = Market(policy=policy)
    m.rest("ARCA", Side.BUY, 100, "10.00")
    m.rest("ARCA", Side.SELL, 100, "10.02")
    m.rest("BATS", Side.SELL, 100, "10.03")
    m.rest("IEX", Side.BUY, 100, "10.00")
    m.rest("IEX", Side.SELL, 100, "10.02")
    return m


def test_statistics_per_venue_and_route() -> None:
    m = quoted_market()
    m.route(request(Side.BUY, 200, "10.03"))  # IEX 100 @10.02, ARCA 100 @10.02
    m.route(request(Side.BUY, 100, "10.03", route="BATS", parent_id="D1"))
    venues = m.router.venue_statistics()
    iex = venues["IEX"]
    assert (iex.orders, iex.shares_routed, iex.shares_filled) == (1, 100, 100)
    assert iex.fill_rate == 1
    # Arrival NBBO 10.00 x 10.02, mid 10.01: effective spread 2 x 0.01 per share.
    assert iex.effective_spread == usd("0.02")
    assert iex.price_improvement == 0
    assert iex.net_payment == -100 * 900
    routes = m.router.route_statistics()
    assert (routes["SMART"].orders, routes["SMART"].shares_filled) == (1, 200)
    # The directed parent arrived after the smart one took 10.02: NBBO ask 10.03, filled there.
    assert (routes["BATS"].orders, routes["BATS"].shares_filled) == (1, 100)
    assert routes["SMART"].average_fill_ns > 0


def test_realized_spread_marks_out_at_the_midpoint_after_the_horizon() -> None:
    m = quoted_market(RouterConfig(markout_ns=1_000_000))
    m.route(request(Side.BUY, 100, "10.02"))  # IEX 100 @ 10.02
    t = m.ts()
    m.router.handle(QuoteUpdated(SYMBOL, usd("10.02"), 100, "IEX", usd("10.04"), 100, "IEX", t), t)
    m.tick(5_000_000)
    iex = m.router.venue_statistics()["IEX"]
    # Midpoint 1 ms later is 10.03: realized spread 2 x (10.02 - 10.03) = -0.02 per share.
    assert iex.realized_shares == 100
    assert iex.realized_spread == -usd("0.02")


def test_midpoint_ping_before_sweeping_finds_hidden_size_inside_the_spread() -> None:
    m = quoted_market(RouterConfig(ping_venues=("IEX",)))
    m.rest("IEX", Side.SELL, 60, "10.01", hidden=True)
    events = m.route(request(Side.BUY, 150, "10.02"))
    routed = of_type(events, ChildRouted)
    assert (routed[0].venue, routed[0].order_type, routed[0].purpose) == (
        "IEX",
        OrderType.PEG_MIDPOINT,
        ChildPurpose.PING,
    )
    assert routed[0].limit_price == usd("10.02")  # capped at the best protected offer
    first = m.executions[0]
    assert (first.venue, first.price, first.quantity) == ("IEX", usd("10.01"), 60)
    assert [(c.venue, c.quantity, c.purpose) for c in routed[1:]] == [
        ("IEX", 90, ChildPurpose.SWEEP)
    ]
    stats = m.router.venue_statistics()["IEX"]
    assert stats.improved_shares == 60
    assert stats.price_improvement == Fraction(60 * usd("0.01"), 150)


def test_rule_606_report_counts_non_directed_orders_by_type_and_venue() -> None:
    m = quoted_market()
    m.route(request(Side.BUY, 200, "10.02", parent_id="A"))  # marketable: IEX + ARCA
    m.route(request(Side.BUY, 100, "9.90", parent_id="B"))  # non-marketable: posts at BATS
    m.route(request(Side.SELL, 50, None, parent_id="C"))  # market: IEX bid
    m.route(request(Side.BUY, 100, "9.80", route="ARCA", parent_id="D"))  # directed
    history = m.router.routing_history()
    assert [o.category for o in history] == [
        OrderCategory.MARKETABLE_LIMIT,
        OrderCategory.NON_MARKETABLE_LIMIT,
        OrderCategory.MARKET,
        OrderCategory.NON_MARKETABLE_LIMIT,
    ]
    report = rule606_report(history, 0, 2**62, "TEST")
    assert report.directed_orders == 1
    rows = {(r.category, r.venue): r for r in report.rows}
    arca = rows[(OrderCategory.MARKETABLE_LIMIT, "ARCA")]
    assert (arca.orders, arca.share_of_orders, arca.shares) == (1, Fraction(1), 100)
    assert arca.net_payment == -100 * 3_000
    assert rows[(OrderCategory.MARKET, "IEX")].shares == 50
    text = render_text(report)
    assert "Marketable Limit: 1 orders" in text and "Directed orders (not covered): 1" in text
    csv = render_csv(report).splitlines()
    assert csv[0].startswith("period,category,venue")
    assert "TEST,marketable_limit,ARCA,1,100.00,100,-0.30,-0.3000" in csv


def test_606_periods_and_shares_of_orders() -> None:
    start, end = quarter_bounds_ns(2024, 1)
    assert start == 1_704_067_200 * 10**9 and end == 1_711_929_600 * 10**9
    history = [
        RoutedOrder("a", SYMBOL, start, OrderCategory.MARKET, False, (VenueShare("X", 100, 5),)),
        RoutedOrder("b", SYMBOL, start + 1, OrderCategory.MARKET, False, (VenueShare("Y", 1, 0),)),
        RoutedOrder("c", SYMBOL, start + 2, OrderCategory.MARKET, False, (VenueShare("Y", 2, 0),)),
        RoutedOrder("d", SYMBOL, end, OrderCategory.MARKET, False, (VenueShare("X", 1, 0),)),
    ]
    report = rule606_report(history, start, end, "2024Q1")
    assert [(r.venue, r.orders, r.share_of_orders) for r in report.rows] == [
        ("Y", 2, Fraction(2, 3)),
        ("X", 1, Fraction(1, 3)),
    ]
    assert "2024Q1,market,Y,2,66.67,3,0.00,0.0000" in render_csv(report)

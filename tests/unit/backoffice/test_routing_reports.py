"""The routing reports folded from a broker journal: Rule 606 (categories at arrival, venues,
net payment from the fee schedules, directed orders left out) and Rule 605-style execution
quality (effective and realized spread, price improvement, speed, fill rate, size buckets)."""

from __future__ import annotations

from fractions import Fraction

from directbroker.backoffice.order_flow import OrderFlow, fold
from directbroker.backoffice.periods import local_month, month_bounds, quarter_months
from directbroker.backoffice.rule605 import bucket_of, execution_quality, row_json
from directbroker.backoffice.rule606 import as_csv, as_json, quarterly_report
from directbroker.domain.broker_messages import (
    ChildOrderSent,
    OrderReceived,
    ParentFilled,
    PlaceOrder,
)
from directbroker.domain.marketdata_messages import QuoteUpdated
from directbroker.domain.messages import Event, Message
from directbroker.domain.order_status import LegRole, OrderClass, OrdStatus
from directbroker.domain.orders import (
    Liquidity,
    OrderType,
    PostOnly,
    Side,
    TimeInForce,
)
from directbroker.domain.routing import ChildPurpose
from directbroker.domain.venue_config import FeeSchedule
from directbroker.engines.router.report606 import OrderCategory
from directbroker.testing.broker_harness import BrokerHarness, dollars, smart_routing

FEES = {"NSDQ": FeeSchedule(maker=-2_000, taker=3_000), "ARCA": FeeSchedule(-2_500, 3_000)}


def _entries(h: BrokerHarness) -> list[tuple[Message, list[Event], int]]:
    """The journal the harness's broker core would write: each input and its events."""
    core = h.new_core()
    return [(message, core.handle(message, ts), ts) for message, ts in h.inputs]


def _trading_day() -> BrokerHarness:
    h = BrokerHarness(symbols=(("AAPL", "100.00"),), router=smart_routing())
    h.quote("AAPL", "99.99", "100.01", size=1_000, venue="NSDQ")
    h.quote("AAPL", "99.98", "100.01", size=1_000, venue="ARCA")
    h.open_account("A1", "1000000.00")
    buy = PlaceOrder("m1", "c1", "A1", "AAPL", Side.BUY, OrderType.MARKET, 1_500)
    h.send(buy)  # sweeps both offers: taker at ARCA and NSDQ
    h.send(PlaceOrder("l1", "c2", "A1", "AAPL", Side.BUY, OrderType.LIMIT, 100, dollars("90")))
    h.send(PlaceOrder("s1", "c3", "A1", "AAPL", Side.SELL, OrderType.LIMIT, 200, dollars("99.98")))
    h.send(
        PlaceOrder("d1", "c4", "A1", "AAPL", Side.BUY, OrderType.LIMIT, 100, dollars("95"),
                   route="NSDQ")
    )  # fmt: skip
    return h


def test_606_counts_categories_at_arrival_venues_and_payments_and_matches_the_router() -> None:
    h = _trading_day()
    flow = fold(_entries(h))
    categories = {o.order_id: o.category for o in flow.orders.values()}
    assert categories == {
        "m1": OrderCategory.MARKET,
        "l1": OrderCategory.NON_MARKETABLE_LIMIT,
        "s1": OrderCategory.MARKETABLE_LIMIT,
        "d1": OrderCategory.NON_MARKETABLE_LIMIT,
    }
    year, month = local_month(h.ts)
    quarter = (month - 1) // 3 + 1
    report = quarterly_report(flow, FEES, year, quarter)
    total = report.total
    assert dict(total.orders_by_category)[OrderCategory.MARKET] == 1
    assert total.directed_orders == 1
    market = {r.venue: r for r in total.rows if r.category is OrderCategory.MARKET}
    assert set(market) == {"ARCA", "NSDQ"}
    assert sum(r.shares for r in market.values()) == 1_500
    for venue, row in market.items():
        assert row.share_of_orders == Fraction(1)
        assert row.net_payment == -FEES[venue].taker * row.shares  # all taken liquidity
    # The month holding the day carries the same rows as the quarter; the others are empty.
    this_month = report.months[quarter_months(quarter).index(month)]
    assert this_month.rows == total.rows
    assert all(not m.rows for m in report.months if m is not this_month)
    # The router's own history, aggregated the same way, says the same orders and venues.
    start, end = month_bounds(year, month)
    router = h.smart_router().rule606_report(start, end, "router")
    assert [(r.category, r.venue, r.orders, r.shares) for r in router.rows] == [
        (r.category, r.venue, r.orders, r.shares) for r in this_month.rows
    ]
    assert as_json(report)["total"]["directed_orders"] == 1
    # Three routed non-directed orders: one of each kind but "other".
    assert as_json(report)["total"]["percent_by_category"] == {
        "market": "33.33", "marketable_limit": "33.33", "non_marketable_limit": "33.33",
        "other": "0.00",
    }  # fmt: skip
    assert as_csv(report).count("\n") == 1 + 2 * len(total.rows)


def _quote(bid: str, ask: str, ts: int) -> tuple[Message, list[Event], int]:
    quote = QuoteUpdated("XYZ", dollars(bid), 100, "NSDQ", dollars(ask), 100, "NSDQ", ts)
    return quote, [], ts


def _order(order_id: str, side: Side, quantity: int, ts: int) -> tuple[Message, list[Event], int]:
    place = PlaceOrder(order_id, order_id, "A", "XYZ", side, OrderType.MARKET, quantity)
    received = OrderReceived(
        order_id, order_id, "A", "XYZ", side, OrderType.MARKET, quantity, None, None,
        TimeInForce.DAY, OrderClass.SIMPLE, "", LegRole.PRIMARY, OrdStatus.PENDING_NEW, ts,
    )  # fmt: skip
    sent = ChildOrderSent(
        order_id, f"{order_id}.1", "NSDQ", "DBRK", "XYZ", side, OrderType.LIMIT, quantity,
        None, TimeInForce.IOC, None, False, PostOnly.NO, ChildPurpose.SWEEP, ts,
    )  # fmt: skip
    return place, [received, sent], ts


def _fill(
    order_id: str, side: Side, qty: int, price: str, ts: int
) -> tuple[Message, list[Event], int]:
    fill = ParentFilled(
        order_id, "A", "XYZ", side, OrdStatus.NEW, OrdStatus.FILLED, "NSDQ", f"{order_id}.1",
        f"x{order_id}{ts}", qty, dollars(price), qty, 0, dollars(price), Liquidity.TAKER, ts,
    )  # fmt: skip
    return fill, [fill], ts


def test_605_spreads_improvement_speed_and_buckets_are_exact() -> None:
    ms = 1_000_000
    minute = 60_000 * ms
    flow = fold([
        _quote("10.00", "10.10", 0),
        _order("b", Side.BUY, 300, 1_000 * ms),
        _fill("b", Side.BUY, 200, "10.08", 1_003 * ms),  # improved 0.02 on 200
        _fill("b", Side.BUY, 100, "10.10", 1_005 * ms),  # at the quote
        _quote("10.20", "10.30", 2 * minute),  # mid 10.25 five minutes after the fills
        _order("s", Side.SELL, 50, 10 * minute),
    ])  # fmt: skip
    (row,) = [r for r in execution_quality(flow, 0, 20 * minute) if r.bucket == "100-499"]
    data = row_json(row)
    assert (row.orders, row.shares_routed, row.shares_filled) == (1, 300, 300)
    assert data["fill_rate"] == "1.0000"
    # Effective, 2 x (price - mid 10.05): (200 x 0.06 + 100 x 0.10) / 300 per share.
    assert data["effective_spread"] == "0.0733"
    # Realized against mid 10.25: (200 x 2 x (10.08-10.25) + 100 x 2 x (10.10-10.25)) / 300.
    assert data["realized_spread"] == "-0.3267"
    assert (row.improved_shares, row.at_quote_shares, row.outside_quote_shares) == (200, 100, 0)
    assert data["average_price_improvement"] == "0.0200"
    assert data["average_speed_ms"] == "3.667"  # (200 x 3 + 100 x 5) / 300
    (sell,) = [r for r in execution_quality(flow, 0, 20 * minute) if r.bucket == "1-99"]
    assert sell.shares_filled == 0 and row_json(sell)["fill_rate"] == "0.0000"
    assert [bucket_of(q) for q in (1, 99, 100, 1_999, 2_000, 10_000)] == [
        "1-99", "1-99", "100-499", "500-1999", "2000-4999", "10000+",
    ]  # fmt: skip


def test_orders_outside_the_period_or_without_a_two_sided_quote_are_not_covered() -> None:
    flow = OrderFlow()
    for entry in (_order("early", Side.BUY, 100, 5), _quote("1.00", "1.02", 10)):
        flow.take(*entry)
    assert execution_quality(flow, 0, 100) == []

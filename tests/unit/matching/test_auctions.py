"""Worked examples of the opening and closing crosses and the clearing-price rule."""

from __future__ import annotations

import pytest

from directbroker.domain.orders import (
    AuctionKind,
    BookSide,
    CancelReason,
    Liquidity,
    OrderType,
    Side,
    TimeInForce,
)
from directbroker.domain.rejects import RejectCode
from directbroker.domain.venue_config import VenueConfig
from directbroker.domain.venue_messages import (
    AuctionCompleted,
    BookOrderExecuted,
    OrderCancelled,
    OrderFilled,
    OrderRejected,
    RunAuction,
    TradeReported,
)
from directbroker.engines.matching import ReferenceVenueEngine, VenueEngine, clearing_price
from tests.unit.matching.matching_helpers import CONFIG, Engine, limit, of_type, order, run, usd

BUY, SELL = Side.BUY, Side.SELL
OPG, CLS = TimeInForce.OPG, TimeInForce.CLS


def _opening_book(engine: Engine) -> None:
    """Buys: MOO 100, LOO 200 @ 10.05, LOO 100 @ 10.02, resting bid 50 @ 10.00.
    Sells: MOO 50, LOO 150 @ 10.00, LOO 200 @ 10.03, resting ask 100 @ 10.06.

    Shares that would trade:  10.00: 200   10.02: 200   10.03: 300   10.05: 300   10.06: 100
    Imbalance at 10.03..10.05: 400 sells vs 300 buys, so 100 to sell either way; the reference
    price decides among 10.03, 10.04 (the reference itself is a candidate) and 10.05.
    """
    run(
        engine,
        order("mb", BUY, OrderType.MARKET_ON_OPEN, 100, tif=OPG),
        order("lb1", BUY, OrderType.LIMIT_ON_OPEN, 200, "10.05", tif=OPG),
        order("lb2", BUY, OrderType.LIMIT_ON_OPEN, 100, "10.02", tif=OPG),
        limit("bid", BUY, 50, "10.00", participant="mm"),
        order("ms", SELL, OrderType.MARKET_ON_OPEN, 50, tif=OPG, participant="p2"),
        order("ls1", SELL, OrderType.LIMIT_ON_OPEN, 150, "10.00", tif=OPG, participant="p2"),
        order("ls2", SELL, OrderType.LIMIT_ON_OPEN, 200, "10.03", tif=OPG, participant="p2"),
        limit("ask", SELL, 100, "10.06", participant="mm"),
    )


@pytest.mark.parametrize(
    ("reference", "expected"),
    [("10.04", "10.04"), ("10.20", "10.05"), ("9.00", "10.03"), ("10.045", None)],
)
def test_opening_cross_price_follows_volume_then_imbalance_then_reference(
    engine: Engine, reference: str, expected: str | None
) -> None:
    _opening_book(engine)
    events = engine.handle(RunAuction("XYZ", AuctionKind.OPEN, usd(reference)), 50)
    if expected is None:  # $10.045 is off the penny tick: not a legal reference
        assert isinstance(events[0], OrderRejected)
        assert events[0].code is RejectCode.PRICE_OFF_TICK
        return
    (done,) = of_type(events, AuctionCompleted)
    assert (done.price, done.matched_quantity) == (usd(expected), 300)
    assert (done.imbalance, done.imbalance_side) == (100, BookSide.ASK)


def test_opening_cross_allocates_by_market_then_price_then_time(engine: Engine) -> None:
    _opening_book(engine)
    events = engine.handle(RunAuction("XYZ", AuctionKind.OPEN, usd("10.04")), 50)
    fills = of_type(events, OrderFilled)
    assert [(f.order_id, f.quantity) for f in fills] == [
        ("mb", 100),
        ("lb1", 200),
        ("ms", 50),
        ("ls1", 150),
        ("ls2", 100),
    ]
    assert all(f.liquidity is Liquidity.AUCTION and f.price == usd("10.04") for f in fills)
    assert all(f.fee == CONFIG.fees.auction * f.quantity for f in fills)
    (trade,) = of_type(events, TradeReported)
    assert (trade.quantity, trade.aggressor, trade.condition) == (300, None, "open_cross")
    assert {f.trade_id for f in fills} == {trade.trade_id}
    cancelled = {c.order_id: c for c in of_type(events, OrderCancelled)}
    assert set(cancelled) == {"lb2", "ls2"}
    assert cancelled["ls2"].cancelled_quantity == 100
    assert all(c.reason is CancelReason.AUCTION_UNFILLED for c in cancelled.values())
    # Continuous orders that did not trade keep resting; the book is not crossed.
    assert engine.depth("XYZ", 5).bids == ((usd("10.00"), 50),)
    assert engine.depth("XYZ", 5).asks == ((usd("10.06"), 100),)


def test_imbalance_decides_before_the_reference_price(engine: Engine) -> None:
    # 10.00 and 10.02 both trade 100; only 10.00 leaves no imbalance.
    run(
        engine,
        order("b", BUY, OrderType.LIMIT_ON_CLOSE, 100, "10.02", tif=CLS),
        order("s1", SELL, OrderType.LIMIT_ON_CLOSE, 100, "10.00", tif=CLS),
        order("s2", SELL, OrderType.LIMIT_ON_CLOSE, 50, "10.02", tif=CLS),
    )
    events = engine.handle(RunAuction("XYZ", AuctionKind.CLOSE, usd("10.02")), 9)
    (done,) = of_type(events, AuctionCompleted)
    assert (done.price, done.matched_quantity, done.imbalance) == (usd("10.00"), 100, 0)
    assert done.imbalance_side is None


def test_closing_cross_includes_continuous_orders_and_ignores_opening_ones(
    engine: Engine,
) -> None:
    run(
        engine,
        limit("r1", SELL, 100, "10.00", display_quantity=20, participant="mm"),
        order("moc", BUY, OrderType.MARKET_ON_CLOSE, 50, tif=CLS),
        order("moo", BUY, OrderType.MARKET_ON_OPEN, 70, tif=OPG),
    )
    events = engine.handle(RunAuction("XYZ", AuctionKind.CLOSE, usd("10.00")), 9)
    fills = of_type(events, OrderFilled)
    assert [(f.order_id, f.quantity) for f in fills] == [("moc", 50), ("r1", 50)]
    assert of_type(events, TradeReported)[0].condition == "close_cross"
    # The reserve order's shown 20 executed on the feed; it refreshed from its reserve.
    assert [x.quantity for x in of_type(events, BookOrderExecuted)] == [20]
    assert engine.depth("XYZ", 1).asks == ((usd("10.00"), 20),)
    assert engine.order("r1").leaves_quantity == 50  # type: ignore[union-attr]
    assert engine.order("moo") is not None  # still waiting for the open


def test_cross_with_nothing_to_match_cancels_auction_orders(engine: Engine) -> None:
    run(engine, order("moo", BUY, OrderType.MARKET_ON_OPEN, 70, tif=OPG))
    events = engine.handle(RunAuction("XYZ", AuctionKind.OPEN, usd("10.00")), 9)
    (done,) = of_type(events, AuctionCompleted)
    assert (done.price, done.matched_quantity) == (None, 0)
    assert of_type(events, OrderCancelled)[0].reason is CancelReason.AUCTION_UNFILLED
    assert not of_type(events, TradeReported)


def test_all_market_cross_prints_at_the_reference_price(engine: Engine) -> None:
    run(
        engine,
        order("b", BUY, OrderType.MARKET_ON_OPEN, 70, tif=OPG),
        order("s", SELL, OrderType.MARKET_ON_OPEN, 50, tif=OPG),
    )
    events = engine.handle(RunAuction("XYZ", AuctionKind.OPEN, usd("12.34")), 9)
    (done,) = of_type(events, AuctionCompleted)
    assert (done.price, done.matched_quantity, done.imbalance) == (usd("12.34"), 50, 20)
    assert done.imbalance_side is BookSide.BID


@pytest.mark.parametrize("engine_type", [VenueEngine, ReferenceVenueEngine])
def test_a_venue_without_crosses_refuses_auction_orders_and_runs(
    engine_type: type[VenueEngine] | type[ReferenceVenueEngine],
) -> None:
    ecn = engine_type(
        VenueConfig("ECN", "XECN", instruments=CONFIG.instruments, runs_auctions=False)
    )
    (reject,) = ecn.handle(order("moo", BUY, OrderType.MARKET_ON_OPEN, 10, tif=OPG), 1)
    assert isinstance(reject, OrderRejected) and reject.code is RejectCode.AUCTION_NOT_ACCEPTING
    (reject,) = ecn.handle(RunAuction("XYZ", AuctionKind.OPEN, usd("10.00")), 2)
    assert isinstance(reject, OrderRejected) and reject.code is RejectCode.AUCTION_NOT_ACCEPTING


def test_clearing_price_prefers_the_reference_inside_the_best_range() -> None:
    # 10.00, 10.01 and 10.02 all trade 100 with no imbalance: the reference wins.
    result = clearing_price([(10_0200, 100)], [(10_0000, 100)], 10_0100)
    assert (result.price, result.matched, result.imbalance) == (10_0100, 100, 0)
    # Outside the range, the nearest end of it.
    assert clearing_price([(10_0200, 100)], [(10_0000, 100)], 9_0000).price == 10_0000
    assert clearing_price([(10_0200, 100)], [(10_0000, 100)], 11_0000).price == 10_0200


def test_clearing_price_with_no_overlap_is_no_cross() -> None:
    result = clearing_price([(10_0000, 100)], [(10_0100, 100)], 10_0000)
    assert (result.price, result.matched, result.imbalance, result.imbalance_side) == (
        None,
        0,
        0,
        None,
    )

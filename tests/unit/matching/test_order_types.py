"""Worked examples of the order types: IOC, FOK, market, post-only and midpoint pegs."""

from __future__ import annotations

from directbroker.domain.orders import (
    CancelReason,
    Liquidity,
    OrderType,
    PostOnly,
    Side,
    TimeInForce,
)
from directbroker.domain.rejects import RejectCode
from directbroker.domain.venue_messages import (
    BookOrderAdded,
    CancelOrder,
    OrderAccepted,
    OrderCancelled,
    OrderFilled,
    OrderRejected,
    TradeReported,
)
from tests.unit.matching.matching_helpers import Engine, limit, of_type, order, run, usd

BUY, SELL = Side.BUY, Side.SELL
PEG = OrderType.PEG_MIDPOINT


def test_ioc_takes_what_it_can_and_cancels_the_rest(engine: Engine) -> None:
    run(engine, limit("s1", SELL, 30, "10.00"))
    events = engine.handle(limit("b1", BUY, 100, "10.00", time_in_force=TimeInForce.IOC), 5)
    assert of_type(events, OrderFilled)[1].quantity == 30
    (cancel,) = of_type(events, OrderCancelled)
    assert (cancel.cancelled_quantity, cancel.reason) == (70, CancelReason.IOC_REMAINDER)
    assert engine.depth("XYZ", 5).bids == () and engine.order("b1") is None


def test_fok_that_cannot_fill_in_full_leaves_no_trace(engine: Engine) -> None:
    run(engine, limit("s1", SELL, 30, "10.00"), limit("s2", SELL, 30, "10.01"))
    depth_before = engine.depth("XYZ", 5)
    events = engine.handle(limit("b1", BUY, 61, "10.01", time_in_force=TimeInForce.FOK), 5)
    assert [type(e) for e in events] == [OrderAccepted, OrderCancelled]
    assert isinstance(events[1], OrderCancelled)
    assert (events[1].cancelled_quantity, events[1].reason) == (61, CancelReason.FOK_UNFILLED)
    assert engine.depth("XYZ", 5) == depth_before


def test_fok_that_can_fill_sweeps_levels(engine: Engine) -> None:
    run(engine, limit("s1", SELL, 30, "10.00"), limit("s2", SELL, 30, "10.01", hidden=True))
    events = engine.handle(limit("b1", BUY, 60, "10.01", time_in_force=TimeInForce.FOK), 5)
    assert [t.quantity for t in of_type(events, TradeReported)] == [30, 30]
    assert not of_type(events, OrderCancelled)


def test_fok_counts_reserve_and_hidden_size(engine: Engine) -> None:
    run(engine, limit("r1", SELL, 100, "10.00", display_quantity=10))
    events = engine.handle(limit("b1", BUY, 100, "10.00", time_in_force=TimeInForce.FOK), 5)
    assert sum(t.quantity for t in of_type(events, TradeReported)) == 100


def test_market_order_sweeps_and_cancels_what_finds_no_liquidity(engine: Engine) -> None:
    run(engine, limit("s1", SELL, 30, "10.00"), limit("s2", SELL, 30, "11.00"))
    events = engine.handle(order("m1", BUY, OrderType.MARKET, 100), 5)
    assert [t.price for t in of_type(events, TradeReported)] == [usd("10.00"), usd("11.00")]
    (cancel,) = of_type(events, OrderCancelled)
    assert (cancel.cancelled_quantity, cancel.reason) == (40, CancelReason.NO_LIQUIDITY)


def test_market_order_on_an_empty_book_is_cancelled_whole(engine: Engine) -> None:
    events = engine.handle(order("m1", SELL, OrderType.MARKET, 10), 5)
    assert [type(e) for e in events] == [OrderAccepted, OrderCancelled]
    assert of_type(events, OrderCancelled)[0].reason is CancelReason.NO_LIQUIDITY


def test_post_only_reject_refuses_an_order_that_would_take(engine: Engine) -> None:
    run(engine, limit("s1", SELL, 30, "10.00"))
    before = engine.state_hash()
    events = engine.handle(limit("b1", BUY, 10, "10.00", post_only=PostOnly.REJECT), 5)
    assert [type(e) for e in events] == [OrderRejected]
    assert isinstance(events[0], OrderRejected)
    assert events[0].code is RejectCode.POST_ONLY_WOULD_TAKE
    assert engine.state_hash() == before


def test_post_only_that_would_not_take_rests(engine: Engine) -> None:
    run(engine, limit("s1", SELL, 30, "10.01"))
    events = engine.handle(limit("b1", BUY, 10, "10.00", post_only=PostOnly.REJECT), 5)
    assert of_type(events, BookOrderAdded)[0].price == usd("10.00")


def test_post_only_reprice_slides_one_tick_away_and_rests(engine: Engine) -> None:
    run(engine, limit("s1", SELL, 30, "10.00"))
    events = engine.handle(limit("b1", BUY, 10, "10.05", post_only=PostOnly.REPRICE), 5)
    accepted = of_type(events, OrderAccepted)[0]
    assert accepted.price == usd("9.99")
    assert not of_type(events, OrderFilled)
    assert engine.best_bid_offer("XYZ").bid_price == usd("9.99")


def test_post_only_reprice_at_one_dollar_uses_the_sub_dollar_tick(engine: Engine) -> None:
    run(engine, limit("s1", SELL, 30, "1.00"))
    events = engine.handle(limit("b1", BUY, 10, "1.02", post_only=PostOnly.REPRICE), 5)
    assert of_type(events, OrderAccepted)[0].price == usd("0.9999")


def test_post_only_sees_hidden_liquidity(engine: Engine) -> None:
    run(engine, limit("h1", SELL, 30, "10.02", hidden=True), limit("s1", SELL, 30, "10.05"))
    events = engine.handle(limit("b1", SELL, 10, "10.03", participant="p2"), 5)
    assert of_type(events, BookOrderAdded)
    events = engine.handle(limit("b2", BUY, 10, "10.02", post_only=PostOnly.REPRICE), 6)
    assert of_type(events, OrderAccepted)[0].price == usd("10.01")


def _spread(engine: Engine, bid: str, ask: str) -> None:
    run(engine, limit("bid", BUY, 100, bid, participant="mm"))
    run(engine, limit("ask", SELL, 100, ask, participant="mm"))


def test_midpoint_peg_rests_hidden_and_trades_at_the_midpoint(engine: Engine) -> None:
    _spread(engine, "10.00", "10.02")
    events = engine.handle(order("pg", BUY, PEG, 50), 10)
    assert [type(e) for e in events] == [OrderAccepted]
    assert engine.depth("XYZ", 5).bids == ((usd("10.00"), 100),)
    events = engine.handle(order("m1", SELL, OrderType.MARKET, 30, participant="p2"), 11)
    maker, taker = of_type(events, OrderFilled)
    assert (maker.order_id, maker.price, maker.liquidity) == ("pg", usd("10.01"), Liquidity.MAKER)
    assert taker.price == usd("10.01")


def test_midpoint_of_a_penny_spread_is_a_half_penny(engine: Engine) -> None:
    _spread(engine, "10.00", "10.01")
    run(engine, order("pg", SELL, PEG, 50))
    events = engine.handle(limit("b1", BUY, 10, "10.01", participant="p2"), 20)
    assert of_type(events, TradeReported)[0].price == usd("10.005")


def test_unrepresentable_midpoint_rounds_to_the_pegs_passive_side(engine: Engine) -> None:
    # $0.9998 / $0.9999: the midpoint $0.99985 is finer than $0.0001.
    run(engine, limit("bid", BUY, 100, "0.9998", symbol="PENNY", participant="mm"))
    run(engine, limit("ask", SELL, 100, "0.9999", symbol="PENNY", participant="mm"))
    run(engine, order("bp", BUY, PEG, 10, symbol="PENNY"))
    run(engine, order("sp", SELL, PEG, 10, symbol="PENNY"))
    assert engine.order("sp").leaves_quantity == 10  # type: ignore[union-attr]
    market = order("m1", SELL, OrderType.MARKET, 10, participant="p2", symbol="PENNY")
    events = engine.handle(market, 30)
    # The pegs did not cross each other: the buy works at $0.9998 (down), the sell at $0.9999
    # (up). At $0.9998 the displayed bid ranks before the peg.
    assert of_type(events, TradeReported)[0].price == usd("0.9998")
    assert of_type(events, OrderFilled)[0].order_id == "bid"


def test_midpoint_peg_cap_limits_its_price(engine: Engine) -> None:
    _spread(engine, "10.00", "10.04")
    run(engine, order("pg", BUY, PEG, 50, price="10.01"))
    events = engine.handle(order("m1", SELL, OrderType.MARKET, 10, participant="p2"), 20)
    assert of_type(events, TradeReported)[0].price == usd("10.01")


def test_midpoint_peg_repegs_when_the_bbo_moves(engine: Engine) -> None:
    _spread(engine, "10.00", "10.04")
    run(engine, order("pg", BUY, PEG, 50))
    run(engine, limit("bid2", BUY, 10, "10.02", participant="mm"))  # mid 10.02 -> 10.03
    events = engine.handle(order("m1", SELL, OrderType.MARKET, 10, participant="p2"), 20)
    assert of_type(events, TradeReported)[0].price == usd("10.03")


def test_midpoint_peg_cannot_trade_without_both_sides(engine: Engine) -> None:
    run(engine, limit("bid", BUY, 100, "10.00", participant="mm"))
    run(engine, order("pg", BUY, PEG, 50))
    events = engine.handle(order("m1", SELL, OrderType.MARKET, 10, participant="p2"), 20)
    assert of_type(events, OrderFilled)[0].order_id == "bid"


def test_incoming_peg_takes_hidden_liquidity_below_the_midpoint(engine: Engine) -> None:
    _spread(engine, "10.00", "10.10")
    run(engine, limit("h1", SELL, 20, "10.03", hidden=True, participant="p2"))
    events = engine.handle(order("pg", BUY, PEG, 50), 20)
    (taker,) = [f for f in of_type(events, OrderFilled) if f.liquidity is Liquidity.TAKER]
    assert (taker.order_id, taker.price, taker.quantity) == ("pg", usd("10.03"), 20)


def test_resting_peg_takes_when_a_moving_midpoint_crosses_hidden_interest(engine: Engine) -> None:
    run(engine, limit("bid", BUY, 100, "10.00", participant="mm"))
    run(engine, limit("ask1", SELL, 100, "10.04", participant="mm"))
    run(engine, limit("ask2", SELL, 100, "10.08", participant="mm"))
    run(engine, limit("h1", SELL, 20, "10.03", hidden=True, participant="p2"))
    run(engine, order("pg", BUY, PEG, 50))  # works at 10.02: below the hidden 10.03
    assert engine.order("pg").leaves_quantity == 50  # type: ignore[union-attr]
    events = engine.handle(CancelOrder("ask1", "mm"), 30)  # mid 10.02 -> 10.04
    (taker,) = [f for f in of_type(events, OrderFilled) if f.liquidity is Liquidity.TAKER]
    assert (taker.order_id, taker.price, taker.quantity) == ("pg", usd("10.03"), 20)

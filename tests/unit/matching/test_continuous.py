"""Worked examples of continuous matching: priority, partial fills, hidden, reserve, fees."""

from __future__ import annotations

from directbroker.domain.orders import BookSide, Liquidity, Side
from directbroker.domain.venue_messages import (
    BookOrderAdded,
    BookOrderDeleted,
    BookOrderExecuted,
    OrderAccepted,
    OrderFilled,
    TradeReported,
)
from tests.unit.matching.matching_helpers import FEES, Engine, limit, of_type, run, usd

BUY, SELL = Side.BUY, Side.SELL


def test_resting_order_is_accepted_and_added_to_the_feed(engine: Engine) -> None:
    events = run(engine, limit("s1", SELL, 100, "10.05"))
    assert [type(e) for e in events] == [OrderAccepted, BookOrderAdded]
    added = events[1]
    assert isinstance(added, BookOrderAdded)
    assert (added.side, added.price, added.quantity) == (BookSide.ASK, usd("10.05"), 100)
    bbo = engine.best_bid_offer("XYZ")
    assert (bbo.ask_price, bbo.ask_size, bbo.bid_price, bbo.bid_size) == (
        usd("10.05"),
        100,
        None,
        0,
    )


def test_price_then_time_priority(engine: Engine) -> None:
    run(
        engine,
        limit("s1", SELL, 100, "10.02"),
        limit("s2", SELL, 100, "10.01", participant="p2"),
        limit("s3", SELL, 100, "10.01"),
    )
    events = engine.handle(limit("b1", BUY, 250, "10.02", participant="p3"), 10)
    maker_fills = [f for f in of_type(events, OrderFilled) if f.liquidity is Liquidity.MAKER]
    # Better price first (10.01 before 10.02); at 10.01, s2 arrived before s3.
    assert [(f.order_id, f.price, f.quantity) for f in maker_fills] == [
        ("s2", usd("10.01"), 100),
        ("s3", usd("10.01"), 100),
        ("s1", usd("10.02"), 50),
    ]
    assert engine.order("s1") is not None and engine.order("s1").leaves_quantity == 50  # type: ignore[union-attr]
    assert engine.order("b1") is None
    assert engine.depth("XYZ", 5).asks == ((usd("10.02"), 50),)


def test_partial_fill_reports_leaves_and_cumulative_and_trade(engine: Engine) -> None:
    run(engine, limit("s1", SELL, 100, "10.00"))
    events = engine.handle(limit("b1", BUY, 30, "10.00", participant="p2"), 5)
    maker, taker = of_type(events, OrderFilled)
    assert (maker.order_id, maker.leaves_quantity, maker.cumulative_quantity) == ("s1", 70, 30)
    assert (taker.order_id, taker.leaves_quantity, taker.cumulative_quantity) == ("b1", 0, 30)
    assert maker.trade_id == taker.trade_id
    (trade,) = of_type(events, TradeReported)
    assert (trade.price, trade.quantity, trade.aggressor) == (usd("10.00"), 30, BookSide.BID)
    (executed,) = of_type(events, BookOrderExecuted)
    assert executed.quantity == 30 and executed.trade_id == trade.trade_id


def test_maker_rebate_and_taker_fee_are_per_share_in_micro_dollars(engine: Engine) -> None:
    run(engine, limit("s1", SELL, 100, "10.00"))
    maker, taker = of_type(engine.handle(limit("b1", BUY, 40, "10.00"), 5), OrderFilled)
    assert (maker.liquidity, maker.fee) == (Liquidity.MAKER, FEES.maker * 40)
    assert maker.fee == -80_000  # a $0.08 rebate
    assert (taker.liquidity, taker.fee) == (Liquidity.TAKER, 120_000)  # $0.12 charged


def test_aggressive_limit_rests_its_remainder_at_its_limit(engine: Engine) -> None:
    run(engine, limit("s1", SELL, 50, "10.00"))
    events = engine.handle(limit("b1", BUY, 80, "10.01"), 5)
    (added,) = of_type(events, BookOrderAdded)
    assert (added.price, added.quantity, added.side) == (usd("10.01"), 30, BookSide.BID)
    assert engine.depth("XYZ", 5).bids == ((usd("10.01"), 30),)
    assert engine.depth("XYZ", 5).asks == ()


def test_hidden_order_rests_off_the_feed_behind_displayed_at_its_price(engine: Engine) -> None:
    events = run(engine, limit("h1", SELL, 100, "10.00", hidden=True))
    assert not of_type(events, BookOrderAdded)
    assert engine.depth("XYZ", 5).asks == ()
    run(engine, limit("d1", SELL, 100, "10.00", participant="p2"))
    events = engine.handle(limit("b1", BUY, 150, "10.00", participant="p3"), 9)
    makers = [f for f in of_type(events, OrderFilled) if f.liquidity is Liquidity.MAKER]
    # The later displayed order trades before the earlier hidden one at the same price.
    assert [(f.order_id, f.quantity) for f in makers] == [("d1", 100), ("h1", 50)]
    # The hidden execution is on the tape but not on the order feed.
    assert [t.quantity for t in of_type(events, TradeReported)] == [100, 50]
    assert [x.quantity for x in of_type(events, BookOrderExecuted)] == [100]


def test_hidden_order_at_a_better_price_trades_first(engine: Engine) -> None:
    run(engine, limit("d1", SELL, 100, "10.01"), limit("h1", SELL, 100, "10.00", hidden=True))
    events = engine.handle(limit("b1", BUY, 100, "10.01", participant="p2"), 5)
    assert of_type(events, OrderFilled)[0].order_id == "h1"


def test_reserve_refresh_goes_to_the_back_with_a_new_book_ref(engine: Engine) -> None:
    first = run(engine, limit("r1", SELL, 100, "10.00", display_quantity=30))
    (r1_added,) = of_type(first, BookOrderAdded)
    assert r1_added.quantity == 30
    run(engine, limit("d1", SELL, 50, "10.00", participant="p2"))
    assert engine.depth("XYZ", 1).asks == ((usd("10.00"), 80),)
    events = engine.handle(limit("b1", BUY, 40, "10.00", participant="p3"), 9)
    makers = [f for f in of_type(events, OrderFilled) if f.liquidity is Liquidity.MAKER]
    # r1 shows 30 and trades first; its refresh joins behind d1, so d1 gives the other 10.
    assert [(f.order_id, f.quantity) for f in makers] == [("r1", 30), ("d1", 10)]
    refresh = of_type(events, BookOrderAdded)
    assert len(refresh) == 1
    assert refresh[0].quantity == 30 and refresh[0].book_ref != r1_added.book_ref
    view = engine.order("r1")
    assert view is not None
    assert (view.leaves_quantity, view.displayed_quantity, view.book_ref) == (
        70,
        30,
        refresh[0].book_ref,
    )
    assert engine.depth("XYZ", 1).asks == ((usd("10.00"), 70),)


def test_reserve_keeps_refreshing_within_one_sweep(engine: Engine) -> None:
    run(engine, limit("r1", SELL, 100, "10.00", display_quantity=30))
    events = engine.handle(limit("b1", BUY, 70, "10.00", participant="p2"), 5)
    assert [x.quantity for x in of_type(events, BookOrderExecuted)] == [30, 30, 10]
    assert [a.quantity for a in of_type(events, BookOrderAdded)] == [30, 30]
    assert engine.depth("XYZ", 1).asks == ((usd("10.00"), 20),)
    # The last refresh shows only what is left.
    assert engine.order("r1").displayed_quantity == 20  # type: ignore[union-attr]


def test_fully_executed_displayed_order_leaves_the_feed_without_a_delete(engine: Engine) -> None:
    run(engine, limit("s1", SELL, 10, "10.00"))
    events = engine.handle(limit("b1", BUY, 10, "10.00"), 5)
    assert not of_type(events, BookOrderDeleted)
    assert engine.depth("XYZ", 1).asks == ()
    assert engine.order("s1") is None


def test_sell_short_is_a_sell_on_the_book(engine: Engine) -> None:
    run(engine, limit("b1", BUY, 10, "10.00"))
    events = engine.handle(limit("s1", Side.SELL_SHORT, 10, "10.00", participant="p2"), 5)
    fills = of_type(events, OrderFilled)
    assert [f.side for f in fills] == [Side.BUY, Side.SELL_SHORT]
    assert of_type(events, TradeReported)[0].aggressor is BookSide.ASK


def test_sub_dollar_prices_trade_in_hundredths_of_a_cent(engine: Engine) -> None:
    run(engine, limit("s1", SELL, 10, "0.5123", symbol="PENNY"))
    events = engine.handle(limit("b1", BUY, 10, "0.5125", symbol="PENNY"), 5)
    assert of_type(events, TradeReported)[0].price == usd("0.5123")

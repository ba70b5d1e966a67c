"""Worked examples of cancel, cancel/replace priority rules and trading halts."""

from __future__ import annotations

from directbroker.domain.orders import CancelReason, Liquidity, Side
from directbroker.domain.rejects import RejectCode
from directbroker.domain.venue_messages import (
    BookOrderDeleted,
    BookOrderReduced,
    BookOrderReplaced,
    CancelOrder,
    HaltTrading,
    OrderCancelled,
    OrderFilled,
    OrderRejected,
    OrderReplaced,
    ReplaceOrder,
    ResumeTrading,
    TradingHalted,
    TradingResumed,
)
from tests.unit.matching.matching_helpers import Engine, limit, of_type, run, usd

BUY, SELL = Side.BUY, Side.SELL


def _first_maker(engine: Engine, quantity: int) -> str:
    events = engine.handle(limit("taker", BUY, quantity, "10.00", participant="t"), 99)
    return next(f.order_id for f in of_type(events, OrderFilled) if f.liquidity is Liquidity.MAKER)


def test_cancel_removes_the_order_and_deletes_it_from_the_feed(engine: Engine) -> None:
    run(engine, limit("s1", SELL, 100, "10.00"))
    events = engine.handle(CancelOrder("s1", "p1"), 5)
    cancel, delete = events
    assert isinstance(cancel, OrderCancelled) and isinstance(delete, BookOrderDeleted)
    assert (cancel.cancelled_quantity, cancel.reason) == (100, CancelReason.REQUESTED)
    assert engine.order("s1") is None and engine.depth("XYZ", 1).asks == ()


def test_cancel_of_a_hidden_order_has_no_feed_event(engine: Engine) -> None:
    run(engine, limit("s1", SELL, 100, "10.00", hidden=True))
    assert [type(e) for e in engine.handle(CancelOrder("s1", "p1"), 5)] == [OrderCancelled]


def test_cancel_by_another_participant_is_an_unknown_order(engine: Engine) -> None:
    run(engine, limit("s1", SELL, 100, "10.00"))
    before = engine.state_hash()
    (reject,) = engine.handle(CancelOrder("s1", "intruder"), 5)
    assert isinstance(reject, OrderRejected) and reject.code is RejectCode.UNKNOWN_ORDER
    assert engine.state_hash() == before


def test_cancel_after_the_order_is_done_is_too_late(engine: Engine) -> None:
    run(engine, limit("s1", SELL, 10, "10.00"), limit("b1", BUY, 10, "10.00", participant="p2"))
    (reject,) = engine.handle(CancelOrder("s1", "p1"), 5)
    assert isinstance(reject, OrderRejected) and reject.code is RejectCode.REPLACE_TOO_LATE


def test_replace_down_at_the_same_price_keeps_priority(engine: Engine) -> None:
    run(engine, limit("s1", SELL, 100, "10.00"), limit("s2", SELL, 100, "10.00"))
    events = engine.handle(ReplaceOrder("s1", "p1", 60), 5)
    replaced, reduced = events
    assert isinstance(replaced, OrderReplaced) and replaced.kept_priority
    assert (replaced.quantity, replaced.leaves_quantity) == (60, 60)
    assert isinstance(reduced, BookOrderReduced) and reduced.quantity == 40
    assert _first_maker(engine, 10) == "s1"


def test_replace_up_loses_priority_with_a_new_book_ref(engine: Engine) -> None:
    run(engine, limit("s1", SELL, 100, "10.00"), limit("s2", SELL, 100, "10.00"))
    old_ref = engine.order("s1").book_ref  # type: ignore[union-attr]
    replaced, moved = engine.handle(ReplaceOrder("s1", "p1", 150), 5)
    assert isinstance(replaced, OrderReplaced) and not replaced.kept_priority
    assert isinstance(moved, BookOrderReplaced)
    assert moved.old_book_ref == old_ref and moved.new_book_ref != old_ref
    assert moved.quantity == 150
    assert _first_maker(engine, 10) == "s2"


def test_replace_to_a_new_price_loses_priority(engine: Engine) -> None:
    run(engine, limit("s1", SELL, 100, "10.01"), limit("s2", SELL, 100, "10.00"))
    events = engine.handle(ReplaceOrder("s1", "p1", 100, usd("10.00")), 5)
    assert not of_type(events, OrderReplaced)[0].kept_priority
    assert engine.depth("XYZ", 2).asks == ((usd("10.00"), 200),)
    assert _first_maker(engine, 10) == "s2"


def test_replace_to_a_crossing_price_trades_as_taker(engine: Engine) -> None:
    run(engine, limit("b1", BUY, 50, "10.00", participant="p2"), limit("s1", SELL, 100, "10.02"))
    events = engine.handle(ReplaceOrder("s1", "p1", 100, usd("10.00")), 5)
    assert isinstance(events[1], BookOrderDeleted)
    taker = [f for f in of_type(events, OrderFilled) if f.liquidity is Liquidity.TAKER]
    assert (taker[0].order_id, taker[0].quantity) == ("s1", 50)
    assert engine.depth("XYZ", 1).asks == ((usd("10.00"), 50),)


def test_replace_down_to_the_filled_quantity_ends_the_order(engine: Engine) -> None:
    run(engine, limit("s1", SELL, 100, "10.00"), limit("b1", BUY, 40, "10.00", participant="p2"))
    replaced, deleted = engine.handle(ReplaceOrder("s1", "p1", 40), 5)
    assert isinstance(replaced, OrderReplaced)
    assert (replaced.quantity, replaced.leaves_quantity) == (40, 0)
    assert isinstance(deleted, BookOrderDeleted)
    assert engine.order("s1") is None


def test_replace_of_a_reserve_order_only_reduces_what_is_shown_when_needed(engine: Engine) -> None:
    run(engine, limit("r1", SELL, 100, "10.00", display_quantity=30))
    events = engine.handle(ReplaceOrder("r1", "p1", 50), 5)
    assert [type(e) for e in events] == [OrderReplaced]  # the reserve shrank, the display did not
    events = engine.handle(ReplaceOrder("r1", "p1", 20), 6)
    assert of_type(events, BookOrderReduced)[0].quantity == 10
    assert engine.depth("XYZ", 1).asks == ((usd("10.00"), 20),)


def test_halt_rejects_orders_and_replaces_but_allows_cancels(engine: Engine) -> None:
    run(engine, limit("s1", SELL, 100, "10.00"))
    halted = engine.handle(HaltTrading("XYZ", "news pending"), 5)
    assert isinstance(halted[0], TradingHalted) and halted[0].reason == "news pending"
    before = engine.state_hash()
    (reject,) = engine.handle(limit("b1", BUY, 10, "10.00"), 6)
    assert isinstance(reject, OrderRejected) and reject.code is RejectCode.SYMBOL_HALTED
    (reject,) = engine.handle(ReplaceOrder("s1", "p1", 50), 7)
    assert isinstance(reject, OrderRejected) and reject.code is RejectCode.SYMBOL_HALTED
    assert engine.state_hash() == before
    assert isinstance(engine.handle(CancelOrder("s1", "p1"), 8)[0], OrderCancelled)
    # Another symbol keeps trading.
    assert not of_type(engine.handle(limit("x", BUY, 1, "0.50", symbol="PENNY"), 9), OrderRejected)
    assert isinstance(engine.handle(ResumeTrading("XYZ"), 10)[0], TradingResumed)
    assert not of_type(engine.handle(limit("b1", BUY, 10, "10.00"), 11), OrderRejected)


def test_halt_and_resume_must_change_something(engine: Engine) -> None:
    (reject,) = engine.handle(ResumeTrading("XYZ"), 1)
    assert isinstance(reject, OrderRejected) and reject.code is RejectCode.SYMBOL_NOT_HALTED
    run(engine, HaltTrading("XYZ"))
    (reject,) = engine.handle(HaltTrading("XYZ"), 2)
    assert isinstance(reject, OrderRejected) and reject.code is RejectCode.SYMBOL_HALTED

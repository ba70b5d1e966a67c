"""The market data engine's rules one at a time: NBBO attribution, bars and VWAP, the trading
calendar and prior closes, Rule 201, halts, snapshots, and refusing bad input unchanged."""

from __future__ import annotations

import pytest

from directbroker.domain.marketdata_messages import (
    BarClosed,
    CloseElapsedBars,
    EndTradingDay,
    MarketDataInputRejected,
    QuoteUpdated,
    SetPriorClose,
    StartTradingDay,
    Timeframe,
    TradePrinted,
    TradingDayStarted,
    TradingStatusChanged,
)
from directbroker.domain.messages import Command, Event, Message
from directbroker.domain.orders import AuctionKind, BookSide
from directbroker.domain.rejects import RejectCode
from directbroker.domain.venue_messages import (
    AuctionCompleted,
    BookOrderAdded,
    BookOrderDeleted,
    BookOrderExecuted,
    BookOrderReduced,
    BookOrderReplaced,
    SubmitOrder,
    TradeReported,
    TradingHalted,
    TradingResumed,
)
from directbroker.engines.core import Core
from directbroker.engines.marketdata import MarketDataEngine

SEC = 1_000_000_000
T0 = 1_741_012_200 * SEC  # a whole minute


def bid(venue: str, ref: int, price: int, qty: int) -> BookOrderAdded:
    return BookOrderAdded(venue, "ACME", ref, BookSide.BID, price, qty, T0)


def ask(venue: str, ref: int, price: int, qty: int) -> BookOrderAdded:
    return BookOrderAdded(venue, "ACME", ref, BookSide.ASK, price, qty, T0)


def print_at(price: int, qty: int = 100, ts: int = T0, trade_id: int = 1) -> TradeReported:
    return TradeReported("NSDQ", "ACME", trade_id, price, qty, BookSide.BID, "", ts)


def run(engine: MarketDataEngine, *inputs: Message, ts: int = T0) -> list[Event]:
    return [e for message in inputs for e in engine.handle(message, ts)]


def test_the_engine_is_a_core() -> None:
    core: Core = MarketDataEngine()
    assert core.handle(StartTradingDay("2025-03-03"), T0) == [TradingDayStarted("2025-03-03", T0)]


def test_nbbo_takes_the_best_price_then_the_largest_size_then_the_venue_name() -> None:
    engine = MarketDataEngine()
    run(
        engine,
        bid("NSDQ", 1, 100_000, 200),
        bid("ARCA", 2, 100_000, 200),
        ask("BATS", 3, 100_100, 50),
    )
    quote = engine.nbbo("ACME")
    assert quote is not None
    assert (quote.bid_price, quote.bid_size, quote.bid_venue) == (100_000, 200, "ARCA")
    out = run(engine, bid("NSDQ", 4, 100_000, 1))  # NSDQ now larger at the same price
    assert out[-1] == QuoteUpdated("ACME", 100_000, 201, "NSDQ", 100_100, 50, "BATS", T0)
    # A change below the top of every venue moves no quote.
    assert not [e for e in run(engine, bid("ARCA", 5, 99_000, 10)) if isinstance(e, QuoteUpdated)]
    out = run(
        engine,
        BookOrderExecuted("BATS", "ACME", 3, 50, 9, T0),  # the only offer trades away
        BookOrderReduced("NSDQ", "ACME", 1, 150, T0),
        BookOrderReplaced("ARCA", "ACME", 2, 6, 100_200, 300, T0),  # a replace can cross
        BookOrderDeleted("ARCA", "ACME", 5, T0),
    )
    assert engine.nbbo("ACME") == engine.nbbo("ACME")
    quote = engine.nbbo("ACME")
    assert quote is not None
    assert (quote.bid_price, quote.bid_venue, quote.ask_price) == (100_200, "ARCA", None)
    level = engine.montage("ACME", 5).venues
    assert [row.venue for row in level] == ["ARCA", "NSDQ"]
    assert [(lv.price, lv.quantity, lv.orders) for lv in level[1].bids] == [(100_000, 51, 2)]


def test_bars_vwap_and_the_bar_timer() -> None:
    engine = MarketDataEngine()
    run(engine, StartTradingDay("2025-03-03"))
    run(engine, print_at(100_000, 100, T0), print_at(100_300, 300, T0 + 10 * SEC))
    bar = engine.bars("ACME", Timeframe.MINUTE)[-1]
    assert (bar.open, bar.high, bar.low, bar.close, bar.volume, bar.trade_count) == (
        100_000, 100_300, 100_000, 100_300, 400, 2)  # fmt: skip
    assert bar.vwap == 100_225
    closed = run(engine, CloseElapsedBars(), ts=T0 + 60 * SEC)
    assert {(e.timeframe, e.start_ns) for e in closed if isinstance(e, BarClosed)} == {
        (Timeframe.SECOND, T0 + 10 * SEC), (Timeframe.MINUTE, T0)}  # fmt: skip
    out = run(engine, print_at(99_000, 5, T0 + 301 * SEC))
    assert [e.timeframe for e in out if isinstance(e, BarClosed)] == [Timeframe.FIVE_MINUTES]
    day = engine.snapshot_of("ACME")
    assert day is not None and day.today is not None and day.today.volume == 405


def test_a_new_day_rolls_the_close_and_rule_201_lasts_that_day_and_the_next() -> None:
    engine = MarketDataEngine()
    run(engine, StartTradingDay("2025-03-03"), SetPriorClose("ACME", 100_000, "2025-03-03"))
    assert not [e for e in run(engine, print_at(90_100)) if isinstance(e, TradingStatusChanged)]
    out = run(engine, print_at(90_000, trade_id=2))  # exactly 90% of the prior close
    assert out[-1] == TradingStatusChanged("ACME", (), True, "rule 201 triggered", T0)
    run(engine, AuctionCompleted("NSDQ", "ACME", AuctionKind.CLOSE, 95_000, 1_000, 0, None, T0))
    out = run(engine, EndTradingDay("2025-03-03"), StartTradingDay("2025-03-04"))
    assert any(isinstance(e, BarClosed) and e.timeframe is Timeframe.DAY for e in out)
    snap = engine.snapshot_of("ACME")
    assert snap is not None and snap.prior_close == 95_000 and snap.short_sale_restricted
    assert snap.today is None and snap.trading_date == "2025-03-04"
    out = run(engine, StartTradingDay("2025-03-05"))
    assert out[-1] == TradingStatusChanged("ACME", (), False, "rule 201 expired", T0)
    # The close that rolled is the last sale when there was no closing cross.
    assert engine.snapshot_of("ACME").prior_close == 95_000  # type: ignore[union-attr]
    run(engine, print_at(96_000), StartTradingDay("2025-03-06"))
    assert engine.snapshot_of("ACME").prior_close == 96_000  # type: ignore[union-attr]


def test_prior_closes_set_ahead_wait_for_their_day() -> None:
    engine = MarketDataEngine()
    run(engine, StartTradingDay("2025-03-03"), print_at(50_000))
    run(engine, SetPriorClose("ACME", 25_000, "2025-03-04"))  # a 2-for-1 split overnight
    run(engine, StartTradingDay("2025-03-04"))
    assert engine.snapshot_of("ACME").prior_close == 25_000  # type: ignore[union-attr]


def test_halts_at_any_venue_show_in_the_status() -> None:
    engine = MarketDataEngine()
    out = run(
        engine, TradingHalted("NSDQ", "ACME", "LUDP", T0), TradingHalted("ARCA", "ACME", "", T0)
    )
    assert [e.halted_venues for e in out if isinstance(e, TradingStatusChanged)] == [
        ("NSDQ",), ("ARCA", "NSDQ")]  # fmt: skip
    run(engine, TradingResumed("NSDQ", "ACME", T0), TradingResumed("ARCA", "ACME", T0))
    snap = engine.snapshot_of("ACME")
    assert snap is not None and snap.halted_venues == ()


@pytest.mark.parametrize(
    ("message", "code"),
    [
        (BookOrderDeleted("NSDQ", "ACME", 99, T0), RejectCode.UNKNOWN_ORDER),
        (BookOrderExecuted("NSDQ", "ACME", 1, 101, 1, T0), RejectCode.UNKNOWN_ORDER),
        (BookOrderAdded("NSDQ", "ACME", 1, BookSide.BID, 1, 1, T0), RejectCode.MALFORMED),
        (BookOrderAdded("NSDQ", "ACME", 2, BookSide.BID, 0, 1, T0), RejectCode.MALFORMED),
        (BookOrderAdded("NSDQ", "ACME", 2, "bid", 1, 1, T0), RejectCode.MALFORMED),  # type: ignore[arg-type]
        (BookOrderReplaced("NSDQ", "ACME", 1, 1, 5, -1, T0), RejectCode.MALFORMED),
        (TradeReported("NSDQ", "ACME", 1, 10, 0, None, "", T0), RejectCode.MALFORMED),
        (TradeReported("NSDQ", "", 1, 10, 1, None, "", T0), RejectCode.MALFORMED),
        (TradeReported("NSDQ", "ACME", 1, 10.5, 1, None, "", T0), RejectCode.MALFORMED),  # type: ignore[arg-type]
        (StartTradingDay("2025-02-30"), RejectCode.MALFORMED),
        (StartTradingDay("2025-03-03"), RejectCode.MALFORMED),  # not after today
        (EndTradingDay("2025-03-02"), RejectCode.MALFORMED),
        (SetPriorClose("ACME", 10, "2025-03-02"), RejectCode.MALFORMED),
        (SubmitOrder("o1", "p", "ACME", "buy", "limit", 1, 1), RejectCode.MALFORMED),  # type: ignore[arg-type]
    ],
)
def test_bad_input_is_rejected_and_changes_nothing(message: Command, code: RejectCode) -> None:
    engine = MarketDataEngine()
    run(engine, StartTradingDay("2025-03-03"), bid("NSDQ", 1, 100_000, 100))
    before = engine.state_hash()
    (rejected,) = engine.handle(message, T0)
    assert isinstance(rejected, MarketDataInputRejected) and rejected.code is code
    assert rejected.input_type == type(message).__name__
    assert engine.state_hash() == before


def test_snapshot_restores_mid_day_and_carries_on_identically() -> None:
    first, second = MarketDataEngine(), MarketDataEngine()
    opening = [StartTradingDay("2025-03-03"), SetPriorClose("ACME", 100_000, "2025-03-03"),
               bid("NSDQ", 1, 99_000, 100), ask("ARCA", 2, 99_100, 100),
               print_at(80_000), TradingHalted("NSDQ", "ACME", "T1", T0),
               SetPriorClose("ACME", 1, "2025-03-09")]  # fmt: skip
    run(first, *opening)
    second.restore(first.snapshot())
    assert second.snapshot() == first.snapshot() and second.state_hash() == first.state_hash()
    later = [
        print_at(99_050, ts=T0 + 61 * SEC, trade_id=2),
        BookOrderDeleted("ARCA", "ACME", 2, T0),
        StartTradingDay("2025-03-04"),
        CloseElapsedBars(),
    ]
    assert run(first, *later) == run(second, *later)
    assert first.state_hash() == second.state_hash()
    assert first.trades("ACME") == second.trades("ACME") and len(first.trades("ACME", 1)) == 1
    assert isinstance(first.trades("ACME")[-1], TradePrinted)

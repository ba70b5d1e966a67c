"""The history store on SQLite and on PostgreSQL: what is recorded comes back by symbol, time
range and page; stored bars equal bars recomputed from the stored prints; replaying the stored
prints through a fresh engine rebuilds the same bars; the schema is versioned."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

import pytest

from directbroker.adapters.history import Page, SqlHistoryStore, open_sqlite
from directbroker.adapters.history.schema import _MIGRATIONS, LATEST, SQLITE
from directbroker.domain.marketdata_messages import (
    Bar,
    BarClosed,
    QuoteUpdated,
    StartTradingDay,
    Timeframe,
    TradePrinted,
)
from directbroker.domain.messages import Event
from directbroker.domain.venue_messages import TradeReported
from directbroker.engines.marketdata import INTRADAY, MarketDataEngine, aggregate_bars

StoreFactory = Callable[[], SqlHistoryStore]
T = TypeVar("T")
ALL_TIME = (0, 2**62)


def _bar(e: BarClosed) -> Bar:
    return Bar(e.symbol, e.timeframe, e.start_ns, e.open, e.high, e.low, e.close, e.volume,
               e.notional, e.trade_count, e.trading_date)  # fmt: skip


def _all_pages(fetch: Callable[[str | None], Page[T]]) -> tuple[list[T], int]:
    items: list[T] = []
    cursor, pages = None, 0
    while True:
        page = fetch(cursor)
        items.extend(page.items)
        pages += 1
        if page.next_cursor is None:
            return items, pages
        cursor = page.next_cursor


def test_recorded_ticks_come_back_by_symbol_range_and_page(
    open_store: StoreFactory, market_day: list[Event]
) -> None:
    store = open_store()
    # Record in several transactions, as a live recorder would.
    for start in range(0, len(market_day), 97):
        store.record(market_day[start : start + 97])
    for symbol in ("ACME", "ZETA"):
        trades = [e for e in market_day if isinstance(e, TradePrinted) and e.symbol == symbol]
        quotes = [e for e in market_day if isinstance(e, QuoteUpdated) and e.symbol == symbol]
        assert trades and quotes
        got, pages = _all_pages(partial(store.trades, symbol, *ALL_TIME, 7))
        assert got == trades and pages == len(trades) // 7 + 1
        got_quotes, _ = _all_pages(partial(store.quotes, symbol, *ALL_TIME, 11))
        assert got_quotes == quotes
        # A time window is half open: [start, end).
        middle = trades[len(trades) // 2].ts_ns
        window = store.trades(symbol, middle, trades[-1].ts_ns, limit=10_000).items
        assert window == [t for t in trades if middle <= t.ts_ns < trades[-1].ts_ns]


def test_stored_bars_equal_bars_recomputed_from_stored_prints(
    open_store: StoreFactory, market_day: list[Event]
) -> None:
    store = open_store()
    store.record(market_day)
    for symbol in ("ACME", "ZETA"):
        prints = [(t.ts_ns, t.price, t.quantity)
                  for t in store.trades(symbol, *ALL_TIME, limit=10_000).items]  # fmt: skip
        for timeframe in INTRADAY:
            stored, _ = _all_pages(partial(store.bars, symbol, timeframe, *ALL_TIME, 5))
            emitted = [_bar(e) for e in market_day
                       if isinstance(e, BarClosed) and e.symbol == symbol
                       and e.timeframe is timeframe]  # fmt: skip
            assert stored == emitted
            recomputed = store.bars_from_trades(symbol, timeframe, *ALL_TIME)
            undated = [dataclasses.replace(b, trading_date="") for b in stored]
            assert recomputed == undated == aggregate_bars(prints, timeframe, symbol)
        day = store.bars(symbol, Timeframe.DAY, *ALL_TIME).items
        assert len(day) == 1 and day[0].volume == sum(q for _, _, q in prints)


def test_replaying_stored_prints_rebuilds_the_same_bars(
    open_store: StoreFactory, market_day: list[Event]
) -> None:
    store = open_store()
    store.record(market_day)
    stream = list(store.replay(*ALL_TIME, batch=50))
    recorded = [e for e in market_day if isinstance(e, TradePrinted | QuoteUpdated)]
    assert stream == recorded
    assert list(store.replay(*ALL_TIME, symbols=["ZETA"])) == [
        e for e in recorded if e.symbol == "ZETA"
    ]
    engine = MarketDataEngine(tape_depth=10_000)
    engine.handle(StartTradingDay("2025-03-03"), market_day[0].ts_ns)  # type: ignore[attr-defined]
    rebuilt: list[BarClosed] = []
    for tick in stream:
        if isinstance(tick, TradePrinted):
            reported = TradeReported(
                tick.venue,
                tick.symbol,
                tick.trade_id,
                tick.price,
                tick.quantity,
                tick.aggressor,
                tick.condition,
                tick.ts_ns,
            )
            out = engine.handle(reported, tick.ts_ns)  # fmt: skip
            rebuilt.extend(e for e in out if isinstance(e, BarClosed))
    emitted = [e for e in market_day if isinstance(e, BarClosed) and e.timeframe in INTRADAY]
    # The live run also closed the still-forming bars at the end of the day; the replay has
    # closed every bar but each symbol's last per timeframe, which are still forming in it.
    for symbol in ("ACME", "ZETA"):
        for timeframe in INTRADAY:
            live = [_bar(e) for e in emitted if e.symbol == symbol and e.timeframe is timeframe]
            replayed = [_bar(e) for e in rebuilt if e.symbol == symbol and e.timeframe is timeframe]
            assert replayed == live[:-1]
            assert engine.bars(symbol, timeframe) == live


def test_schema_is_versioned_and_reopening_keeps_data(
    open_store: StoreFactory, market_day: list[Event]
) -> None:
    store = open_store()
    store.record(market_day[:50])
    again = open_store()
    assert again._one("SELECT version FROM schema_version") == (LATEST,)
    assert again._one("SELECT COUNT(*) FROM schema_version") == (1,)
    # Recording continues the recording sequence rather than colliding with it.
    again.record(market_day[50:])
    assert list(again.replay(*ALL_TIME)) == [
        e for e in market_day if isinstance(e, TradePrinted | QuoteUpdated)
    ]


def test_bad_paging_input_is_refused(open_store: StoreFactory) -> None:
    store = open_store()
    with pytest.raises(ValueError, match="cursor"):
        store.trades("ACME", *ALL_TIME, cursor="nonsense")
    with pytest.raises(ValueError, match="limit"):
        store.quotes("ACME", *ALL_TIME, limit=0)
    with pytest.raises(ValueError, match="intraday"):
        store.bars_from_trades("ACME", Timeframe.DAY, *ALL_TIME)


def test_a_version_1_database_upgrades_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    conn = sqlite3.connect(path)
    try:
        for statement in _MIGRATIONS[SQLITE][0]:
            conn.execute(statement)
        conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        conn.execute("INSERT INTO schema_version VALUES (1)")
        conn.execute(
            "INSERT INTO trades (rec_seq, tape_seq, symbol, venue, trade_id, price, quantity, "
            "aggressor, condition, ts_ns) VALUES (1, 1, 'ACME', 'NSDQ', 7, 500000, 100, "
            "NULL, '', 5)"
        )
        conn.commit()
    finally:
        conn.close()
    store = open_sqlite(str(path))
    try:
        assert store._one("SELECT version FROM schema_version") == (LATEST,)
        (trade,) = store.trades("ACME", 0, 10).items
        assert (trade.price, trade.quantity) == (500_000, 100)
        assert store.recorded_seq("marketdata") is None
        store.record([], ("marketdata", 42))
        assert store.recorded_seq("marketdata") == 42
    finally:
        store.close()

"""Canonical snapshots of the market data engine's state (MessagePack).

Only primary facts are written: resting orders, recent prints, bars, closes, status and the
calendar. Price levels and the NBBO are derived from the orders on load, so a snapshot cannot
hold a book and a quote that disagree. Everything is written in sorted order, so equal states
give equal bytes and therefore equal state hashes. Notional sums travel as decimal text because
they may outgrow 64 bits.
"""

from __future__ import annotations

from typing import Any

import msgpack

from directbroker.domain.marketdata_messages import Bar, Timeframe, TradePrinted
from directbroker.domain.orders import BookSide
from directbroker.engines.marketdata.bars import ALL_TIMEFRAMES
from directbroker.engines.marketdata.book import VenueBook
from directbroker.engines.marketdata.state import EngineState
from directbroker.engines.marketdata.symbol import SymbolState

_FORMAT = 1


def _trade(t: TradePrinted) -> list[Any]:
    aggressor = None if t.aggressor is None else t.aggressor.value
    return [t.tape_seq, t.symbol, t.venue, t.trade_id, t.price, t.quantity, aggressor,
            t.condition, t.ts_ns]  # fmt: skip


def _untrade(raw: list[Any]) -> TradePrinted:
    seq, symbol, venue, trade_id, price, quantity, aggressor, condition, ts_ns = raw
    side = None if aggressor is None else BookSide(aggressor)
    return TradePrinted(seq, symbol, venue, trade_id, price, quantity, side, condition, ts_ns)


def _bar(b: Bar) -> list[Any]:
    return [b.timeframe.value, b.start_ns, b.open, b.high, b.low, b.close, b.volume,
            str(b.notional), b.trade_count, b.trading_date]  # fmt: skip


def _unbar(symbol: str, raw: list[Any]) -> Bar:
    tf, start, open_, high, low, close, volume, notional, count, date = raw
    return Bar(symbol, Timeframe(tf), start, open_, high, low, close, volume, int(notional),
               count, date)  # fmt: skip


def _symbol(state: SymbolState) -> list[Any]:
    market = state.market
    books = [
        [venue, sorted([ref, *order] for ref, order in market.venues[venue].orders.items())]
        for venue in sorted(market.venues)
    ]
    forming = [
        [tf.value, *raw[:6], str(raw[6]), raw[7]]
        for tf in ALL_TIMEFRAMES
        if (raw := state.bars.forming.get(tf)) is not None
    ]
    closed = [_bar(bar) for tf in ALL_TIMEFRAMES for bar in state.bars.closed[tf]]
    return [
        books,
        market.quote_ts_ns,
        forming,
        closed,
        [_trade(t) for t in state.tape],
        None if state.last_trade is None else _trade(state.last_trade),
        state.prior_close,
        state.official_close,
        sorted(state.halted_venues),
        state.ssr_days_left,
    ]


def dump(world: EngineState) -> bytes:
    """The state as canonical bytes."""
    plain = [
        _FORMAT,
        world.tape_depth,
        world.bar_history,
        world.tape_seq,
        world.trading_date,
        world.day_start_ns,
        sorted([d, sorted(c.items())] for d, c in world.pending_closes.items()),
        [[symbol, _symbol(world.symbols[symbol])] for symbol in sorted(world.symbols)],
    ]
    data: bytes = msgpack.packb(plain, use_bin_type=True)
    return data


def _load_symbol(symbol: str, raw: list[Any], world: EngineState) -> SymbolState:
    books, quote_ts, forming, closed, tape, last, prior, official, halted, ssr = raw
    state = SymbolState(world.tape_depth, world.bar_history)
    market = state.market
    for venue, orders in books:
        book = market.venues[venue] = VenueBook()
        for ref, is_bid, price, quantity in orders:
            book.add(ref, bool(is_bid), price, quantity)
    market.refresh(True, 0)
    market.refresh(False, 0)
    market.quote_ts_ns = quote_ts
    for tf, *rest in forming:
        state.bars.forming[Timeframe(tf)] = [*rest[:6], int(rest[6]), rest[7]]
    for bar_raw in closed:
        bar = _unbar(symbol, bar_raw)
        state.bars.closed[bar.timeframe].append(bar)
    state.tape.extend(_untrade(t) for t in tape)
    state.last_trade = None if last is None else _untrade(last)
    state.prior_close = prior
    state.official_close = official
    state.halted_venues = set(halted)
    state.ssr_days_left = ssr
    return state


def load(data: bytes) -> EngineState:
    """Rebuild the state written by :func:`dump`."""
    plain = msgpack.unpackb(data, raw=False, strict_map_key=True)
    fmt, tape_depth, bar_history, tape_seq, date, day_start, pending, symbols = plain
    if fmt != _FORMAT:
        raise ValueError(f"unknown market data snapshot format {fmt}")
    world = EngineState(tape_depth, bar_history)
    world.tape_seq = tape_seq
    world.trading_date = date
    world.day_start_ns = day_start
    world.pending_closes = {d: dict(closes) for d, closes in pending}
    for symbol, raw in symbols:
        world.symbols[symbol] = _load_symbol(symbol, raw, world)
    return world

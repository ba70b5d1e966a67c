"""The calendar and reference inputs: trading dates, prior closes and the bar timer.

A new trading date closes yesterday's bars, rolls each symbol's close (the closing cross if
there was one, else the last sale) into its prior close, applies any prior closes set ahead for
the new date (reference data wins: it carries corporate-action adjustments), and ages Rule 201
restrictions by one day.
"""

from __future__ import annotations

from directbroker.domain.marketdata_messages import (
    CloseElapsedBars,
    EndTradingDay,
    SetPriorClose,
    StartTradingDay,
    Timeframe,
    TradingDayStarted,
)
from directbroker.domain.messages import Event
from directbroker.domain.numbers import MAX_PRICE
from directbroker.domain.rejects import RejectCode
from directbroker.engines.marketdata.bars import bar_event
from directbroker.engines.marketdata.state import EngineState, is_int, is_text, note_status, reject
from directbroker.engines.marketdata.status import is_trading_date


def start_day(world: EngineState, command: StartTradingDay, ts_ns: int) -> list[Event]:
    date = command.trading_date
    if not (type(date) is str and is_trading_date(date)):
        return reject(command, RejectCode.MALFORMED, f"not a date: {date!r}", ts_ns)
    if date <= world.trading_date:
        return reject(
            command, RejectCode.MALFORMED, f"{date} is not after {world.trading_date}", ts_ns
        )
    out: list[Event] = []
    for symbol in sorted(world.symbols):
        state = world.symbols[symbol]
        day_bar = state.bars.forming.get(Timeframe.DAY)
        out.extend(bar_event(b, ts_ns) for b in state.bars.close_all(symbol, world.trading_date))
        if state.official_close is not None:
            state.prior_close = state.official_close
        elif day_bar is not None:
            state.prior_close = day_bar[4]
        state.official_close = None
    world.trading_date = date
    world.day_start_ns = ts_ns
    out.append(TradingDayStarted(date, ts_ns))
    for symbol, price in sorted(world.pending_closes.pop(date, {}).items()):
        world.symbol(symbol).prior_close = price
    for symbol in sorted(world.symbols):
        state = world.symbols[symbol]
        if state.ssr_days_left > 0:
            before = state.status_key()
            state.ssr_days_left -= 1
            note_status(out, symbol, state, before, "rule 201 expired", ts_ns)
    for stale in [d for d in world.pending_closes if d < date]:
        del world.pending_closes[stale]
    return out


def end_day(world: EngineState, command: EndTradingDay, ts_ns: int) -> list[Event]:
    if command.trading_date != world.trading_date or not world.trading_date:
        return reject(command, RejectCode.MALFORMED, f"today is {world.trading_date!r}", ts_ns)
    out: list[Event] = []
    for symbol in sorted(world.symbols):
        bars = world.symbols[symbol].bars.close_all(symbol, world.trading_date)
        out.extend(bar_event(bar, ts_ns) for bar in bars)
    return out


def set_prior_close(world: EngineState, command: SetPriorClose, ts_ns: int) -> list[Event]:
    date, price = command.trading_date, command.price
    if not (
        is_text(command.symbol)
        and is_int(price)
        and 0 < price <= MAX_PRICE
        and type(date) is str
        and is_trading_date(date)
    ):
        return reject(command, RejectCode.MALFORMED, "bad prior close", ts_ns)
    if date < world.trading_date:
        return reject(command, RejectCode.MALFORMED, f"{date} is in the past", ts_ns)
    if date == world.trading_date:
        world.symbol(command.symbol).prior_close = price
    else:
        world.pending_closes.setdefault(date, {})[command.symbol] = price
    return []


def close_elapsed(world: EngineState, command: CloseElapsedBars, ts_ns: int) -> list[Event]:
    out: list[Event] = []
    for symbol in sorted(world.symbols):
        bars = world.symbols[symbol].bars.close_elapsed(symbol, ts_ns, world.trading_date)
        out.extend(bar_event(bar, ts_ns) for bar in bars)
    return out

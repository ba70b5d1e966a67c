"""OHLCV bars built from the tape, and a plain reference aggregation to check them against.

Intraday bars are aligned to the epoch (a 1-minute bar starts at a multiple of 60 s); the day
bar spans the trading date given by the calendar input, starting when that day was started.
A bar exists only for an interval with at least one trade. A trade stamped earlier than the
bar already forming (a late print) joins the forming bar: bars are never reopened, so what was
published stays true.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from directbroker.domain.marketdata_messages import Bar, BarClosed, Timeframe

INTRADAY = (Timeframe.SECOND, Timeframe.MINUTE, Timeframe.FIVE_MINUTES)
ALL_TIMEFRAMES = (*INTRADAY, Timeframe.DAY)

OpenBar = list[int]
"""[start_ns, open, high, low, close, volume, notional, trade_count] while a bar forms."""


def _to_bar(symbol: str, timeframe: Timeframe, raw: OpenBar, trading_date: str) -> Bar:
    start, open_, high, low, close, volume, notional, count = raw
    return Bar(
        symbol, timeframe, start, open_, high, low, close, volume, notional, count, trading_date
    )


def bar_event(bar: Bar, ts_ns: int) -> BarClosed:
    """The event announcing a closed bar."""
    return BarClosed(
        bar.symbol, bar.timeframe, bar.start_ns, bar.open, bar.high, bar.low, bar.close,
        bar.volume, bar.notional, bar.vwap, bar.trade_count, bar.trading_date, ts_ns,
    )  # fmt: skip


def bucket_start(timeframe: Timeframe, ts_ns: int, day_start_ns: int) -> int:
    """Where the interval holding ``ts_ns`` starts."""
    if timeframe is Timeframe.DAY:
        return day_start_ns
    return ts_ns - ts_ns % timeframe.nanoseconds


class SymbolBars:
    """The forming bar and a bounded history of closed bars, per timeframe, for one symbol."""

    __slots__ = ("closed", "forming")

    def __init__(self, history: int) -> None:
        self.forming: dict[Timeframe, OpenBar] = {}
        self.closed: dict[Timeframe, deque[Bar]] = {
            tf: deque(maxlen=history) for tf in ALL_TIMEFRAMES
        }

    def add_trade(
        self,
        symbol: str,
        price: int,
        quantity: int,
        ts_ns: int,
        trading_date: str,
        day_start_ns: int,
    ) -> list[Bar]:
        """Fold one trade into every timeframe; return the bars this trade closed."""
        done: list[Bar] = []
        for timeframe in ALL_TIMEFRAMES:
            start = bucket_start(timeframe, ts_ns, day_start_ns)
            raw = self.forming.get(timeframe)
            if raw is not None and start > raw[0]:
                done.append(self._close(symbol, timeframe, trading_date))
                raw = None
            if raw is None:
                self.forming[timeframe] = [start, price, price, price, price, quantity,
                                           price * quantity, 1]  # fmt: skip
                continue
            # Plain comparisons, not max()/min(): this runs for every print in every timeframe.
            if price > raw[2]:  # noqa: PLR1730
                raw[2] = price
            if price < raw[3]:  # noqa: PLR1730
                raw[3] = price
            raw[4] = price
            raw[5] += quantity
            raw[6] += price * quantity
            raw[7] += 1
        return done

    def close_elapsed(self, symbol: str, ts_ns: int, trading_date: str) -> list[Bar]:
        """Close intraday bars whose interval ended at or before ``ts_ns``."""
        done = []
        for timeframe in INTRADAY:
            raw = self.forming.get(timeframe)
            if raw is not None and raw[0] + timeframe.nanoseconds <= ts_ns:
                done.append(self._close(symbol, timeframe, trading_date))
        return done

    def close_all(self, symbol: str, trading_date: str) -> list[Bar]:
        """Close every forming bar (end of the trading day)."""
        return [
            self._close(symbol, timeframe, trading_date)
            for timeframe in ALL_TIMEFRAMES
            if timeframe in self.forming
        ]

    def forming_bar(self, symbol: str, timeframe: Timeframe, trading_date: str) -> Bar | None:
        """The bar still forming for ``timeframe``, if any."""
        raw = self.forming.get(timeframe)
        return None if raw is None else _to_bar(symbol, timeframe, raw, trading_date)

    def _close(self, symbol: str, timeframe: Timeframe, trading_date: str) -> Bar:
        bar = _to_bar(symbol, timeframe, self.forming.pop(timeframe), trading_date)
        self.closed[timeframe].append(bar)
        return bar


def aggregate_bars(
    trades: Iterable[tuple[int, int, int]], timeframe: Timeframe, symbol: str = ""
) -> list[Bar]:
    """Reference bars from (ts_ns, price, quantity) trades in time order, by plain grouping.

    Deliberately naive (the differential oracle for :class:`SymbolBars` and for stored bars);
    intraday timeframes only, since the day bar depends on the calendar input.
    """
    groups: dict[int, list[tuple[int, int]]] = {}
    for ts_ns, price, quantity in trades:
        groups.setdefault(ts_ns - ts_ns % timeframe.nanoseconds, []).append((price, quantity))
    bars = []
    for start in sorted(groups):
        prints = groups[start]
        prices = [p for p, _ in prints]
        bars.append(
            Bar(
                symbol=symbol,
                timeframe=timeframe,
                start_ns=start,
                open=prices[0],
                high=max(prices),
                low=min(prices),
                close=prices[-1],
                volume=sum(q for _, q in prints),
                notional=sum(p * q for p, q in prints),
                trade_count=len(prints),
                trading_date="",
            )
        )
    return bars

"""The fake platform's market data (whatever the test publishes) and seeded history."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence

from directbroker.adapters.history import HistoryStore, open_sqlite
from directbroker.adapters.marketdata import MarketDataFanout
from directbroker.domain.instruments import Instrument
from directbroker.domain.marketdata_messages import (
    Bar,
    BarClosed,
    Montage,
    PriceLevel,
    Quote,
    QuoteUpdated,
    SymbolSnapshot,
    Timeframe,
    TradePrinted,
    VenueDepth,
)
from directbroker.domain.orders import BookSide


class FakeMarketData:
    """:class:`~directbroker.adapters.http.MarketDataPort` over what the test publishes."""

    def __init__(self, instruments_: Sequence[Instrument]) -> None:
        self._instruments = tuple(instruments_)
        self._fanout = MarketDataFanout()
        self._lock = threading.Lock()
        self._last: dict[str, TradePrinted] = {}
        self._quotes: dict[str, QuoteUpdated] = {}
        self._bars: dict[str, BarClosed] = {}
        self._tape_seq = 0

    def instruments(self) -> Sequence[Instrument]:
        """The demo universe."""
        return self._instruments

    def publish_tick(self, symbol: str, price: int, ts_ns: int, size: int = 100) -> None:
        """A quote, a print and a closed minute bar at ``price`` (any thread)."""
        with self._lock:
            self._tape_seq += 1
            quote = QuoteUpdated(symbol, price - 100, 300, "NSDQ", price + 100, 200, "ARCA", ts_ns)
            trade = TradePrinted(
                self._tape_seq, symbol, "NSDQ", self._tape_seq, price, size, BookSide.BID, "", ts_ns
            )
            start = ts_ns - ts_ns % 60_000_000_000
            bar = BarClosed(
                symbol,
                Timeframe.MINUTE,
                start,
                price,
                price,
                price,
                price,
                size,
                price * size,
                price,
                1,
                "2026-01-05",
                ts_ns,
            )
            self._quotes[symbol], self._last[symbol], self._bars[symbol] = quote, trade, bar
        self._fanout.publish([quote, trade, bar])

    def snapshot(self, symbol: str) -> SymbolSnapshot | None:
        """The last published tick."""
        if symbol not in {i.symbol for i in self._instruments}:
            return None
        with self._lock:
            q = self._quotes.get(symbol)
            quote = (
                None
                if q is None
                else Quote(
                    q.symbol,
                    q.bid_price,
                    q.bid_size,
                    q.bid_venue,
                    q.ask_price,
                    q.ask_size,
                    q.ask_venue,
                    q.ts_ns,
                )
            )
            return SymbolSnapshot(
                symbol, "2026-01-05", self._last.get(symbol), quote, None, None, (), False
            )

    def montage(self, symbol: str, levels: int) -> Montage | None:
        """Two venues one level deep around the last quote."""
        q = self._quotes.get(symbol)
        if q is None or q.bid_price is None or q.ask_price is None:
            return None
        return Montage(
            symbol,
            (
                VenueDepth(
                    "ARCA", (PriceLevel(q.bid_price, 100, 1),), (PriceLevel(q.ask_price, 200, 2),)
                ),
                VenueDepth("NSDQ", (PriceLevel(q.bid_price, 300, 3),), ()),
            ),
        )

    def recent_trades(self, symbol: str, limit: int) -> Sequence[TradePrinted]:
        """The last print."""
        last = self._last.get(symbol)
        return [last] if last else []

    def latest_bar(self, symbol: str, timeframe: Timeframe) -> Bar | None:
        """The last minute bar."""
        b = self._bars.get(symbol)
        if b is None or timeframe is not Timeframe.MINUTE:
            return None
        return Bar(
            b.symbol,
            b.timeframe,
            b.start_ns,
            b.open,
            b.high,
            b.low,
            b.close,
            b.volume,
            b.notional,
            b.trade_count,
            b.trading_date,
        )

    def fanout(self) -> MarketDataFanout:
        """The fan-out streams subscribe to."""
        return self._fanout


def seeded_history(bars: Iterable[Bar]) -> Callable[[], HistoryStore]:
    """A factory for an in-memory history store holding ``bars`` (opened on first use)."""
    rows = list(bars)

    def open_store() -> HistoryStore:
        store = open_sqlite(":memory:")
        store.add_bars(rows)
        return store

    return open_store


def minute_bars(symbol: str, start_ns: int, count: int, price: int) -> list[Bar]:
    """``count`` one-minute bars from ``start_ns``, one cent apart."""
    return [
        Bar(
            symbol,
            Timeframe.MINUTE,
            start_ns + i * 60_000_000_000,
            price + i * 100,
            price + i * 100 + 100,
            price + i * 100 - 100,
            price + i * 100 + 50,
            1_000 + i,
            (price + i * 100) * (1_000 + i),
            10 + i,
            "2026-01-05",
        )
        for i in range(count)
    ]

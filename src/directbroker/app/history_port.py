"""The Market Data API's history port over the platform's own SQL history store."""

from __future__ import annotations

import asyncio

from directbroker.adapters.history import Page, SqlHistoryStore
from directbroker.domain.marketdata_messages import Bar, QuoteUpdated, Timeframe, TradePrinted


class StoreHistory:
    """:class:`~directbroker.adapters.http.ports.HistoryPort` over the platform's own SQL
    history store. Unlike ``ThreadedHistory`` (which owns a store on one worker thread), this
    shares the store the platform records into; the store serialises its connection itself,
    so queries run on any worker thread."""

    def __init__(self, store: SqlHistoryStore) -> None:
        self._store = store

    async def trades(
        self, symbol: str, start_ns: int, end_ns: int, limit: int, cursor: str | None
    ) -> Page[TradePrinted]:
        """Stored prints."""
        return await asyncio.to_thread(self._store.trades, symbol, start_ns, end_ns, limit, cursor)

    async def quotes(
        self, symbol: str, start_ns: int, end_ns: int, limit: int, cursor: str | None
    ) -> Page[QuoteUpdated]:
        """Stored NBBO changes."""
        return await asyncio.to_thread(self._store.quotes, symbol, start_ns, end_ns, limit, cursor)

    async def bars(
        self,
        symbol: str,
        timeframe: Timeframe,
        start_ns: int,
        end_ns: int,
        limit: int,
        cursor: str | None,
    ) -> Page[Bar]:
        """Stored bars."""
        return await asyncio.to_thread(
            self._store.bars, symbol, timeframe, start_ns, end_ns, limit, cursor
        )

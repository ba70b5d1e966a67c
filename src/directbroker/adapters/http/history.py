"""The historical data service behind the async :class:`HistoryPort`, on one worker thread.

History queries are SQL and may take milliseconds; run on the event loop they would stall
every stream. A DB-API connection (SQLite's in particular) belongs to the thread that opened
it, so the store is opened by ``open_store`` on the worker thread itself and used only there.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from directbroker.adapters.history import HistoryStore, Page
from directbroker.domain.marketdata_messages import Bar, QuoteUpdated, Timeframe, TradePrinted

T = TypeVar("T")


class ThreadedHistory:
    """:class:`~directbroker.adapters.http.ports.HistoryPort` over a :class:`HistoryStore`."""

    def __init__(self, open_store: Callable[[], HistoryStore]) -> None:
        self._open_store = open_store
        self._store: HistoryStore | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="history")

    def _on_worker(self) -> HistoryStore:
        if self._store is None:
            self._store = self._open_store()
        return self._store

    async def _run(self, query: Callable[[HistoryStore], T]) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, lambda: query(self._on_worker()))

    async def trades(
        self, symbol: str, start_ns: int, end_ns: int, limit: int, cursor: str | None
    ) -> Page[TradePrinted]:
        """Prints in [start_ns, end_ns), oldest first."""
        return await self._run(lambda s: s.trades(symbol, start_ns, end_ns, limit, cursor))

    async def quotes(
        self, symbol: str, start_ns: int, end_ns: int, limit: int, cursor: str | None
    ) -> Page[QuoteUpdated]:
        """NBBO changes in [start_ns, end_ns), oldest first."""
        return await self._run(lambda s: s.quotes(symbol, start_ns, end_ns, limit, cursor))

    async def bars(
        self,
        symbol: str,
        timeframe: Timeframe,
        start_ns: int,
        end_ns: int,
        limit: int,
        cursor: str | None,
    ) -> Page[Bar]:
        """Bars starting in [start_ns, end_ns), oldest first."""
        return await self._run(lambda s: s.bars(symbol, timeframe, start_ns, end_ns, limit, cursor))

    def close(self) -> None:
        """Close the store on its own thread and stop the worker."""

        def shut() -> None:
            if self._store is not None:
                self._store.close()
                self._store = None

        self._executor.submit(shut).result()
        self._executor.shutdown(wait=True)

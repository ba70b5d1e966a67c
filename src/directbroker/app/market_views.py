"""The market data read model: a replica of the market data engine on the edge's side.

The market data engine is deterministic, so a copy restored from its state at start-up and fed
the same committed inputs, stamped the same, stays equal to it: the edge answers snapshots,
Level II, time and sales and the forming bars from its replica and never reads the core. The
replica's own outputs are discarded: the core's are what subscribers receive.
"""

from __future__ import annotations

from collections.abc import Sequence

from directbroker.domain.marketdata_messages import (
    Bar,
    Montage,
    Quote,
    SymbolSnapshot,
    Timeframe,
    TradePrinted,
)
from directbroker.domain.messages import Message
from directbroker.engines.marketdata import MarketDataEngine


class MarketReplica:
    """A market data engine fed the core's committed inputs (event loop only)."""

    def __init__(self, state: bytes) -> None:
        self._engine = MarketDataEngine()
        self._engine.restore(state)

    def apply(self, inputs: Sequence[Message], stamp: int) -> None:
        """Apply one committed batch of the core's inputs, with the core's stamp."""
        handle = self._engine.handle
        for message in inputs:
            handle(message, stamp)

    def state_hash(self) -> str:
        """The replica's state hash (equal to the core's at the same position)."""
        return self._engine.state_hash()

    @property
    def trading_date(self) -> str:
        """The trading date market data last started."""
        return self._engine.trading_date

    def nbbo(self, symbol: str) -> Quote | None:
        """The national best bid and offer."""
        return self._engine.nbbo(symbol)

    def snapshot(self, symbol: str) -> SymbolSnapshot | None:
        """Last trade, NBBO, today's bar and prior close."""
        return self._engine.snapshot_of(symbol)

    def montage(self, symbol: str, levels: int) -> Montage:
        """Level II: each venue's best ``levels`` a side."""
        return self._engine.montage(symbol, levels)

    def trades(self, symbol: str, limit: int) -> list[TradePrinted]:
        """Time and sales: the latest prints, oldest first."""
        return self._engine.trades(symbol, limit)

    def bars(self, symbol: str, timeframe: Timeframe) -> list[Bar]:
        """Closed bars and the forming one."""
        return self._engine.bars(symbol, timeframe)

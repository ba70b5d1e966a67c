"""Everything the market data engine knows about one symbol, in one place."""

from __future__ import annotations

from collections import deque

from directbroker.domain.marketdata_messages import TradePrinted
from directbroker.engines.marketdata.bars import SymbolBars
from directbroker.engines.marketdata.nbbo import SymbolMarket


class SymbolState:
    """Books and NBBO, bars, recent tape, closes and trading status of one symbol."""

    __slots__ = (
        "bars",
        "halted_venues",
        "last_trade",
        "market",
        "official_close",
        "prior_close",
        "ssr_days_left",
        "tape",
    )

    def __init__(self, tape_depth: int, bar_history: int) -> None:
        self.market = SymbolMarket()
        self.bars = SymbolBars(bar_history)
        self.tape: deque[TradePrinted] = deque(maxlen=tape_depth)
        self.last_trade: TradePrinted | None = None
        self.prior_close: int | None = None
        self.official_close: int | None = None
        """Today's closing cross price, which beats the last sale as tomorrow's prior close."""
        self.halted_venues: set[str] = set()
        self.ssr_days_left = 0

    @property
    def short_sale_restricted(self) -> bool:
        """Whether Rule 201 is in force now."""
        return self.ssr_days_left > 0

    def status_key(self) -> tuple[tuple[str, ...], bool]:
        """What a TradingStatusChanged reports, to tell whether it changed."""
        return tuple(sorted(self.halted_venues)), self.short_sale_restricted

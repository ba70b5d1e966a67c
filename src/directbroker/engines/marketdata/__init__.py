"""The market data engine: consolidation of the venues' public feeds.

Owns: each venue's displayed book per symbol (rebuilt from the order-level feed), the NBBO with
the venue of each side, the Level II montage, time and sales, OHLCV bars with VWAP, per-symbol
snapshots and trading status (halts, Rule 201 short-sale restriction). Every view is a pure
function of the feeds and the calendar input, so replay rebuilds it exactly.
May import: ``directbroker.domain``, ``directbroker.engines.core``, the standard library and
msgpack (snapshots). No I/O, clock or randomness.
"""

from directbroker.engines.marketdata.bars import ALL_TIMEFRAMES, INTRADAY, aggregate_bars
from directbroker.engines.marketdata.engine import MarketDataEngine

__all__ = ["ALL_TIMEFRAMES", "INTRADAY", "MarketDataEngine", "aggregate_bars"]

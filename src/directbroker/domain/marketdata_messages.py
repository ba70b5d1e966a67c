"""Commands the market data engine accepts, the consolidated events it emits, and the value types
its live views return.

The market data engine is a projection of the venues' public feeds (``venue_messages``): its main
inputs are those feed events themselves. The commands here are the few inputs that do not come
from a venue: the trading calendar (which day it is) and reference data (the prior close).

Prices are ints in $0.0001 units, quantities whole shares, times nanoseconds since the epoch.
Trading dates are ISO ``YYYY-MM-DD`` text: the calendar is an input, never read from a clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from directbroker.domain.messages import Command, Event
from directbroker.domain.orders import BookSide
from directbroker.domain.rejects import RejectCode


class Timeframe(str, Enum):
    """The bar intervals the platform builds. Values are stable strings (journals, API, files)."""

    SECOND = "1s"
    MINUTE = "1m"
    FIVE_MINUTES = "5m"
    DAY = "1d"

    @property
    def nanoseconds(self) -> int:
        """The interval length; a day bar spans a trading date instead, so this is nominal."""
        return _TIMEFRAME_NS[self]


_TIMEFRAME_NS = {
    Timeframe.SECOND: 1_000_000_000,
    Timeframe.MINUTE: 60_000_000_000,
    Timeframe.FIVE_MINUTES: 300_000_000_000,
    Timeframe.DAY: 86_400_000_000_000,
}


class Channel(str, Enum):
    """What a market data subscriber can ask for, per symbol."""

    QUOTES = "quotes"
    TRADES = "trades"
    BARS = "bars"
    DEPTH = "depth"
    STATUS = "status"


# --- commands -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StartTradingDay(Command):
    """A new trading date begins: close yesterday's bars, roll closes into prior closes, and age
    short-sale restrictions by one day. Dates must strictly increase."""

    trading_date: str


@dataclass(frozen=True, slots=True)
class EndTradingDay(Command):
    """The trading date is over: close every open bar, the day bar included."""

    trading_date: str


@dataclass(frozen=True, slots=True)
class SetPriorClose(Command):
    """Reference data: the prior close that applies on ``trading_date`` (overrides the close the
    engine rolled itself, for example after a split). A future date waits for that day."""

    symbol: str
    price: int
    trading_date: str


@dataclass(frozen=True, slots=True)
class CloseElapsedBars(Command):
    """A timer tick: close every intraday bar whose interval ended at or before ``ts_ns``, so
    quiet symbols' bars do not wait for their next trade."""


# --- events ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QuoteUpdated(Event):
    """The national best bid and offer changed (price, size or venue of either side).

    A side is ``None`` priced (size 0, venue "") when no venue shows it. Each side's size and
    venue are the venue with the largest size at the best price (ties: venue name), as the SIP
    attributes the NBBO.
    """

    symbol: str
    bid_price: int | None
    bid_size: int
    bid_venue: str
    ask_price: int | None
    ask_size: int
    ask_venue: str
    ts_ns: int


@dataclass(frozen=True, slots=True)
class DepthUpdated(Event):
    """One venue's aggregate displayed size at one price changed (a Level II delta). Quantity 0
    means the level left that venue's book."""

    venue: str
    symbol: str
    side: BookSide
    price: int
    quantity: int
    orders: int
    ts_ns: int


@dataclass(frozen=True, slots=True)
class TradePrinted(Event):
    """A trade on the consolidated tape (time and sales). ``tape_seq`` numbers prints across
    all symbols in the order the engine saw them."""

    tape_seq: int
    symbol: str
    venue: str
    trade_id: int
    price: int
    quantity: int
    aggressor: BookSide | None
    condition: str
    ts_ns: int


@dataclass(frozen=True, slots=True)
class BarClosed(Event):
    """An OHLCV bar is complete. ``notional`` is the exact sum of price x quantity (price units x
    shares); ``vwap`` is notional / volume rounded half up to $0.0001."""

    symbol: str
    timeframe: Timeframe
    start_ns: int
    open: int
    high: int
    low: int
    close: int
    volume: int
    notional: int
    vwap: int
    trade_count: int
    trading_date: str
    ts_ns: int


@dataclass(frozen=True, slots=True)
class TradingStatusChanged(Event):
    """A symbol's consolidated status changed: halted at some venue(s), or Rule 201 short-sale
    restriction switched on or off."""

    symbol: str
    halted_venues: tuple[str, ...]
    short_sale_restricted: bool
    reason: str
    ts_ns: int


@dataclass(frozen=True, slots=True)
class TradingDayStarted(Event):
    """The engine moved to a new trading date."""

    trading_date: str
    ts_ns: int


@dataclass(frozen=True, slots=True)
class MarketDataInputRejected(Event):
    """An input the engine could not apply (malformed, out of order, or a feed gap such as an
    unknown book reference); nothing changed."""

    input_type: str
    code: RejectCode
    detail: str
    ts_ns: int


# --- live view values (query results, not journaled) ---------------------------------------


@dataclass(frozen=True, slots=True)
class Quote:
    """A best bid and offer with the venue of each side (see :class:`QuoteUpdated`)."""

    symbol: str
    bid_price: int | None
    bid_size: int
    bid_venue: str
    ask_price: int | None
    ask_size: int
    ask_venue: str
    ts_ns: int


@dataclass(frozen=True, slots=True)
class PriceLevel:
    """Aggregated displayed interest at one price at one venue."""

    price: int
    quantity: int
    orders: int


@dataclass(frozen=True, slots=True)
class VenueDepth:
    """One venue's row in the Level II montage: its levels, best first."""

    venue: str
    bids: tuple[PriceLevel, ...]
    asks: tuple[PriceLevel, ...]


@dataclass(frozen=True, slots=True)
class Montage:
    """Level II: every venue that quotes the symbol, by venue name."""

    symbol: str
    venues: tuple[VenueDepth, ...]


@dataclass(frozen=True, slots=True)
class Bar:
    """An OHLCV bar, complete or still forming (see :class:`BarClosed` for the fields)."""

    symbol: str
    timeframe: Timeframe
    start_ns: int
    open: int
    high: int
    low: int
    close: int
    volume: int
    notional: int
    trade_count: int
    trading_date: str

    @property
    def vwap(self) -> int:
        """Volume-weighted average price, rounded half up to a price unit."""
        return vwap_of(self.notional, self.volume)


def vwap_of(notional: int, volume: int) -> int:
    """Exact VWAP in price units, rounded half up (0 for no volume)."""
    if volume <= 0:
        return 0
    return (2 * notional + volume) // (2 * volume)


@dataclass(frozen=True, slots=True)
class SymbolSnapshot:
    """Everything a quote screen shows for one symbol at once."""

    symbol: str
    trading_date: str
    last_trade: TradePrinted | None
    quote: Quote | None
    today: Bar | None
    prior_close: int | None
    halted_venues: tuple[str, ...]
    short_sale_restricted: bool

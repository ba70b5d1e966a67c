"""Market data in Alpaca's Market Data API v2 shapes (REST JSON and stream MessagePack).

Alpaca writes prices as JSON numbers; a float made from a four-decimal price prints back as
exactly that decimal (shortest round-trip repr), so nothing is lost on the way out. Stream
messages carry times as MessagePack Timestamp values (nanosecond precision), REST bodies as
RFC 3339 text. Venues appear as the SIP's one-letter exchange codes, except in our Level II
channel, where the venue name is the point.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from directbroker.adapters.http.shapes import Json, iso
from directbroker.domain.marketdata_messages import (
    Bar,
    BarClosed,
    Montage,
    Quote,
    QuoteUpdated,
    TradePrinted,
)
from directbroker.domain.numbers import PRICE_SCALE

SIP_CODES = {"ARCA": "P", "NSDQ": "Q", "NASDAQ": "Q", "BATS": "Z", "BYX": "Y", "EDGX": "K",
             "EDGA": "J", "IEX": "V", "NYSE": "N", "AMEX": "A", "MEMX": "U"}  # fmt: skip

Stamp = Callable[[int], Any]
"""How a message carries time: :func:`iso` for REST, a MessagePack Timestamp for streams."""


def number(units: int | None) -> float:
    """A price as Alpaca's JSON number (0 when there is none, as Alpaca sends)."""
    if units is None:
        return 0.0
    return float(Decimal(units) / PRICE_SCALE)


def exchange(venue: str) -> str:
    """The SIP code for a venue (the name itself for a venue the SIP does not know)."""
    return SIP_CODES.get(venue, venue)


def bar_json(bar: Bar | BarClosed, stamp: Stamp = iso) -> Json:
    """A bar: t o h l c v n vw."""
    return {
        "t": stamp(bar.start_ns),
        "o": number(bar.open),
        "h": number(bar.high),
        "l": number(bar.low),
        "c": number(bar.close),
        "v": bar.volume,
        "n": bar.trade_count,
        "vw": number(bar.vwap),
    }


def quote_json(quote: Quote | QuoteUpdated, stamp: Stamp = iso) -> Json:
    """An NBBO quote: t ax ap as bx bp bs c z."""
    return {
        "t": stamp(quote.ts_ns),
        "ax": exchange(quote.ask_venue),
        "ap": number(quote.ask_price),
        "as": quote.ask_size,
        "bx": exchange(quote.bid_venue),
        "bp": number(quote.bid_price),
        "bs": quote.bid_size,
        "c": ["R"],
        "z": "C",
    }


def trade_json(trade: TradePrinted, stamp: Stamp = iso) -> Json:
    """A print: t x p s c i z."""
    return {
        "t": stamp(trade.ts_ns),
        "x": exchange(trade.venue),
        "p": number(trade.price),
        "s": trade.quantity,
        "c": [trade.condition or "@"],
        "i": trade.trade_id,
        "z": "C",
    }


def time_and_sales_json(trade: TradePrinted) -> Json:
    """One time & sales row (our extension): the venue by name and who took liquidity."""
    return trade_json(trade) | {
        "venue": trade.venue,
        "aggressor": None if trade.aggressor is None else trade.aggressor.value,
        "tape_seq": trade.tape_seq,
    }


def montage_json(montage: Montage, stamp: Stamp, ts_ns: int) -> Json:
    """Level II (our extension, shaped like Alpaca's orderbook message): every venue's
    levels, bids best first and asks best first, each level naming its venue."""
    bids = sorted(
        ((-level.price, -level.quantity, row.venue, level.orders, level.price)
         for row in montage.venues for level in row.bids),
    )  # fmt: skip
    asks = sorted(
        ((level.price, -level.quantity, row.venue, level.orders, level.price)
         for row in montage.venues for level in row.asks),
    )  # fmt: skip
    return {
        "t": stamp(ts_ns),
        "b": [{"p": number(p), "s": -q, "x": v, "n": n} for _, q, v, n, p in bids],
        "a": [{"p": number(p), "s": -q, "x": v, "n": n} for _, q, v, n, p in asks],
        "r": True,
    }

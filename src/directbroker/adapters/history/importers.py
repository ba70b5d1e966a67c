"""Import of external history: CSV bars, and NASDAQ TotalView-ITCH 5.0 order-level files.

An ITCH file is not stored raw: its messages are translated into our venue feed events and run
through a fresh market data engine, so imported history (prints, NBBO changes, bars) is made by
exactly the code that makes live history. A CSV of bars is stored as given, after checking each
row; an error names the line, and nothing from a file with a bad row is stored.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from directbroker.adapters.history.store import HistoryStore
from directbroker.domain.marketdata_messages import (
    Bar,
    BarClosed,
    EndTradingDay,
    MarketDataInputRejected,
    QuoteUpdated,
    StartTradingDay,
    Timeframe,
    TradePrinted,
)
from directbroker.domain.messages import Event
from directbroker.domain.numbers import parse_price, parse_quantity
from directbroker.domain.rejects import DomainRejection
from directbroker.engines.marketdata import MarketDataEngine
from directbroker.protocols.itch import ItchReader
from directbroker.protocols.itch_translate import ItchTranslator


class HistoryImportError(ValueError):
    """A file that cannot be imported; says where."""


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What an ITCH import read and stored."""

    messages: int
    feed_events: int
    trades: int
    quotes: int
    bars: int
    rejected: int


_REQUIRED = ("symbol", "timeframe", "start", "open", "high", "low", "close", "volume")


def _start_ns(text: str) -> int:
    """Integer nanoseconds since the epoch, or an ISO 8601 time (naive means UTC)."""
    if text.lstrip("-").isdigit():
        return int(text)
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1_000


def _bar_row(row: dict[str, str], line: int) -> Bar:
    try:
        timeframe = Timeframe(row["timeframe"])
        prices = [parse_price(row[k]) for k in ("open", "high", "low", "close")]
        volume = parse_quantity(row["volume"]) if row["volume"] not in ("", "0") else 0
        vwap = row.get("vwap") or ""
        if not (prices[2] <= min(prices[0], prices[3]) and prices[1] >= max(prices[0], prices[3])):
            raise ValueError("high/low do not contain open and close")
        # Without a VWAP the notional is unknown; the close stands in for the average price.
        average = parse_price(vwap) if vwap else prices[3]
        return Bar(
            symbol=row["symbol"].strip(),
            timeframe=timeframe,
            start_ns=_start_ns(row["start"].strip()),
            open=prices[0],
            high=prices[1],
            low=prices[2],
            close=prices[3],
            volume=volume,
            notional=average * volume,
            trade_count=int(row.get("trade_count") or 0),
            trading_date=(row.get("trading_date") or "").strip(),
        )
    except (KeyError, ValueError, DomainRejection, ArithmeticError) as exc:
        raise HistoryImportError(f"line {line}: {exc}") from exc


def import_bars_csv(store: HistoryStore, lines: Iterable[str]) -> int:
    """Store bars from CSV with a header naming at least symbol, timeframe (1s/1m/5m/1d), start
    (epoch ns or ISO 8601), open, high, low, close (decimal dollars) and volume; optional vwap,
    trade_count and trading_date. All rows are checked before any is stored."""
    reader = csv.DictReader(lines)
    missing = [c for c in _REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise HistoryImportError(f"line 1: missing columns {', '.join(missing)}")
    bars = [_bar_row(row, reader.line_num) for row in reader]
    if any(not bar.symbol for bar in bars):
        raise HistoryImportError("a row has no symbol")
    return store.add_bars(bars)


def import_itch(
    store: HistoryStore,
    chunks: Iterable[bytes],
    *,
    venue: str,
    trading_date: str,
    midnight_ns: int,
    batch: int = 10_000,
) -> ImportSummary:
    """Translate an ITCH 5.0 file (in chunks of any size) into history for one trading date.

    ``midnight_ns`` is the epoch nanoseconds of that date's midnight in the exchange's time
    zone (ITCH stamps are nanoseconds since then). Raises ``ItchFormatError`` naming the byte
    offset of the first malformed message; what was stored before it stays stored.
    """
    reader = ItchReader()
    translator = ItchTranslator(venue, midnight_ns)
    engine = MarketDataEngine(tape_depth=1, bar_history=1)
    pending: list[Event] = list(engine.handle(StartTradingDay(trading_date), midnight_ns))
    counts = {"messages": 0, "feed": 0, "trades": 0, "quotes": 0, "bars": 0, "rejected": 0}
    last_ts = midnight_ns

    def keep(events: list[Event]) -> None:
        for event in events:
            if isinstance(event, TradePrinted):
                counts["trades"] += 1
            elif isinstance(event, QuoteUpdated):
                counts["quotes"] += 1
            elif isinstance(event, BarClosed):
                counts["bars"] += 1
            elif isinstance(event, MarketDataInputRejected):
                counts["rejected"] += 1
        pending.extend(events)

    for chunk in chunks:
        for message in reader.feed(chunk):
            counts["messages"] += 1
            last_ts = max(last_ts, midnight_ns + message.timestamp)
            for feed_event in translator.translate(message):
                counts["feed"] += 1
                keep(engine.handle(feed_event, last_ts))
        if len(pending) >= batch:
            store.record(pending)
            pending.clear()
    reader.close()
    keep(engine.handle(EndTradingDay(trading_date), last_ts))
    store.record(pending)
    return ImportSummary(
        counts["messages"], counts["feed"], counts["trades"], counts["quotes"], counts["bars"],
        counts["rejected"],
    )  # fmt: skip

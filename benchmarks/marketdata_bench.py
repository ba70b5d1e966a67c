"""Market data benchmarks: consolidation throughput, and fan-out cost as subscribers grow.

Run: ``python benchmarks/marketdata_bench.py [--quick]``.

The input is a pre-generated order-level feed (adds, executions, cancels, deletes, replaces and
prints; about 70% of messages are book changes, as on a real venue feed) across 5 venues and
8 symbols, so the numbers measure the market data engine and the fan-out, not a generator.

1. Consolidation: venue feed events per second through ``MarketDataEngine.handle`` (book by
   venue, NBBO, depth deltas, tape, bars, status).
2. Consolidation plus fan-out to 1, 100 and 1,000 subscribers. Each subscriber follows one
   symbol's quotes, trades and depth (subscribers spread evenly over the 8 symbols), plus a
   "firehose" case where every subscriber takes every channel of every symbol. Subscribers
   drain their queues after each batch of 1,000 feed events, on the same thread (so the number
   is the publisher's cost, without thread hand-off noise).
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Sequence

from directbroker.adapters.marketdata import MarketDataFanout, Subscription
from directbroker.domain.marketdata_messages import Channel, StartTradingDay
from directbroker.domain.messages import Event
from directbroker.domain.orders import BookSide
from directbroker.domain.venue_messages import (
    BookOrderAdded,
    BookOrderDeleted,
    BookOrderExecuted,
    BookOrderReduced,
    BookOrderReplaced,
    TradeReported,
)
from directbroker.engines.marketdata import MarketDataEngine

VENUES = ("ARCA", "BATS", "EDGX", "IEX", "NSDQ")
SYMBOLS = ("AAPL", "MSFT", "NVDA", "AMZN", "TSLA", "SPY", "JPM", "KO")
DAY_START = 1_741_012_200_000_000_000
BATCH = 1_000


def make_feed(count: int, seed: int = 42) -> list[tuple[Event, int]]:
    """A valid order-level feed: each venue's book stays uncrossed, orders near the touch."""
    rng = random.Random(seed)
    live: dict[tuple[str, str], list[tuple[int, bool, int, int]]] = {
        (v, s): [] for v in VENUES for s in SYMBOLS
    }
    mids = {s: 1_000_000 + 500_000 * i for i, s in enumerate(SYMBOLS)}
    out: list[tuple[Event, int]] = []
    ref = trade_id = 0
    ts = DAY_START
    while len(out) < count:
        ts += rng.randrange(1_000, 200_000)
        venue, symbol = rng.choice(VENUES), rng.choice(SYMBOLS)
        book = live[(venue, symbol)]
        roll = rng.random()
        if roll < 0.45 or len(book) < 4:
            ref += 1
            is_bid = rng.random() < 0.5
            distance = int(rng.paretovariate(1.5)) * 100
            price = mids[symbol] + (-distance - 100 if is_bid else distance + 100)
            qty = rng.choice((100, 100, 200, 300, 500))
            book.append((ref, is_bid, price, qty))
            side = BookSide.BID if is_bid else BookSide.ASK
            out.append((BookOrderAdded(venue, symbol, ref, side, price, qty, ts), ts))
            continue
        index = rng.randrange(len(book))
        order_ref, is_bid, price, qty = book[index]
        if roll < 0.70:
            book.pop(index)
            out.append((BookOrderDeleted(venue, symbol, order_ref, ts), ts))
        elif roll < 0.80:
            take = rng.randrange(1, qty + 1)
            trade_id += 1
            if take == qty:
                book.pop(index)
            else:
                book[index] = (order_ref, is_bid, price, qty - take)
            aggressor = BookSide.ASK if is_bid else BookSide.BID
            out.append((BookOrderExecuted(venue, symbol, order_ref, take, trade_id, ts), ts))
            out.append((TradeReported(venue, symbol, trade_id, price, take, aggressor, "", ts), ts))
        elif roll < 0.88 and qty > 100:
            book[index] = (order_ref, is_bid, price, qty - 100)
            out.append((BookOrderReduced(venue, symbol, order_ref, 100, ts), ts))
        elif roll < 0.95:
            ref += 1
            book[index] = (ref, is_bid, price, qty)
            out.append((BookOrderReplaced(venue, symbol, order_ref, ref, price, qty, ts), ts))
        else:
            trade_id += 1
            out.append(
                (TradeReported(venue, symbol, trade_id, mids[symbol], 100, None, "", ts), ts)
            )
    return out[:count]


def consolidate(feed: list[tuple[Event, int]]) -> tuple[float, int]:
    engine = MarketDataEngine()
    engine.handle(StartTradingDay("2025-03-03"), DAY_START)
    handle = engine.handle
    produced = 0
    start = time.perf_counter()
    for event, ts in feed:
        produced += len(handle(event, ts))
    return time.perf_counter() - start, produced


def fan_out(feed: list[tuple[Event, int]], subscribers: int, firehose: bool) -> dict[str, float]:
    engine = MarketDataEngine()
    engine.handle(StartTradingDay("2025-03-03"), DAY_START)
    fanout = MarketDataFanout(default_capacity=1_000_000)
    subs: list[Subscription] = []
    for i in range(subscribers):
        if firehose:
            subs.append(fanout.subscribe(None, list(Channel)))
        else:
            symbol = SYMBOLS[i % len(SYMBOLS)]
            subs.append(fanout.subscribe([symbol], [Channel.QUOTES, Channel.TRADES, Channel.DEPTH]))
    handle, publish = engine.handle, fanout.publish
    delivered = 0
    start = time.perf_counter()
    for offset in range(0, len(feed), BATCH):
        out: list[Event] = []
        for event, ts in feed[offset : offset + BATCH]:
            out.extend(handle(event, ts))
        publish(out)
        for sub in subs:
            delivered += len(sub.poll())
    elapsed = time.perf_counter() - start
    conflated = sum(s.stats.conflated for s in subs)
    dropped = sum(s.closed for s in subs)
    return {
        "subscribers": subscribers,
        "firehose": firehose,
        "feed_events_per_s": round(len(feed) / elapsed),
        "deliveries": delivered + conflated,
        "ns_per_delivery": round(elapsed * 1e9 / max(delivered + conflated, 1), 1),
        "conflated": conflated,
        "disconnected": dropped,
        "seconds": round(elapsed, 3),
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller run (seconds)")
    args = parser.parse_args(argv)
    count = 20_000 if args.quick else 200_000
    feed = make_feed(count)
    elapsed, produced = consolidate(feed)
    report: dict[str, object] = {
        "feed_events": count,
        "consolidation": {
            "feed_events_per_s": round(count / elapsed),
            "us_per_feed_event": round(elapsed * 1e6 / count, 2),
            "output_events_per_feed_event": round(produced / count, 2),
        },
    }
    rows = []
    for subscribers in (1, 100, 1_000):
        rows.append(fan_out(feed, subscribers, firehose=False))
    for subscribers in (1, 100) if args.quick else (1, 100, 1_000):
        rows.append(fan_out(feed[: count // 4], subscribers, firehose=True))
    report["fan_out"] = rows
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

"""Fan-out: routing by symbol and channel, conflation for slow readers, disconnection instead of
a lost print, and consumers on threads and on an event loop."""

from __future__ import annotations

import asyncio
import threading

from directbroker.adapters.marketdata import SLOW_CONSUMER, AsyncSubscription, MarketDataFanout
from directbroker.domain.marketdata_messages import (
    BarClosed,
    Channel,
    DepthUpdated,
    QuoteUpdated,
    Timeframe,
    TradePrinted,
    TradingDayStarted,
    TradingStatusChanged,
)
from directbroker.domain.messages import Event
from directbroker.domain.orders import BookSide


def quote(symbol: str, bid: int, ts: int = 0) -> QuoteUpdated:
    return QuoteUpdated(symbol, bid, 100, "ARCA", bid + 100, 100, "BATS", ts)


def trade(symbol: str, seq: int) -> TradePrinted:
    return TradePrinted(seq, symbol, "ARCA", seq, 100_000, 10, None, "", seq)


def seqs(events: list[Event]) -> list[int]:
    return [e.tape_seq for e in events if isinstance(e, TradePrinted)]


def test_events_reach_only_matching_symbols_and_channels() -> None:
    fanout = MarketDataFanout()
    acme_quotes = fanout.subscribe(["ACME"], [Channel.QUOTES])
    everything = fanout.subscribe(None, list(Channel))
    zeta_trades = fanout.subscribe(["ZETA"], [Channel.TRADES, Channel.BARS])
    bar = BarClosed("ZETA", Timeframe.MINUTE, 0, 1, 1, 1, 1, 1, 1, 1, 1, "", 0)
    depth = DepthUpdated("ARCA", "ACME", BookSide.BID, 99, 100, 1, 0)
    status = TradingStatusChanged("ACME", ("ARCA",), False, "halted", 0)
    events = [quote("ACME", 1), trade("ZETA", 1), bar, depth, status, quote("ZETA", 5)]
    fanout.publish(events)
    assert acme_quotes.poll() == [events[0]]
    assert everything.poll() == events
    assert zeta_trades.poll() == [events[1], bar]


def test_a_slow_reader_gets_the_latest_quote_per_symbol_in_place() -> None:
    fanout = MarketDataFanout()
    slow = fanout.subscribe(None, [Channel.QUOTES, Channel.TRADES], capacity=4)
    fast = fanout.subscribe(None, [Channel.QUOTES])
    fanout.publish([quote("ACME", 1), quote("ZETA", 1), trade("ACME", 1)])
    assert len(fast.poll()) == 2
    seen = []
    for bid in range(2, 500):
        fanout.publish([quote("ACME", bid)])
        seen += fast.poll()  # a reader that keeps up sees every quote
    assert len(seen) == 498
    assert slow.poll() == [quote("ACME", 499), quote("ZETA", 1), trade("ACME", 1)]
    assert slow.stats.conflated == 498 and not slow.closed


def test_a_reader_that_would_lose_a_print_is_disconnected_not_waited_for() -> None:
    fanout = MarketDataFanout()
    slow = fanout.subscribe(["ACME"], [Channel.TRADES], capacity=3)
    healthy = fanout.subscribe(["ACME"], [Channel.TRADES], capacity=100)
    fanout.publish([trade("ACME", seq) for seq in range(1, 6)])
    assert slow.closed and slow.close_reason == SLOW_CONSUMER
    assert seqs(slow.poll()) == [1, 2, 3]  # what it had can still be read
    assert fanout.subscriber_count() == 1
    fanout.publish([trade("ACME", 6)])
    assert slow.poll() == []
    assert seqs(healthy.poll()) == [1, 2, 3, 4, 5, 6]


def test_a_new_trading_day_reaches_each_status_subscriber_once() -> None:
    fanout = MarketDataFanout()
    many = fanout.subscribe(["ACME", "ZETA", "KO"], [Channel.STATUS])
    every = fanout.subscribe(None, [Channel.STATUS])
    quotes_only = fanout.subscribe(["ACME"], [Channel.QUOTES])
    started = TradingDayStarted("2025-03-04", 1)
    fanout.publish([started])
    assert many.poll() == [started] and every.poll() == [started] and quotes_only.poll() == []


def test_a_consumer_thread_receives_every_trade_in_order() -> None:
    fanout = MarketDataFanout()
    subscription = fanout.subscribe(["ACME"], [Channel.TRADES], capacity=100_000)
    received: list[int] = []

    def consume() -> None:
        while len(received) < 2_000:
            event = subscription.get(timeout=5)
            assert isinstance(event, TradePrinted)
            received.append(event.tape_seq)

    consumer = threading.Thread(target=consume)
    consumer.start()
    for start in range(1, 2_001, 100):
        fanout.publish([trade("ACME", seq) for seq in range(start, start + 100)])
    consumer.join(timeout=10)
    assert received == list(range(1, 2_001))


def test_an_asyncio_consumer_is_woken_by_a_publisher_thread() -> None:
    async def scenario() -> list[int]:
        fanout = MarketDataFanout()
        stream = AsyncSubscription(fanout, ["ACME"], [Channel.TRADES])

        def publish() -> None:
            for seq in range(1, 301):
                fanout.publish([trade("ACME", seq)])
            fanout.unsubscribe(stream.subscription)

        publisher = threading.Thread(target=publish)
        publisher.start()
        seen = [e.tape_seq async for e in stream if isinstance(e, TradePrinted)]
        publisher.join()
        return seen

    assert asyncio.run(scenario()) == list(range(1, 301))

"""Market data distribution: fan-out of consolidated events to subscribers.

Owns: subscriptions by symbol and channel (quotes, trades, bars, depth, status), bounded
per-subscriber queues with conflation of quotes, depth and status for slow readers and
disconnection when a print would be lost, and an asyncio face for consumers on an event loop.
The publisher (the market data engine's runner) never waits for a subscriber.
May import: ``directbroker.domain`` and the standard library (threading, asyncio).
"""

from directbroker.adapters.marketdata.aio import AsyncSubscription
from directbroker.adapters.marketdata.fanout import MarketDataFanout, route_of
from directbroker.adapters.marketdata.subscription import (
    SLOW_CONSUMER,
    Subscription,
    SubscriptionStats,
)

__all__ = [
    "SLOW_CONSUMER",
    "AsyncSubscription",
    "MarketDataFanout",
    "Subscription",
    "SubscriptionStats",
    "route_of",
]

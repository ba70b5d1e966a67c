"""Fan-out of consolidated market data to many subscribers, by symbol and channel.

The routing table maps (channel, symbol) to an immutable tuple of subscriptions and is replaced
whole (copy on write) under a lock when someone subscribes or leaves, so :meth:`publish` reads
it without locking and costs one dict lookup per event plus one non-blocking ``offer`` per
interested subscriber. Subscribers disconnected for being slow are unrouted after the publish
that found them full.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterable

from directbroker.adapters.marketdata.subscription import Subscription
from directbroker.domain.marketdata_messages import (
    BarClosed,
    Channel,
    DepthUpdated,
    QuoteUpdated,
    TradePrinted,
    TradingDayStarted,
    TradingStatusChanged,
)
from directbroker.domain.messages import Event

_Route = tuple[Channel, str | None]
"""(channel, symbol); symbol None routes to subscribers of every symbol."""


def route_of(event: Event) -> tuple[Channel, str | None, Hashable | None] | None:
    """(channel, symbol, conflation key) of an event, or None if it is not published."""
    if isinstance(event, QuoteUpdated):
        return Channel.QUOTES, event.symbol, (Channel.QUOTES, event.symbol)
    if isinstance(event, TradePrinted):
        return Channel.TRADES, event.symbol, None
    if isinstance(event, DepthUpdated):
        key = (Channel.DEPTH, event.symbol, event.venue, event.side, event.price)
        return Channel.DEPTH, event.symbol, key
    if isinstance(event, BarClosed):
        return Channel.BARS, event.symbol, None
    if isinstance(event, TradingStatusChanged):
        return Channel.STATUS, event.symbol, (Channel.STATUS, event.symbol)
    if isinstance(event, TradingDayStarted):
        return Channel.STATUS, None, None
    return None


class MarketDataFanout:
    """Routes published events to subscriptions; thread-safe, and publish never blocks."""

    def __init__(self, default_capacity: int = 10_000) -> None:
        self.default_capacity = default_capacity
        self._lock = threading.Lock()
        self._routes: dict[_Route, tuple[Subscription, ...]] = {}
        self._subscriptions: dict[int, Subscription] = {}
        self._next_id = 1

    def subscribe(
        self,
        symbols: Iterable[str] | None,
        channels: Iterable[Channel],
        capacity: int | None = None,
        on_ready: Callable[[], None] | None = None,
    ) -> Subscription:
        """Start receiving ``channels`` for ``symbols`` (None: every symbol).

        ``on_ready`` is called (on the publisher's thread, so it must be quick, such as
        ``loop.call_soon_threadsafe``) when the queue goes from empty to not empty.
        """
        wanted_symbols = None if symbols is None else frozenset(symbols)
        wanted_channels = frozenset(Channel(c) for c in channels)
        if not wanted_channels:
            raise ValueError("subscribe to at least one channel")
        with self._lock:
            subscription = Subscription(
                self._next_id,
                wanted_symbols,
                wanted_channels,
                self.default_capacity if capacity is None else capacity,
                on_ready,
            )
            self._next_id += 1
            self._subscriptions[subscription.id] = subscription
            routes = dict(self._routes)
            for route in self._routes_of(subscription):
                routes[route] = (*routes.get(route, ()), subscription)
            self._routes = routes
        return subscription

    def unsubscribe(self, subscription: Subscription, reason: str = "unsubscribed") -> None:
        """Stop routing to ``subscription`` and close it."""
        with self._lock:
            if self._subscriptions.pop(subscription.id, None) is not None:
                routes = dict(self._routes)
                for route in self._routes_of(subscription):
                    left = tuple(s for s in routes.get(route, ()) if s is not subscription)
                    if left:
                        routes[route] = left
                    else:
                        routes.pop(route, None)
                self._routes = routes
        subscription.close(reason)

    def subscriber_count(self) -> int:
        """How many subscriptions are routed."""
        return len(self._subscriptions)

    def publish(self, events: Iterable[Event]) -> None:
        """Offer each event to every interested subscriber, in order, without waiting."""
        routes = self._routes
        dropped: list[Subscription] = []
        for event in events:
            found = route_of(event)
            if found is None:
                continue
            channel, symbol, key = found
            for subscription in routes.get((channel, symbol), ()):
                if not subscription.offer(event, key):
                    dropped.append(subscription)
            if symbol is not None:
                for subscription in routes.get((channel, None), ()):
                    if not subscription.offer(event, key):
                        dropped.append(subscription)
            else:
                # A market-wide event (a new trading day) reaches every subscriber of the
                # channel, whatever symbols it follows.
                seen: set[int] = set()
                for route, subscriptions in routes.items():
                    if route[0] is channel and route[1] is not None:
                        for subscription in subscriptions:
                            if subscription.id not in seen:
                                seen.add(subscription.id)
                                subscription.offer(event, key)
        for subscription in dropped:
            self.unsubscribe(subscription, subscription.close_reason or "closed")

    @staticmethod
    def _routes_of(subscription: Subscription) -> list[_Route]:
        symbols: Iterable[str | None] = (
            [None] if subscription.symbols is None else sorted(subscription.symbols)
        )
        return [(channel, symbol) for channel in subscription.channels for symbol in symbols]

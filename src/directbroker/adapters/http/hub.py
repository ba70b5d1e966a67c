"""Fan-out of trade updates to WebSocket subscribers, by account.

The platform publishes from whatever thread applies the broker core's events; each
subscription belongs to the server's event loop and is woken with ``call_soon_threadsafe``.
Publishing never waits: a subscriber that falls ``capacity`` updates behind is closed (its
client reconnects and re-reads orders over REST) rather than letting memory grow or the core
stall, the same policy as market data fan-out.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque

from directbroker.adapters.http.ports import TradeUpdate

SLOW_CONSUMER = "slow consumer"


class HubSubscription:
    """One subscriber's queue: a ``TradeUpdateSubscription`` for the trade_updates stream."""

    def __init__(self, hub: TradeUpdateHub, accounts: frozenset[str] | None, capacity: int) -> None:
        self.accounts = accounts
        self.capacity = capacity
        self.close_reason: str | None = None
        self._hub = hub
        self._loop = asyncio.get_running_loop()
        self._queue: deque[TradeUpdate] = deque()
        self._lock = threading.Lock()
        self._wakeup = asyncio.Event()

    def wants(self, update: TradeUpdate) -> bool:
        """Whether the update is for one of this subscriber's accounts."""
        return self.accounts is None or update.order.account in self.accounts

    def offer(self, update: TradeUpdate) -> None:
        """Queue without waiting (any thread)."""
        with self._lock:
            if self.close_reason is not None:
                return
            if len(self._queue) >= self.capacity:
                self.close_reason = SLOW_CONSUMER
            else:
                self._queue.append(update)
        self._wake()

    def _wake(self) -> None:
        if not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wakeup.set)

    async def get(self) -> TradeUpdate | None:
        """The next update; None once closed and drained."""
        while True:
            with self._lock:
                if self._queue:
                    return self._queue.popleft()
                if self.close_reason is not None:
                    return None
                self._wakeup.clear()
            await self._wakeup.wait()

    def close(self, reason: str = "unsubscribed") -> None:
        """Stop delivering; a waiting :meth:`get` returns None."""
        with self._lock:
            if self.close_reason is None:
                self.close_reason = reason
        self._hub.remove(self)
        self._wake()


class TradeUpdateHub:
    """Thread-safe publisher of :class:`TradeUpdate` values to subscriptions."""

    def __init__(self, capacity: int = 10_000) -> None:
        self.capacity = capacity
        self._lock = threading.Lock()
        self._subscribers: tuple[HubSubscription, ...] = ()

    def subscribe(self, accounts: frozenset[str] | None) -> HubSubscription:
        """A subscription for ``accounts`` (None: every account); call on the event loop."""
        subscription = HubSubscription(self, accounts, self.capacity)
        with self._lock:
            self._subscribers = (*self._subscribers, subscription)
        return subscription

    def remove(self, subscription: HubSubscription) -> None:
        """Forget a subscription (it closes itself)."""
        with self._lock:
            self._subscribers = tuple(s for s in self._subscribers if s is not subscription)

    def publish(self, update: TradeUpdate) -> None:
        """Offer ``update`` to every interested subscriber, without waiting."""
        for subscription in self._subscribers:
            if subscription.wants(update):
                subscription.offer(update)

    @property
    def subscriber_count(self) -> int:
        """How many subscriptions are live."""
        return len(self._subscribers)

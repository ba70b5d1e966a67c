"""One subscriber's bounded, conflating queue.

The market never waits for a subscriber: :meth:`Subscription.offer` never blocks. Events that
describe a state rather than a happening (a quote, a depth level, a trading status) carry a
conflation key; while one with the same key is still queued, the newer one replaces it in place
(same queue position, latest value), so a slow reader sees fewer, fresher quotes and the queue
holds at most one entry per key. Trades and bars cannot be conflated: when one arrives at a full
queue, the subscriber is disconnected (closed with a reason) rather than silently missing a
print, as real market data feeds treat a slow consumer. What was queued can still be drained.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from directbroker.domain.marketdata_messages import Channel
from directbroker.domain.messages import Event

SLOW_CONSUMER = "slow consumer: queue full"


@dataclass(frozen=True, slots=True)
class _Slot:
    """A queue position whose event is the latest one stored under ``key``."""

    key: Hashable


@dataclass(slots=True)
class SubscriptionStats:
    """Counters a consumer or an operator can watch."""

    delivered: int = 0
    conflated: int = 0
    """Queued events replaced by a newer one with the same key before being read."""


class Subscription:
    """What one subscriber asked for, and its queue. Thread-safe; never blocks the writer."""

    def __init__(
        self,
        subscription_id: int,
        symbols: frozenset[str] | None,
        channels: frozenset[Channel],
        capacity: int,
        on_ready: Callable[[], None] | None = None,
    ) -> None:
        if capacity <= 0:
            raise ValueError("capacity must be positive")
        self.id = subscription_id
        self.symbols = symbols
        """None means every symbol."""
        self.channels = channels
        self.capacity = capacity
        self.stats = SubscriptionStats()
        self._on_ready = on_ready
        self._lock = threading.Lock()
        self._ready = threading.Condition(self._lock)
        self._queue: deque[Event | _Slot] = deque()
        self._latest: dict[Hashable, Event] = {}
        self._close_reason: str | None = None

    @property
    def closed(self) -> bool:
        """Whether no more events will be queued (drain what is left with :meth:`poll`)."""
        return self._close_reason is not None

    @property
    def close_reason(self) -> str | None:
        """Why the subscription ended, if it did."""
        return self._close_reason

    def __len__(self) -> int:
        return len(self._queue)

    # --- writer side ---------------------------------------------------------------------

    def offer(self, event: Event, key: Hashable | None) -> bool:
        """Queue ``event`` without blocking; False if the subscription is (now) closed."""
        with self._lock:
            if self._close_reason is not None:
                return False
            queue = self._queue
            if key is not None and key in self._latest:
                self._latest[key] = event
                self.stats.conflated += 1
                return True
            if len(queue) >= self.capacity:
                self._close_reason = SLOW_CONSUMER
                self._ready.notify_all()
                wake = True
            else:
                if key is None:
                    queue.append(event)
                else:
                    self._latest[key] = event
                    queue.append(_Slot(key))
                wake = len(queue) == 1
                if wake:
                    self._ready.notify()
        if wake and self._on_ready is not None:
            self._on_ready()
        return self._close_reason is None

    def close(self, reason: str = "unsubscribed") -> None:
        """End the subscription; queued events stay readable."""
        with self._lock:
            if self._close_reason is None:
                self._close_reason = reason
            self._ready.notify_all()
        if self._on_ready is not None:
            self._on_ready()

    # --- reader side ---------------------------------------------------------------------

    def _take(self) -> Event:
        item = self._queue.popleft()
        self.stats.delivered += 1
        if isinstance(item, _Slot):
            return self._latest.pop(item.key)
        return item

    def poll(self, max_items: int | None = None) -> list[Event]:
        """Everything queued (or up to ``max_items``), oldest first, without waiting."""
        with self._lock:
            count = len(self._queue) if max_items is None else min(max_items, len(self._queue))
            return [self._take() for _ in range(count)]

    def get(self, timeout: float | None = None) -> Event | None:
        """The next event, waiting up to ``timeout`` seconds; None on timeout or when closed
        and drained."""
        with self._lock:
            if not self._queue and self._close_reason is None:
                self._ready.wait(timeout)
            if not self._queue:
                return None
            return self._take()

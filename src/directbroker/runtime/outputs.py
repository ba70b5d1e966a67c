"""Per-consumer bounded output queues: how committed events leave the core.

The core never waits for a consumer. A consumer that falls ``capacity`` deliveries behind is
dropped (its queue cleared, :class:`ConsumerDroppedError` raised on its next read); it resubscribes
and catches up from the journal by sequence number, which is cheaper and more honest than
letting one slow reader stall every client.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Sequence
from typing import NamedTuple

from directbroker.domain.messages import Event


class Delivery(NamedTuple):
    """The events of one journal entry, released only after the entry is durable."""

    seq: int
    ts_ns: int
    client_id: str | None
    events: tuple[Event, ...]


class ConsumerDroppedError(Exception):
    """The consumer fell too far behind and was disconnected; catch up from the journal."""

    def __init__(self, name: str, after_seq: int) -> None:
        self.name = name
        self.after_seq = after_seq
        super().__init__(
            f"consumer {name!r} fell behind and was dropped; resume from the journal after "
            f"seq {after_seq}"
        )


class Subscription:
    """One consumer's queue. Read it from any thread; the sequencer only ever offers to it."""

    def __init__(self, name: str, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.name = name
        self.capacity = capacity
        self._items: deque[Delivery] = deque()
        self._cond = threading.Condition(threading.Lock())
        self._dropped_after: int | None = None
        self._closed = False
        self._last_taken = 0

    @property
    def dropped(self) -> bool:
        """Whether the consumer was disconnected for being slow."""
        return self._dropped_after is not None

    @property
    def closed(self) -> bool:
        """Whether the consumer unsubscribed."""
        return self._closed

    def offer(self, deliveries: Sequence[Delivery]) -> bool:
        """Enqueue without waiting; drop the consumer instead of exceeding its capacity."""
        with self._cond:
            if self._closed or self._dropped_after is not None:
                return False
            if len(self._items) + len(deliveries) > self.capacity:
                self._dropped_after = self._last_taken
                self._items.clear()
                self._cond.notify_all()
                return False
            self._items.extend(deliveries)
            self._cond.notify()
            return True

    def get(self, timeout: float | None = None) -> Delivery | None:
        """The next delivery, or ``None`` on timeout or after close."""
        batch = self.get_batch(1, timeout)
        return batch[0] if batch else None

    def get_batch(self, max_items: int, timeout: float | None = None) -> list[Delivery]:
        """Up to ``max_items`` deliveries, waiting up to ``timeout`` for the first one."""
        with self._cond:
            if not self._items and self._dropped_after is None and not self._closed:
                self._cond.wait(timeout)
            if self._dropped_after is not None:
                raise ConsumerDroppedError(self.name, self._dropped_after)
            taken = [self._items.popleft() for _ in range(min(max_items, len(self._items)))]
            if taken:
                self._last_taken = taken[-1].seq
            return taken

    def close(self) -> None:
        """Unsubscribe: the sequencer stops offering and readers are woken."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()


class Fanout:
    """The set of subscriptions the sequencer publishes each committed batch to."""

    def __init__(self) -> None:
        self._subs: list[Subscription] = []
        self._lock = threading.Lock()

    def subscribe(self, name: str, capacity: int = 10_000) -> Subscription:
        """Add a consumer; it receives batches committed from now on."""
        sub = Subscription(name, capacity)
        with self._lock:
            self._subs = [*self._subs, sub]
        return sub

    @property
    def active(self) -> bool:
        """Whether anyone is listening (the sequencer skips building deliveries otherwise)."""
        return bool(self._subs)

    def publish(self, deliveries: Sequence[Delivery]) -> None:
        """Offer one committed batch to every consumer; forget dropped and closed ones."""
        subs = self._subs
        gone = [sub for sub in subs if not sub.offer(deliveries)]
        if gone:
            with self._lock:
                self._subs = [s for s in self._subs if s not in gone]

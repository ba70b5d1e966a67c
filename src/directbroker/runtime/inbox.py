"""The sequencer's bounded input queue: many producers, one consumer that drains in batches.

Draining takes everything waiting (up to a batch limit) under one lock acquisition; that is what
turns a burst of inputs into one journal commit.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Generic, TypeVar

T = TypeVar("T")


class InboxClosedError(Exception):
    """The consumer has stopped; no more inputs are taken."""


class Inbox(Generic[T]):
    """A bounded FIFO. Producers wait (or give up) when full; the core never waits on them."""

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self._items: deque[T] = deque()
        lock = threading.Lock()
        self._not_empty = threading.Condition(lock)
        self._not_full = threading.Condition(lock)
        self._closed = False

    def __len__(self) -> int:
        return len(self._items)

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed

    def put(self, item: T, *, block: bool = True, timeout: float | None = None) -> bool:
        """Append ``item``; ``False`` if still full after ``timeout`` (or at once if not blocking).

        Raises :class:`InboxClosedError` once the consumer has stopped.
        """
        with self._not_full:
            while len(self._items) >= self.capacity and not self._closed:
                gave_up = not block or not self._not_full.wait(timeout)
                if gave_up and len(self._items) >= self.capacity and not self._closed:
                    return False
            if self._closed:
                raise InboxClosedError("the inbox is closed")
            self._items.append(item)
            self._not_empty.notify()
            return True

    def drain(self, max_items: int, timeout: float | None = None) -> list[T]:
        """Take up to ``max_items``, waiting up to ``timeout`` for the first.

        An empty list means the timeout passed, or the inbox is closed and empty.
        """
        with self._not_empty:
            if not self._items and not self._closed:
                self._not_empty.wait(timeout)
            items = self._items
            if len(items) <= max_items:
                taken = list(items)
                items.clear()
            else:
                popleft = items.popleft
                taken = [popleft() for _ in range(max_items)]
            if taken:
                self._not_full.notify_all()
            return taken

    def close(self) -> list[T]:
        """Stop taking inputs and return whatever was still waiting (to be refused)."""
        with self._not_empty:
            self._closed = True
            left = list(self._items)
            self._items.clear()
            self._not_empty.notify_all()
            self._not_full.notify_all()
            return left

    def close_for_input(self) -> None:
        """Stop taking new inputs but keep the waiting ones for the consumer to finish."""
        with self._not_empty:
            self._closed = True
            self._not_empty.notify_all()
            self._not_full.notify_all()

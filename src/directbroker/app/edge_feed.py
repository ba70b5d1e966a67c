"""The one-way channel from the platform thread to the edge's event loop.

The platform thread hands over, in commit order, what the read models must apply and the
answers to client commands; the event loop applies them, in the same order, between serving
requests. So the loop never waits on the platform, the platform never waits on the loop, and a
client whose command is answered already sees its effects in every read model (the answer
travels behind the commit that caused it).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import deque
from collections.abc import Callable

Work = Callable[[], None]

DRAIN_CHUNK = 512
"""Items applied per turn of the event loop, so a backlog never holds requests up for long."""

_log = logging.getLogger(__name__)


class EdgeFeed:
    """A thread-safe queue of work for one event loop, applied in order on that loop."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: deque[Work] = deque()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._scheduled = False
        self.failures = 0
        """Work items that raised (a read model bug; logged, and the feed goes on)."""

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        """Apply work on ``loop`` from now on (and whatever waited for a loop)."""
        with self._lock:
            if self._loop is loop:
                return
            self._loop = loop
            self._scheduled = False
            pending = bool(self._items)
        if pending:
            self._schedule()

    @property
    def attached(self) -> bool:
        """Whether a loop applies the work."""
        return self._loop is not None and not self._loop.is_closed()

    def push(self, work: Work) -> None:
        """Queue ``work`` for the loop; never blocks (any thread)."""
        with self._lock:
            self._items.append(work)
            if self._scheduled or self._loop is None:
                return
            self._scheduled = True
        self._schedule()

    def _schedule(self) -> None:
        loop = self._loop
        if loop is None:
            return
        try:
            loop.call_soon_threadsafe(self._drain)
        except RuntimeError:
            # The loop has closed (the server stopped): nobody reads the models any more.
            with self._lock:
                self._scheduled = False

    def drain_now(self) -> int:
        """Apply everything queued, on the calling thread (tests and start-up, before any
        loop owns the read models). Returns how many items ran."""
        ran = 0
        while True:
            with self._lock:
                if not self._items:
                    return ran
                work = self._items.popleft()
            self._run(work)
            ran += 1

    def _drain(self) -> None:
        with self._lock:
            count = min(len(self._items), DRAIN_CHUNK)
            batch = [self._items.popleft() for _ in range(count)]
            more = bool(self._items)
            self._scheduled = more
        for work in batch:
            self._run(work)
        if more:
            loop = self._loop
            if loop is not None and not loop.is_closed():
                loop.call_soon(self._drain)

    def _run(self, work: Work) -> None:
        try:
            work()
        except Exception:
            self.failures += 1
            _log.exception("a read model failed to apply committed events")

    def __len__(self) -> int:
        return len(self._items)

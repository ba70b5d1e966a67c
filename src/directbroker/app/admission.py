"""Bounded admission of client commands into the platform.

Clients (the API, FIX sessions, the CLI through the API) hand commands to the platform thread
through one bounded inbox. When the inbox is full the command is refused at once with
:class:`Overloaded`, which the edge answers as 503 with ``Retry-After``: a client is never left
waiting on a core that cannot keep up, and memory stays flat however hard clients push.

Each admitted command is answered through its :class:`~concurrent.futures.Future` once its
outcome is durable in the journal of the core that applied it (or with the failure that
stopped the platform).
"""

from __future__ import annotations

import threading
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass

from directbroker.domain.messages import Event, Message

Reply = Future[tuple[Event, ...]]

DEFAULT_CAPACITY = 2_000
"""Commands that may wait for the platform thread at once (a few batches' worth)."""


class Overloaded(Exception):
    """The platform cannot take another command now; nothing was accepted. Retry after
    ``retry_after`` seconds."""

    def __init__(self, retry_after: float, reason: str = "the platform is busy") -> None:
        self.retry_after = retry_after
        self.reason = reason
        super().__init__(f"{reason}; retry after {retry_after:g} s")


@dataclass(frozen=True, slots=True)
class Admitted:
    """A client command waiting for the platform thread, with the core it is for."""

    core: str
    command: Message
    reply: Reply


class Admission:
    """The bounded inbox: any thread offers, the platform thread takes everything waiting."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY, retry_after: float = 1.0) -> None:
        if capacity < 1:
            raise ValueError("capacity must be positive")
        self.capacity = capacity
        self.retry_after = retry_after
        self._lock = threading.Lock()
        self._waiting: deque[Admitted] = deque()
        self._closed: BaseException | None = None
        self.refused = 0
        """Commands refused for want of room since start (for health and tests)."""

    def offer(self, core: str, command: Message) -> Reply:
        """Admit ``command`` for ``core`` or raise :class:`Overloaded` (or the failure that
        closed the inbox) without waiting."""
        reply: Reply = Future()
        with self._lock:
            if self._closed is not None:
                raise self._closed
            if len(self._waiting) >= self.capacity:
                self.refused += 1
                raise Overloaded(self.retry_after)
            self._waiting.append(Admitted(core, command, reply))
        return reply

    def __len__(self) -> int:
        return len(self._waiting)

    def take_all(self) -> list[Admitted]:
        """Everything waiting, oldest first (platform thread)."""
        with self._lock:
            taken = list(self._waiting)
            self._waiting.clear()
        return taken

    def close(self, reason: BaseException) -> None:
        """Refuse everything from now on with ``reason``, and fail what is still waiting."""
        with self._lock:
            self._closed = reason
            waiting = list(self._waiting)
            self._waiting.clear()
        for item in waiting:
            if not item.reply.done():
                item.reply.set_exception(reason)

"""Bounded admission of client commands into the platform: bounded in count and in time.

Clients (the API, FIX sessions, the CLI through the API) hand commands to the platform thread
through one inbox. A command is refused at once with :class:`Overloaded` (which the edge
answers as 503 with ``Retry-After``) when the inbox is full, or when the commands already
waiting would take the platform longer than the deadline to work through at its recent pace.

An admitted command the platform thread has not taken within ``deadline_s`` is never executed:
the platform drops it where it takes commands (:meth:`Admission.take_all`) and answers
:class:`Overloaded`, and the waiting client may withdraw it itself by cancelling its reply
(:meth:`concurrent.futures.Future.cancel` succeeds only while nobody has taken the command, so
a withdrawn command is certainly not executed). A command the platform has taken is answered
once its outcome is durable, within the step that took it. So every client hears back within
about the deadline plus one step, and the queue never holds more than a deadline of work.

Each admitted command is answered through its :class:`~concurrent.futures.Future` once its
outcome is durable in the journal of the core that applied it (or with the failure that
stopped the platform).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass

from directbroker.domain.messages import Event, Message

Reply = Future[tuple[Event, ...]]

DEFAULT_CAPACITY = 2_000
"""Commands that may wait for the platform thread at once (a few batches' worth)."""
DEFAULT_DEADLINE_S = 1.5
"""Longest a command may wait for the platform thread before it is dropped unexecuted."""
_COST_WEIGHT = 0.2
"""Weight of the newest batch in the running estimate of the platform's cost per command."""


class Overloaded(Exception):
    """The platform cannot take (or did not take in time) a command; it was not executed.
    Retry after ``retry_after`` seconds."""

    def __init__(self, retry_after: float, reason: str = "the platform is busy") -> None:
        self.retry_after = retry_after
        self.reason = reason
        super().__init__(f"{reason}; retry after {retry_after:g} s")


@dataclass(frozen=True, slots=True)
class Admitted:
    """A client command waiting for the platform thread, with the core it is for and when it
    was admitted (the admission's clock)."""

    core: str
    command: Message
    reply: Reply
    admitted_at: float = 0.0


class Admission:
    """The bounded inbox: any thread offers, the platform thread takes everything waiting.

    ``clock`` is a monotonic clock in seconds (a fake one in tests)."""

    def __init__(
        self,
        capacity: int = DEFAULT_CAPACITY,
        retry_after: float = 1.0,
        deadline_s: float = DEFAULT_DEADLINE_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if capacity < 1:
            raise ValueError("capacity must be positive")
        if deadline_s <= 0:
            raise ValueError("the deadline must be positive")
        self.capacity = capacity
        self.retry_after = retry_after
        self.deadline_s = deadline_s
        self._clock = clock
        self._lock = threading.Lock()
        self._waiting: deque[Admitted] = deque()
        self._closed: BaseException | None = None
        self._cost_s = 0.0
        """Running estimate of the platform's wall time per command (0: not measured yet)."""
        self.refused = 0
        """Commands refused at the door since start (full, or too much work waiting)."""
        self.expired = 0
        """Commands dropped unexecuted because the platform did not take them in time."""
        self.withdrawn = 0
        """Commands their clients withdrew before the platform took them."""

    def offer(self, core: str, command: Message) -> Reply:
        """Admit ``command`` for ``core`` or raise :class:`Overloaded` (or the failure that
        closed the inbox) without waiting."""
        reply: Reply = Future()
        with self._lock:
            if self._closed is not None:
                raise self._closed
            waiting = len(self._waiting)
            if waiting >= self.capacity:
                self.refused += 1
                raise Overloaded(self.retry_after)
            # The work ahead of this command; an empty inbox always admits, so a stale
            # estimate (one slow step) is corrected by the next batch served.
            if waiting * self._cost_s > self.deadline_s:
                self.refused += 1
                raise Overloaded(self.retry_after, "the platform is busy: too much work waiting")
            self._waiting.append(Admitted(core, command, reply, self._clock()))
        return reply

    def expected_wait_s(self) -> float:
        """The work ahead of a command admitted now, at the platform's recent pace."""
        return len(self._waiting) * self._cost_s

    def __len__(self) -> int:
        return len(self._waiting)

    def take_all(self) -> list[Admitted]:
        """Everything waiting that may still run, oldest first (platform thread).

        A command its client withdrew is skipped; one older than the deadline is answered
        :class:`Overloaded` and skipped. Every command returned is marked running, so its
        client can no longer withdraw it: it must be answered."""
        with self._lock:
            taken = list(self._waiting)
            self._waiting.clear()
        if not taken:
            return taken
        oldest_allowed = self._clock() - self.deadline_s
        ready: list[Admitted] = []
        for item in taken:
            if not item.reply.set_running_or_notify_cancel():
                self.withdrawn += 1
            elif item.admitted_at < oldest_allowed:
                self.expired += 1
                item.reply.set_exception(
                    Overloaded(self.retry_after, "the platform did not take the command in time")
                )
            else:
                ready.append(item)
        return ready

    def served(self, count: int, seconds: float) -> None:
        """Record that the platform took ``count`` commands and answered them in ``seconds``
        (platform thread): the pace :meth:`offer` judges the waiting work by."""
        if count <= 0:
            return
        cost = max(seconds, 0.0) / count
        self._cost_s = (
            cost if self._cost_s == 0.0 else self._cost_s + _COST_WEIGHT * (cost - self._cost_s)
        )

    def close(self, reason: BaseException) -> None:
        """Refuse everything from now on with ``reason``, and fail what is still waiting."""
        with self._lock:
            self._closed = reason
            waiting = list(self._waiting)
            self._waiting.clear()
        for item in waiting:
            if item.reply.set_running_or_notify_cancel():
                item.reply.set_exception(reason)

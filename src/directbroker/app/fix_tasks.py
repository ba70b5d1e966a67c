"""The background tasks of a FIX application's sessions: started per session, stopped
together, and a failure kept and re-raised, never swallowed.

Order entry and drop copy both run, per logged-on session, a worker and a pump of the trade
update feed; both must fail fast (a broken invariant stops the application, its owner sees
``failure``) and stop cleanly.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Protocol, TypeVar

from directbroker.adapters.http.ports import TradeUpdateSubscription

log = logging.getLogger(__name__)

S = TypeVar("S")


class HasSessionTasks(Protocol):
    """A session with a trade update subscription and the tasks that serve it."""

    subscription: TradeUpdateSubscription | None
    tasks: list[asyncio.Task[None]]


class SessionTasks:
    """Runs sessions' tasks under a guard that records the first failure."""

    def __init__(self, name: str) -> None:
        self._name = name
        self.failure: BaseException | None = None

    def start(self, work: Callable[[S], Awaitable[None]], session: S) -> asyncio.Task[None]:
        """A task running ``work(session)``, its coroutine made inside the task (a task
        cancelled before it starts leaves no coroutine never awaited)."""
        return asyncio.get_running_loop().create_task(self._guard(work, session))

    async def _guard(self, work: Callable[[S], Awaitable[None]], session: S) -> None:
        try:
            await work(session)
        except asyncio.CancelledError:
            raise
        except BaseException as exc:
            log.exception("FIX %s stopped", self._name)
            self.failure = exc
            raise

    def check(self) -> None:
        """Re-raise the failure, if a task failed."""
        if self.failure is not None:
            raise self.failure

    @staticmethod
    async def stop(sessions: Iterable[HasSessionTasks]) -> None:
        """Close every session's subscription and cancel and await its tasks."""
        for session in sessions:
            if session.subscription is not None:
                session.subscription.close()
            for task in session.tasks:
                task.cancel()
            await asyncio.gather(*session.tasks, return_exceptions=True)
            session.tasks = []

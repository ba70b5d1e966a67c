"""The FIX initiator: connect to a counterparty, log on, and reconnect when the link drops.

Retries back off exponentially with bounded jitter (so many initiators that lost the same
counterparty do not return in lockstep), and start again from the shortest wait after a
session that logged on. Outside its schedule window an initiator waits for the next one.
Sleep, randomness and the connect call are injected, so tests drive every wait without time
passing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from directbroker.adapters.fix.connection import Connection
from directbroker.adapters.fix.registry import SessionRegistry
from directbroker.adapters.fix.settings import SessionSettings

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
Connect = Callable[[str, int], Awaitable[tuple[asyncio.StreamReader, asyncio.StreamWriter]]]
_NS = 1_000_000_000


async def _open_connection(
    host: str, port: int
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection(host, port)


@dataclass(slots=True)
class Backoff:
    """Waits of ``base_s * factor**attempt``, at most ``max_s``, each shortened by up to
    ``jitter`` of itself at random."""

    base_s: float = 1.0
    factor: float = 2.0
    max_s: float = 60.0
    jitter: float = 0.5
    rng: random.Random = field(default_factory=random.Random)

    def __post_init__(self) -> None:
        if not (0 < self.base_s <= self.max_s and self.factor >= 1 and 0 <= self.jitter < 1):
            raise ValueError("backoff needs 0 < base <= max, factor >= 1 and 0 <= jitter < 1")

    def delay(self, attempt: int) -> float:
        """The wait before retry number ``attempt`` (0 for the first)."""
        plain = min(self.max_s, self.base_s * self.factor ** min(attempt, 64))
        return plain * (1.0 - self.jitter * self.rng.random())


class FixInitiator:
    """Keeps one initiator session connected while its schedule window is open."""

    def __init__(
        self,
        registry: SessionRegistry,
        settings: SessionSettings,
        *,
        backoff: Backoff | None = None,
        sleep: Sleep = asyncio.sleep,
        connect: Connect = _open_connection,
        max_schedule_wait_s: float = 60.0,
    ) -> None:
        if settings.role != "initiator":
            raise ValueError(f"{settings.session_id} is not an initiator session")
        self._registry = registry
        self._settings = settings
        self._backoff = backoff or Backoff()
        self._sleep = sleep
        self._connect = connect
        self._max_schedule_wait_s = max_schedule_wait_s
        self._task: asyncio.Task[None] | None = None
        self._conn: Connection | None = None
        self._conn_done = asyncio.Event()
        self._stopping = False
        self.attempts = 0
        """Connection attempts so far (tests and the operations console read it)."""

    def stopping(self) -> bool:
        """Whether :meth:`stop` was called (a call, so each check reads it afresh)."""
        return self._stopping

    def start(self) -> None:
        """Run in the background until :meth:`stop`."""
        if self._task is None:
            self._task = asyncio.create_task(self.run())

    async def stop(self) -> None:
        """Drop the connection (letting the session be told and stored) and stop reconnecting."""
        self._stopping = True
        task, self._task = self._task, None
        if self._conn is not None:
            self._conn.abort("the initiator is stopping")
            await self._conn_done.wait()
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def run(self) -> None:
        """Connect, serve, back off, and again, until :meth:`stop`."""
        failures = 0
        while not self.stopping():
            window = self._registry.window(self._settings)
            if window is None:
                now = self._registry.clock()
                wait = (self._settings.schedule.next_start(now) - now) / _NS
                await self._sleep(min(max(wait, 0.0), self._max_schedule_wait_s))
                continue
            logged_on = await self._once(window)
            failures = 0 if logged_on else failures + 1
            if self.stopping():
                return
            await self._sleep(self._backoff.delay(failures))

    async def _once(self, window: int) -> bool:
        """One connection: whether it logged on."""
        settings = self._settings
        self.attempts += 1
        try:
            reader, writer = await self._connect(settings.host, settings.port)
        except OSError as exc:
            log.info("FIX %s cannot connect: %s", settings.session_id, exc)
            return False
        registry = self._registry
        conn = Connection(
            reader, writer, limits=registry.limits, clock=registry.clock, app=registry.app
        )
        if not registry.claim(settings.session_id, conn):
            conn.abort("the session is already connected")
            return False
        self._conn = conn
        self._conn_done.clear()
        try:
            opened = await registry.open(settings, window)
            conn.attach(settings.session_id, opened.session, opened.store, opened.window)
            await conn.serve()
        finally:
            self._conn = None
            self._conn_done.set()
            registry.release(settings.session_id, conn)
            conn.abort("closed")
        return conn.was_logged_on

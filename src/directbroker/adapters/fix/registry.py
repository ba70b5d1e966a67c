"""The configured sessions, which connection each is live on, and the application's way in.

The registry is what the acceptor and the initiators share: it chooses a session for a logon,
lets one connection at a time hold a session (a second logon for a held session is refused
and the first is not disturbed), opens a session from its store (starting the numbers again
in a new schedule window), logs sessions out when their window closes, and sends the
application's messages on the live connection.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass

from directbroker.adapters.fix.connection import Connection, SessionUnavailable
from directbroker.adapters.fix.ports import (
    Clock,
    FixApplication,
    MessageStore,
    MessageStores,
    SessionFactory,
    SessionLike,
)
from directbroker.adapters.fix.settings import SessionID, SessionSettings, TransportLimits
from directbroker.protocols.fix.message import Field


@dataclass(slots=True)
class OpenedSession:
    """A session built for a connection, with its store and its schedule window."""

    session: SessionLike
    store: MessageStore
    window: int | None


class SessionRegistry:
    """Every configured session and the one connection (if any) it is live on."""

    def __init__(
        self,
        sessions: Sequence[SessionSettings],
        *,
        stores: MessageStores,
        factory: SessionFactory,
        app: FixApplication,
        clock: Clock,
        limits: TransportLimits | None = None,
    ) -> None:
        self._settings = {s.session_id: s for s in sessions}
        if len(self._settings) != len(sessions):
            raise ValueError("two sessions have the same BeginString and CompIDs")
        self.stores = stores
        self._factory = factory
        self.app = app
        self.clock = clock
        self.limits = limits or TransportLimits()
        self._live: dict[SessionID, Connection] = {}
        self._schedule_task: asyncio.Task[None] | None = None

    @property
    def sessions(self) -> list[SessionSettings]:
        """The configured sessions."""
        return list(self._settings.values())

    def settings(self, session_id: SessionID) -> SessionSettings:
        """One session's settings (the application reads its kind and accounts here)."""
        return self._settings[session_id]

    def acceptor_for(self, begin_string: str, ours: str, theirs: str) -> SessionSettings | None:
        """The acceptor session a logon names (its TargetCompID is our SenderCompID)."""
        settings = self._settings.get(SessionID(begin_string, ours, theirs))
        return settings if settings is not None and settings.role == "acceptor" else None

    def live(self, session_id: SessionID) -> Connection | None:
        """The connection the session is live on."""
        return self._live.get(session_id)

    def claim(self, session_id: SessionID, conn: Connection) -> bool:
        """Bind the session to ``conn`` unless another connection holds it."""
        if session_id in self._live:
            return False
        self._live[session_id] = conn
        return True

    def release(self, session_id: SessionID, conn: Connection) -> None:
        """Free the session if ``conn`` holds it."""
        if self._live.get(session_id) is conn:
            del self._live[session_id]

    def window(self, settings: SessionSettings) -> int | None:
        """The schedule window open now (``None``: logons are refused now)."""
        return settings.schedule.window_start(self.clock())

    async def open(self, settings: SessionSettings, window: int | None) -> OpenedSession:
        """Build the session from its store, starting again at 1/1 in a new window."""
        store = self.stores.store(settings.session_id)
        if (
            settings.reset_on_new_window
            and not settings.schedule.non_stop
            and await store.window() != window
        ):
            await store.reset(window)
        state = await store.load()
        return OpenedSession(self._factory(settings, state), store, window)

    async def send(self, session_id: SessionID, msg_type: str, body: Sequence[Field]) -> None:
        """Send an application message on the session (persisted before it is written).

        :class:`SessionUnavailable` when the session is not logged on here now.
        """
        conn = self._live.get(session_id)
        if conn is None:
            raise SessionUnavailable(f"{session_id} is not connected")
        await conn.send(msg_type, body)

    async def enforce_schedules(self) -> None:
        """Log out every live session whose window closed (or gave way to a new one)."""
        for session_id, conn in list(self._live.items()):
            settings = self._settings[session_id]
            if conn.session_id is None or self.window(settings) == conn.window:
                continue
            if conn.logged_on:
                await conn.logout("the session's schedule window is closed")
            else:
                conn.abort("the session's schedule window closed before its logon")

    def start_schedules(self) -> None:
        """Check the schedules about once a timer interval, until :meth:`stop_schedules`."""
        if self._schedule_task is None:
            self._schedule_task = asyncio.create_task(self._schedules())

    async def stop_schedules(self) -> None:
        """Stop checking the schedules."""
        task, self._schedule_task = self._schedule_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _schedules(self) -> None:
        while True:
            await asyncio.sleep(self.limits.timer_interval_s)
            await self.enforce_schedules()

"""The FIX acceptor: one listening socket for many counterparties.

A new connection must send a Logon first; its CompIDs choose the session (their TargetCompID
is our SenderCompID). A connection is refused, closed without a word, when:

* too many connections are already waiting to log on (a logon flood);
* its first message is not a framed Logon, or is over the size limit;
* its CompIDs name no acceptor session, or the session's schedule window is closed;
* its session is already held by another connection (which is left alone).

No session is built and nothing is stored before all of that is known, so a refused
connection leaves no trace but a log line, and the limits (see
:class:`~directbroker.adapters.fix.settings.TransportLimits`) hold for every connection.
"""

from __future__ import annotations

import asyncio
import logging

from directbroker.adapters.fix.connection import Connection
from directbroker.adapters.fix.framing import header_value
from directbroker.adapters.fix.registry import SessionRegistry
from directbroker.protocols.fix.tags import BEGIN_STRING, MSG_TYPE, SENDER_COMP_ID, TARGET_COMP_ID

log = logging.getLogger(__name__)


class FixAcceptor:
    """Listens on ``host:port`` and serves the registry's acceptor sessions."""

    def __init__(self, registry: SessionRegistry, host: str = "127.0.0.1", port: int = 0) -> None:
        self._registry = registry
        self._limits = registry.limits
        self._host = host
        self._port = port
        self._server: asyncio.Server | None = None
        self._connections: set[Connection] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self.unauthenticated = 0
        """Connections accepted that have not logged on yet."""
        self.refused = 0
        """Connections refused so far (floods, unknown CompIDs, held sessions ...)."""

    async def start(self) -> int:
        """Start listening; the port (useful when 0 asked for a free one)."""
        self._server = await asyncio.start_server(self._accept, self._host, self._port)
        self._registry.start_schedules()
        port: int = self._server.sockets[0].getsockname()[1]
        log.info("FIX acceptor listening on %s:%s", self._host, port)
        return port

    async def close(self) -> None:
        """Stop listening and drop every connection (each session is told, and stored)."""
        if self._server is not None:
            self._server.close()
        await self._registry.stop_schedules()
        for conn in list(self._connections):
            conn.abort("the acceptor is stopping")
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            await self._serve(reader, writer)
        except Exception:
            log.exception("FIX connection failed")
        finally:
            self._tasks.discard(task)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.unauthenticated >= self._limits.max_unauthenticated:
            self.refused += 1
            writer.transport.abort()
            return
        self.unauthenticated += 1
        waiting = True

        def authenticated() -> None:
            nonlocal waiting
            if waiting:
                waiting = False
                self.unauthenticated -= 1

        conn = Connection(
            reader,
            writer,
            limits=self._limits,
            clock=self._registry.clock,
            app=self._registry.app,
            on_logged_on=authenticated,
        )
        self._connections.add(conn)
        try:
            await self._route(conn)
        finally:
            authenticated()
            self._connections.discard(conn)
            conn.abort("closed")

    async def _route(self, conn: Connection) -> None:
        registry = self._registry
        first = await conn.first_message()
        if first is None:
            self.refused += 1
            return
        settings = registry.acceptor_for(
            header_value(first, BEGIN_STRING) or "",
            header_value(first, TARGET_COMP_ID) or "",
            header_value(first, SENDER_COMP_ID) or "",
        )
        why = None
        window = None
        if header_value(first, MSG_TYPE) != "A":
            why = "the first message is not a Logon"
        elif settings is None:
            why = "no acceptor session has these CompIDs"
        else:
            window = registry.window(settings)
            if window is None:
                why = "outside the session's schedule"
            elif not registry.claim(settings.session_id, conn):
                why = f"{settings.session_id} is already connected"
        if why is not None or settings is None:
            self.refused += 1
            log.info("FIX logon from %s refused: %s", conn.peer, why)
            return
        session_id = settings.session_id
        try:
            opened = await registry.open(settings, window)
            conn.attach(session_id, opened.session, opened.store, opened.window)
            await conn.serve(first=first)
        finally:
            registry.release(session_id, conn)

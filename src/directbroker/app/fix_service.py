"""The firm's FIX sessions, served on the client API's event loop.

The ``[fix]`` section names the sessions; this module composes them: the sans-I/O session
(:class:`~directbroker.protocols.fix.session.Session`) for each, the transport with its
message store, and the gateway that hands order entry and drop copy sessions to their
applications over the same trading port the HTTP API uses. Everything here runs on the API
server's event loop, so the applications read the same read models and admit commands
through the same bounded admission as every HTTP client.

The applications send synchronously (they never wait); :class:`SessionOutbox` turns each
send into the transport's awaited, stored send, in order per session. A message the
session could no longer take (it logged out meanwhile) waits for the session's next logon,
ahead of anything newer, as the order entry application holds its reports while a session
is away.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from directbroker.adapters.fix.connection import SessionUnavailable
from directbroker.adapters.fix.settings import SessionID, SessionSettings
from directbroker.adapters.fix.terms import FixVersion, SessionKind, SessionTerms
from directbroker.adapters.fix.transport import FixTransport, open_stores
from directbroker.adapters.http.blocks_port import BlocksPort
from directbroker.adapters.http.ports import TradingPort
from directbroker.app.config_fix import FixSection, session_settings
from directbroker.app.fix_dropcopy import EveryAccount, SqliteDropCopyStore
from directbroker.app.fix_gateway import FixGateway
from directbroker.protocols.fix.effects import ApplicationMessage, SequenceState
from directbroker.protocols.fix.message import Field
from directbroker.protocols.fix.session import Session
from directbroker.protocols.fix.session_config import Role, SessionConfig

log = logging.getLogger(__name__)

DROP_COPY_FILE = "fix_drop_copy.db"
"""Which fills each drop copy session was sent, in the FIX directory."""

TransportSend = Callable[[SessionID, str, Sequence[Field]], Awaitable[None]]


def session_factory(settings: SessionSettings, state: SequenceState | None) -> Session:
    """The sans-I/O session of one configured session, resuming its stored numbers."""
    config = SessionConfig(
        begin_string=settings.session_id.begin_string,
        sender_comp_id=settings.session_id.sender_comp_id,
        target_comp_id=settings.session_id.target_comp_id,
        role=Role.INITIATOR if settings.role == "initiator" else Role.ACCEPTOR,
        heartbeat_interval_s=settings.heartbeat_s,
        reset_on_logon=settings.reset_on_logon,
    )
    return Session(config, state)


def session_terms(settings: SessionSettings) -> SessionTerms:
    """What the gateway's applications need of a session: kind, version, accounts, groups."""
    return SessionTerms(
        settings.session_id.key,
        SessionKind.DROP_COPY if settings.kind == "drop_copy" else SessionKind.ORDER_ENTRY,
        FixVersion(settings.session_id.begin_string),
        frozenset(settings.accounts),
        frozenset(settings.groups),
    )


@dataclass(eq=False)
class _Lane:
    """One session's messages waiting to be sent, in order."""

    session_id: SessionID
    waiting: deque[tuple[str, Sequence[Field], asyncio.Future[None] | None]] = field(
        default_factory=deque
    )
    online: bool = False
    task: asyncio.Task[None] | None = None


class SessionOutbox:
    """Sends the applications' messages through the transport, in order per session."""

    def __init__(self, send: TransportSend, sessions: Sequence[SessionID]) -> None:
        self._send = send
        self._lanes = {session_id.key: _Lane(session_id) for session_id in sessions}

    def send(self, session_id: str, msg_type: str, body: Sequence[Field]) -> None:
        """Queue a message (never waits); it is sent after everything queued before it."""
        lane = self._lanes[session_id]
        lane.waiting.append((msg_type, tuple(body), None))
        self._wake(lane)

    async def deliver(self, session_id: str, msg_type: str, body: Sequence[Field]) -> None:
        """Send after everything queued before; complete once the session stored it.

        :class:`SessionUnavailable` when the session is not logged on: the message is then
        dropped (the caller decides what a lost chance means)."""
        lane = self._lanes[session_id]
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        lane.waiting.append((msg_type, tuple(body), done))
        self._wake(lane)
        await done

    def logged_on(self, session_id: str) -> None:
        """The session is up: send what waited for it."""
        lane = self._lanes[session_id]
        lane.online = True
        self._wake(lane)

    def logged_out(self, session_id: str) -> None:
        """The session is down: keep queued messages for the next logon."""
        self._lanes[session_id].online = False

    def _wake(self, lane: _Lane) -> None:
        if lane.online and lane.waiting and (lane.task is None or lane.task.done()):
            lane.task = asyncio.get_running_loop().create_task(self._drain(lane))

    async def _drain(self, lane: _Lane) -> None:
        while lane.online and lane.waiting:
            msg_type, body, done = lane.waiting[0]
            try:
                await self._send(lane.session_id, msg_type, body)
            except SessionUnavailable as exc:
                lane.online = False
                if done is not None:
                    lane.waiting.popleft()
                    if not done.done():
                        done.set_exception(exc)
                return
            lane.waiting.popleft()
            if done is not None and not done.done():
                done.set_result(None)

    async def close(self) -> None:
        """Stop sending; whatever still waits is dropped (the stores have what was sent)."""
        tasks = [lane.task for lane in self._lanes.values() if lane.task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for lane in self._lanes.values():
            for _, _, done in lane.waiting:
                if done is not None and not done.done():
                    done.set_exception(SessionUnavailable(f"{lane.session_id} closed"))
            lane.waiting.clear()


class _Bridge:
    """The transport's application: tells the outbox first, then the gateway."""

    def __init__(self, outbox: SessionOutbox, gateway: FixGateway) -> None:
        self._outbox = outbox
        self._gateway = gateway

    def on_logon(self, session_id: SessionID) -> None:
        self._outbox.logged_on(session_id.key)
        self._gateway.on_logon(session_id.key)

    def on_message(self, session_id: SessionID, message: ApplicationMessage) -> None:
        self._gateway.on_message(session_id.key, message)

    def on_logout(self, session_id: SessionID) -> None:
        self._outbox.logged_out(session_id.key)
        self._gateway.on_logout(session_id.key)


class FixService:
    """Every configured FIX session of the firm; :meth:`start` and :meth:`close` on the loop."""

    def __init__(
        self,
        section: FixSection,
        directory: Path,
        trading: TradingPort,
        now_ns: Callable[[], int] = time.time_ns,
        *,
        blocks: BlocksPort | None = None,
        every_account: EveryAccount | None = None,
    ) -> None:
        """``blocks`` (the institutional desk) lets sessions with groups place blocks;
        ``every_account`` lists the firm's accounts (for all-accounts drop copies)."""
        self._every_account = every_account
        self._section = section
        self._blocks = blocks
        self._directory = directory
        self._trading = trading
        self._now_ns = now_ns
        self._settings = session_settings(section)
        self.transport: FixTransport | None = None
        self.gateway: FixGateway | None = None
        self._outbox: SessionOutbox | None = None
        self._drop_copies: SqliteDropCopyStore | None = None
        self.port: int | None = None

    async def start(self) -> int | None:
        """Open the stores, listen and connect; the acceptor's port (``None``: none)."""
        self._directory.mkdir(parents=True, exist_ok=True)
        stores = await open_stores(self._section.store, self._directory)
        self._drop_copies = SqliteDropCopyStore(str(self._directory / DROP_COPY_FILE))
        outbox = SessionOutbox(self._send, [s.session_id for s in self._settings])
        gateway = FixGateway(
            self._trading,
            [session_terms(s) for s in self._settings],
            outbox.send,
            self._now_ns,
            self._drop_copies,
            deliver=outbox.deliver,
            blocks=self._blocks,
            every_account=self._every_account,
        )
        transport = FixTransport(
            self._settings,
            stores=stores,
            factory=session_factory,
            app=_Bridge(outbox, gateway),
            clock=self._now_ns,
            limits=self._section.limits(),
            host=self._section.host,
            port=self._section.port,
        )
        self.transport, self.gateway, self._outbox = transport, gateway, outbox
        self.port = await transport.start()
        return self.port

    async def _send(self, session_id: SessionID, msg_type: str, body: Sequence[Field]) -> None:
        # The outbox is made before the transport (the transport's application holds it).
        assert self.transport is not None
        await self.transport.send(session_id, msg_type, body)

    async def close(self) -> None:
        """Drop every connection, stop the applications and close the stores."""
        if self.transport is not None:
            await self.transport.close()
        if self._outbox is not None:
            await self._outbox.close()
        if self.gateway is not None:
            await self.gateway.close()
        if self._drop_copies is not None:
            self._drop_copies.close()

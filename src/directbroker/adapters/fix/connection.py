"""One TCP connection carrying one FIX session: the read loop, the timer, and each step done in
order.

Every call into the session (a message read, a timer tick, the application's send, a logout)
takes the connection's lock, so the session sees one call at a time and the steps are carried
out in the order the session made them. A step is carried out as
``protocols.fix.effects`` says: persist, then write, then events, then close. Persisting first
means a message is never on the wire before the store can resend it, and a restart never reuses
a sequence number the counterparty has seen.

Whatever goes wrong on one connection (a framing error, an oversized message, a client that
stops reading, a silent one) ends that connection only; the session is told ``disconnected``
and its numbers stay in the store.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

from directbroker.adapters.fix.framing import FramingError, read_message
from directbroker.adapters.fix.ports import Clock, FixApplication, MessageStore, SessionLike
from directbroker.adapters.fix.settings import SessionID, TransportLimits
from directbroker.protocols.fix.effects import (
    ApplicationMessage,
    LoggedOn,
    LoggedOut,
    ResendWanted,
    SessionRejected,
    Step,
)
from directbroker.protocols.fix.message import Field

log = logging.getLogger(__name__)

SessionCall = Callable[[SessionLike, int], Step]


class SessionUnavailable(Exception):
    """The session is not logged on here now; nothing was sent."""


class Connection:
    """A connection, its session once one is chosen, and the tasks that drive it."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        *,
        limits: TransportLimits,
        clock: Clock,
        app: FixApplication,
        on_logged_on: Callable[[], None] = lambda: None,
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._limits = limits
        self._clock = clock
        self._app = app
        self._on_logged_on = on_logged_on
        self._lock = asyncio.Lock()
        self._session: SessionLike | None = None
        self._store: MessageStore | None = None
        self.session_id: SessionID | None = None
        self.window: int | None = None
        self.logged_on = False
        self.was_logged_on = False
        self.closed = False
        self._logout_deadline: float | None = None
        writer.transport.set_write_buffer_limits(high=limits.write_buffer_bytes)
        loop = asyncio.get_running_loop()
        self._logon_timer = loop.call_later(limits.logon_timeout_s, self._logon_expired)

    @property
    def peer(self) -> str:
        """The counterparty's address, for the logs."""
        return str(self._writer.get_extra_info("peername"))

    async def first_message(self) -> bytes | None:
        """The first message (the logon an acceptor routes by), or ``None`` if there is none."""
        try:
            return await read_message(self._reader, self._limits.max_message_bytes)
        except (FramingError, OSError, asyncio.IncompleteReadError) as exc:
            log.info("FIX connection from %s dropped before logon: %s", self.peer, exc)
            return None

    def attach(
        self, session_id: SessionID, session: SessionLike, store: MessageStore, window: int | None
    ) -> None:
        """Give the connection its session (and the schedule window it logs on in)."""
        self.session_id = session_id
        self._session = session
        self._store = store
        self.window = window

    async def serve(self, *, first: bytes | None = None) -> None:
        """Run the session until the connection ends: the session is told of the connection
        (an initiator logs on), then the acceptor's first message and the read loop, with the
        timer beside it."""
        timer = asyncio.create_task(self._timer_loop())
        try:
            # Both ends are told of the connection: an initiator sends its Logon, an acceptor
            # starts waiting for one (the session ignores input before it is connected).
            await self.call(lambda s, now: s.connected(now))
            if first is not None:
                await self.call(_received(first))
            while not self.closed:
                data = await read_message(self._reader, self._limits.max_message_bytes)
                if data is None:
                    break
                await self.call(_received(data))
        except (FramingError, OSError, asyncio.IncompleteReadError) as exc:
            log.info("FIX %s (%s) dropped: %s", self.session_id, self.peer, exc)
        finally:
            timer.cancel()
            try:
                await timer
            except asyncio.CancelledError:
                pass
            except Exception:
                # A failing timer step (the store, say) already dropped the connection; the
                # session must still be told, so this is logged, not raised past _finish.
                log.exception("FIX %s timer failed", self.session_id)
            await self._finish()

    async def call(self, call: SessionCall) -> bool:
        """Make one session call and carry out its step; ``False`` if the connection is gone."""
        async with self._lock:
            if self.closed or self._session is None or self._writer.transport.is_closing():
                return False
            await self._carry(call(self._session, self._clock()))
            return True

    async def send(self, msg_type: str, body: Sequence[Field]) -> None:
        """The application's message, through the session and the store."""
        if not self.logged_on or not await self.call(lambda s, now: s.send(msg_type, body, now)):
            raise SessionUnavailable(f"{self.session_id} is not logged on")

    async def logout(self, text: str) -> None:
        """Start the logout handshake; the connection is dropped if no answer comes in time."""
        if self._logout_deadline is None:
            loop = asyncio.get_running_loop()
            self._logout_deadline = loop.time() + self._limits.logout_grace_s
            await self.call(lambda s, now: s.logout(now, text))

    def abort(self, why: str) -> None:
        """Drop the connection at once (the read loop then ends it properly)."""
        if not self._writer.transport.is_closing():
            log.info("FIX %s (%s) aborted: %s", self.session_id, self.peer, why)
            self._writer.transport.abort()

    async def _carry(self, step: Step) -> None:
        """Persist, write, act, close: the order ``protocols.fix.effects`` prescribes."""
        assert self._store is not None and self._session is not None
        if step.state is not None or step.sent:
            try:
                await self._store.save(step.state, step.sent)
            except BaseException:
                # The session has moved on and the store has not: only a fresh session,
                # built from the store, is consistent again. Nothing of the step is written.
                self.abort("the message store failed")
                raise
        if step.outgoing and not self._writer.transport.is_closing():
            self._writer.writelines(step.outgoing)
            try:
                await asyncio.wait_for(self._writer.drain(), self._limits.write_timeout_s)
            except TimeoutError:
                self.abort("the counterparty does not read what is written to it")
            except OSError as exc:
                self.abort(str(exc))
        for event in step.events:
            await self._act(event)
        if step.close:
            self.closed = True
            self._writer.close()

    async def _act(self, event: object) -> None:
        assert self._store is not None and self._session is not None and self.session_id
        if isinstance(event, ApplicationMessage):
            self._app.on_message(self.session_id, event)
        elif isinstance(event, ResendWanted):
            stored = await self._store.messages(event.begin_seq, event.end_seq)
            await self._carry(self._session.resend(stored, self._clock()))
        elif isinstance(event, LoggedOn):
            self._logon_timer.cancel()
            if not self.logged_on:
                self.logged_on = self.was_logged_on = True
                self._on_logged_on()
                self._app.on_logon(self.session_id)
        elif isinstance(event, LoggedOut):
            log.info("FIX %s logged out: %s", self.session_id, event.reason)
            self._logged_off()
        elif isinstance(event, SessionRejected):
            log.info("FIX %s rejected seq %s: %s", self.session_id, event.ref_seq_num, event.reason)

    def _logged_off(self) -> None:
        if self.logged_on:
            self.logged_on = False
            assert self.session_id is not None
            self._app.on_logout(self.session_id)

    async def _timer_loop(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self._limits.timer_interval_s)
            if self._logout_deadline is not None and loop.time() > self._logout_deadline:
                self.abort("the logout was not answered in time")
                return
            await self.call(lambda s, now: s.timer(now))

    def _logon_expired(self) -> None:
        if not self.logged_on:
            self.abort("no logon in time")

    async def _finish(self) -> None:
        """Tell the session the connection is gone; keep what it persists, write nothing."""
        self._logon_timer.cancel()
        async with self._lock:
            self.closed = True
            if self._session is not None:
                step = self._session.disconnected(self._clock())
                assert self._store is not None
                if step.state is not None or step.sent:
                    await self._store.save(step.state, step.sent)
                for event in step.events:
                    if isinstance(event, LoggedOut):
                        log.info("FIX %s logged out: %s", self.session_id, event.reason)
            self._logged_off()
            self._writer.close()
            try:
                # A counterparty that never reads would hold the last bytes (and us) for ever.
                await asyncio.wait_for(self._writer.wait_closed(), self._limits.write_timeout_s)
            except TimeoutError:
                self.abort("the counterparty does not read its last messages")
            except OSError:
                pass


def _received(data: bytes) -> SessionCall:
    return lambda session, now: session.received(data, now)

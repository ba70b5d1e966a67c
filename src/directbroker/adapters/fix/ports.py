"""The seams of the FIX transport: the session it drives, the store it persists to, the
application it serves.

The transport owns sockets, timers and disk; the session (``protocols.fix.session``) owns the
protocol. Each is typed here as a narrow ``Protocol`` so the transport is tested with a small
scripted session, and so the real session, written independently, plugs in unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from directbroker.adapters.fix.settings import SessionID, SessionSettings
from directbroker.protocols.fix.effects import ApplicationMessage, SequenceState, Step
from directbroker.protocols.fix.message import Field


class SessionLike(Protocol):
    """The sans-I/O FIX session: fed bytes and time, answers with one :class:`Step` per call.

    ``received`` is given one whole framed message at a time (the transport frames the
    stream, so it can enforce the size limit and route a Logon before any session exists).
    """

    def connected(self, now_ns: int) -> Step:
        """The connection is up (an initiator sends its Logon)."""
        ...

    def received(self, data: bytes, now_ns: int) -> Step:
        """Bytes from the counterparty."""
        ...

    def timer(self, now_ns: int) -> Step:
        """About once a second: heartbeats, test requests, timeouts."""
        ...

    def send(self, msg_type: str, body: Sequence[Field], now_ns: int) -> Step:
        """Send an application message (stamped with the next sequence number)."""
        ...

    def logout(self, now_ns: int, text: str = "") -> Step:
        """Start the logout handshake."""
        ...

    def resend(self, messages: Sequence[tuple[int, bytes]], now_ns: int) -> Step:
        """Answer a :class:`~directbroker.protocols.fix.effects.ResendWanted` with the stored
        messages of its range."""
        ...

    def disconnected(self, now_ns: int) -> Step:
        """The connection is gone."""
        ...


class MessageStore(Protocol):
    """One session's durable numbers and sent messages.

    ``save`` is atomic and durable: when it returns, the state and every message in it survive
    a crash, and none of them is half-written. The transport calls it before writing a byte
    of the same step to the wire (persist before write), so a resend request can always be
    served and a restarted session never reuses a sequence number.
    """

    async def load(self) -> SequenceState | None:
        """The last saved numbers (``None``: a new session)."""
        ...

    async def save(self, state: SequenceState | None, sent: Sequence[tuple[int, bytes]]) -> None:
        """Record the step's numbers and the messages it sent, in one durable transaction.

        A ``next_sender_seq`` lower than the stored one is a sequence reset: stored messages
        from the reset point on are dropped, so a later resend never serves a stale one.
        """
        ...

    async def messages(self, begin_seq: int, end_seq: int) -> list[tuple[int, bytes]]:
        """Sent messages with ``begin_seq <= seq <= end_seq`` (``end_seq <= 0``: to the last),
        in order; holes are left out (the session fills them with gap fills)."""
        ...

    async def reset(self, window_start_ns: int | None = None) -> None:
        """Forget the numbers and the messages (a new session window starts at 1/1)."""
        ...

    async def window(self) -> int | None:
        """The session window (its start) recorded by the last ``reset``."""
        ...


class MessageStores(Protocol):
    """Where every session's store lives (one SQLite file, or one PostgreSQL schema)."""

    def store(self, session_id: SessionID) -> MessageStore:
        """The store of one session."""
        ...

    async def close(self) -> None:
        """Release the file or the connection."""
        ...


class FixApplication(Protocol):
    """What the transport tells the application. Callbacks are synchronous and must not block:
    the transport calls them in the session's order, while it holds the session, so an
    application hands work on (to a queue, to a task) and answers later through
    :meth:`~directbroker.adapters.fix.registry.SessionRegistry.send`."""

    def on_logon(self, session_id: SessionID) -> None:
        """The session logged on."""
        ...

    def on_message(self, session_id: SessionID, message: ApplicationMessage) -> None:
        """An in-sequence application message."""
        ...

    def on_logout(self, session_id: SessionID) -> None:
        """The session ended (after a logon)."""
        ...


class Clock(Protocol):
    """Nanoseconds since the epoch (the wall clock in production, a fake in tests)."""

    def __call__(self) -> int: ...


SessionFactory = Callable[[SessionSettings, SequenceState | None], SessionLike]
"""Builds a session from its settings and its stored numbers (``None``: a new session)."""

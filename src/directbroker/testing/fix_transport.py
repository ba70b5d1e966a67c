"""A scripted FIX session, a counterparty client, a recording application and a connected pair
of transports, for testing the FIX transport without (or with) the real session.

:class:`ScriptedSession` implements just enough of the session contract (logon, heartbeats,
application messages, resend requests, logout) with real framing, so the transport's loops,
limits and stores are exercised over real sockets. It checks nothing a real session checks
(checksums, sequence gaps, CompIDs); the transport must not rely on those.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from directbroker.adapters.fix.framing import read_message
from directbroker.adapters.fix.initiator import Backoff
from directbroker.adapters.fix.ports import SessionFactory
from directbroker.adapters.fix.settings import SessionID, SessionSettings
from directbroker.adapters.fix.transport import FixTransport, open_stores
from directbroker.protocols.fix.effects import (
    ApplicationMessage,
    LoggedOn,
    LoggedOut,
    ResendWanted,
    SequenceState,
    Step,
)
from directbroker.protocols.fix.message import SOH, Field, FixMessage

_NS = 1_000_000_000


def encode(begin_string: str, fields: Sequence[Field]) -> bytes:
    """A framed message: BeginString, BodyLength, ``fields``, CheckSum."""
    body = b"".join(f"{tag}={value}".encode("latin-1") + SOH for tag, value in fields)
    head = f"8={begin_string}".encode() + SOH + f"9={len(body)}".encode() + SOH
    checksum = sum(head + body) % 256
    return head + body + f"10={checksum:03d}".encode() + SOH


def decode(data: bytes) -> FixMessage:
    """Every field of a framed message, in order."""
    fields: list[Field] = []
    for part in data.split(SOH)[:-1]:
        tag, _, value = part.partition(b"=")
        fields.append((int(tag), value.decode("latin-1")))
    return FixMessage.of(fields)


class ScriptedSession:
    """A :class:`~directbroker.adapters.fix.ports.SessionLike` that follows the happy path."""

    def __init__(self, settings: SessionSettings, state: SequenceState | None) -> None:
        self.settings = settings
        self.initial_state = state
        self.next_out = state.next_sender_seq if state else 1
        self.next_in = state.next_target_seq if state else 1
        self.logged_on = False
        self.logout_sent = False
        self.last_sent_ns = 0
        self.calls: list[str] = []

    @property
    def state(self) -> SequenceState:
        """The numbers now."""
        return SequenceState(self.next_out, self.next_in)

    def _out(self, step: Step, msg_type: str, body: Sequence[Field], now_ns: int) -> None:
        sid = self.settings.session_id
        seq = self.next_out
        self.next_out += 1
        header: list[Field] = [
            (35, msg_type),
            (49, sid.sender_comp_id),
            (56, sid.target_comp_id),
            (34, str(seq)),
            (52, str(now_ns)),
        ]
        data = encode(sid.begin_string, header + list(body))
        step.outgoing.append(data)
        step.sent.append((seq, data))
        step.state = self.state
        self.last_sent_ns = now_ns

    def _logon(self, step: Step, now_ns: int) -> None:
        self._out(step, "A", [(98, "0"), (108, str(self.settings.heartbeat_s))], now_ns)

    def connected(self, now_ns: int) -> Step:
        """An initiator sends its Logon."""
        self.calls.append("connected")
        step = Step()
        if self.settings.role == "initiator":
            self._logon(step, now_ns)
        return step

    def received(self, data: bytes, now_ns: int) -> Step:
        """Logon, Logout, ResendRequest, Heartbeat/TestRequest, or an application message."""
        message = decode(data)
        kind = message.msg_type
        self.calls.append(f"received {kind}")
        step = Step()
        self.next_in += 1
        step.state = self.state
        if kind == "A":
            if self.settings.role == "acceptor":
                self._logon(step, now_ns)
            self.logged_on = True
            step.events.append(LoggedOn(self.settings.heartbeat_s))
        elif kind == "5":
            if not self.logout_sent:
                self._out(step, "5", [], now_ns)
            self.logged_on = False
            step.events.append(LoggedOut("logout"))
            step.close = True
        elif kind == "2":
            step.events.append(ResendWanted(int(message.require(7)), int(message.require(16))))
        elif kind == "1":
            self._out(step, "0", [(112, message.get(112) or "")], now_ns)
        elif kind != "0":
            duplicate = message.get(43) == "Y"
            step.events.append(ApplicationMessage(message, duplicate))
        return step

    def timer(self, now_ns: int) -> Step:
        """A heartbeat when nothing was sent for a heartbeat interval."""
        self.calls.append("timer")
        step = Step()
        if self.logged_on and now_ns - self.last_sent_ns >= self.settings.heartbeat_s * _NS:
            self._out(step, "0", [], now_ns)
        return step

    def send(self, msg_type: str, body: Sequence[Field], now_ns: int) -> Step:
        """An application message with the next number."""
        self.calls.append(f"send {msg_type}")
        step = Step()
        self._out(step, msg_type, body, now_ns)
        return step

    def logout(self, now_ns: int, text: str = "") -> Step:
        """A Logout; the session ends when the answer comes."""
        self.calls.append("logout")
        step = Step()
        self._out(step, "5", [(58, text)] if text else [], now_ns)
        self.logout_sent = True
        return step

    def resend(self, messages: Sequence[tuple[int, bytes]], now_ns: int) -> Step:
        """The stored messages again, as they were."""
        self.calls.append(f"resend {[seq for seq, _ in messages]}")
        return Step(outgoing=[data for _, data in messages])

    def disconnected(self, now_ns: int) -> Step:
        """The link is gone."""
        self.calls.append("disconnected")
        step = Step()
        if self.logged_on:
            self.logged_on = False
            step.events.append(LoggedOut("disconnected"))
        return step


@dataclass(slots=True)
class ScriptedSessions:
    """A :class:`~directbroker.adapters.fix.ports.SessionFactory` that keeps what it built."""

    built: list[ScriptedSession] = field(default_factory=list)

    def __call__(self, settings: SessionSettings, state: SequenceState | None) -> ScriptedSession:
        session = ScriptedSession(settings, state)
        self.built.append(session)
        return session


@dataclass(slots=True)
class RecordingApplication:
    """A :class:`~directbroker.adapters.fix.ports.FixApplication` that remembers everything."""

    logons: list[SessionID] = field(default_factory=list)
    messages: list[tuple[SessionID, ApplicationMessage]] = field(default_factory=list)
    logouts: list[SessionID] = field(default_factory=list)

    def on_logon(self, session_id: SessionID) -> None:
        """Remember."""
        self.logons.append(session_id)

    def on_message(self, session_id: SessionID, message: ApplicationMessage) -> None:
        """Remember."""
        self.messages.append((session_id, message))

    def on_logout(self, session_id: SessionID) -> None:
        """Remember."""
        self.logouts.append(session_id)


@dataclass(frozen=True, slots=True)
class TransportPair:
    """An accepting and an initiating transport connected over loopback, with their apps."""

    firm: FixTransport
    firm_app: RecordingApplication
    client: FixTransport
    client_app: RecordingApplication


async def transport_pair(
    data_dir: Path,
    firm_id: SessionID,
    client_id: SessionID,
    firm_sessions: SessionFactory,
    client_sessions: SessionFactory,
) -> TransportPair:
    """The firm accepting ``firm_id`` and the client initiating ``client_id`` to it, each on
    SQLite stores in its own folder of ``data_dir`` (started again on the same folder, they
    resume their numbers), the client retrying fast."""
    firm_app, client_app = RecordingApplication(), RecordingApplication()
    firm = FixTransport(
        [SessionSettings(firm_id)],
        stores=await open_stores("sqlite", data_dir / "firm"),
        factory=firm_sessions,
        app=firm_app,
    )
    port = await firm.start()
    assert port is not None
    client = FixTransport(
        [SessionSettings(client_id, role="initiator", host="127.0.0.1", port=port)],
        stores=await open_stores("sqlite", data_dir / "client"),
        factory=client_sessions,
        app=client_app,
        backoff=Backoff(base_s=0.01, max_s=0.05),
    )
    assert await client.start() is None
    return TransportPair(firm, firm_app, client, client_app)


async def until(condition: Callable[[], bool], *, tries: int = 2_000) -> None:
    """Let the loop run until ``condition`` holds (a bounded number of short waits)."""
    for _ in range(tries):
        if condition():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("the condition never held")


class FixClient:
    """The counterparty's end of a connection, speaking through :func:`encode`."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        session_id: SessionID,
    ) -> None:
        self.reader = reader
        self.writer = writer
        self.session_id = session_id
        """The client's own view: its SenderCompID is the acceptor's TargetCompID."""
        self.next_out = 1

    @classmethod
    async def connect(cls, port: int, session_id: SessionID) -> FixClient:
        """Connect to an acceptor on the loopback."""
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        return cls(reader, writer, session_id)

    def message(self, msg_type: str, body: Sequence[Field] = ()) -> bytes:
        """The next message of this client, framed."""
        sid = self.session_id
        seq = self.next_out
        self.next_out += 1
        header: list[Field] = [
            (35, msg_type),
            (49, sid.sender_comp_id),
            (56, sid.target_comp_id),
            (34, str(seq)),
        ]
        return encode(sid.begin_string, header + list(body))

    async def send(self, msg_type: str, body: Sequence[Field] = ()) -> None:
        """Send the next message."""
        self.writer.write(self.message(msg_type, body))
        await self.writer.drain()

    async def read(self) -> FixMessage | None:
        """The next message (``None`` at the end of the stream)."""
        try:
            data = await read_message(self.reader, 1 << 24)
        except (ConnectionError, asyncio.IncompleteReadError):
            return None
        return None if data is None else decode(data)

    async def logon(self) -> FixMessage:
        """Log on and return the acceptor's Logon."""
        await self.send("A", [(98, "0"), (108, "30")])
        answer = await self.read()
        assert answer is not None and answer.msg_type == "A", answer
        return answer

    async def closed(self) -> bool:
        """Read until the stream ends (the acceptor closed it), then close this end too."""
        while True:
            try:
                chunk = await self.reader.read(65_536)
            except ConnectionError:
                break
            if not chunk:
                break
        await self.close()
        return True

    async def close(self) -> None:
        """Close the connection."""
        self.writer.close()
        with contextlib.suppress(ConnectionError):
            await self.writer.wait_closed()

"""A small FIX acceptor over asyncio that runs the session acceptance test application.

It is the proof harness for the sans-I/O engine, not the production transport: one session
(ISLD <- TW by default), an in-memory message store, reset on every logon, and the test
application the session acceptance scripts expect: NewOrderSingle and SecurityDefinition are
echoed back, a PossResend NewOrderSingle whose ClOrdID was already seen is dropped, and any
other application message gets a BusinessMessageReject (unsupported message type).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field

from directbroker.protocols.fix.dictionary import Dictionary
from directbroker.protocols.fix.effects import (
    ApplicationMessage,
    LoggedOn,
    ResendWanted,
    SessionEvent,
    Step,
)
from directbroker.protocols.fix.message import Field, FixMessage
from directbroker.protocols.fix.session import Session
from directbroker.protocols.fix.session_config import Role, SessionConfig
from directbroker.protocols.fix.validation import UNSUPPORTED_MESSAGE_TYPE

TICK_S = 0.05
_ECHOED = frozenset({"D", "d"})
_NOT_ECHOED = frozenset({8, 9, 10, 34, 35, 43, 49, 52, 56, 122, 115, 116, 128, 129, 144, 145})


@dataclass(slots=True)
class EchoApplication:
    """The acceptance scripts' test application (see the module docstring)."""

    dictionary: Dictionary
    seen_order_ids: set[str] = field(default_factory=set)

    def reset(self) -> None:
        """A new logon starts a new session day: forget the orders seen."""
        self.seen_order_ids.clear()

    def answer(self, event: ApplicationMessage) -> tuple[str, list[Field]] | None:
        """The reply (MsgType and body; "j" for a BusinessMessageReject) to one message."""
        message = event.message
        msg_type = message.msg_type
        if msg_type == "D":
            order_id = message.get(11) or ""
            if message.get(97) == "Y" and order_id in self.seen_order_ids:
                return None
            self.seen_order_ids.add(order_id)
        if msg_type in _ECHOED:
            return msg_type, self._echo_body(message)
        return "j", []

    def _echo_body(self, message: FixMessage) -> list[Field]:
        """The message's own fields, less the session's and less empty repeating groups."""
        fields = self.dictionary.fields
        body: list[Field] = []
        for tag, value in message.fields:
            if tag in _NOT_ECHOED:
                continue
            definition = fields.get(tag)
            if definition is not None and definition.type.name == "NUMINGROUP" and value == "0":
                continue
            body.append((tag, value))
        return body


class AcceptanceServer:
    """One FIX session served on a TCP port, one connection at a time."""

    def __init__(self, begin_string: str, sender: str = "ISLD", target: str = "TW") -> None:
        config = SessionConfig(
            begin_string=begin_string,
            sender_comp_id=sender,
            target_comp_id=target,
            role=Role.ACCEPTOR,
            reset_on_logon=True,
            sending_time_tolerance_s=120,
        )
        self.session = Session(config)
        self.application = EchoApplication(self.session.dictionary)
        self.store: dict[int, bytes] = {}
        self._busy = False
        self._server: asyncio.Server | None = None

    async def start(self, host: str, port: int) -> int:
        """Listen; return the bound port (useful with port 0)."""
        self._server = await asyncio.start_server(self._connection, host, port)
        sockets = self._server.sockets
        return int(sockets[0].getsockname()[1]) if sockets else port

    async def serve_forever(self) -> None:
        """Serve until cancelled."""
        if self._server is None:
            raise RuntimeError("start() first")
        async with self._server:
            await self._server.serve_forever()

    async def close(self) -> None:
        """Stop listening."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for _ in range(20):
            # A connection that just ended may still be tidying up; give it a moment.
            if not self._busy:
                break
            await asyncio.sleep(TICK_S)
        if self._busy:
            # The session is already logged on elsewhere: read the logon attempt, then close.
            with contextlib.suppress(Exception):
                await asyncio.wait_for(reader.read(4096), timeout=2)
            writer.close()
            return
        self._busy = True
        session = self.session
        try:
            if not await self._carry(session.connected(time.time_ns()), writer):
                return
            ticker = asyncio.create_task(self._tick(writer))
            try:
                while True:
                    data = await reader.read(65536)
                    if not data:
                        break
                    if not await self._carry(session.received(data, time.time_ns()), writer):
                        break
            finally:
                ticker.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await ticker
        except (ConnectionError, OSError):
            pass
        finally:
            session.disconnected(time.time_ns())
            self._busy = False
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _tick(self, writer: asyncio.StreamWriter) -> None:
        while True:
            await asyncio.sleep(TICK_S)
            if not await self._carry(self.session.timer(time.time_ns()), writer):
                writer.close()
                return

    async def _carry(self, step: Step, writer: asyncio.StreamWriter) -> bool:
        """Carry out a step in the order ``effects`` prescribes; False when to close."""
        pending = [step]
        while pending:
            current = pending.pop(0)
            for seq, data in current.sent:
                self.store[seq] = data
            for data in current.outgoing:
                writer.write(data)
            for event in current.events:
                pending.extend(self._act(event))
            await writer.drain()
            if current.close:
                return False
        return True

    def _act(self, event: SessionEvent) -> list[Step]:
        session = self.session
        now = time.time_ns()
        if isinstance(event, ResendWanted):
            stored = [
                (seq, self.store[seq])
                for seq in range(event.begin_seq, event.end_seq + 1)
                if seq in self.store
            ]
            return [session.resend(stored, now)]
        if isinstance(event, ApplicationMessage) and session.logged_on:
            reply = self.application.answer(event)
            if reply is None:
                return []
            msg_type, body = reply
            if msg_type == "j":
                return [session.business_reject(event.message, UNSUPPORTED_MESSAGE_TYPE, now)]
            return [session.send(msg_type, body, now)]
        if isinstance(event, LoggedOn):
            self.application.reset()
        return []


async def run(host: str, port: int, begin_string: str) -> None:
    """Serve the acceptance session until cancelled, printing the bound port."""
    server = AcceptanceServer(begin_string)
    bound = await server.start(host, port)
    print(f"FIX acceptance server ({begin_string}) listening on {host}:{bound}", flush=True)
    await server.serve_forever()

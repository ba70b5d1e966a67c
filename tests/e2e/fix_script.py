"""Replays FIX session acceptance scripts (the ``.def`` format) against an acceptor over TCP.

The format and matching rules are those of the acceptance scripts' README: ``I`` sends (with
``<TIME>`` substitution and BodyLength/CheckSum filled in when absent), ``E`` expects one
message (compared as tag->value maps, ignoring 9, 10, 52, 60 and 122, Text by prefix),
``iCONNECT``/``iDISCONNECT`` open and close, ``eDISCONNECT`` expects the acceptor to close.
The framing here is deliberately independent of the engine's codec.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

SOH = "\x01"
IGNORED = frozenset({"9", "10", "52", "60", "122"})
TIMEOUT_S = 10.0
_LINE = re.compile(r"^([iIeE])(?:(\d),)?(.*)$")
_TIME = re.compile(r"<TIME([+-]\d+)?>")
_FRAME = re.compile(rb"8=FIX.*?\x0110=\d{3}\x01", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Action:
    """One script line: what to do, on which connection, with which text."""

    kind: str
    connection: int
    text: str
    line: int


def load(path: Path) -> list[Action]:
    """The actions of a script file."""
    actions: list[Action] = []
    for number, raw in enumerate(path.read_text(encoding="latin-1").splitlines(), start=1):
        line = raw.rstrip("\r\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _LINE.match(line)
        if match is None:
            raise ValueError(f"{path.name}:{number}: cannot read {line!r}")
        kind, connection, text = match.groups()
        actions.append(Action(kind, int(connection or "1"), text, number))
    return actions


def timestamp(moment: datetime.datetime) -> str:
    """A UTCTimestamp with milliseconds."""
    return moment.strftime("%Y%m%d-%H:%M:%S.") + f"{moment.microsecond // 1000:03d}"


def outgoing(text: str, now: datetime.datetime) -> bytes:
    """The bytes an ``I`` line sends."""

    def substitute(match: re.Match[str]) -> str:
        shift = int(match.group(1) or "0") * 1.1
        return timestamp(now + datetime.timedelta(seconds=shift))

    text = _TIME.sub(substitute, text)
    if not text.startswith("8=FIX"):
        return text.encode("latin-1")
    fields = [part for part in text.split(SOH) if part]
    has_length = any(part.startswith("9=") for part in fields)
    checksum_at = next((i for i, part in enumerate(fields) if part.startswith("10=")), None)
    if not has_length:
        body_fields = fields[1:checksum_at] if checksum_at is not None else fields[1:]
        body_length = sum(len(part) + 1 for part in body_fields)
        fields.insert(1, f"9={body_length}")
        if checksum_at is not None:
            checksum_at += 1
    if checksum_at is None or fields[checksum_at] == "10=0":
        head = fields if checksum_at is None else fields[:checksum_at]
        data = (SOH.join(head) + SOH).encode("latin-1")
        return data + f"10={sum(data) % 256:03d}{SOH}".encode()
    return (SOH.join(fields) + SOH).encode("latin-1")


def as_map(text: str) -> dict[str, str]:
    """A message's fields as a tag -> value map (the last occurrence wins)."""
    fields: dict[str, str] = {}
    for part in text.split(SOH):
        if part:
            tag, _, value = part.partition("=")
            fields[tag] = value
    return fields


def mismatch(expected: dict[str, str], actual: dict[str, str]) -> str | None:
    """Why ``actual`` does not match ``expected`` under the scripts' rules, or ``None``."""
    if expected.get("35") != actual.get("35"):
        return f"MsgType {actual.get('35')!r} instead of {expected.get('35')!r}"
    for tag in (set(expected) | set(actual)) - IGNORED:
        if tag not in actual:
            return f"tag {tag} missing"
        if tag not in expected:
            return f"unexpected tag {tag}={actual[tag]!r}"
        if tag == "58":
            if not actual[tag].startswith(expected[tag]):
                return f"Text {actual[tag]!r} does not start with {expected[tag]!r}"
        elif actual[tag] != expected[tag]:
            return f"tag {tag} is {actual[tag]!r}, expected {expected[tag]!r}"
    return None


@dataclass(slots=True)
class _Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    buffer: bytes = b""
    closed: bool = False

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(Exception):
            await self.writer.wait_closed()

    async def next_message(self, timeout: float) -> bytes | None:
        """The next framed message, or None when the peer closed."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            match = _FRAME.search(self.buffer)
            if match is not None:
                self.buffer = self.buffer[match.end() :]
                return match.group(0)
            if self.closed:
                return None
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError
            try:
                data = await asyncio.wait_for(self.reader.read(65536), remaining)
            except (ConnectionError, OSError):
                data = b""
            if not data:
                self.closed = True
            self.buffer += data


@dataclass(slots=True)
class ScriptRun:
    """Runs one script against ``host:port``; raises ``AssertionError`` on the first miss."""

    host: str
    port: int
    name: str
    connections: dict[int, _Connection] = field(default_factory=dict)

    async def run(self, actions: list[Action]) -> None:
        try:
            for action in actions:
                await self._step(action)
        finally:
            for connection in self.connections.values():
                await connection.close()

    def _fail(self, action: Action, why: str) -> AssertionError:
        return AssertionError(f"{self.name}:{action.line}: {why}\n  line: {action.text!r}")

    async def _step(self, action: Action) -> None:
        kind, number, text = action.kind, action.connection, action.text
        if kind == "i" and text == "CONNECT":
            previous = self.connections.pop(number, None)
            if previous is not None:
                await previous.close()
            reader, writer = await asyncio.open_connection(self.host, self.port)
            self.connections[number] = _Connection(reader, writer)
        elif kind == "i" and text == "DISCONNECT":
            await self.connections.pop(number).close()
        elif kind == "I":
            connection = self.connections[number]
            now = datetime.datetime.now(datetime.UTC)
            with contextlib.suppress(ConnectionError, OSError):
                connection.writer.write(outgoing(text, now))
                await connection.writer.drain()
        elif kind == "E":
            try:
                data = await self.connections[number].next_message(TIMEOUT_S)
            except TimeoutError:
                raise self._fail(action, "no message within 10 s") from None
            if data is None:
                raise self._fail(action, "connection closed instead")
            actual = as_map(data.decode("latin-1"))
            why = mismatch(as_map(text), actual)
            if why is not None:
                shown = data.decode("latin-1").replace(SOH, "|")
                raise self._fail(action, f"{why}\n  got:  {shown}")
        elif kind == "e" and text == "DISCONNECT":
            try:
                data = await self.connections[number].next_message(TIMEOUT_S)
            except TimeoutError:
                raise self._fail(action, "still connected after 10 s") from None
            if data is not None:
                shown = data.decode("latin-1").replace(SOH, "|")
                raise self._fail(action, f"a message instead of a disconnect: {shown}")
        else:
            raise self._fail(action, "unknown action")


async def replay(host: str, port: int, path: Path) -> None:
    """Replay the script at ``path``."""
    await ScriptRun(host, port, path.name).run(load(path))

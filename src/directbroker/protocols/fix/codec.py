"""FIX wire format: framing a byte stream into messages, parsing them, encoding them.

Framing follows the rule every mature engine uses, so that a wrong BodyLength is detected
instead of trusted: find ``8=FIX``, read BodyLength, then look for the CheckSum field from
where BodyLength says the body ends. A frame whose CheckSum field is not exactly there, or
whose CheckSum is wrong, is *garbled*: it is handed up as such (the session ignores it, as the
FIX session rules require) rather than parsed.

Speed: the hot paths work on whole buffers with ``bytes.find`` / ``str.split`` and build one
tuple per field, nothing more; data fields (which may contain SOH) take a slower exact path
only when a length field announces one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from directbroker.protocols.fix.message import Field, FixMessage

SOH_BYTE = b"\x01"
_CHECKSUM_MARK = b"\x0110="
_BEGIN_MARK = b"8=FIX"
MAX_BODY_LENGTH = 1 << 20
"""A BodyLength past this is treated as garbage rather than waited for."""

DATA_LENGTH_TAGS: dict[int, int] = {
    90: 91,
    93: 89,
    95: 96,
    212: 213,
    348: 349,
    350: 351,
    354: 355,
    362: 363,
    364: 365,
    618: 619,
    621: 622,
}
"""Length field -> the data field whose byte count it gives (data may contain SOH)."""

_DATA_LENGTH_RE = re.compile(
    rb"\x01(?:" + b"|".join(str(t).encode() for t in DATA_LENGTH_TAGS) + rb")="
)


class GarbledMessage(ValueError):
    """The bytes are not a well-formed FIX message (framing, BodyLength, CheckSum, tag)."""


@dataclass(frozen=True, slots=True)
class Frame:
    """One message's bytes as cut from the stream; ``problem`` is set when it is garbled."""

    data: bytes
    problem: str | None = None


def checksum(data: bytes) -> int:
    """The FIX CheckSum of ``data``: the byte sum modulo 256."""
    return sum(data) & 0xFF


class FrameDecoder:
    """Cuts a byte stream into frames; keeps partial input until the rest arrives."""

    __slots__ = ("_buffer", "_max_buffer")

    def __init__(self, max_buffer: int = 4 * MAX_BODY_LENGTH) -> None:
        self._buffer = b""
        self._max_buffer = max_buffer

    def feed(self, data: bytes) -> list[Frame]:
        """Add ``data`` and return every complete frame now available, in order."""
        buffer = self._buffer + data if self._buffer else data
        frames: list[Frame] = []
        position = 0
        length = len(buffer)
        while True:
            start = buffer.find(_BEGIN_MARK, position)
            if start < 0:
                # Keep a tail that could be the start of "8=FIX" split across reads.
                position = max(position, length - (len(_BEGIN_MARK) - 1))
                break
            position = start
            end_begin = buffer.find(SOH_BYTE, start)
            if end_begin < 0:
                if length - start > 32:
                    position = start + 1
                    continue
                break
            if buffer[end_begin + 1 : end_begin + 3] != b"9=":
                if length < end_begin + 3:
                    break
                position = self._skip_garbled(buffer, end_begin, frames, start)
                if position < 0:
                    position = start
                    break
                continue
            end_length = buffer.find(SOH_BYTE, end_begin + 3)
            if end_length < 0:
                if length - end_begin > 16:
                    position = start + 1
                    continue
                break
            length_text = buffer[end_begin + 3 : end_length]
            if not length_text.isdigit() or len(length_text) > 7:
                position = self._skip_garbled(buffer, end_length, frames, start)
                if position < 0:
                    position = start
                    break
                continue
            body_end = end_length + 1 + int(length_text)
            if int(length_text) > MAX_BODY_LENGTH:
                position = start + 1
                continue
            if length < body_end:
                break
            mark = buffer.find(_CHECKSUM_MARK, body_end - 1)
            if mark < 0:
                break
            frame_end = buffer.find(SOH_BYTE, mark + 4)
            if frame_end < 0:
                break
            frame_end += 1
            data_frame = buffer[start:frame_end]
            problem = None
            if mark != body_end - 1:
                problem = "BodyLength does not match"
            elif buffer[end_length + 1 : end_length + 4] != b"35=":
                problem = "MsgType is not the third field"
            else:
                value = buffer[mark + 4 : frame_end - 1]
                if (
                    len(value) != 3
                    or not value.isdigit()
                    or int(value) != checksum(buffer[start : mark + 1])
                ):
                    problem = "CheckSum does not match"
            frames.append(Frame(data_frame, problem))
            position = frame_end
        rest = buffer[position:]
        if len(rest) > self._max_buffer:
            rest = b""
        self._buffer = rest
        return frames

    @staticmethod
    def _skip_garbled(buffer: bytes, after: int, frames: list[Frame], start: int) -> int:
        """Drop through the next CheckSum field as one garbled frame; -1 to wait for more."""
        mark = buffer.find(_CHECKSUM_MARK, after - 1)
        if mark < 0:
            return -1
        frame_end = buffer.find(SOH_BYTE, mark + 4)
        if frame_end < 0:
            return -1
        frames.append(Frame(buffer[start : frame_end + 1], "first fields out of order"))
        return frame_end + 1

    @property
    def buffered(self) -> int:
        """Bytes held waiting for the rest of a message."""
        return len(self._buffer)


def parse(data: bytes) -> FixMessage:
    """Parse one framed message (header, body and trailer) into a :class:`FixMessage`.

    Raises :class:`GarbledMessage` when a field has no ``=`` or a tag is not an integer.
    BodyLength and CheckSum are not checked here (:class:`FrameDecoder` does it once).
    """
    if _DATA_LENGTH_RE.search(data) is not None:
        return FixMessage(_parse_with_data(data))
    text = data.decode("latin-1")
    if text.endswith("\x01"):
        text = text[:-1]
    try:
        fields = tuple([(int(tag), value) for tag, _, value in _partitions(text.split("\x01"))])
    except ValueError as error:
        raise GarbledMessage(str(error)) from None
    return FixMessage(fields)


def _partitions(parts: list[str]) -> Iterable[tuple[str, str, str]]:
    for part in parts:
        triple = part.partition("=")
        if not triple[1]:
            raise ValueError(f"field without '=': {part[:20]!r}")
        yield triple


def _parse_with_data(data: bytes) -> tuple[Field, ...]:
    """The exact path: data fields take exactly the announced byte count."""
    fields: list[Field] = []
    position = 0
    size = len(data)
    pending_data: dict[int, int] = {}
    while position < size:
        equals = data.find(b"=", position)
        if equals < 0:
            raise GarbledMessage("field without '='")
        try:
            tag = int(data[position:equals])
        except ValueError:
            raise GarbledMessage(f"bad tag {data[position:equals][:20]!r}") from None
        start = equals + 1
        want = pending_data.pop(tag, None)
        if (
            want is not None
            and start + want <= size
            and data[start + want : start + want + 1]
            in (
                SOH_BYTE,
                b"",
            )
        ):
            end = start + want
        else:
            end = data.find(SOH_BYTE, start)
            if end < 0:
                end = size
        value = data[start:end].decode("latin-1")
        fields.append((tag, value))
        data_tag = DATA_LENGTH_TAGS.get(tag)
        if data_tag is not None and value.isdigit():
            pending_data[data_tag] = int(value)
        position = end + 1
    return tuple(fields)


def encode_fields(begin_string: str, fields: Sequence[Field]) -> bytes:
    """Encode ``fields`` (MsgType first, no 8/9/10) with BeginString, BodyLength, CheckSum."""
    body = ("\x01".join([f"{tag}={value}" for tag, value in fields]) + "\x01").encode("latin-1")
    head = f"8={begin_string}\x019={len(body)}\x01".encode("ascii")
    message = head + body
    return message + b"10=%03d\x01" % (sum(message) & 0xFF)


def encode(message: FixMessage) -> bytes:
    """Encode a message, putting 8, 9 and 35 first and computing BodyLength and CheckSum.

    BodyLength and CheckSum in ``message`` are ignored and recomputed.
    """
    begin_string = message.get(8) or "FIX.4.2"
    msg_type = message.get(35) or ""
    rest = [f for f in message.fields if f[0] not in (8, 9, 10, 35)]
    return encode_fields(begin_string, [(35, msg_type), *rest])

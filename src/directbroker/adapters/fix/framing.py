"""Cutting a TCP byte stream into whole FIX messages, within a size limit.

The transport frames the stream itself (rather than handing raw chunks to the session) so it
can refuse an oversized message from its BodyLength before reading it into memory, and read
the CompIDs of a first Logon to choose the session. The checksum and every other check are the
session's: framing only finds where a message ends.
"""

from __future__ import annotations

import asyncio

from directbroker.protocols.fix.message import SOH

_MAX_BEGIN = 16  # "8=FIX.4.4\x01" and friends, with room for FIXT.1.1
_MAX_LENGTH_FIELD = 12  # "9=" + up to nine digits + SOH
_TRAILER = 7  # "10=NNN\x01"


class FramingError(Exception):
    """The stream is not FIX, or a message is over the size limit: the connection is dropped."""


async def read_message(reader: asyncio.StreamReader, max_bytes: int) -> bytes | None:
    """The next whole message, or ``None`` at a clean end of stream (between messages)."""
    begin = await _field(reader, _MAX_BEGIN, at_start=True)
    if begin is None:
        return None
    if not begin.startswith(b"8=FIX"):
        raise FramingError("the stream does not start with BeginString (8)")
    length_field = await _field(reader, _MAX_LENGTH_FIELD, at_start=False)
    assert length_field is not None
    digits = length_field[2:-1]
    if not length_field.startswith(b"9=") or not digits.isdigit():
        raise FramingError("BodyLength (9) does not follow BeginString (8)")
    body_length = int(digits)
    total = len(begin) + len(length_field) + body_length + _TRAILER
    if total > max_bytes:
        raise FramingError(f"a message of {total} bytes is over the limit of {max_bytes}")
    try:
        rest = await reader.readexactly(body_length + _TRAILER)
    except asyncio.IncompleteReadError as exc:
        raise FramingError("the stream ended inside a message") from exc
    if not rest.endswith(SOH) or rest[body_length : body_length + 3] != b"10=":
        raise FramingError("CheckSum (10) is not where BodyLength (9) says the body ends")
    return begin + length_field + rest


async def _field(reader: asyncio.StreamReader, limit: int, *, at_start: bool) -> bytes | None:
    """One ``tag=value<SOH>`` of at most ``limit`` bytes, read without over-reading."""
    data = bytearray()
    while len(data) < limit:
        byte = await reader.read(1)
        if not byte:
            if at_start and not data:
                return None
            raise FramingError("the stream ended inside a message")
        data += byte
        if byte == SOH:
            return bytes(data)
    raise FramingError("a header field is longer than any FIX header field")


def header_value(message: bytes, tag: int) -> str | None:
    """The first value of ``tag`` in a framed message (enough to route a Logon)."""
    prefix = f"{tag}=".encode()
    for part in message.split(SOH):
        if part.startswith(prefix):
            return part[len(prefix) :].decode("latin-1")
    return None

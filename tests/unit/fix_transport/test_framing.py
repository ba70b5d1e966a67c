"""Framing: whole messages out of a byte stream, the size limit applied from BodyLength before
the body is read, and anything that is not FIX refused."""

from __future__ import annotations

import asyncio

import pytest

from directbroker.adapters.fix.framing import FramingError, header_value, read_message
from directbroker.testing.fix_transport import encode


def _read(*chunks: bytes, limit: int = 1 << 20, eof: bool = True) -> list[bytes]:
    async def main() -> list[bytes]:
        reader = asyncio.StreamReader()
        for chunk in chunks:
            reader.feed_data(chunk)
        if eof:
            reader.feed_eof()
        out = []
        while (message := await read_message(reader, limit)) is not None:
            out.append(message)
        return out

    return asyncio.run(main())


def test_messages_are_cut_where_body_length_says() -> None:
    one = encode("FIX.4.4", [(35, "A"), (49, "ALPHA"), (56, "DBRK"), (34, "1")])
    two = encode("FIX.4.2", [(35, "D"), (58, "a=b\x01c")])  # SOH inside a value: length wins
    stream = one + two
    assert _read(stream) == [one, two]
    assert _read(*[stream[i : i + 3] for i in range(0, len(stream), 3)]) == [one, two]
    assert header_value(one, 49) == "ALPHA"
    assert header_value(one, 115) is None


def test_the_limit_is_the_whole_message_and_is_checked_before_the_body_arrives() -> None:
    message = encode("FIX.4.4", [(35, "D"), (58, "x" * 100)])
    assert _read(message, limit=len(message)) == [message]
    with pytest.raises(FramingError, match="over the limit"):
        _read(message, limit=len(message) - 1)
    # Only the header of a 10 MB message has arrived, and it is refused already.
    with pytest.raises(FramingError, match="over the limit"):
        _read(b"8=FIX.4.4\x019=10000000\x01", eof=False)


@pytest.mark.parametrize(
    "stream",
    [
        b"GET / HTTP/1.1\r\n\r\n",
        b"8=FIX.4.4\x0135=A\x01",
        b"8=FIX.4.4\x019=-5\x01",
        b"8=FIX.4.4\x019=3\x0135=A\x0110=000\x01",
        b"8=FIX.4.4\x019=5\x0135=A\x01XX=000\x01",
        b"8=FIX.4.4" + b"4" * 64,
        b"8=FIX.4.4\x019=" + b"9" * 64,
        b"8=FIX.4.4\x019=50\x0135=A\x01",
    ],
)
def test_what_is_not_fix_is_refused(stream: bytes) -> None:
    with pytest.raises(FramingError):
        _read(stream)

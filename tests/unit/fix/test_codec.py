"""Framing, parsing and encoding of FIX messages."""

from __future__ import annotations

import pytest

from directbroker.protocols.fix.codec import (
    FrameDecoder,
    GarbledMessage,
    checksum,
    encode,
    encode_fields,
    parse,
)
from directbroker.protocols.fix.message import FixMessage

HEARTBEAT = encode_fields(
    "FIX.4.2", [(35, "0"), (34, "2"), (49, "TW"), (52, "20261207-10:00:00.000"), (56, "ISLD")]
)


def test_encode_computes_body_length_and_checksum() -> None:
    assert HEARTBEAT.startswith(b"8=FIX.4.2\x019=49\x0135=0\x01")
    body_end = HEARTBEAT.index(b"10=")
    assert HEARTBEAT[body_end:] == b"10=%03d\x01" % (sum(HEARTBEAT[:body_end]) % 256)


def test_checksum_matches_the_byte_sum_for_long_messages() -> None:
    data = bytes(range(256)) * 9 + b"tail"
    assert checksum(data) == sum(data) % 256
    assert checksum(b"") == 0


def test_partial_reads_and_several_messages_per_read() -> None:
    decoder = FrameDecoder()
    stream = HEARTBEAT * 3
    frames = []
    for cut in range(0, len(stream), 7):
        frames.extend(decoder.feed(stream[cut : cut + 7]))
    assert [frame.data for frame in frames] == [HEARTBEAT] * 3
    assert all(frame.problem is None for frame in frames)
    assert decoder.buffered == 0


def test_garbage_before_begin_string_is_skipped() -> None:
    frames = FrameDecoder().feed(b"\x00junk 8=FI" + b"X garbage" + HEARTBEAT)
    assert [frame.data for frame in frames] == [HEARTBEAT]


def test_wrong_body_length_and_checksum_are_reported() -> None:
    short = HEARTBEAT.replace(b"9=49", b"9=40")
    bad_sum = HEARTBEAT[:-4] + b"000\x01" if not HEARTBEAT.endswith(b"000\x01") else b""
    frames = FrameDecoder().feed(short + bad_sum)
    assert [frame.problem for frame in frames] == [
        "BodyLength does not match",
        "CheckSum does not match",
    ]


def test_a_too_long_body_length_swallows_the_next_message() -> None:
    long = HEARTBEAT.replace(b"9=49", b"9=60")
    frames = FrameDecoder().feed(long + HEARTBEAT + HEARTBEAT)
    assert [frame.problem for frame in frames] == ["BodyLength does not match", None]


def test_msg_type_must_be_third() -> None:
    swapped = encode_fields("FIX.4.2", [(34, "2"), (35, "0")])
    (frame,) = FrameDecoder().feed(swapped)
    assert frame.problem == "MsgType is not the third field"


def test_parse_keeps_wire_order_and_repeated_tags() -> None:
    data = encode_fields("FIX.4.2", [(35, "D"), (78, "2"), (79, "a"), (80, "1"), (79, "b")])
    message = parse(data)
    assert message.fields[:4] == ((8, "FIX.4.2"), (9, message.get(9)), (35, "D"), (78, "2"))
    assert message.all(79) == ["a", "b"]


def test_values_with_equals_signs_and_odd_tags() -> None:
    data = encode_fields("FIX.4.2", [(35, "0"), (58, "a=b=c"), (-1, "x"), (12345, "y")])
    assert b"\x01-1=x\x01" in data
    message = parse(data)
    assert message.get(58) == "a=b=c"
    assert message.get(-1) == "x"
    assert message.get(12345) == "y"


def test_data_fields_may_contain_soh() -> None:
    raw = "bin\x01ary"
    data = encode_fields("FIX.4.2", [(35, "A"), (95, str(len(raw))), (96, raw), (98, "0")])
    message = parse(data)
    assert message.get(96) == raw
    assert message.get(98) == "0"


@pytest.mark.parametrize(
    "data",
    [
        b"8=FIX.4.2\x01garbage\x0110=000\x01",
        b"8=FIX.4.2\x014x9=TW\x0110=000\x01",
        b"8=FIX.4.2\x01+49=TW\x0110=000\x01",
        "8=FIX.4.2\x01\u0663=TW\x0110=000\x01".encode("utf-8"),
    ],
)
def test_garbled_fields_raise(data: bytes) -> None:
    with pytest.raises(GarbledMessage):
        parse(data)


def test_encode_puts_header_first_and_recomputes() -> None:
    message = FixMessage.of([(49, "A"), (35, "0"), (8, "FIX.4.4"), (9, "999"), (10, "000")])
    data = encode(message)
    assert data.startswith(b"8=FIX.4.4\x019=")
    assert parse(data).fields[2:4] == ((35, "0"), (49, "A"))
    (frame,) = FrameDecoder().feed(data)
    assert frame.problem is None

"""Every registered message survives the journal codec unchanged."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import directbroker.domain.venue_messages  # noqa: F401  (registers the venue messages)
from directbroker.domain.messages import Message, message_types
from directbroker.protocols.codec import CodecError, decode, decode_many, encode, encode_many

MESSAGE_TYPES = sorted(message_types().items())


@pytest.mark.parametrize(("tag", "cls"), MESSAGE_TYPES, ids=[tag for tag, _ in MESSAGE_TYPES])
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_round_trip(tag: str, cls: type[Message], data: st.DataObject) -> None:
    message = data.draw(st.from_type(cls))
    assert decode(encode(message)) == message
    assert decode_many(encode_many([message, message])) == [message, message]


@pytest.mark.parametrize("junk", [b"", b"\xc1", b"\x93\x01\x02\x03", b"\x91\xa5Nope!"])
def test_junk_is_refused_with_a_codec_error(junk: bytes) -> None:
    with pytest.raises(CodecError):
        decode(junk)

"""Whatever arrives, a FIX session never raises and writes only valid FIX; the codec
round-trips any fields."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from directbroker.protocols.fix.codec import FrameDecoder, encode_fields, parse
from directbroker.protocols.fix.effects import Step
from directbroker.protocols.fix.message import FixMessage
from directbroker.protocols.fix.validation import validate
from directbroker.protocols.fix.versions import dictionary_for
from tests.unit.fix.sessions import T0, Side, connect, pair

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _logged_on(begin_string: str, validating: bool = True) -> Side:
    initiator, acceptor = pair(begin_string, validating=validating)
    connect(initiator, acceptor)
    assert acceptor.session.logged_on
    return acceptor


def _assert_valid_output(step: Step, begin_string: str) -> None:
    dictionary = dictionary_for(begin_string)
    data = b"".join(step.outgoing)
    decoder = FrameDecoder()
    frames = decoder.feed(data)
    assert decoder.buffered == 0
    assert sum(len(frame.data) for frame in frames) == len(data)
    for frame in frames:
        assert frame.problem is None, frame
        message = parse(frame.data)
        assert validate(message, dictionary) is None, (message, validate(message, dictionary))


def _order(begin_string: str, seq: int) -> bytes:
    return encode_fields(
        begin_string,
        [
            (35, "D"),
            (34, str(seq)),
            (49, "CLIENT"),
            (52, "20261201-00:00:00.000"),
            (56, "BROKER"),
            (11, "A1"),
            (21, "1"),
            (78, "1"),
            (79, "ACC"),
            (80, "100"),
            (54, "1"),
            (55, "IBM"),
            (38, "100"),
            (40, "2"),
            (44, "10.5"),
            (60, "20261201-00:00:00"),
        ],
    )


@FUZZ
@given(
    version=st.sampled_from(["FIX.4.2", "FIX.4.4"]),
    chunks=st.lists(st.binary(max_size=200), max_size=5),
)
def test_random_bytes_never_raise_and_answers_are_valid(version: str, chunks: list[bytes]) -> None:
    acceptor = _logged_on(version)
    for chunk in chunks:
        step = acceptor.session.received(chunk, T0)
        _assert_valid_output(step, version)
        step = acceptor.session.timer(T0)
        _assert_valid_output(step, version)


_ASCII = st.characters(codec="ascii", exclude_characters="\x01")


@st.composite
def _mutations(draw: st.DrawFn, data: bytes) -> bytes:
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["delete", "insert", "replace", "field"]))
        at = draw(st.integers(0, len(data)))
        if kind == "delete":
            data = data[:at] + data[at + draw(st.integers(1, 8)) :]
        elif kind == "insert":
            data = data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
        elif kind == "replace":
            data = data[:at] + draw(st.binary(min_size=1, max_size=4)) + data[at + 4 :]
        else:
            tag = draw(st.sampled_from([34, 35, 36, 38, 40, 43, 52, 54, 78, 80, 97, 122, 9999]))
            value = draw(
                st.text(st.characters(codec="ascii", exclude_characters="\x01"), max_size=6)
            )
            data = data[:at] + f"\x01{tag}={value}".encode() + data[at:]
    return data


@FUZZ
@given(version=st.sampled_from(["FIX.4.2", "FIX.4.4"]), validating=st.booleans(), data=st.data())
def test_mutated_orders_never_raise_and_answers_are_valid(
    version: str, validating: bool, data: st.DataObject
) -> None:
    """With dictionary validation off too: the session itself must cope with any value."""
    acceptor = _logged_on(version, validating)
    for seq in (2, 3):
        mutated = data.draw(_mutations(_order(version, seq)))
        recomputed = data.draw(st.booleans())
        if recomputed and mutated.startswith(b"8=FIX"):
            # Keep BodyLength and CheckSum right so the mutation reaches validation.
            fields = [
                (int(tag), value)
                for tag, _, value in (
                    part.partition("=")
                    for part in mutated.decode("latin-1").split("\x01")
                    if part
                    and part.partition("=")[0].isascii()
                    and part.partition("=")[0].isdigit()
                )
                if int(tag) not in (8, 9, 10)
            ]
            if fields and fields[0][0] == 35:
                mutated = encode_fields(version, fields)
        step = acceptor.session.received(mutated, T0)
        _assert_valid_output(step, version)


_VALUES = st.text(
    st.characters(min_codepoint=32, max_codepoint=255, exclude_characters="\x01"), min_size=1
)


@settings(max_examples=300, deadline=None)
@given(
    msg_type=st.sampled_from(["0", "D", "8", "AE"]),
    fields=st.lists(
        st.tuples(st.integers(1, 99_999).filter(lambda t: t not in (8, 9, 10, 35)), _VALUES),
        max_size=30,
    ),
)
def test_codec_round_trips(msg_type: str, fields: list[tuple[int, str]]) -> None:
    data = encode_fields("FIX.4.4", [(35, msg_type), *fields])
    (frame,) = FrameDecoder().feed(data)
    assert frame.problem is None
    message = parse(frame.data)
    assert message.fields[0] == (8, "FIX.4.4")
    assert message.fields[2:-1] == ((35, msg_type), *fields)
    assert message.fields[-1][0] == 10


@settings(max_examples=300, deadline=None)
@given(
    version=st.sampled_from(["FIX.4.2", "FIX.4.4"]),
    edits=st.lists(
        st.tuples(
            st.integers(0, 30),
            st.sampled_from([11, 21, 38, 40, 44, 54, 55, 60, 78, 79, 80, 9999]),
            st.text(_ASCII, max_size=5),
        ),
        max_size=3,
    ),
)
def test_remembered_shapes_answer_as_the_full_walk(
    version: str, edits: list[tuple[int, int, str]]
) -> None:
    """Differential: validation that remembers valid shapes agrees with the full walk."""
    from directbroker.protocols.fix.validation import _validate_fully

    dictionary = dictionary_for(version)
    original = parse(_order(version, 2))
    assert validate(original, dictionary) is None  # the shape is now remembered
    fields = list(original.fields)
    for wanted, tag, value in edits:
        at = min(wanted, len(fields) - 1)
        if tag == fields[at][0] or at % 2:
            fields[at] = (fields[at][0], value)  # same shape, another value
        else:
            fields.insert(at, (tag, value))
    mutated = FixMessage.of(fields)
    assert validate(mutated, dictionary) == _validate_fully(mutated, dictionary)
    assert validate(mutated, dictionary) == _validate_fully(mutated, dictionary)

"""What a session writes: numbered messages, resent messages and gap fills.

Kept apart from the state machine so that ``session`` reads as the FIX rules and this module
as the wire details (header order, re-stamping a resent message, reverse routing).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from directbroker.protocols.fix.codec import GarbledMessage, encode_fields, parse
from directbroker.protocols.fix.dictionary import ADMIN_MSG_TYPES
from directbroker.protocols.fix.effects import ResendWanted, Step
from directbroker.protocols.fix.message import Field, FixMessage
from directbroker.protocols.fix.tags import TRAILER_TAGS
from directbroker.protocols.fix.timestamps import format_timestamp
from directbroker.protocols.fix.validation import BUSINESS_REASON_TEXT, Problem


class _Identity(Protocol):
    @property
    def begin_string(self) -> str: ...
    @property
    def sender_comp_id(self) -> str: ...
    @property
    def target_comp_id(self) -> str: ...


_REVERSED = {115: 128, 128: 115, 116: 129, 129: 116, 144: 145, 145: 144}
"""OnBehalfOf* <-> DeliverTo*: an answer travels the route back."""

_RESTAMPED = frozenset({8, 9, 10, 34, 35, 43, 49, 52, 56, 122})


def reverse_route(message: FixMessage) -> list[Field]:
    """The routing header of an answer to ``message`` (third-party routing reversed)."""
    return [(_REVERSED[tag], value) for tag, value in message.fields if tag in _REVERSED and value]


def business_reject_fields(
    message: FixMessage, reason: int, text: str | None = None
) -> tuple[list[Field], list[Field]]:
    """The body and routing header of a BusinessMessageReject of ``message``."""
    ref_seq = message.get(34) or "0"
    body: list[Field] = [(45, ref_seq if ref_seq.isascii() and ref_seq.isdigit() else "0")]
    msg_type = message.get(35)
    if msg_type:
        body.append((372, msg_type))
    body.append((380, str(reason)))
    body.append((58, text or BUSINESS_REASON_TEXT.get(reason, "Other")))
    return body, reverse_route(message)


class Outbox:
    """Numbers, stamps and encodes what the session sends."""

    __slots__ = ("_begin", "_sender", "_target", "last_sent_ns", "next_seq")

    def __init__(self, identity: _Identity, next_seq: int) -> None:
        self._begin = identity.begin_string
        self._sender = identity.sender_comp_id
        self._target = identity.target_comp_id
        self.next_seq = next_seq
        self.last_sent_ns = 0

    def send(
        self,
        step: Step,
        msg_type: str,
        body: Sequence[Field],
        now_ns: int,
        header: Sequence[Field] = (),
    ) -> int:
        """Send a new message with the next sequence number; return that number."""
        seq = self.next_seq
        self.next_seq = seq + 1
        fields: list[Field] = [
            (35, msg_type),
            (34, str(seq)),
            (49, self._sender),
            (52, format_timestamp(now_ns)),
            (56, self._target),
        ]
        fields.extend(header)
        fields.extend(body)
        data = encode_fields(self._begin, fields)
        step.outgoing.append(data)
        step.sent.append((seq, data))
        self.last_sent_ns = now_ns
        return seq

    def reject(
        self,
        step: Step,
        message: FixMessage,
        found: Problem,
        reasons: frozenset[int],
        now_ns: int,
    ) -> int:
        """Send a session Reject of ``message``; return the RefSeqNum it names.

        SessionRejectReason is left out when the version does not define the value (4.2 has
        none past 11); the reject travels back the route the message came by.
        """
        ref_seq = message.get(34) or "0"
        if not (ref_seq.isascii() and ref_seq.isdigit()):
            ref_seq = "0"
        body: list[Field] = [(45, ref_seq)]
        if found.tag is not None:
            body.append((371, str(found.tag)))
        msg_type = message.get(35)
        if msg_type:
            body.append((372, msg_type))
        if found.reason in reasons:
            body.append((373, str(found.reason)))
        body.append((58, found.text))
        self.send(step, "3", body, now_ns, reverse_route(message))
        return int(ref_seq)

    def resend(self, step: Step, seq: int, original: FixMessage, now_ns: int) -> None:
        """Send ``original`` again under its number, marked as a possible duplicate."""
        fields: list[Field] = [
            (35, original.msg_type),
            (34, str(seq)),
            (43, "Y"),
            (49, self._sender),
            (52, format_timestamp(now_ns)),
            (56, self._target),
        ]
        sent_at = original.get(52)
        if sent_at:
            fields.append((122, sent_at))
        fields.extend(
            field
            for field in original.fields
            if field[0] not in _RESTAMPED and field[0] not in TRAILER_TAGS
        )
        step.outgoing.append(encode_fields(self._begin, fields))
        self.last_sent_ns = now_ns

    def gap_fill(self, step: Step, seq: int, new_seq: int, now_ns: int) -> None:
        """Tell the counterparty to skip ``seq .. new_seq - 1`` (SequenceReset-GapFill)."""
        stamp = format_timestamp(now_ns)
        fields: list[Field] = [
            (35, "4"),
            (34, str(seq)),
            (43, "Y"),
            (49, self._sender),
            (52, stamp),
            (56, self._target),
            (122, stamp),
            (123, "Y"),
            (36, str(new_seq)),
        ]
        step.outgoing.append(encode_fields(self._begin, fields))
        self.last_sent_ns = now_ns

    def answer_resend(
        self, step: Step, wanted: ResendWanted, stored: dict[int, bytes], now_ns: int
    ) -> None:
        """Resend ``wanted``: application messages again, admin messages and holes gap-filled."""
        gap_start: int | None = None
        for seq in range(wanted.begin_seq, wanted.end_seq + 1):
            original = stored_application(stored.get(seq))
            if original is None:
                if gap_start is None:
                    gap_start = seq
                continue
            if gap_start is not None:
                self.gap_fill(step, gap_start, seq, now_ns)
                gap_start = None
            self.resend(step, seq, original, now_ns)
        if gap_start is not None:
            self.gap_fill(step, gap_start, wanted.end_seq + 1, now_ns)


def stored_application(data: bytes | None) -> FixMessage | None:
    """A stored message worth resending as it was (an application message), else ``None``."""
    if data is None:
        return None
    try:
        message = parse(data)
    except GarbledMessage:
        return None
    if message.msg_type in ADMIN_MSG_TYPES or not message.msg_type:
        return None
    return message

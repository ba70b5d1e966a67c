"""What a FIX session step answers with: bytes to write, facts to persist, events to act on.

The session (``session.Session``) never touches a socket, a disk or a clock. Every call
(``connected``, ``received``, ``timer``, ``send``, ``logout``, ``resend``, ``disconnected``)
returns one :class:`Step`; the transport carries it out in this order:

1. persist ``state`` (when not ``None``) and every message in ``sent`` to the message store,
   durably, so that a restart resumes the sequence numbers and can serve a resend request;
2. write ``outgoing`` to the connection, in order;
3. act on ``events`` in order (hand application messages to the application, fetch stored
   messages for a :class:`ResendWanted` and feed them back through ``Session.resend``);
4. close the connection when ``close`` is set.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from directbroker.protocols.fix.message import FixMessage


@dataclass(frozen=True, slots=True)
class SequenceState:
    """The session's persistent numbers: the next to send and the next expected."""

    next_sender_seq: int
    next_target_seq: int


@dataclass(frozen=True, slots=True)
class LoggedOn:
    """The logon handshake completed; application messages may flow."""

    heartbeat_interval_s: int


@dataclass(frozen=True, slots=True)
class LoggedOut:
    """The session ended (handshake completed, timed out or refused)."""

    reason: str


@dataclass(frozen=True, slots=True)
class ApplicationMessage:
    """An in-sequence application message that passed validation, for the application."""

    message: FixMessage
    possible_duplicate: bool
    """PossDupFlag (43) or PossResend (97) was set: the application checks it has not seen it."""


@dataclass(frozen=True, slots=True)
class ResendWanted:
    """The counterparty asked for messages ``begin_seq..end_seq`` (inclusive) again.

    The transport reads the stored messages of that range and calls ``Session.resend`` with
    them; the session re-stamps application messages (PossDupFlag, OrigSendingTime) and turns
    admin messages and holes into gap fills.
    """

    begin_seq: int
    end_seq: int


@dataclass(frozen=True, slots=True)
class SessionRejected:
    """The session refused an incoming message (a session-level Reject or a Logout was sent)."""

    ref_seq_num: int | None
    reason: str


SessionEvent = LoggedOn | LoggedOut | ApplicationMessage | ResendWanted | SessionRejected


@dataclass(slots=True)
class Step:
    """One step's effects, carried out by the transport in the order the module says."""

    outgoing: list[bytes] = field(default_factory=list)
    sent: list[tuple[int, bytes]] = field(default_factory=list)
    """Messages that carry a new sequence number, as (MsgSeqNum, the bytes), for the store."""
    state: SequenceState | None = None
    events: list[SessionEvent] = field(default_factory=list)
    close: bool = False

    def extend(self, other: Step) -> None:
        """Append another step's effects to this one (its state wins when set)."""
        self.outgoing.extend(other.outgoing)
        self.sent.extend(other.sent)
        if other.state is not None:
            self.state = other.state
        self.events.extend(other.events)
        self.close = self.close or other.close

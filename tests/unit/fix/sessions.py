"""Two sessions wired back to back in memory, with a store each, for the tests."""

from __future__ import annotations

from dataclasses import dataclass, field

from directbroker.protocols.fix.codec import FrameDecoder, parse
from directbroker.protocols.fix.effects import ResendWanted, SessionEvent, Step
from directbroker.protocols.fix.message import FixMessage
from directbroker.protocols.fix.session import Session
from directbroker.protocols.fix.session_config import Role, SessionConfig

T0 = 1_796_000_000_000_000_000
"""2026-12-01 and a bit, in nanoseconds: the tests' clock starts here."""
S = 1_000_000_000


@dataclass
class Side:
    """One session and what it has written, stored and reported."""

    session: Session
    store: dict[int, bytes] = field(default_factory=dict)
    written: list[bytes] = field(default_factory=list)
    events: list[SessionEvent] = field(default_factory=list)
    closed: bool = False

    def take(self, step: Step, now: int) -> list[bytes]:
        """Carry out ``step`` (resends included); return the bytes to deliver."""
        out: list[bytes] = []
        for seq, data in step.sent:
            self.store[seq] = data
        out.extend(step.outgoing)
        for event in step.events:
            self.events.append(event)
            if isinstance(event, ResendWanted):
                stored = [
                    (seq, self.store[seq])
                    for seq in range(event.begin_seq, event.end_seq + 1)
                    if seq in self.store
                ]
                out.extend(self.take(self.session.resend(stored, now), now))
        self.closed = self.closed or step.close
        self.written.extend(out)
        return out

    def messages(self) -> list[FixMessage]:
        """Everything written, parsed."""
        return [parse(frame.data) for frame in FrameDecoder().feed(b"".join(self.written))]


def pair(
    begin_string: str = "FIX.4.4", heartbeat: int = 30, *, validating: bool = True
) -> tuple[Side, Side]:
    """An initiator (CLIENT) and an acceptor (BROKER), not yet connected."""
    initiator = Session(
        SessionConfig(begin_string, "CLIENT", "BROKER", Role.INITIATOR, heartbeat, True)
    )
    acceptor = Session(
        SessionConfig(begin_string, "BROKER", "CLIENT", Role.ACCEPTOR, validate=validating)
    )
    return Side(initiator), Side(acceptor)


def exchange(sender: Side, receiver: Side, step: Step, now: int) -> None:
    """Deliver ``step``'s output to ``receiver``, and the answers back, until quiet."""
    pending = sender.take(step, now)
    sides = (sender, receiver)
    turn = 1
    while pending:
        target = sides[turn]
        answer = target.session.received(b"".join(pending), now)
        pending = target.take(answer, now)
        turn = 1 - turn


def connect(initiator: Side, acceptor: Side, now: int = T0) -> None:
    """Connect both and run the logon handshake."""
    acceptor.take(acceptor.session.connected(now), now)
    exchange(initiator, acceptor, initiator.session.connected(now), now)

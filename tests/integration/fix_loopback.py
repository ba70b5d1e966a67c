"""A FIX session pair in memory, for testing FIX applications without sockets.

It does what the transport promises the applications: application messages carry sequence
numbers and are stored by the sender; a message written while the connection is up is
delivered in order (when pumped); one still in flight when the connection drops is lost, and
after the next logon the sender resends every stored message the receiver has not seen, with
PossDup set. Each side's store outlives the application on it (a restarted application meets
the same store, as a restarted process meets its FIX store on disk).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from directbroker.adapters.venues.fix_ports import Done, SessionKey
from directbroker.protocols.fix.effects import ApplicationMessage
from directbroker.protocols.fix.message import Field, FixMessage


class Application(Protocol):
    def on_logon(self, session_id: SessionKey) -> None: ...
    def on_message(self, session_id: SessionKey, message: ApplicationMessage) -> None: ...
    def on_logout(self, session_id: SessionKey) -> None: ...


@dataclass
class _End:
    session_id: str
    app: Application | None = None
    store: list[FixMessage] = field(default_factory=list)
    received: int = 0
    """How many of the other side's messages this side has processed (its next expected - 1)."""


class LoopbackSession:
    """One FIX session between an initiator application and an acceptor application."""

    def __init__(self, initiator_id: str, acceptor_id: str) -> None:
        self.initiator = _End(initiator_id)
        self.acceptor = _End(acceptor_id)
        self.connected = False
        self._wire: deque[tuple[_End, FixMessage, bool]] = deque()

    def _ends(self, session_id: SessionKey) -> tuple[_End, _End]:
        if session_id == self.initiator.session_id:
            return self.initiator, self.acceptor
        assert session_id == self.acceptor.session_id, session_id
        return self.acceptor, self.initiator

    def send(
        self, session_id: SessionKey, msg_type: str, body: Sequence[Field], done: Done | None
    ) -> None:
        """The transport's send for either side (``session_id`` names the sender's side):
        stored and on the wire while connected, refused (``done(False)``) otherwise."""
        mine, theirs = self._ends(session_id)
        if not self.connected:
            if done is not None:
                done(False)
            return
        seq = len(mine.store) + 1
        message = FixMessage.of([(35, msg_type), (34, str(seq)), *body])
        mine.store.append(message)
        self._wire.append((theirs, message, False))
        if done is not None:
            done(True)

    def connect(self) -> None:
        """Log on both sides; what each missed is resent (PossDup) ahead of anything new."""
        assert not self.connected
        self.connected = True
        for sender, receiver in ((self.initiator, self.acceptor), (self.acceptor, self.initiator)):
            for message in sender.store[receiver.received :]:
                self._wire.append((receiver, message, True))
        for end in (self.initiator, self.acceptor):
            if end.app is not None:
                end.app.on_logon(end.session_id)

    def disconnect(self) -> None:
        """Drop the connection: whatever is in flight is lost; both sides log out."""
        self.connected = False
        self._wire.clear()
        for end in (self.initiator, self.acceptor):
            if end.app is not None:
                end.app.on_logout(end.session_id)

    def swallow(self) -> None:
        """The receiver's session takes the next message in (its sequence number counts as
        received) but its application never sees it: a crash between the two."""
        receiver, message, _ = self._wire.popleft()
        receiver.received = int(message.require(34))

    def pump(self) -> int:
        """Deliver everything in flight (and what that causes); how many messages."""
        count = 0
        while self._wire and self.connected:
            receiver, message, resent = self._wire.popleft()
            seq = int(message.require(34))
            if seq <= receiver.received:
                continue  # already processed: a resend of something that did arrive
            assert seq == receiver.received + 1, (seq, receiver.received)
            receiver.received = seq
            count += 1
            assert receiver.app is not None
            receiver.app.on_message(receiver.session_id, ApplicationMessage(message, resent))
        return count

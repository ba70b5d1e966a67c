"""The venue link over FIX: one FIX initiator session per venue, behind the VenueLink port.

Each venue has a :class:`VenueSession`, the FIX application of the router's side: it turns
venue commands into FIX requests while the session is logged on and holds them (in order)
while it is not, turns the venue's execution reports back into venue messages for
``on_reply``, and reports the link's health (``MarkVenueDown`` when the session is lost,
``MarkVenueUp`` when it logs on again), as the in-process link does.

Exactly once: a request the session wrote before a connection dropped is in the FIX store and
goes again by resend (PossDup), which the venue recognises by ClOrdID (a new order's ClOrdID
is its child order id; a cancel or replace has its own, unique to this link's run); a held
command was never written and is written once, on logon. A report that comes twice (resend,
or the venue re-sending after its own crash) has the same ExecID and is delivered once.

The transport is not imported here: :class:`FixVenueLink` takes a ``connect`` function that
starts an initiator for a venue's endpoint with a given application and returns its send.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from directbroker.adapters.venues.fix_mapping import (
    REPORT_MSG_TYPES,
    OrderRef,
    command_to_fix,
    exec_id_of,
    ref_of,
    report_from_fix,
)
from directbroker.adapters.venues.fix_mapping.fields import AFTER_SEQ, REPORT_REQUEST
from directbroker.adapters.venues.fix_ports import Done, Send, SessionKey
from directbroker.domain.messages import Message
from directbroker.domain.rejects import DomainRejection, RejectCode
from directbroker.domain.routing_messages import MarkVenueDown, MarkVenueUp
from directbroker.domain.venue_messages import CancelOrder, OrderRejected, SubmitOrder
from directbroker.protocols.fix.effects import ApplicationMessage
from directbroker.protocols.fix.message import Field
from directbroker.runtime.venue_link import ReplySink, VenueCommand

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class VenueEndpoint:
    """Where a venue's FIX acceptor listens and the comp ids of the session."""

    venue: str
    host: str
    port: int
    sender_comp_id: str
    target_comp_id: str
    heartbeat_s: int = 30


class Initiator(Protocol):
    """What the link needs of a running FIX initiator."""

    def send(
        self, session_id: SessionKey, msg_type: str, body: Sequence[Field], done: Done | None
    ) -> None:
        """Queue an application message on the session (from any thread); see ``Send``."""
        ...

    def close(self) -> None:
        """Log out, stop reconnecting and release the socket."""
        ...


KeyedSink = Callable[[Message, str | None], None]
"""Receives a reply with its origin key ``VENUE:seq:index`` (the venue journal entry and the
report's place in it; ``None`` for the link's status changes and for refusals the venue never
journaled): a journaling receiver applies a report delivered twice once, across restarts."""

Connect = Callable[[VenueEndpoint, "VenueSession"], Initiator]
"""Start an initiator for ``endpoint`` that calls the session's on_logon / on_message /
on_logout; it reconnects by itself until closed."""


@dataclass(frozen=True, slots=True)
class _Request:
    command: VenueCommand
    request_id: str
    """Its ClOrdID: the order id for a new order, unique to this run for the others."""


class VenueSession:
    """The router's FIX application for one venue (thread-safe: the router's thread sends,
    the transport's thread delivers)."""

    def __init__(
        self,
        venue: str,
        on_reply: ReplySink,
        now_ns: Callable[[], int] = time.time_ns,
        run_id: str | None = None,
        keyed: KeyedSink | None = None,
        applied_seq: int | None = None,
    ) -> None:
        """``run_id`` makes this run's cancel/replace ClOrdIDs unique across restarts;
        ``keyed``, when given, receives every reply with its origin key instead;
        ``applied_seq``, when given, is the venue journal position up to which the owner has
        applied this venue's reports: at each logon the link asks the venue for the reports
        after the position it has delivered since (a crash may have lost some the session
        had already taken in)."""
        self.venue = venue
        self._applied_seq = applied_seq
        self._keyed: KeyedSink = keyed or (lambda message, key: on_reply(message))
        self._now_ns = now_ns
        self._run = run_id or _base36(now_ns())
        self._lock = threading.RLock()
        self._send: Send | None = None
        self._session_id: SessionKey | None = None
        self._down_reported = False
        self._held: list[_Request] = []
        """Sent while the session was down: written, in order, at the next logon."""
        self._pending: dict[str, _Request] = {}
        """Written and not answered yet, by ClOrdID, in the order written: after a new logon
        they are written again (the venue drops what it has already applied), since the
        session may have taken a request in and lost it before the venue journaled it."""
        self._refs: dict[str, OrderRef] = {}
        self._seen: set[str] = set()
        self._requests = 0
        self.duplicates_dropped = 0

    def attach(self, send: Send) -> None:
        """The initiator's send."""
        self._send = send

    @property
    def logged_on(self) -> bool:
        """Whether requests go out now (else they are held)."""
        return self._session_id is not None

    @property
    def unanswered(self) -> int:
        """Requests written that the venue has not answered yet."""
        return len(self._pending)

    # --- outbound -----------------------------------------------------------------------

    def send(self, command: VenueCommand, request_id: str | None = None) -> None:
        """Write ``command`` as a FIX request now, or hold it until the session logs on.

        ``request_id`` names a cancel or replace (its ClOrdID); a sender that may send the
        same request again after its own restart gives a stable one (the venue then applies
        it once); without it the link makes one unique to this run."""
        with self._lock:
            request = self._request(command, request_id)
            if self._session_id is None or self._send is None:
                self._held.append(request)
                return
            self._write(self._session_id, request)

    def _request(self, command: VenueCommand, request_id: str | None) -> _Request:
        if isinstance(command, SubmitOrder):
            self._refs[command.order_id] = ref_of(command)
            return _Request(command, command.order_id)
        if request_id is not None:
            return _Request(command, request_id)
        self._requests += 1
        kind = "C" if isinstance(command, CancelOrder) else "R"
        return _Request(command, f"{command.order_id}.{kind}{self._run}.{self._requests}")

    def _write(self, session_id: SessionKey, request: _Request) -> None:
        assert self._send is not None
        command = request.command
        ref = self._refs.get(command.order_id)
        msg_type, body = command_to_fix(command, request.request_id, self._now_ns(), ref)
        self._pending[request.request_id] = request
        # Not stored (the session went down meanwhile): it is still pending, so it is
        # written again at the next logon.
        self._send(session_id, msg_type, body, None)

    # --- the application interface ------------------------------------------------------

    def on_logon(self, session_id: SessionKey) -> None:
        """Logged on: the venue is up (say so if it was reported down); the unanswered
        requests go again, then the held ones, in the order they were sent."""
        with self._lock:
            self._session_id = session_id
            was_down, self._down_reported = self._down_reported, False
            again = list(self._pending.values())
            held, self._held = self._held, []
            if was_down:
                self._keyed(MarkVenueUp(self.venue), None)
            if self._applied_seq is not None and self._send is not None:
                body = [(AFTER_SEQ, str(self._applied_seq))]
                self._send(session_id, REPORT_REQUEST, body, None)
            for request in [*again, *held]:
                self._write(session_id, request)

    def on_logout(self, session_id: SessionKey) -> None:
        """The session is gone: the venue is down until the next logon."""
        with self._lock:
            if self._session_id != session_id:
                return
            self._session_id = None
            if not self._down_reported:
                self._down_reported = True
                self._keyed(MarkVenueDown(self.venue, "session lost"), None)

    def on_message(self, session_id: SessionKey, message: ApplicationMessage) -> None:
        """An execution report or cancel reject: once per ExecID, to ``on_reply``."""
        fix = message.message
        msg_type = fix.msg_type
        if msg_type not in REPORT_MSG_TYPES:
            log.warning("%s sent %r, which the venue link does not take", self.venue, msg_type)
            return
        body = fix.body()
        exec_id = exec_id_of(msg_type, body)
        with self._lock:
            answered = fix.get(11)
            if answered is not None:
                self._pending.pop(answered, None)
            if exec_id is not None:
                if exec_id in self._seen:
                    self.duplicates_dropped += 1
                    return
                self._seen.add(exec_id)
            try:
                report = report_from_fix(msg_type, body, self.venue)
            except DomainRejection as bad:
                log.error("%s sent a report the link cannot read: %s", self.venue, bad)
                return
            origin = _origin(self.venue, exec_id)
            if origin is not None and self._applied_seq is not None:
                self._applied_seq = max(self._applied_seq, int(origin.split(":")[1]))
            self._keyed(report, origin)


class FixVenueLink:
    """A :class:`~directbroker.runtime.venue_link.VenueLink` over FIX initiators."""

    def __init__(
        self,
        endpoints: Sequence[VenueEndpoint],
        participant: str,
        on_reply: ReplySink,
        connect: Connect,
        now_ns: Callable[[], int] = time.time_ns,
        keyed: KeyedSink | None = None,
        applied: Mapping[str, int] | None = None,
    ) -> None:
        """``keyed``, when given, receives every reply with its origin key (see
        :data:`KeyedSink`) in place of ``on_reply``; ``applied``, per venue, the journal
        position up to which the owner has applied its reports (see :class:`VenueSession`)."""
        self._participant = participant
        self._on_reply = on_reply
        self.sessions: Mapping[str, VenueSession] = {
            e.venue: VenueSession(
                e.venue,
                on_reply,
                now_ns,
                keyed=keyed,
                applied_seq=None if applied is None else applied.get(e.venue, 0),
            )
            for e in endpoints
        }
        self._initiators: list[Initiator] = []
        for endpoint in endpoints:
            session = self.sessions[endpoint.venue]
            initiator = connect(endpoint, session)
            session.attach(initiator.send)
            self._initiators.append(initiator)

    def venues(self) -> tuple[str, ...]:
        """The venues this link reaches, by name."""
        return tuple(sorted(self.sessions))

    def send(self, venue: str, command: VenueCommand, request_id: str | None = None) -> None:
        """Send (or hold) ``command`` for ``venue``; an unknown venue answers with a reject.
        ``request_id``: see :meth:`VenueSession.send`."""
        session = self.sessions.get(venue)
        if session is None:
            detail = f"no venue {venue!r} on this link"
            self._on_reply(
                OrderRejected(
                    venue,
                    command.order_id,
                    self._participant,
                    RejectCode.ROUTE_UNKNOWN_VENUE,
                    detail,
                    0,
                )
            )
            return
        session.send(command, request_id)

    def close(self) -> None:
        """Log every session out and stop reconnecting."""
        initiators, self._initiators = self._initiators, []
        for initiator in initiators:
            initiator.close()


def _origin(venue: str, exec_id: str | None) -> str | None:
    """``VENUE:seq:index`` from an ExecID ``seq-index`` (the venue's journal position)."""
    if exec_id is None:
        return None
    seq, dash, index = exec_id.partition("-")
    if not dash or not seq.isdigit() or not index.isdigit():
        return None
    return f"{venue}:{seq}:{index}"


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, remainder = divmod(number, 36)
        text = digits[remainder] + text
        if number == 0:
            return text

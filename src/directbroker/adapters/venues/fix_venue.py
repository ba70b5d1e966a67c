"""A venue behind a FIX acceptor: incoming orders become venue commands, and the venue's
committed execution reports go back to their owners as FIX messages.

The application is driven on the transport's thread and keeps the venue single-threaded:
each application message is journaled (one durable commit) before anything is answered, and
the answers are the events of that journal entry. Nothing here opens a socket; the process
(``directbroker venue``) wires it to the FIX acceptor.

Exactly once, end to end:

* **In.** Every request is journaled under the client id ``MsgType|participant|ClOrdID``. A
  request the router's FIX session resends (PossDup/PossResend) after a lost connection or a
  restart is found in the journal and answered by nothing: its reports went out (or will, by
  the next rule). The same ClOrdID for a different request is refused, never applied.
* **Out.** Each report's ExecID is its journal position (``seq-index``), and a cursor per
  participant records the last journal entry whose reports were handed to the session. When
  a participant logs on, every report after its cursor is sent from the journal first, so a
  report the venue committed but never sent (a crash between the two, or the participant
  away) still arrives; a report sent twice (a crash between send and cursor) carries the same
  ExecID, by which the router drops the copy.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from directbroker.adapters.venues.fix_cursors import Cursors, OrderBookOfFacts
from directbroker.adapters.venues.fix_mapping import (
    ORDER_MSG_TYPES,
    Answering,
    VenueOrderCommand,
    command_from_fix,
    report_to_fix,
    request_id_of,
    values_of,
)
from directbroker.adapters.venues.fix_mapping.fields import AFTER_SEQ, REPORT_REQUEST, whole
from directbroker.adapters.venues.fix_ports import Done, Send, SessionKey
from directbroker.domain.messages import Event, Message
from directbroker.domain.rejects import DomainRejection, RejectCode
from directbroker.domain.venue_messages import (
    EXECUTION_REPORTS,
    ExecutionReport,
    OrderRejected,
    SubmitOrder,
)
from directbroker.engines.matching import VenueEngine
from directbroker.protocols import codec
from directbroker.protocols.fix.effects import ApplicationMessage
from directbroker.protocols.fix.message import Field
from directbroker.runtime.sequencer import MAX_CLIENT_ID_LENGTH
from directbroker.runtime.stepped import SteppedCore

log = logging.getLogger(__name__)

ParticipantOf = Callable[[SessionKey], str | None]
"""The participant a FIX session trades as (``None``: not a trading session)."""

OnCommit = Callable[[int, int, Sequence[Event]], None]
"""(journal seq, its time, its events)."""

BUSINESS_MESSAGE_REJECT = "j"


def client_id(msg_type: str, participant: str, request_id: str) -> str:
    """The journal's idempotency key of one FIX request."""
    return f"{msg_type}|{participant}|{request_id}"


def answering_of(key: str | None) -> tuple[str, Answering] | None:
    """(participant, the request) a journal entry's client id names, if any."""
    if key is None:
        return None
    parts = key.split("|", 2)
    if len(parts) != 3 or parts[0] not in ORDER_MSG_TYPES:
        return None
    return parts[1], Answering(parts[0], parts[2])


class VenueApplication:
    """The FIX application of one venue: on_logon / on_message / on_logout from the acceptor,
    answers through the ``send`` it is attached to."""

    def __init__(
        self,
        venue: str,
        core: SteppedCore[VenueEngine],
        participant_of: ParticipantOf,
        now_ns: Callable[[], int],
        cursors: Cursors | None = None,
    ) -> None:
        self.venue = venue
        self._core = core
        self._participant_of = participant_of
        self._now_ns = now_ns
        self._cursors = cursors or Cursors(None)
        self._send: Send | None = None
        self._sessions: dict[str, SessionKey] = {}
        self._caught_up_from: dict[str, int] = {}
        """Where each participant's last logon catch-up started."""
        """Logged-on participant -> its session id."""
        self._facts = OrderBookOfFacts()
        for entry in core.journal.read(0):
            for event in codec.decode_many(entry.events):
                if isinstance(event, Event):
                    self._facts.observe(event)
        self.rejected_requests = 0
        self.on_commit: OnCommit | None = None
        """Told of every journal entry applied, after its reports went out (the feed)."""

    def attach(self, send: Send) -> None:
        """The transport's send, once the acceptor exists."""
        self._send = send

    # --- the application interface ------------------------------------------------------

    def on_logon(self, session_id: SessionKey) -> None:
        """A participant logged on: send what it missed, then it is live."""
        participant = self._participant_of(session_id)
        if participant is None:
            return
        self._sessions[participant] = session_id
        start = self._cursors.start_catch_up(participant)
        self._caught_up_from[participant] = start
        self._replay(participant, start, self._core.last_seq)

    def _replay(self, participant: str, after_seq: int, until_seq: int) -> None:
        """Send ``participant`` its reports of journal entries ``after_seq+1..until_seq``."""
        for entry in self._core.journal.read(after_seq, until_seq):
            events = [e for e in codec.decode_many(entry.events) if isinstance(e, Event)]
            target = getattr(codec.decode(entry.command), "order_id", None)
            self._deliver(entry.seq, entry.client_id, target, events, only={participant})

    def _reports_requested(self, participant: str, body: Sequence[Field]) -> None:
        """The participant has applied the reports up to a journal position and asks for
        those after it: the ones the logon's catch-up did not send again (its own process
        may have lost them after its session had taken them in)."""
        try:
            after = whole(values_of(body).get(AFTER_SEQ), AFTER_SEQ)
        except DomainRejection:
            return
        start = self._caught_up_from.get(participant, 0)
        if 0 <= after < start:
            self._replay(participant, after, start)

    def on_logout(self, session_id: SessionKey) -> None:
        """The participant's session ended: its reports wait in the journal."""
        participant = self._participant_of(session_id)
        if participant is not None and self._sessions.get(participant) == session_id:
            del self._sessions[participant]

    def on_message(self, session_id: SessionKey, message: ApplicationMessage) -> None:
        """One in-sequence application message: journal the venue command it asks for."""
        participant = self._participant_of(session_id)
        fix = message.message
        msg_type = fix.msg_type
        if participant is None:
            return
        if msg_type == REPORT_REQUEST:
            self._reports_requested(participant, fix.body())
            return
        if msg_type not in ORDER_MSG_TYPES:
            self._business_reject(session_id, fix.get(34) or "0", msg_type)
            return
        body = fix.body()
        try:
            request_id = request_id_of(values_of(body))
            key = client_id(msg_type, participant, request_id)
            if len(key) > MAX_CLIENT_ID_LENGTH:
                raise DomainRejection(RejectCode.INVALID_ID, "ClOrdID is too long")
            command = command_from_fix(msg_type, body, participant)
        except DomainRejection as refused:
            self._refuse(session_id, msg_type, participant, body, refused)
            return
        self.apply(command, key, session_id)

    # --- the venue ----------------------------------------------------------------------

    def apply(self, command: VenueOrderCommand, key: str, session_id: SessionKey) -> None:
        """Journal ``command`` under ``key`` and send the owners their reports; a key already
        journaled for this very command is a resend and is answered by nothing."""
        prior = self._core.journal.find_client_ids([key]).get(key)
        if prior is not None:
            if prior.command != codec.encode(command):
                answering = answering_of(key)
                assert answering is not None
                # As the engine words a reused order id; a reused request id names the request.
                words = command.order_id if isinstance(command, SubmitOrder) else key
                refused = DomainRejection(RejectCode.DUPLICATE_ORDER_ID, words)
                self._refuse_command(session_id, command, answering[1], refused)
            return
        (outcome,) = self._core.apply_outcomes([command], self._now_ns(), [key])
        if outcome.duplicate:
            return
        self._deliver(outcome.seq, key, command.order_id, list(outcome.events), only=None)
        self._committed(outcome.seq, outcome.ts_ns, outcome.events)

    def submit_unkeyed(self, commands: Sequence[Message]) -> None:
        """Operator or simulator input (halts, crosses): journaled, reports to their owners."""
        for outcome in self._core.apply_outcomes(commands, self._now_ns()):
            self._deliver(outcome.seq, None, None, list(outcome.events), only=None)
            self._committed(outcome.seq, outcome.ts_ns, outcome.events)

    def _committed(self, seq: int, ts_ns: int, events: Sequence[Event]) -> None:
        if self.on_commit is not None:
            self.on_commit(seq, ts_ns, events)

    @property
    def core(self) -> SteppedCore[VenueEngine]:
        """The venue core behind its journal (for the feed's catch-up: same thread only)."""
        return self._core

    def _deliver(
        self,
        seq: int,
        key: str | None,
        target: str | None,
        events: Sequence[Event],
        only: set[str] | None,
    ) -> None:
        """Send each report of one journal entry to its owner, if logged on (and in
        ``only``); a report about the order the entry's request named answers that request."""
        request = answering_of(key)
        outgoing: list[tuple[SessionKey, str, list[Field]]] = []
        for index, event in enumerate(events):
            self._facts.observe(event)
            if not isinstance(event, EXECUTION_REPORTS):
                continue
            if only is not None and event.participant not in only:
                continue
            session_id = self._sessions.get(event.participant)
            if session_id is None:
                continue
            answering = None
            if request is not None and request[0] == event.participant:
                answering = request[1] if event.order_id == target else None
            facts = self._facts.get(event.order_id)
            msg_type, body = report_to_fix(event, f"{seq}-{index}", answering, facts)
            outgoing.append((session_id, msg_type, body))
        # The entry is confirmed for a participant when its last report is stored.
        last_of: dict[SessionKey, int] = {sid: i for i, (sid, _, _) in enumerate(outgoing)}
        for index, (session_id, msg_type, body) in enumerate(outgoing):
            participant = self._participant_of(session_id) or ""
            is_last = last_of[session_id] == index
            self._transmit(session_id, msg_type, body, self._done(participant, seq, is_last))

    def _done(self, participant: str, seq: int, last: bool) -> Done:
        cursors = self._cursors

        def done(stored: bool) -> None:
            if not stored:
                cursors.failed(participant, seq)
            elif last:
                cursors.confirmed(participant, seq)

        return done

    def _send_report(
        self,
        session_id: SessionKey,
        report: ExecutionReport,
        exec_id: str,
        answering: Answering | None,
    ) -> None:
        msg_type, body = report_to_fix(report, exec_id, answering, self._facts.get(report.order_id))
        self._transmit(session_id, msg_type, body)

    def _transmit(
        self,
        session_id: SessionKey,
        msg_type: str,
        body: Sequence[Field],
        done: Done | None = None,
    ) -> None:
        if self._send is None:
            raise RuntimeError("the venue application is not attached to a transport")
        self._send(session_id, msg_type, body, done)

    # --- refusals that never reach the venue ---------------------------------------------

    def _refuse(
        self,
        session_id: SessionKey,
        msg_type: str,
        participant: str,
        body: Sequence[Field],
        refused: DomainRejection,
    ) -> None:
        values = values_of(body)
        request_id = values.get(11) or "NONE"
        order_id = values.get(41) if msg_type != "D" else request_id
        report = OrderRejected(
            self.venue,
            order_id or request_id,
            participant,
            refused.code,
            refused.detail,
            self._now_ns(),
        )
        self.rejected_requests += 1
        exec_id = f"R-{msg_type}-{request_id}"
        answering = Answering(msg_type, request_id)
        self._send_report(session_id, report, exec_id, answering)

    def _refuse_command(
        self,
        session_id: SessionKey,
        command: VenueOrderCommand,
        answering: Answering,
        refused: DomainRejection,
    ) -> None:
        report = OrderRejected(
            self.venue,
            command.order_id,
            command.participant,
            refused.code,
            refused.detail,
            self._now_ns(),
        )
        self.rejected_requests += 1
        exec_id = f"R-{answering.msg_type}-{answering.request_id}-{self._core.last_seq}"
        self._send_report(session_id, report, exec_id, answering)

    def _business_reject(self, session_id: SessionKey, ref_seq: str, msg_type: str) -> None:
        body: list[Field] = [
            (45, ref_seq),
            (372, msg_type),
            (380, "3"),
            (58, f"the venue takes only D, F and G, not {msg_type!r}"),
        ]
        self._transmit(session_id, BUSINESS_MESSAGE_REJECT, body)

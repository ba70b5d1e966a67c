"""The FIX session layer as a state machine: bytes and time in, a :class:`Step` out.

One :class:`Session` is one FIX session (a pair of CompIDs and a BeginString) across its
connections. It never touches a socket or a clock: each call carries ``now_ns``, and the
answer says what to persist, what to write and what happened (see ``effects``).

Received messages are checked in the order of the FIX session rules and the reference engines
(docs/adr/0019-fix-engine.md lists it): framing, BeginString and MsgSeqNum, logon first, the
data dictionary (``validation``), CompIDs, SendingTime, then the sequence number.
"""

from __future__ import annotations

from collections.abc import Sequence

from directbroker.protocols.fix import validation as v
from directbroker.protocols.fix.codec import Frame, FrameDecoder, GarbledMessage, parse
from directbroker.protocols.fix.effects import (
    ApplicationMessage,
    LoggedOn,
    LoggedOut,
    ResendWanted,
    SessionRejected,
    Step,
)
from directbroker.protocols.fix.message import Field, FixMessage
from directbroker.protocols.fix.session_config import Role, Status
from directbroker.protocols.fix.session_core import NS, SessionCore
from directbroker.protocols.fix.session_io import business_reject_fields
from directbroker.protocols.fix.timestamps import parse_timestamp


def _number(text: str | None) -> int:
    """A sequence-number field's value; 0 when absent or unreadable (validation may be off)."""
    return int(text) if text is not None and text.isascii() and text.isdigit() else 0


class Session(SessionCore):
    """A FIX session state machine (sans-I/O)."""

    # -- what the transport calls ----------------------------------------------------------

    def connected(self, now_ns: int) -> Step:
        """A connection is up: an initiator sends its Logon, an acceptor waits for one."""
        step = Step()
        self._decoder = FrameDecoder()
        self._queue.clear()
        self._resend_until = 0
        self._resend_ranges.clear()
        self._set_status(Status.AWAITING_LOGON, now_ns)
        self._last_received_ns = now_ns
        self._test_request_pending = False
        if self.config.role is Role.INITIATOR:
            body: list[Field] = [(98, "0"), (108, str(self.config.heartbeat_interval_s))]
            if self.config.reset_on_logon:
                self._reset_numbers()
                body.append((141, "Y"))
            self._heartbeat_ns = self.config.heartbeat_interval_s * NS
            self._out.send(step, "A", body, now_ns)
        step.state = self.sequence_state
        return step

    def received(self, data: bytes, now_ns: int) -> Step:
        """Bytes arrived: frame, check and act on every complete message in them."""
        step = Step()
        if self.status in (Status.DISCONNECTED, Status.CLOSED):
            return step
        for frame in self._decoder.feed(data):
            self._on_frame(frame, now_ns, step)
            if self._closed():
                break
        step.state = self.sequence_state
        return step

    def send(
        self,
        msg_type: str,
        body: Sequence[Field],
        now_ns: int,
        header: Sequence[Field] = (),
    ) -> Step:
        """Send an application message; ``RuntimeError`` when not logged on."""
        if self.status is not Status.ACTIVE:
            raise RuntimeError(f"FIX session is {self.status.value}, not logged on")
        step = Step()
        self._out.send(step, msg_type, body, now_ns, header)
        step.state = self.sequence_state
        return step

    def business_reject(
        self, message: FixMessage, reason: int, now_ns: int, text: str | None = None
    ) -> Step:
        """Refuse an application message with a BusinessMessageReject (380 = ``reason``)."""
        body, header = business_reject_fields(message, reason, text)
        return self.send("j", body, now_ns, header)

    def logout(self, now_ns: int, text: str = "") -> Step:
        """Start the logout handshake (the session closes on the answer or a timeout)."""
        step = Step()
        if self.status is Status.ACTIVE:
            self._logout(step, text, now_ns)
        elif self.status is Status.AWAITING_LOGON:
            self._close(step, "logout before logon")
        step.state = self.sequence_state
        return step

    def resend(self, messages: Sequence[tuple[int, bytes]], now_ns: int) -> Step:
        """Answer the oldest :class:`ResendWanted` with the stored ``messages`` of its range.

        Application messages go again with PossDupFlag=Y and OrigSendingTime; admin messages
        and numbers missing from the store become SequenceReset-GapFill.
        """
        step = Step()
        if not self._resend_ranges:
            return step
        wanted = self._resend_ranges.pop(0)
        if self.status not in (Status.ACTIVE, Status.LOGOUT_SENT):
            return step
        self._out.answer_resend(step, wanted, dict(messages), now_ns)
        return step

    def disconnected(self, now_ns: int) -> Step:
        """The connection is gone."""
        step = Step()
        was = self.status
        self._set_status(Status.DISCONNECTED, now_ns)
        if was in (Status.ACTIVE, Status.LOGOUT_SENT):
            step.events.append(LoggedOut("disconnected"))
        step.state = self.sequence_state
        return step

    # -- receiving -------------------------------------------------------------------------

    def _on_frame(self, frame: Frame, now_ns: int, step: Step) -> None:
        message: FixMessage | None = None
        if frame.problem is None:
            try:
                message = parse(frame.data)
            except GarbledMessage:
                message = None
        if message is None:
            if self.status is Status.AWAITING_LOGON:
                self._close(step, "garbled message before logon")
            return
        self._last_received_ns = now_ns
        self._test_request_pending = False
        self._on_message(message, now_ns, step)

    def _on_message(self, message: FixMessage, now_ns: int, step: Step) -> None:
        config = self.config
        logging_on = self.status is Status.AWAITING_LOGON
        if message.get(8) != config.begin_string:
            if logging_on:
                self._close(step, "wrong BeginString on logon")
            else:
                self._logout(step, "Incorrect BeginString", now_ns)
                self._close(step, "wrong BeginString")
            return
        seq_text = message.get(34)
        if seq_text is None or not (seq_text.isascii() and seq_text.isdigit()):
            if logging_on:
                self._close(step, "logon without MsgSeqNum")
            else:
                self._logout(step, "Received message without MsgSeqNum", now_ns)
                self._close(step, "message without MsgSeqNum")
            return
        seq = int(seq_text)
        msg_type = message.get(35)
        if logging_on:
            if msg_type != "A":
                self._close(step, "first message not a logon")
                return
            if config.role is Role.ACCEPTOR and (config.reset_on_logon or message.get(141) == "Y"):
                self._reset_numbers()
        if config.validate:
            found = v.validate(message, self.dictionary)
            if found is not None:
                if logging_on:
                    self._logout(step, found.text, now_ns)
                    self._close(step, f"invalid logon: {found.text}")
                    return
                self._reject(step, message, found, now_ns)
                self._consume(seq, step, now_ns)
                return
        if message.get(49) != config.target_comp_id or message.get(56) != config.sender_comp_id:
            if logging_on:
                self._close(step, "unknown CompIDs on logon")
                return
            self._reject(step, message, v.problem(v.COMP_ID_PROBLEM, None), now_ns)
            self._logout(step, v.REASON_TEXT[v.COMP_ID_PROBLEM], now_ns)
            self._consume(seq, step, now_ns)
            return
        sending_ns = parse_timestamp(message.get(52))
        tolerance = config.sending_time_tolerance_s * NS
        if sending_ns is None or abs(now_ns - sending_ns) > tolerance:
            text = f"{v.REASON_TEXT[v.SENDING_TIME_ACCURACY]}, field=52"
            if logging_on:
                self._logout(step, f"Invalid Logon message: {text}", now_ns)
                self._close(step, "logon SendingTime out of tolerance")
                return
            self._reject(step, message, v.problem(v.SENDING_TIME_ACCURACY, 52), now_ns)
            self._logout(step, text, now_ns)
            self._consume(seq, step, now_ns)
            return
        if msg_type == "A":
            self._on_logon(message, seq, now_ns, step)
        elif msg_type == "5":
            self._on_logout(seq, now_ns, step)
        elif msg_type == "2":
            self._on_resend_request(message, seq, now_ns, step)
        elif msg_type == "4" and message.get(123) != "Y":
            self._on_sequence_reset(message, seq, now_ns, step)
        elif seq > self._next_in:
            self._queue[seq] = message
            self._ask_resend(seq, now_ns, step)
        elif seq < self._next_in:
            self._on_too_low(message, seq, sending_ns, now_ns, step)
        else:
            self._next_in += 1
            self._dispatch(message, seq, now_ns, step)
            self._drain(now_ns, step)

    def _on_too_low(
        self, message: FixMessage, seq: int, sending_ns: int, now_ns: int, step: Step
    ) -> None:
        if message.get(43) != "Y":
            text = f"MsgSeqNum too low, expecting {self._next_in} but received {seq}"
            self._logout(step, text, now_ns)
            self._close(step, text)
            return
        if message.get(35) == "4":
            return
        original = message.get(122)
        if original is None:
            self._reject(step, message, v.problem(v.REQUIRED_TAG_MISSING, 122), now_ns)
            return
        original_ns = parse_timestamp(original)
        if original_ns is None or original_ns > sending_ns:
            self._reject(step, message, v.problem(v.SENDING_TIME_ACCURACY, 122), now_ns)
            self._logout(step, f"{v.REASON_TEXT[v.SENDING_TIME_ACCURACY]}, field=122", now_ns)

    def _on_logon(self, message: FixMessage, seq: int, now_ns: int, step: Step) -> None:
        if self.status is not Status.AWAITING_LOGON:
            self._consume(seq, step, now_ns)
            return
        interval_text = message.get(108) or "0"
        digits = interval_text.removeprefix("-")
        interval = int(interval_text) if digits.isascii() and digits.isdigit() else -1
        if interval < 0:
            self._logout(step, "HeartBtInt must not be negative", now_ns)
            self._close(step, "negative HeartBtInt")
            return
        if self.config.role is Role.ACCEPTOR:
            body: list[Field] = [(98, "0"), (108, str(interval))]
            if message.get(141) == "Y":
                body.append((141, "Y"))
            self._out.send(step, "A", body, now_ns)
        self._heartbeat_ns = interval * NS
        self._set_status(Status.ACTIVE, now_ns)
        step.events.append(LoggedOn(interval))
        if seq > self._next_in:
            self._queue[seq] = None
            self._ask_resend(seq, now_ns, step)
        elif seq < self._next_in:
            text = f"MsgSeqNum too low, expecting {self._next_in} but received {seq}"
            self._logout(step, text, now_ns)
            self._close(step, text)
        else:
            self._next_in += 1
        step.state = self.sequence_state

    def _on_logout(self, seq: int, now_ns: int, step: Step) -> None:
        if seq == self._next_in:
            self._next_in += 1
        if self.status is not Status.LOGOUT_SENT:
            self._out.send(step, "5", [], now_ns)
        self._close(step, "logout")

    def _on_resend_request(self, message: FixMessage, seq: int, now_ns: int, step: Step) -> None:
        begin = _number(message.get(7))
        end = _number(message.get(16))
        last = self._out.next_seq - 1
        if end == 0 or end > last:
            end = last
        if 1 <= begin <= end:
            wanted = ResendWanted(begin, end)
            self._resend_ranges.append(wanted)
            step.events.append(wanted)
        if seq == self._next_in:
            self._next_in += 1
            self._drain(now_ns, step)
        elif seq > self._next_in:
            self._queue[seq] = None
            self._ask_resend(seq, now_ns, step)
        step.state = self.sequence_state

    def _on_sequence_reset(self, message: FixMessage, seq: int, now_ns: int, step: Step) -> None:
        """SequenceReset in reset mode: the number of the message itself does not matter."""
        new_seq = _number(message.get(36))
        if new_seq < self._next_in:
            self._reject(step, message, v.problem(v.VALUE_OUT_OF_RANGE, 36), now_ns)
            return
        self._next_in = new_seq
        self._drain(now_ns, step)
        step.state = self.sequence_state

    def _dispatch(self, message: FixMessage, seq: int, now_ns: int, step: Step) -> None:
        """Act on an in-sequence message (its number already counted)."""
        msg_type = message.get(35) or ""
        if msg_type in {"0", "3", "A"}:
            pass
        elif msg_type == "1":
            test_id = message.get(112)
            self._out.send(step, "0", [(112, test_id)] if test_id else [], now_ns)
        elif msg_type == "4":
            new_seq = _number(message.get(36))
            if new_seq <= seq:
                self._reject(step, message, v.problem(v.VALUE_OUT_OF_RANGE, 36), now_ns)
            else:
                self._next_in = new_seq
        elif msg_type == "5":
            self._on_logout(seq, now_ns, step)
        else:
            duplicate = message.get(43) == "Y" or message.get(97) == "Y"
            step.events.append(ApplicationMessage(message, duplicate))
        step.state = self.sequence_state

    def _drain(self, now_ns: int, step: Step) -> None:
        """Act on queued messages that are now in sequence."""
        queue = self._queue
        if not queue:
            return
        while self._next_in in queue and self.status is Status.ACTIVE:
            seq = self._next_in
            queued = queue.pop(seq)
            self._next_in += 1
            if queued is not None:
                self._dispatch(queued, seq, now_ns, step)
        for stale in [seq for seq in queue if seq < self._next_in]:
            del queue[stale]

    def _consume(self, seq: int, step: Step, now_ns: int) -> None:
        """A refused message still uses its number when it was the one expected."""
        if seq == self._next_in:
            self._next_in += 1
            self._drain(now_ns, step)
        step.state = self.sequence_state

    def _ask_resend(self, seq: int, now_ns: int, step: Step) -> None:
        if self._resend_until >= self._next_in:
            self._resend_until = max(self._resend_until, seq)
            return
        self._resend_until = seq
        self._out.send(step, "2", [(7, str(self._next_in)), (16, "0")], now_ns)

    # -- answering -------------------------------------------------------------------------

    def _reject(self, step: Step, message: FixMessage, found: v.Problem, now_ns: int) -> None:
        reasons = self.dictionary.session_reject_reasons
        ref_seq = self._out.reject(step, message, found, reasons, now_ns)
        step.events.append(SessionRejected(ref_seq, found.text))

"""A FIX session's state and primitive moves: numbering, logout, close, timers.

``session.Session`` builds the FIX rules on these; kept apart so that each module stays
about one concern (the rules there, the bookkeeping here).
"""

from __future__ import annotations

from directbroker.protocols.fix.codec import FrameDecoder
from directbroker.protocols.fix.dictionary import Dictionary
from directbroker.protocols.fix.effects import LoggedOut, ResendWanted, SequenceState, Step
from directbroker.protocols.fix.message import FixMessage
from directbroker.protocols.fix.session_config import SessionConfig, Status
from directbroker.protocols.fix.session_io import Outbox
from directbroker.protocols.fix.versions import dictionary_for

NS = 1_000_000_000
"""Nanoseconds in a second."""


class SessionCore:
    """A session's state and the primitive moves every rule is made of."""

    def __init__(
        self,
        config: SessionConfig,
        state: SequenceState | None = None,
        dictionary: Dictionary | None = None,
    ) -> None:
        self.config = config
        self.dictionary = dictionary or dictionary_for(config.begin_string)
        self.status = Status.DISCONNECTED
        self._next_in = 1 if state is None else state.next_target_seq
        self._out = Outbox(config, 1 if state is None else state.next_sender_seq)
        self._decoder = FrameDecoder()
        self._queue: dict[int, FixMessage | None] = {}
        """Messages received ahead of sequence; ``None`` marks one already acted on."""
        self._resend_until = 0
        """A resend request of ours is outstanding while the next expected is at most this."""
        self._resend_ranges: list[ResendWanted] = []
        self._heartbeat_ns = config.heartbeat_interval_s * NS
        self._last_received_ns = 0
        self._status_since_ns = 0
        self._test_request_pending = False

    @property
    def sequence_state(self) -> SequenceState:
        """The numbers to persist."""
        return SequenceState(self._out.next_seq, self._next_in)

    @property
    def logged_on(self) -> bool:
        """Whether application messages may flow."""
        return self.status is Status.ACTIVE

    def timer(self, now_ns: int) -> Step:
        """Time passed: heartbeats, test requests and timeouts."""
        step = Step()
        status = self.status
        if status is Status.AWAITING_LOGON:
            if now_ns - self._status_since_ns >= self.config.logon_timeout_s * NS:
                self._close(step, "no logon in time")
        elif status is Status.LOGOUT_SENT:
            if now_ns - self._status_since_ns >= self.config.logout_timeout_s * NS:
                self._close(step, "no logout answer in time")
        elif status is Status.ACTIVE and self._heartbeat_ns > 0:
            silent = now_ns - self._last_received_ns
            if silent >= self._heartbeat_ns * self.config.timeout_after:
                self._close(step, "heartbeat timeout")
                return step
            if not self._test_request_pending and (
                silent >= self._heartbeat_ns * self.config.test_request_after
            ):
                self._out.send(step, "1", [(112, "TEST")], now_ns)
                self._test_request_pending = True
            if now_ns - self._out.last_sent_ns >= self._heartbeat_ns:
                self._out.send(step, "0", [], now_ns)
        if step.sent:
            step.state = self.sequence_state
        return step

    def _logout(self, step: Step, text: str, now_ns: int) -> None:
        self._out.send(step, "5", [(58, text)] if text else [], now_ns)
        self._set_status(Status.LOGOUT_SENT, now_ns)

    def _close(self, step: Step, reason: str) -> None:
        step.close = True
        if self.status is not Status.CLOSED:
            self.status = Status.CLOSED
            step.events.append(LoggedOut(reason))
        step.state = self.sequence_state

    def _reset_numbers(self) -> None:
        self._out.next_seq = 1
        self._next_in = 1
        self._queue.clear()
        self._resend_until = 0

    def _closed(self) -> bool:
        return self.status is Status.CLOSED

    def _set_status(self, status: Status, now_ns: int) -> None:
        self.status = status
        self._status_since_ns = now_ns

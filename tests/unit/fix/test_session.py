"""The FIX session state machine, two sessions back to back in memory."""

from __future__ import annotations

from directbroker.protocols.fix.codec import encode_fields
from directbroker.protocols.fix.effects import (
    ApplicationMessage,
    LoggedOn,
    LoggedOut,
    ResendWanted,
    SessionRejected,
)
from directbroker.protocols.fix.session_config import Status
from directbroker.protocols.fix.timestamps import format_timestamp
from tests.unit.fix.sessions import T0, S, connect, exchange, pair

ORDER = [(11, "A1"), (54, "1"), (55, "IBM"), (38, "100"), (40, "1"), (60, "20261201-00:00:00")]


def test_logon_handshake_resets_and_reports_logged_on() -> None:
    initiator, acceptor = pair()
    connect(initiator, acceptor)
    assert initiator.session.logged_on and acceptor.session.logged_on
    assert LoggedOn(30) in initiator.events and LoggedOn(30) in acceptor.events
    logon = acceptor.messages()[0]
    assert logon.msg_type == "A" and logon.get(141) == "Y" and logon.get(108) == "30"
    assert initiator.session.sequence_state.next_sender_seq == 2


def test_application_messages_flow_in_order() -> None:
    initiator, acceptor = pair()
    connect(initiator, acceptor)
    for number in range(3):
        body = [(11, f"A{number}"), *ORDER[1:]]
        exchange(initiator, acceptor, initiator.session.send("D", body, T0), T0)
    received = [e for e in acceptor.events if isinstance(e, ApplicationMessage)]
    assert [e.message.get(11) for e in received] == ["A0", "A1", "A2"]
    assert not any(e.possible_duplicate for e in received)
    assert acceptor.session.sequence_state.next_target_seq == 5


def test_a_lost_message_is_asked_for_and_resent_as_possible_duplicate() -> None:
    initiator, acceptor = pair()
    connect(initiator, acceptor)
    lost = initiator.session.send("D", ORDER, T0)
    initiator.take(lost, T0)  # stored and "written", but never delivered
    exchange(initiator, acceptor, initiator.session.send("1", [(112, "X")], T0), T0)
    assert ResendWanted(2, 3) in initiator.events
    received = [e for e in acceptor.events if isinstance(e, ApplicationMessage)]
    assert len(received) == 1 and received[0].possible_duplicate
    assert received[0].message.get(43) == "Y" and received[0].message.get(122)
    # The TestRequest itself (number 3) was gap-filled on the resend and acted on once queued.
    assert acceptor.session.sequence_state.next_target_seq == 4


def test_heartbeat_then_test_request_then_timeout() -> None:
    initiator, acceptor = pair(heartbeat=10)
    connect(initiator, acceptor)
    before = len(acceptor.written)
    acceptor.take(acceptor.session.timer(T0 + 10 * S), T0 + 10 * S)
    assert [m.msg_type for m in acceptor.messages()[before:]] == ["0"]
    acceptor.take(acceptor.session.timer(T0 + 15 * S), T0 + 15 * S)
    assert acceptor.messages()[-1].msg_type == "1"
    acceptor.take(acceptor.session.timer(T0 + 24 * S), T0 + 24 * S)
    assert acceptor.closed and LoggedOut("heartbeat timeout") in acceptor.events


def test_logout_handshake() -> None:
    initiator, acceptor = pair()
    connect(initiator, acceptor)
    exchange(initiator, acceptor, initiator.session.logout(T0, "bye"), T0)
    assert initiator.closed and acceptor.closed
    assert acceptor.session.status is Status.CLOSED
    assert [m.msg_type for m in acceptor.messages()][-1] == "5"


def test_an_invalid_message_is_rejected_with_the_version_reason() -> None:
    initiator, acceptor = pair()
    connect(initiator, acceptor)
    stamp = format_timestamp(T0)
    header = [(35, "D"), (34, "2"), (49, "CLIENT"), (52, stamp), (56, "BROKER")]
    bad = encode_fields("FIX.4.4", [*header, *ORDER, (54, "2")])
    acceptor.take(acceptor.session.received(bad, T0), T0)
    reject = acceptor.messages()[-1]
    assert reject.msg_type == "3"
    assert (reject.get(45), reject.get(371), reject.get(372), reject.get(373)) == (
        "2",
        "54",
        "D",
        "13",
    )
    assert any(isinstance(e, SessionRejected) for e in acceptor.events)
    assert acceptor.session.sequence_state.next_target_seq == 3


def test_sending_time_out_of_tolerance_is_rejected_and_logged_out() -> None:
    initiator, acceptor = pair()
    connect(initiator, acceptor)
    late = T0 + 200 * S
    acceptor.take(acceptor.session.received(b"", late), late)
    step = initiator.session.send("0", [], T0)
    initiator.take(step, T0)
    acceptor.take(acceptor.session.received(b"".join(step.outgoing), late), late)
    assert [m.msg_type for m in acceptor.messages()[-2:]] == ["3", "5"]
    assert acceptor.messages()[-2].get(373) == "10"
    assert acceptor.session.status is Status.LOGOUT_SENT


def test_garbage_is_ignored_once_logged_on_and_fatal_before() -> None:
    initiator, acceptor = pair()
    connect(initiator, acceptor)
    step = acceptor.session.received(b"8=FIX.4.4\x019=5\x0135=0\x0110=000\x01", T0)
    assert not step.outgoing and not step.close
    fresh = pair()[1]
    fresh.take(fresh.session.connected(T0), T0)
    assert fresh.session.received(b"8=FIX.4.4\x019=5\x0135=A\x0110=000\x01", T0).close

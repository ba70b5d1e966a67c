"""The venue over FIX, application to application (in memory, no sockets): the same command
stream through the in-process link and through FIX gives the same replies, and lost
connections and a venue restart neither lose nor duplicate anything."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path

from directbroker.adapters.venues.fix_cursors import Cursors
from directbroker.adapters.venues.fix_link import VenueSession
from directbroker.adapters.venues.fix_ports import Done, SessionKey
from directbroker.adapters.venues.fix_venue import VenueApplication
from directbroker.app.journals import SqliteJournals
from directbroker.domain.messages import Message
from directbroker.domain.orders import CancelReason
from directbroker.domain.routing_messages import MarkVenueDown, MarkVenueUp
from directbroker.domain.venue_messages import (
    OrderCancelled,
)
from directbroker.engines.matching import VenueEngine
from directbroker.protocols.fix.message import Field
from directbroker.runtime import ManualClock
from directbroker.runtime.stepped import SteppedCore
from tests.integration.fix_loopback import LoopbackSession
from tests.integration.venue_streams import (
    BROKER,
    CONFIG,
    DOWN,
    LOST,
    MAKER,
    UP,
    Step,
    in_process_replies,
    stream,
)


class FixVenue:
    """A venue application on a journal, with a broker and a maker session on loopback."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.broker_replies: list[Message] = []
        self.maker_replies: list[Message] = []
        self.broker_keys: list[str | None] = []
        self.broker = VenueSession(
            "ARCA", self.broker_replies.append, run_id="t", keyed=self._keyed
        )
        self.maker = VenueSession("ARCA", self.maker_replies.append, run_id="t")
        self.links = {
            BROKER: LoopbackSession("BRKR->ARCA", "ARCA->BRKR"),
            MAKER: LoopbackSession("MM->ARCA", "ARCA->MM"),
        }
        for participant, session in ((BROKER, self.broker), (MAKER, self.maker)):
            loop = self.links[participant]
            loop.initiator.app = session
            session.attach(loop.send)
        self.journals: SqliteJournals | None = None
        self.start_venue()

    def _keyed(self, message: Message, key: str | None) -> None:
        self.broker_replies.append(message)
        self.broker_keys.append(key)

    def start_venue(self) -> None:
        """(Re)start the venue application from its journal; its FIX stores stay."""
        if self.journals is not None:
            self.journals.close()
        self.journals = SqliteJournals(self.directory)
        journal, snapshots = self.journals("ARCA")
        core = SteppedCore(lambda: VenueEngine(CONFIG), journal, snapshots)
        by_session: dict[SessionKey, str] = {
            loop.acceptor.session_id: p for p, loop in self.links.items()
        }
        clock = ManualClock(step_ns=1_000)
        self.venue = VenueApplication(
            "ARCA", core, by_session.get, clock.now_ns, Cursors(self.directory / "cursors.json")
        )
        for loop in self.links.values():
            loop.acceptor.app = self.venue
        self.venue.attach(self._send)

    def _send(
        self, session_id: SessionKey, msg_type: str, body: Sequence[Field], done: Done | None
    ) -> None:
        for loop in self.links.values():
            if session_id == loop.acceptor.session_id:
                loop.send(session_id, msg_type, body, done)

    def connect(self) -> None:
        for loop in self.links.values():
            loop.connect()
        self.pump()

    def pump(self) -> None:
        while sum(loop.pump() for loop in self.links.values()):
            pass

    def run(self, steps: Sequence[Step]) -> None:
        for who, command in steps:
            if who == DOWN:
                self.links[BROKER].disconnect()
            elif who == UP:
                self.links[BROKER].connect()
            elif who == LOST:
                assert command is not None
                self.broker.send(command)
                self.links[BROKER].disconnect()
            else:
                assert command is not None
                (self.broker if who == BROKER else self.maker).send(command)
            self.pump()

    def close(self) -> None:
        if self.journals is not None:
            self.journals.close()


def untimed(replies: Sequence[Message]) -> list[Message]:
    """Replies without the venue's time stamp (each path stamps by its own clock)."""
    return [
        dataclasses.replace(r, ts_ns=0) if hasattr(r, "ts_ns") else r  # type: ignore[type-var]
        for r in replies
    ]


def test_the_same_commands_give_the_same_replies_in_process_and_over_fix(tmp_path: Path) -> None:
    expected = in_process_replies(stream())
    kinds = {type(r).__name__ for r in expected}
    assert kinds == {
        "OrderAccepted",
        "OrderFilled",
        "OrderReplaced",
        "OrderCancelled",
        "OrderRejected",
    }
    venue = FixVenue(tmp_path)
    try:
        venue.connect()
        venue.run(stream())
    finally:
        venue.close()
    assert untimed(venue.broker_replies) == untimed(expected)
    assert any(
        isinstance(r, OrderCancelled) and r.reason is CancelReason.IOC_REMAINDER for r in expected
    )


def test_commands_sent_while_the_session_is_down_are_held_and_replies_wait(
    tmp_path: Path,
) -> None:
    steps = stream()
    # Down after c1 rests: the maker's fill of c1 waits for the broker, and so do the
    # broker's replace and cancel; all of it arrives, once, after the logon.
    steps[3:3] = [(DOWN, None), steps[4]]
    del steps[6]
    steps[6:6] = [(UP, None)]
    expected = in_process_replies(steps)
    assert [type(r) for r in expected].count(MarkVenueUp) == 1
    venue = FixVenue(tmp_path)
    try:
        venue.connect()
        venue.run(steps)
    finally:
        venue.close()
    assert untimed(venue.broker_replies) == untimed(expected)


def test_a_request_lost_in_flight_is_resent_and_applied_once(tmp_path: Path) -> None:
    steps = stream()
    steps[3] = (LOST, steps[3][1])
    steps[4:4] = [(UP, None)]
    expected = in_process_replies(steps)
    venue = FixVenue(tmp_path)
    try:
        venue.connect()
        venue.run(steps)
    finally:
        venue.close()
    assert untimed(venue.broker_replies) == untimed(expected)


def test_a_venue_restart_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    expected = in_process_replies(stream())
    venue = FixVenue(tmp_path)
    try:
        venue.connect()
        steps = stream()
        venue.run(steps[:4])
        # The venue dies having journaled the replace but before its FIX store recorded
        # that it had read it, and before its cursor moved: the broker's session resends the
        # replace (PossDup) and the venue's reports are sent again from the journal.
        for loop in venue.links.values():
            loop.disconnect()
        venue.links[BROKER].acceptor.received -= 1
        cursors = tmp_path / "cursors.json"
        positions = json.loads(cursors.read_text())
        positions[BROKER] -= 1
        cursors.write_text(json.dumps(positions))
        venue.start_venue()
        venue.connect()
        venue.run(steps[4:])
    finally:
        venue.close()
    got = [r for r in venue.broker_replies if not isinstance(r, MarkVenueDown | MarkVenueUp)]
    assert untimed(got) == untimed(expected)
    assert venue.broker.duplicates_dropped > 0
    # Every report carries its venue journal position, once: a journaling receiver keys on it.
    keys = [k for k in venue.broker_keys if k is not None]
    assert len(keys) == len(set(keys)) == len(got) - 1  # the reused order id is not journaled
    assert all(k.split(":")[0] == "ARCA" and k.split(":")[1].isdigit() for k in keys)


def test_a_request_the_venue_session_took_in_but_never_applied_is_written_again(
    tmp_path: Path,
) -> None:
    expected = in_process_replies(stream())
    venue = FixVenue(tmp_path)
    try:
        venue.connect()
        steps = stream()
        venue.run(steps[:3])
        replace = steps[3][1]
        assert replace is not None
        venue.broker.send(replace)
        venue.links[BROKER].swallow()  # counted as received, then the venue died
        assert venue.broker.unanswered == 1
        for loop in venue.links.values():
            loop.disconnect()
        venue.start_venue()
        venue.connect()
        assert venue.broker.unanswered == 0
        venue.run(steps[4:])
    finally:
        venue.close()
    got = [r for r in venue.broker_replies if not isinstance(r, MarkVenueDown | MarkVenueUp)]
    assert untimed(got) == untimed(expected)


def test_reports_the_router_lost_after_its_session_took_them_in_are_asked_for_again(
    tmp_path: Path,
) -> None:
    venue = FixVenue(tmp_path)
    try:
        venue.connect()
        venue.run(stream()[:6])
        delivered = list(zip(venue.broker_replies, venue.broker_keys, strict=True))
        keyed = [(reply, key) for reply, key in delivered if key is not None]
        applied = int(keyed[-4][1].split(":")[1])  # the router applied up to here, then died
        lost = [reply for reply, key in keyed if int(key.split(":")[1]) > applied]
        assert lost
        venue.links[BROKER].disconnect()
        again: list[tuple[Message, str | None]] = []
        restarted = VenueSession(
            "ARCA",
            lambda m: None,
            run_id="t2",
            keyed=lambda m, k: again.append((m, k)),
            applied_seq=applied,
        )
        loop = venue.links[BROKER]
        loop.initiator.app = restarted
        restarted.attach(loop.send)
        loop.connect()
        venue.pump()
    finally:
        venue.close()
    assert [reply for reply, key in again if key is not None] == lost

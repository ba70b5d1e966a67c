"""A venue as its own process (``directbroker venue``) and the router's FixVenueLink reaching
it over TCP: the same replies as the in-process link for the same commands, and a SIGKILL of
the venue mid-stream loses and duplicates nothing that was acknowledged."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from directbroker.adapters.venues.fix_bridge import LinkLoop
from directbroker.adapters.venues.fix_link import FixVenueLink, VenueEndpoint
from directbroker.app.venue_cli import venue_config
from directbroker.domain.messages import Message
from directbroker.domain.routing_messages import MarkVenueDown, MarkVenueUp
from directbroker.domain.venue_messages import OrderFilled
from directbroker.sim.universe import LISTINGS
from tests.integration.test_venue_link_fix_apps import untimed
from tests.integration.venue_streams import BROKER, MAKER, Step, in_process_run, stream

VENUE = "ARCA"
CONFIG = venue_config(VENUE)
SYMBOL = LISTINGS[0].symbol
WAIT_S = 60.0
"""How long a step may take to be answered before the test gives up (a hang, not a speed)."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class VenueProcess:
    """``directbroker venue`` on a data directory and a fixed port (kept across restarts)."""

    def __init__(self, directory: Path, port: int, feed_port: int | None = None) -> None:
        self.directory = directory
        self.port = port
        self.feed_port = feed_port
        self.process: subprocess.Popen[str] | None = None

    def start(self) -> dict[str, int]:
        command = [
            sys.executable,
            "-m",
            "directbroker.app.cli",
            "venue",
            "--venue",
            VENUE,
            "--fix-port",
            str(self.port),
            "--data-dir",
            str(self.directory),
            "--client",
            BROKER,
            "--client",
            MAKER,
        ]
        if self.feed_port is not None:
            command += ["--feed-port", str(self.feed_port)]
        env = {**os.environ, "PYTHONWARNINGS": "error"}
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        assert line.startswith("READY "), line
        ready: dict[str, int] = json.loads(line.split(" ", 1)[1])
        return ready

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(30)
        self._release()

    def _release(self) -> None:
        if self.process is not None and self.process.stdout is not None:
            self.process.stdout.close()

    def stop(self) -> int:
        if self.process is None:
            return 0
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        status = self.process.wait(30)
        self._release()
        return status


@dataclass
class Router:
    """The broker's and a market maker's FixVenueLink, each on its own session."""

    loop: LinkLoop
    port: int
    replies: dict[str, list[Message]] = field(default_factory=dict)
    links: dict[str, FixVenueLink] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def connect(self) -> None:
        for participant in (BROKER, MAKER):
            heard: list[Message] = []
            self.replies[participant] = heard
            endpoint = VenueEndpoint(VENUE, "127.0.0.1", self.port, participant, VENUE)
            self.links[participant] = FixVenueLink(
                [endpoint], participant, self._sink(heard), self.loop.connect
            )

    def _sink(self, heard: list[Message]) -> Callable[[Message], None]:
        def sink(message: Message) -> None:
            with self.lock:
                heard.append(message)

        return sink

    def business(self, participant: str) -> list[Message]:
        """The venue's replies to ``participant`` (without the link's status changes)."""
        with self.lock:
            heard = list(self.replies[participant])
        return [m for m in heard if not isinstance(m, MarkVenueDown | MarkVenueUp)]

    def wait_for(self, broker: int, maker: int) -> None:
        deadline = time.monotonic() + WAIT_S
        while len(self.business(BROKER)) < broker or len(self.business(MAKER)) < maker:
            assert time.monotonic() < deadline, (self.business(BROKER), self.business(MAKER))
            time.sleep(0.01)

    def send(self, who: str, step: Step) -> None:
        command = step[1]
        assert command is not None
        self.links[who].send(VENUE, command)

    def close(self) -> None:
        for link in self.links.values():
            link.close()


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[VenueProcess, Router]]:
    venue = VenueProcess(tmp_path / "venue", free_port())
    venue.start()
    loop = LinkLoop(tmp_path / "router-fix.db")
    router = Router(loop, venue.port)
    router.connect()
    try:
        yield venue, router
    finally:
        router.close()
        loop.close()
        venue.stop()


def expectations(steps: Sequence[Step]) -> tuple[list[Message], list[int], list[int]]:
    broker, broker_counts = in_process_run(steps, CONFIG, BROKER)
    _, maker_counts = in_process_run(steps, CONFIG, MAKER)
    return broker, broker_counts, maker_counts


def test_over_fix_the_venue_answers_as_it_does_in_process(
    setup: tuple[VenueProcess, Router],
) -> None:
    venue, router = setup
    steps = stream(SYMBOL)
    expected, broker_counts, maker_counts = expectations(steps)
    for index, (who, command) in enumerate(steps):
        router.send(who, (who, command))
        router.wait_for(broker_counts[index], maker_counts[index])
    assert untimed(router.business(BROKER)) == untimed(expected)
    assert any(isinstance(r, OrderFilled) and r.leaves_quantity > 0 for r in expected)
    assert venue.stop() == 0


def test_a_venue_killed_mid_stream_loses_and_duplicates_nothing(
    setup: tuple[VenueProcess, Router],
) -> None:
    venue, router = setup
    steps = stream(SYMBOL)
    expected, broker_counts, maker_counts = expectations(steps)
    for index in range(5):
        router.send(steps[index][0], steps[index])
        router.wait_for(broker_counts[index], maker_counts[index])
    # Three of the broker's requests in a burst, and the venue dies among them.
    for index in range(5, 8):
        assert steps[index][0] == BROKER
        router.send(BROKER, steps[index])
    venue.kill()
    venue.start()
    router.wait_for(broker_counts[7], maker_counts[7])
    for index in range(8, len(steps)):
        router.send(steps[index][0], steps[index])
        router.wait_for(broker_counts[index], maker_counts[index])
    heard = router.business(BROKER)
    assert untimed(heard) == untimed(expected)
    with router.lock:
        statuses = [m for m in router.replies[BROKER] if isinstance(m, MarkVenueDown | MarkVenueUp)]
    assert statuses == [MarkVenueDown(VENUE, "session lost"), MarkVenueUp(VENUE)]


def test_a_router_that_lost_reports_gets_them_again_by_journal_position(
    tmp_path: Path,
) -> None:
    venue = VenueProcess(tmp_path / "venue", free_port())
    venue.start()
    store = tmp_path / "router-fix.db"
    steps = stream(SYMBOL)[:6]
    _, broker_counts, maker_counts = expectations(steps)
    keyed: list[tuple[Message, str | None]] = []
    try:
        loop = LinkLoop(store)
        router = Router(loop, venue.port)
        router.connect()
        endpoint = VenueEndpoint(VENUE, "127.0.0.1", venue.port, BROKER, VENUE)
        router.links[BROKER].close()  # the broker's link again, keyed this time
        heard = router.replies[BROKER]

        def record(message: Message, key: str | None) -> None:
            with router.lock:
                heard.append(message)
            keyed.append((message, key))

        router.links[BROKER] = FixVenueLink(
            [endpoint], BROKER, heard.append, loop.connect, keyed=record, applied={VENUE: 0}
        )
        for index, step in enumerate(steps):
            router.send(step[0], step)
            router.wait_for(broker_counts[index], maker_counts[index])
        router.close()
        loop.close()
        reports = [(m, k) for m, k in keyed if k is not None]
        applied = int(reports[-3][1].split(":")[1])  # what the firm had journaled when it died
        lost = [m for m, k in reports if int(k.split(":")[1]) > applied]
        assert lost
        again: list[Message] = []
        loop = LinkLoop(store)
        link = FixVenueLink(
            [endpoint],
            BROKER,
            lambda m: None,
            loop.connect,
            keyed=lambda m, k: again.append(m) if k is not None else None,
            applied={VENUE: applied},
        )
        deadline = time.monotonic() + WAIT_S
        while len(again) < len(lost):
            assert time.monotonic() < deadline, (again, lost)
            time.sleep(0.01)
        link.close()
        loop.close()
        assert again == lost
    finally:
        assert venue.stop() == 0

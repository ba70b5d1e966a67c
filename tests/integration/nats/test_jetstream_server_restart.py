"""Reconnects: a NATS server of the test's own is killed and restarted while entries flow;
the publisher and the consumer ride it out and the destination applies each entry once.

Needs the ``nats-server`` binary (the machine's shared server cannot be killed by a test).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from directbroker.adapters.nats import (
    InboxConsumer,
    NatsSettings,
    OutboxPublisher,
    connect,
    provision_stream,
)
from directbroker.runtime.memory import InMemoryJournal
from directbroker.testing.storage import fill
from tests.integration.nats.support import Destination, stream_entries

pytestmark = pytest.mark.nats


class OwnServer:
    """A JetStream server on a free port with its own store, for this test only."""

    def __init__(self, binary: str, store: Path) -> None:
        self.binary = binary
        self.store = store
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port: int = sock.getsockname()[1]
        self.url = f"nats://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [self.binary, "-a", "127.0.0.1", "-p", str(self.port), "-js", "-sd", str(self.store)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the test's nats-server did not start")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.proc = None


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[OwnServer]:
    binary = shutil.which("nats-server") or "/usr/sbin/nats-server"
    if not os.access(binary, os.X_OK):
        reason = "the nats-server binary is not installed"
        if os.environ.get("DIRECTBROKER_REQUIRE_SERVICES") == "1":
            pytest.fail(f"{reason} (DIRECTBROKER_REQUIRE_SERVICES=1)")
        pytest.skip(reason)
    server = OwnServer(binary, tmp_path / "jetstream")
    server.start()
    yield server
    server.kill()


def test_publisher_and_consumer_ride_out_a_server_restart(
    own_server: OwnServer, caplog: pytest.LogCaptureFixture
) -> None:
    settings = NatsSettings(
        url=own_server.url, connect_timeout=3.0, request_timeout=1.0, reconnect_wait=0.1
    )
    origin, dest = "venue", "broker"
    journal = InMemoryJournal()
    destination = Destination(origin)
    total = 600

    async def main() -> None:
        pub_nc, sub_nc = await connect(settings), await connect(settings)
        await provision_stream(pub_nc.jetstream(), settings, origin)
        publisher = OutboxPublisher(pub_nc, settings, origin, journal, batch=20)
        consumer = InboxConsumer(
            sub_nc, settings, origin, dest, destination.apply, destination.last_applied,
            batch=20, fetch_wait=0.05,
        )  # fmt: skip
        tasks = [
            asyncio.create_task(publisher.run(retry_wait=0.1)),
            asyncio.create_task(consumer.run(retry_wait=0.1)),
        ]
        for _ in range(6):
            fill(journal, 50)
            publisher.wake()
            await asyncio.sleep(0.02)
        await asyncio.to_thread(own_server.kill)  # mid-stream, SIGKILL
        fill(journal, 100)  # the core goes on committing while the bus is away
        await asyncio.sleep(0.5)
        await asyncio.to_thread(own_server.start)
        fill(journal, total - len(journal.entries))
        publisher.wake()
        deadline = asyncio.get_running_loop().time() + 30
        while consumer.applied < total:
            assert asyncio.get_running_loop().time() < deadline, consumer.applied
            await asyncio.sleep(0.02)
        publisher.stop()
        consumer.stop()
        await asyncio.wait_for(asyncio.gather(*tasks), 10.0)
        await consumer.close()
        publisher.close()
        assert destination.calls == list(range(1, total + 1))
        assert await stream_entries(pub_nc, settings, origin) == journal.entries
        await pub_nc.close()
        await sub_nc.close()

    asyncio.run(main())
    assert "reconnected to NATS" in caplog.text

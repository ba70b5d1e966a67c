"""The outbox follows a real journal (SQLite and PostgreSQL) through a reader of its own
while the core keeps appending through its writer, and both sides stop cleanly."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from directbroker.adapters.nats import (
    InboxConsumer,
    NatsSettings,
    OutboxPublisher,
    connect,
    provision_stream,
)
from directbroker.runtime.journal import reading
from directbroker.testing.storage import Backend, fill
from tests.integration.nats.support import Destination, stream_entries

pytestmark = pytest.mark.nats


def test_outbox_follows_a_journal_another_connection_writes(
    backend: Backend, nats_settings: NatsSettings, core_names: Callable[[str], str]
) -> None:
    origin, dest = core_names("venue"), core_names("broker")
    destination = Destination(origin)
    with backend.open() as writer, backend.open() as reader:
        fill(writer.journal, 100)

        async def main() -> None:
            nc = await connect(nats_settings)
            await provision_stream(nc.jetstream(), nats_settings, origin)
            publisher = OutboxPublisher(nc, nats_settings, origin, reader.journal, batch=64)
            consumer = InboxConsumer(
                nc, nats_settings, origin, dest, destination.apply, destination.last_applied,
                fetch_wait=0.05,
            )  # fmt: skip
            tasks = [asyncio.create_task(publisher.run()), asyncio.create_task(consumer.run())]

            # The core commits on its own thread and wakes the publisher after each commit.
            def commit_more() -> None:
                for _ in range(4):
                    fill(writer.journal, 50)
                    publisher.wake()

            await asyncio.to_thread(commit_more)
            for _ in range(400):
                if consumer.applied == 300:
                    break
                await asyncio.sleep(0.01)
            publisher.stop()
            consumer.stop()
            await asyncio.wait_for(asyncio.gather(*tasks), 5.0)
            await consumer.close()
            publisher.close()
            with reading(reader.journal) as entries:
                written = list(entries)
            assert len(written) == 300
            assert destination.calls == list(range(1, 301))
            assert await stream_entries(nc, nats_settings, origin) == written
            await nc.close()

        asyncio.run(main())

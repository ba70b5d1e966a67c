"""The outbox publisher on the real NATS: each committed entry reaches the stream once, in
order, through crashes, restarts and a second publisher; a fork is refused."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial

import pytest

from directbroker.adapters.nats import (
    NatsSettings,
    OutboxError,
    OutboxPublisher,
    connect,
    provision_stream,
    stream_name,
)
from directbroker.runtime.memory import InMemoryJournal
from directbroker.testing.storage import fill
from tests.integration.nats.support import stream_entries

pytestmark = pytest.mark.nats


async def _wait_for(predicate: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.005)


def _reached(publisher: OutboxPublisher, seq: int) -> bool:
    return (publisher.position or 0) >= seq


def test_publisher_killed_midway_resumes_without_gaps_or_repeats(
    nats_settings: NatsSettings, core_names: Callable[[str], str]
) -> None:
    core = core_names("venue")
    journal = InMemoryJournal()
    written = fill(journal, 2_000, batch=250)

    async def main() -> None:
        admin = await connect(nats_settings)
        await provision_stream(admin.jetstream(), nats_settings, core)
        # Three lives: each is killed (task cancelled, connection dropped) while publishing.
        for stop_at in (300, 900, 1_400):
            nc = await connect(nats_settings)
            publisher = OutboxPublisher(nc, nats_settings, core, journal, batch=64)
            task = asyncio.create_task(publisher.run())
            await _wait_for(partial(_reached, publisher, stop_at))
            task.cancel()
            await nc.close()
            publisher.close()
        nc = await connect(nats_settings)
        publisher = OutboxPublisher(nc, nats_settings, core, journal, batch=64)
        resumed_at = await publisher.resume()
        assert resumed_at >= 1_400
        await publisher.publish_pending()
        assert publisher.position == 2_000
        held = await stream_entries(admin, nats_settings, core)
        assert held == written
        info = await admin.jetstream().stream_info(stream_name(core))
        assert info.config.duplicate_window == 120.0
        publisher.close()
        await nc.close()
        await admin.close()

    asyncio.run(main())


def test_entries_committed_later_follow_on_wake(
    nats_settings: NatsSettings, core_names: Callable[[str], str]
) -> None:
    core = core_names("broker")
    journal = InMemoryJournal()
    fill(journal, 10)

    async def main() -> None:
        nc = await connect(nats_settings)
        await provision_stream(nc.jetstream(), nats_settings, core)
        publisher = OutboxPublisher(nc, nats_settings, core, journal, poll_interval=30.0)
        task = asyncio.create_task(publisher.run())
        await _wait_for(lambda: publisher.position == 10)
        fill(journal, 5)
        publisher.wake()  # long poll interval: only the wake can explain the prompt publish
        await _wait_for(lambda: publisher.position == 15, seconds=5.0)
        publisher.stop()
        await asyncio.wait_for(task, 5.0)
        assert [e.seq for e in await stream_entries(nc, nats_settings, core)] == list(range(1, 16))
        publisher.close()
        await nc.close()

    asyncio.run(main())


def test_two_publishers_of_one_core_store_each_entry_once(
    nats_settings: NatsSettings, core_names: Callable[[str], str]
) -> None:
    core = core_names("dup")
    journal = InMemoryJournal()
    written = fill(journal, 1_500, batch=300)

    async def main() -> None:
        nc = await connect(nats_settings)
        await provision_stream(nc.jetstream(), nats_settings, core)
        # Two processes racing on one journal: the expected-last-sequence fence and the
        # message ids let only one copy of each entry in, in order.
        other = await connect(nats_settings)
        pubs = [
            OutboxPublisher(nc, nats_settings, core, journal, batch=50),
            OutboxPublisher(other, nats_settings, core, journal, batch=70),
        ]
        tasks = [asyncio.create_task(p.run(retry_wait=0.01)) for p in pubs]
        await _wait_for(lambda: all(p.position == 1_500 for p in pubs), seconds=30.0)
        for p, t in zip(pubs, tasks, strict=True):
            p.stop()
            await asyncio.wait_for(t, 5.0)
            p.close()
        assert await stream_entries(nc, nats_settings, core) == written
        await other.close()
        await nc.close()

    asyncio.run(main())


def test_a_stream_ahead_of_the_journal_or_of_another_history_is_refused(
    nats_settings: NatsSettings, core_names: Callable[[str], str]
) -> None:
    core = core_names("fork")
    journal = InMemoryJournal()
    fill(journal, 20)

    async def main() -> None:
        nc = await connect(nats_settings)
        await provision_stream(nc.jetstream(), nats_settings, core)
        publisher = OutboxPublisher(nc, nats_settings, core, journal)
        await publisher.publish_pending()
        publisher.close()

        shorter = InMemoryJournal()
        shorter.append(journal.entries[:12])  # restored from an older backup
        behind = OutboxPublisher(nc, nats_settings, core, shorter)
        with pytest.raises(OutboxError, match="lost entries that were already published"):
            await behind.resume()
        behind.close()

        other = InMemoryJournal()
        fill(other, 20, start=1_000)  # a different history of the same length
        forked = OutboxPublisher(nc, nats_settings, core, other)
        with pytest.raises(OutboxError, match="not the same history"):
            await forked.resume()
        forked.close()
        await nc.close()

    asyncio.run(main())

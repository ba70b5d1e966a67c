"""The inbox consumer on the real NATS: entries applied in order and once, through a crash
between applying and acknowledging, lost acknowledgements, and restarts."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

import pytest
from nats.aio.msg import Msg

from directbroker.adapters.nats import (
    InboxConsumer,
    InboxError,
    NatsSettings,
    OutboxPublisher,
    connect,
    consumer_name,
    provision_stream,
    stream_name,
)
from directbroker.runtime.memory import InMemoryJournal
from directbroker.testing.storage import fill
from tests.integration.nats.support import Crash, Destination

pytestmark = pytest.mark.nats


async def _publish(settings: NatsSettings, core: str, journal: InMemoryJournal) -> None:
    nc = await connect(settings)
    await provision_stream(nc.jetstream(), settings, core)
    publisher = OutboxPublisher(nc, settings, core, journal)
    await publisher.publish_pending()
    publisher.close()
    await nc.close()


async def _drain(consumer: InboxConsumer, until: int) -> None:
    for _ in range(200):
        if consumer.applied >= until:
            return
        await consumer.poll()
    raise AssertionError(f"stuck at {consumer.applied}, wanted {until}")


def test_crash_after_applying_before_acknowledging_applies_once(
    nats_settings: NatsSettings, core_names: Callable[[str], str]
) -> None:
    origin, dest = core_names("venue"), core_names("broker")
    journal = InMemoryJournal()
    fill(journal, 300)
    destination = Destination(origin, crash_after={57, 58, 200})

    async def main() -> None:
        await _publish(nats_settings, origin, journal)
        lives = 0
        while destination.applied()[-1:] != [300]:
            lives += 1
            nc = await connect(nats_settings)
            consumer = InboxConsumer(
                nc, nats_settings, origin, dest, destination.apply, destination.last_applied,
                batch=32,
            )  # fmt: skip
            with contextlib.suppress(Crash):  # the process dies; nothing more is acknowledged
                await _drain(consumer, 300)
            await nc.close()
        assert lives == 4
        assert destination.calls == list(range(1, 301))
        assert destination.applied() == list(range(1, 301))

    asyncio.run(main())


def test_a_consumer_polled_again_after_its_handler_failed_applies_once(
    nats_settings: NatsSettings, core_names: Callable[[str], str]
) -> None:
    origin, dest = core_names("venue"), core_names("broker")
    journal = InMemoryJournal()
    fill(journal, 50)
    destination = Destination(origin, crash_after={10, 33})

    async def main() -> None:
        await _publish(nats_settings, origin, journal)
        nc = await connect(nats_settings)
        consumer = InboxConsumer(
            nc, nats_settings, origin, dest, destination.apply, destination.last_applied,
            batch=8,
        )  # fmt: skip
        failures = 0
        while consumer.applied < 50:
            try:
                await consumer.poll()
            except Crash:
                failures += 1  # the handler failed after its entry became durable
        assert failures == 2
        assert destination.calls == list(range(1, 51))
        await consumer.close()
        await nc.close()

    asyncio.run(main())


def test_lost_acknowledgements_are_redelivered_and_skipped(
    nats_settings: NatsSettings,
    core_names: Callable[[str], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    origin, dest = core_names("md"), core_names("broker")
    journal = InMemoryJournal()
    fill(journal, 40)
    destination = Destination(origin)

    async def main() -> None:
        await _publish(nats_settings, origin, journal)
        nc = await connect(nats_settings)
        consumer = InboxConsumer(
            nc, nats_settings, origin, dest, destination.apply, destination.last_applied,
            ack_wait=1.0,
        )  # fmt: skip
        real_ack, real_ack_sync = Msg.ack, Msg.ack_sync

        async def lost(self: Msg, timeout: float = 1.0) -> Msg:
            return self

        monkeypatch.setattr(Msg, "ack", lost)
        monkeypatch.setattr(Msg, "ack_sync", lost)
        await _drain(consumer, 40)
        monkeypatch.setattr(Msg, "ack", real_ack)
        monkeypatch.setattr(Msg, "ack_sync", real_ack_sync)
        # The server redelivers every unacknowledged entry after ack_wait; none is applied.
        for _ in range(20):
            await consumer.poll()
            if consumer.skipped >= 40:
                break
        assert consumer.skipped >= 40
        assert destination.calls == list(range(1, 41))
        await consumer.close()
        await nc.close()

    asyncio.run(main())


def test_restart_resumes_after_the_last_applied_entry(
    nats_settings: NatsSettings, core_names: Callable[[str], str]
) -> None:
    origin, dest = core_names("venue"), core_names("broker")
    journal = InMemoryJournal()
    fill(journal, 100)
    destination = Destination(origin)

    async def main() -> None:
        await _publish(nats_settings, origin, journal)
        nc = await connect(nats_settings)
        consumer = InboxConsumer(
            nc, nats_settings, origin, dest, destination.apply, destination.last_applied,
            batch=25,
        )  # fmt: skip
        await _drain(consumer, 50)
        await consumer.close()
        await nc.close()
        stopped_at = destination.applied()[-1]

        fill(journal, 60)
        await _publish(nats_settings, origin, journal)
        nc = await connect(nats_settings)
        consumer = InboxConsumer(
            nc, nats_settings, origin, dest, destination.apply, destination.last_applied
        )
        assert await consumer.start() == stopped_at
        await _drain(consumer, 160)
        assert destination.calls == list(range(1, 161))
        info = await nc.jetstream().consumer_info(stream_name(origin), consumer_name(dest, origin))
        assert info.num_ack_pending == 0
        await consumer.close()
        await nc.close()

    asyncio.run(main())


def test_a_destination_ahead_of_the_cursor_or_behind_the_stream(
    nats_settings: NatsSettings, core_names: Callable[[str], str]
) -> None:
    origin, dest = core_names("venue"), core_names("broker")
    journal = InMemoryJournal()
    fill(journal, 30)
    calls: list[int] = []

    async def record(entry: object) -> None:
        calls.append(getattr(entry, "seq", -1))

    async def main() -> None:
        await _publish(nats_settings, origin, journal)
        nc = await connect(nats_settings)

        async def at_20() -> int:
            return 20

        # A destination that already holds entry 20 (say, restored with its own journal)
        # starts after it, whatever the durable cursor says.
        consumer = InboxConsumer(nc, nats_settings, origin, dest, record, at_20)
        await _drain(consumer, 30)
        assert calls == list(range(21, 31))
        await consumer.close()

        # A stream purged below what the destination needs is refused, not skipped.
        await nc.jetstream().purge_stream(stream_name(origin), keep=5)

        async def at_3() -> int:
            return 3

        with pytest.raises(InboxError, match="aged out"):
            await InboxConsumer(nc, nats_settings, origin, dest, record, at_3).start()
        await nc.close()

    asyncio.run(main())

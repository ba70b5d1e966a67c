"""Property: whatever moments the publisher and the consumer die at, while the origin's
journal keeps growing, the destination applies the origin's journal exactly once, in order,
and the stream holds it exactly once, in order."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Callable
from functools import partial

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from directbroker.adapters.nats import (
    InboxConsumer,
    NatsSettings,
    OutboxPublisher,
    connect,
    provision_stream,
)
from directbroker.runtime.memory import InMemoryJournal
from directbroker.testing.storage import fill
from tests.integration.nats.support import Crash, Destination, stream_entries

pytestmark = pytest.mark.nats


async def _until(predicate: Callable[[], bool], seconds: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.002)


@st.composite
def _scenarios(draw: st.DrawFn) -> tuple[int, list[int], set[int], int]:
    total = draw(st.integers(min_value=20, max_value=160))
    publisher_deaths = sorted(draw(st.lists(st.integers(1, total), max_size=3)))
    consumer_deaths = draw(st.sets(st.integers(1, total), max_size=4))
    seed = draw(st.integers(0, 2**16))
    return total, publisher_deaths, consumer_deaths, seed


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(scenario=_scenarios())
def test_random_crash_points_deliver_the_journal_exactly_once(
    nats_settings: NatsSettings,
    core_names: Callable[[str], str],
    scenario: tuple[int, list[int], set[int], int],
) -> None:
    total, publisher_deaths, consumer_deaths, seed = scenario
    rng = random.Random(seed)
    origin, dest = core_names("venue"), core_names("broker")
    journal = InMemoryJournal()
    destination = Destination(origin, crash_after=consumer_deaths)

    async def grow() -> None:
        # The origin keeps committing while both sides live and die.
        while len(journal.entries) < total:
            fill(journal, min(rng.randint(1, 25), total - len(journal.entries)))
            await asyncio.sleep(rng.random() * 0.01)

    async def publish() -> None:
        for death in [*publisher_deaths, None]:
            nc = await connect(nats_settings)
            publisher = OutboxPublisher(
                nc, nats_settings, origin, journal, batch=rng.randint(1, 40), poll_interval=0.005
            )
            task = asyncio.create_task(publisher.run(retry_wait=0.01))
            if death is None:
                await _until(partial(_reached, publisher, total))
                publisher.stop()
                await task
            else:
                await _until(partial(_reached, publisher, death))
                task.cancel()
            await nc.close()
            publisher.close()

    async def consume() -> None:
        while destination.applied()[-1:] != [total]:
            nc = await connect(nats_settings)
            consumer = InboxConsumer(
                nc, nats_settings, origin, dest, destination.apply, destination.last_applied,
                batch=rng.randint(1, 30), fetch_wait=0.02,
            )  # fmt: skip
            with contextlib.suppress(Crash):  # the process dies; nothing more is acknowledged
                await _until_applied(consumer, total)
            await nc.close()

    async def main() -> None:
        admin = await connect(nats_settings)
        await provision_stream(admin.jetstream(), nats_settings, origin)
        await asyncio.wait_for(asyncio.gather(grow(), publish(), consume()), 60.0)
        assert destination.calls == list(range(1, total + 1))
        assert await stream_entries(admin, nats_settings, origin) == journal.entries
        await admin.close()

    asyncio.run(main())


async def _until_applied(consumer: InboxConsumer, total: int) -> None:
    while consumer.applied < total:
        await consumer.poll()


def _reached(publisher: OutboxPublisher, seq: int) -> bool:
    return (publisher.position or 0) >= seq

"""The initiator: logs on to an acceptor over loopback, reconnects after a drop, backs off with
bounded jitter while the counterparty is away, and waits for its schedule window."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime

import pytest

from directbroker.adapters.fix import (
    Backoff,
    FixInitiator,
    MemoryMessageStores,
    SessionID,
    SessionRegistry,
    SessionSchedule,
    SessionSettings,
)
from directbroker.testing.fix_transport import RecordingApplication, ScriptedSessions, until
from tests.unit.fix_transport.harness import acceptor, their_view

VENUE = SessionID("FIX.4.2", "DBRK", "VENUE")  # our view: we initiate to the venue


class _Stop(Exception):
    pass


def _registry(settings: SessionSettings, clock: object = None) -> SessionRegistry:
    import time

    return SessionRegistry(
        [settings],
        stores=MemoryMessageStores(),
        factory=ScriptedSessions(),
        app=RecordingApplication(),
        clock=time.time_ns if clock is None else clock,  # type: ignore[arg-type]
    )


def test_the_initiator_logs_on_carries_messages_and_reconnects_after_a_drop() -> None:
    async def main() -> None:
        venue_side = SessionSettings(their_view(VENUE))
        async with acceptor([venue_side]) as venue:
            ours = SessionSettings(VENUE, role="initiator", host="127.0.0.1", port=venue.port)
            registry = _registry(ours)
            app = registry.app
            assert isinstance(app, RecordingApplication)
            waits: list[float] = []

            async def sleep(seconds: float) -> None:
                waits.append(seconds)
                await asyncio.sleep(0)

            initiator = FixInitiator(registry, ours, sleep=sleep)
            initiator.start()
            await until(lambda: len(app.logons) == 1 and len(venue.app.logons) == 1)
            await registry.send(VENUE, "D", [(11, "child-1")])
            await until(lambda: len(venue.app.messages) == 1)
            assert venue.app.messages[0][1].message.get(11) == "child-1"

            live = venue.registry.live(their_view(VENUE))
            assert live is not None
            live.abort("the venue drops the link")
            await until(lambda: len(app.logons) == 2)
            assert app.logouts == [VENUE]
            assert initiator.attempts == 2
            assert len(waits) == 1 and 0.5 <= waits[0] <= 1.0  # the shortest wait after a logon
            await initiator.stop()
            await until(lambda: registry.live(VENUE) is None)

    asyncio.run(main())


def test_refused_connections_back_off_exponentially_with_bounded_jitter() -> None:
    async def main() -> None:
        ours = SessionSettings(VENUE, role="initiator", host="127.0.0.1", port=9)
        waits: list[float] = []

        async def sleep(seconds: float) -> None:
            waits.append(seconds)
            if len(waits) == 10:
                raise _Stop

        async def refuse(host: str, port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
            raise ConnectionRefusedError(111, "refused")

        backoff = Backoff(base_s=1.0, factor=2.0, max_s=30.0, jitter=0.5, rng=random.Random(7))
        initiator = FixInitiator(
            _registry(ours), ours, backoff=backoff, sleep=sleep, connect=refuse
        )
        with pytest.raises(_Stop):
            await initiator.run()
        assert initiator.attempts == 10
        for attempt, wait in enumerate(waits, start=1):
            plain = min(30.0, 2.0**attempt)
            assert plain / 2 <= wait <= plain
        assert len(set(waits)) == len(waits)  # jittered, not in lockstep

    asyncio.run(main())


def test_outside_its_window_the_initiator_waits_for_the_next_one() -> None:
    async def main() -> None:
        schedule = SessionSchedule.parse("08:00", "17:00", "UTC")
        ours = SessionSettings(VENUE, role="initiator", host="127.0.0.1", port=9, schedule=schedule)
        now = int(datetime(2026, 12, 7, 7, 59, 30, tzinfo=UTC).timestamp()) * 1_000_000_000
        waits: list[float] = []

        async def sleep(seconds: float) -> None:
            waits.append(seconds)
            raise _Stop

        async def never(host: str, port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
            raise AssertionError("connected outside the window")

        initiator = FixInitiator(_registry(ours, lambda: now), ours, sleep=sleep, connect=never)
        with pytest.raises(_Stop):
            await initiator.run()
        assert waits == [30.0]
        assert initiator.attempts == 0

    asyncio.run(main())


def test_backoff_refuses_nonsense() -> None:
    with pytest.raises(ValueError):
        Backoff(base_s=0)
    with pytest.raises(ValueError):
        Backoff(jitter=1.0)
    assert Backoff(jitter=0).delay(100) == 60.0

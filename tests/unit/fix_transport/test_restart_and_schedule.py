"""Sessions across restarts (the SQLite store carries numbers and messages over) and across
schedule windows (refused outside, logged out at the close, numbers reset in a new window)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from directbroker.adapters.fix import SessionSchedule, SessionSettings, TransportLimits
from directbroker.adapters.fix.store_sqlite import SqliteMessageStores
from directbroker.protocols.fix.effects import SequenceState
from directbroker.testing.fix_transport import until
from tests.unit.fix_transport.harness import ALPHA, acceptor


def _ns(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()) * 1_000_000_000


def test_a_restarted_acceptor_resumes_the_numbers_and_serves_old_messages(tmp_path: Path) -> None:
    async def main() -> None:
        path = tmp_path / "fix.db"
        async with acceptor(stores=SqliteMessageStores(path)) as h:
            client = await h.logged_on(ALPHA)
            await until(lambda: bool(h.app.logons))
            await client.send("D", [(11, "order-1")])
            await until(lambda: len(h.app.messages) == 1)
            await h.registry.send(ALPHA, "8", [(17, "exec-1")])
            assert await client.read() is not None
            await client.close()
            await until(lambda: h.registry.live(ALPHA) is None)
            before = h.sessions.built[0].state
        assert before == SequenceState(3, 3)
        async with acceptor(stores=SqliteMessageStores(path)) as h:
            client = await h.logged_on(ALPHA)
            client.next_out = 3  # the counterparty resumes its numbers too
            assert h.sessions.built[0].initial_state == before
            await client.send("2", [(7, "2"), (16, "0")])
            resent = await client.read()
            assert resent is not None and resent.get(17) == "exec-1" and resent.get(34) == "2"
            await client.close()

    asyncio.run(main())


class _Clock:
    def __init__(self, now_ns: int) -> None:
        self.now_ns = now_ns

    def __call__(self) -> int:
        return self.now_ns


def test_the_schedule_refuses_logons_outside_logs_out_at_the_close_and_resets_numbers() -> None:
    async def main() -> None:
        schedule = SessionSchedule.parse("08:00", "17:00", "America/New_York", ["mon", "tue"])
        settings = SessionSettings(ALPHA, schedule=schedule)
        clock = _Clock(_ns("2026-12-07T12:00:00"))  # a Monday, 07:00 in New York: closed
        limits = TransportLimits(timer_interval_s=0.05)
        async with acceptor([settings], clock=clock, limits=limits) as h:
            early = await h.client(ALPHA)
            await early.send("A", [(98, "0"), (108, "30")])
            assert await early.closed()
            assert h.sessions.built == []

            clock.now_ns = _ns("2026-12-07T14:00:00")  # 09:00 in New York: open
            client = await h.logged_on(ALPHA)
            await until(lambda: bool(h.app.logons))
            await h.registry.send(ALPHA, "8", [(17, "exec-1")])
            assert await client.read() is not None

            clock.now_ns = _ns("2026-12-07T22:30:00")  # 17:30: closed again
            logout = await client.read()
            assert logout is not None and logout.msg_type == "5"
            await client.send("5")
            assert await client.closed()
            await until(lambda: h.app.logouts == [ALPHA])

            clock.now_ns = _ns("2026-12-08T13:30:00")  # Tuesday 08:30: a new window
            client = await h.logged_on(ALPHA)
            assert h.sessions.built[-1].initial_state is None  # numbers start again at 1
            await client.close()

    asyncio.run(main())


def test_a_session_that_ignores_the_closing_logout_is_dropped_after_the_grace() -> None:
    async def main() -> None:
        schedule = SessionSchedule.parse("08:00", "17:00", "UTC")
        settings = SessionSettings(ALPHA, schedule=schedule)
        clock = _Clock(_ns("2026-12-07T09:00:00"))
        limits = TransportLimits(timer_interval_s=0.05, logout_grace_s=0.2)
        async with acceptor([settings], clock=clock, limits=limits) as h:
            client = await h.logged_on(ALPHA)
            await until(lambda: bool(h.app.logons))
            clock.now_ns = _ns("2026-12-07T17:00:00")
            assert await client.closed()  # it read the Logout and never answered
            await until(lambda: h.app.logouts == [ALPHA])

    asyncio.run(main())


def test_the_timer_drives_heartbeats_on_an_idle_session() -> None:
    async def main() -> None:
        clock = _Clock(_ns("2026-12-07T09:00:00"))
        limits = TransportLimits(timer_interval_s=0.02)
        async with acceptor(
            [SessionSettings(ALPHA, heartbeat_s=30)], clock=clock, limits=limits
        ) as h:
            client = await h.logged_on(ALPHA)
            await until(lambda: bool(h.app.logons))
            clock.now_ns += 31 * 1_000_000_000  # idle for longer than the heartbeat interval
            heartbeat = await client.read()
            assert heartbeat is not None and heartbeat.msg_type == "0"
            assert "timer" in h.sessions.built[0].calls
            await client.close()

    asyncio.run(main())

"""The acceptor over real loopback TCP: routing by CompIDs, one connection per session, the
application's way in and out, resends, and persist-before-write."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from directbroker.adapters.fix import (
    MemoryMessageStore,
    MemoryMessageStores,
    SessionID,
    SessionUnavailable,
)
from directbroker.protocols.fix.effects import SequenceState
from directbroker.testing.fix_transport import until
from tests.unit.fix_transport.harness import ALPHA, BRAVO, acceptor


def test_a_logon_is_routed_by_its_compids_and_messages_flow_both_ways() -> None:
    async def main() -> None:
        async with acceptor() as h:
            alpha = await h.logged_on(ALPHA)
            bravo = await h.logged_on(BRAVO)
            await until(lambda: len(h.app.logons) == 2)
            assert sorted(h.app.logons) == sorted([ALPHA, BRAVO])
            assert h.registry.settings(ALPHA).kind == "orders"
            await alpha.send("D", [(11, "order-1")])
            await until(lambda: len(h.app.messages) == 1)
            session_id, message = h.app.messages[0]
            assert session_id == ALPHA
            assert message.message.get(11) == "order-1"
            await h.registry.send(BRAVO, "8", [(17, "exec-1")])
            report = await bravo.read()
            assert report is not None and report.msg_type == "8" and report.get(17) == "exec-1"
            assert report.get(34) == "2"  # after the Logon
            await alpha.close()
            await until(lambda: h.app.logouts == [ALPHA])
            assert h.registry.live(ALPHA) is None
            assert h.registry.live(BRAVO) is not None
            await bravo.close()

    asyncio.run(main())


def test_unknown_compids_and_a_first_message_that_is_not_a_logon_are_refused() -> None:
    async def main() -> None:
        async with acceptor() as h:
            stranger = await h.client(SessionID("FIX.4.4", "DBRK", "NOBODY"))
            await stranger.send("A", [(98, "0"), (108, "30")])
            assert await stranger.closed()
            wrong_version = await h.client(SessionID("FIX.4.2", "DBRK", "ALPHA"))
            await wrong_version.send("A", [(98, "0"), (108, "30")])
            assert await wrong_version.closed()
            early = await h.client(ALPHA)
            await early.send("D", [(11, "order-1")])
            assert await early.closed()
            assert h.sessions.built == []  # no session was even built
            assert h.acceptor.refused == 3
            assert h.app.logons == []

    asyncio.run(main())


def test_a_second_logon_for_a_live_session_is_refused_and_the_first_goes_on() -> None:
    async def main() -> None:
        async with acceptor() as h:
            first = await h.logged_on(ALPHA)
            intruder = await h.client(ALPHA)
            await intruder.send("A", [(98, "0"), (108, "30")])
            assert await intruder.closed()
            await first.send("D", [(11, "still-here")])
            await until(lambda: len(h.app.messages) == 1)
            assert h.app.messages[0][1].message.get(11) == "still-here"
            assert len(h.sessions.built) == 1
            assert h.app.logouts == []
            await first.close()
            await until(lambda: h.registry.live(ALPHA) is None)
            again = await h.logged_on(ALPHA)  # free again once the first is gone
            await again.close()

    asyncio.run(main())


def test_sent_messages_are_stored_and_a_resend_request_is_served_from_the_store() -> None:
    async def main() -> None:
        stores = MemoryMessageStores()
        async with acceptor(stores=stores) as h:
            client = await h.logged_on(ALPHA)
            await until(lambda: h.registry.live(ALPHA) is not None and bool(h.app.logons))
            for n in range(3):
                await h.registry.send(ALPHA, "8", [(17, f"exec-{n}")])
            store = stores.store(ALPHA)
            assert sorted(store.sent) == [1, 2, 3, 4]
            assert store.state == SequenceState(5, 2)
            for _ in range(3):
                assert await client.read() is not None
            await client.send("2", [(7, "2"), (16, "3")])
            again = [await client.read() for _ in range(2)]
            assert [m.get(17) for m in again if m is not None] == ["exec-0", "exec-1"]
            assert h.sessions.built[0].calls[-1] == "resend [2, 3]"
            await client.close()

    asyncio.run(main())


class _FailingStore(MemoryMessageStore):
    """A store whose disk fails once the session is logged on."""

    failing = False

    async def save(self, state: SequenceState | None, sent: Sequence[tuple[int, bytes]]) -> None:
        if self.failing and sent:
            raise OSError("disk full")
        await MemoryMessageStore.save(self, state, sent)


class _GatedStore(MemoryMessageStore):
    """A store whose saves wait for the test's word."""

    gate: asyncio.Event | None = None
    entered: asyncio.Event | None = None

    async def save(self, state: SequenceState | None, sent: Sequence[tuple[int, bytes]]) -> None:
        if self.gate is not None and self.entered is not None and sent:
            self.entered.set()
            await self.gate.wait()
        await MemoryMessageStore.save(self, state, sent)


def test_nothing_is_written_before_it_is_stored() -> None:
    async def main() -> None:
        stores = MemoryMessageStores()
        gated = _GatedStore()
        stores.stores[ALPHA] = gated
        async with acceptor(stores=stores) as h:
            client = await h.logged_on(ALPHA)
            await until(lambda: bool(h.app.logons))
            gated.gate, gated.entered = asyncio.Event(), asyncio.Event()
            sending = asyncio.create_task(h.registry.send(ALPHA, "8", [(17, "exec-1")]))
            await gated.entered.wait()
            # The save is under way: the message is neither stored nor on the wire yet.
            assert 2 not in gated.sent
            for _ in range(20):  # the loop polls the client's socket: loopback is immediate
                await asyncio.sleep(0)
            assert len(client.reader._buffer) == 0  # type: ignore[attr-defined]
            gated.gate.set()
            await sending
            report = await client.read()
            assert report is not None and report.get(17) == "exec-1"
            assert 2 in gated.sent
            await client.close()

    asyncio.run(main())


def test_a_step_the_store_cannot_save_is_never_written_and_drops_the_connection() -> None:
    async def main() -> None:
        stores = MemoryMessageStores()
        failing = _FailingStore()
        stores.stores[ALPHA] = failing
        async with acceptor(stores=stores) as h:
            client = await h.logged_on(ALPHA)
            await until(lambda: bool(h.app.logons))
            failing.failing = True
            with pytest.raises(OSError, match="disk full"):
                await h.registry.send(ALPHA, "8", [(17, "exec-1")])
            seen = []
            while (message := await client.read()) is not None:
                seen.append(message)
            assert all(m.get(17) != "exec-1" for m in seen)
            assert 2 not in failing.sent
            await until(lambda: h.registry.live(ALPHA) is None)
            assert h.app.logouts == [ALPHA]
            await client.close()

    asyncio.run(main())


def test_the_application_cannot_send_on_a_session_that_is_not_logged_on() -> None:
    async def main() -> None:
        async with acceptor() as h:
            try:
                await h.registry.send(ALPHA, "8", [(17, "exec-1")])
            except SessionUnavailable as exc:
                assert "ALPHA" in str(exc)
            else:
                raise AssertionError("sent on a session that is not connected")

    asyncio.run(main())

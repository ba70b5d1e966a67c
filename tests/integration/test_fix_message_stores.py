"""The FIX message stores, memory, SQLite and PostgreSQL, held to one contract: numbers and
sent messages saved together, read back by range, forgotten by a reset or a sequence reset,
and (on disk) found again after the store is reopened."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from directbroker.adapters.fix import MemoryMessageStores, MessageStores, SessionID
from directbroker.adapters.fix.store_sqlite import SqliteMessageStores
from directbroker.protocols.fix.effects import SequenceState

ALPHA = SessionID("FIX.4.4", "DBRK", "ALPHA")
BRAVO = SessionID("FIX.4.2", "DBRK", "BRAVO")

Opener = Callable[[], Awaitable[MessageStores]]


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def opener(request: pytest.FixtureRequest, tmp_path: Path) -> Opener:
    """Opens the same stores again each call (memory: the same object)."""
    if request.param == "memory":
        memory = MemoryMessageStores()

        async def same() -> MessageStores:
            return memory

        return same
    if request.param == "sqlite":

        async def sqlite() -> MessageStores:
            return SqliteMessageStores(tmp_path / "fix.db")

        return sqlite
    dsn = request.getfixturevalue("postgres_dsn")
    schema = f"fix_{uuid.uuid4().hex[:8]}"

    async def postgres() -> MessageStores:
        from directbroker.adapters.fix.store_postgres import PostgresMessageStores

        return await PostgresMessageStores.connect(dsn, schema)

    return postgres


def _msg(seq: int) -> bytes:
    return f"8=FIX.4.4\x019=5\x0134={seq}\x0110=000\x01".encode()


def test_a_save_is_read_back_by_range_and_sessions_are_apart(opener: Opener) -> None:
    async def main() -> None:
        stores = await opener()
        alpha, bravo = stores.store(ALPHA), stores.store(BRAVO)
        assert await alpha.load() is None
        await alpha.save(SequenceState(3, 2), [(1, _msg(1)), (2, _msg(2))])
        await alpha.save(SequenceState(4, 2), [(3, _msg(3))])
        await alpha.save(SequenceState(4, 5), [])  # numbers only
        await alpha.save(None, [])  # nothing at all
        await bravo.save(SequenceState(2, 1), [(1, b"bravo")])
        assert await alpha.load() == SequenceState(4, 5)
        assert await alpha.messages(2, 3) == [(2, _msg(2)), (3, _msg(3))]
        assert await alpha.messages(2, 0) == [(2, _msg(2)), (3, _msg(3))]  # 0: to the last
        assert await alpha.messages(7, 9) == []
        assert await bravo.messages(1, 0) == [(1, b"bravo")]
        await stores.close()

    asyncio.run(main())


def test_a_sequence_reset_forgets_the_messages_it_numbers_again(opener: Opener) -> None:
    async def main() -> None:
        stores = await opener()
        alpha = stores.store(ALPHA)
        await alpha.save(SequenceState(6, 6), [(s, _msg(s)) for s in range(1, 6)])
        await alpha.save(SequenceState(2, 2), [(1, b"new logon")])  # ResetSeqNumFlag
        assert await alpha.messages(1, 0) == [(1, b"new logon")]
        assert await alpha.load() == SequenceState(2, 2)
        await stores.close()

    asyncio.run(main())


def test_a_reset_starts_a_window_with_nothing_in_it(opener: Opener) -> None:
    async def main() -> None:
        stores = await opener()
        alpha, bravo = stores.store(ALPHA), stores.store(BRAVO)
        await alpha.save(SequenceState(3, 3), [(1, _msg(1)), (2, _msg(2))])
        await bravo.save(SequenceState(2, 1), [(1, b"bravo")])
        assert await alpha.window() is None
        await alpha.reset(1_700_000_000_000_000_000)
        assert await alpha.load() is None
        assert await alpha.messages(1, 0) == []
        assert await alpha.window() == 1_700_000_000_000_000_000
        assert await bravo.messages(1, 0) == [(1, b"bravo")]  # the other session is untouched
        await alpha.save(SequenceState(2, 1), [(1, _msg(1))])
        assert await alpha.window() == 1_700_000_000_000_000_000  # a save keeps the window
        await stores.close()

    asyncio.run(main())


def test_a_reopened_store_has_the_same_numbers_and_messages(opener: Opener) -> None:
    async def main() -> None:
        stores = await opener()
        await stores.store(ALPHA).save(SequenceState(3, 7), [(1, _msg(1)), (2, _msg(2))])
        await stores.store(ALPHA).reset(5)
        await stores.store(ALPHA).save(SequenceState(3, 7), [(1, _msg(1)), (2, _msg(2))])
        await stores.close()
        again = await opener()
        alpha = again.store(ALPHA)
        assert await alpha.load() == SequenceState(3, 7)
        assert await alpha.messages(1, 2) == [(1, _msg(1)), (2, _msg(2))]
        assert await alpha.window() == 5
        await again.close()

    asyncio.run(main())


def test_stores_are_used_from_many_tasks_at_once(opener: Opener) -> None:
    async def main() -> None:
        stores = await opener()

        async def session(n: int) -> None:
            store = stores.store(SessionID("FIX.4.4", "DBRK", f"C{n}"))
            for seq in range(1, 11):
                await store.save(SequenceState(seq + 1, 1), [(seq, _msg(seq))])

        await asyncio.gather(*(session(n) for n in range(8)))
        for n in range(8):
            store = stores.store(SessionID("FIX.4.4", "DBRK", f"C{n}"))
            assert await store.load() == SequenceState(11, 1)
            assert [seq for seq, _ in await store.messages(1, 0)] == list(range(1, 11))
        await stores.close()

    asyncio.run(main())


def test_the_sqlite_store_is_durable_and_in_wal_mode(tmp_path: Path) -> None:
    async def main() -> None:
        stores = SqliteMessageStores(tmp_path / "fix.db")
        await stores.store(ALPHA).save(SequenceState(2, 1), [(1, _msg(1))])
        modes = await stores.run(
            lambda conn: (
                conn.execute("PRAGMA journal_mode").fetchone()[0],
                conn.execute("PRAGMA synchronous").fetchone()[0],
            )
        )
        assert modes == ("wal", 2)  # 2: FULL
        await stores.close()

    asyncio.run(main())

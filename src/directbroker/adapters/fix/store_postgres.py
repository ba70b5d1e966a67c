"""The message store on PostgreSQL (async psycopg 3): for a distributed firm.

Every session's rows sit in two tables in one schema (``fix`` by default, so the store can
share a database with the journals); a save is one transaction, and its commit returns once
the WAL is flushed (``synchronous_commit`` stays on). The async driver keeps the event loop
free while the server works; one lock serialises the connection's transactions between the
sessions' tasks. The schema's own ``fix_store_version`` table records its migrations, apart
from the journal's ``schema_version``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg import sql

from directbroker.adapters.fix.settings import SessionID
from directbroker.adapters.fix.store_memory import stale_from
from directbroker.adapters.storage.migrations import Migration, pending
from directbroker.protocols.fix.effects import SequenceState

MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "fix sessions and their sent messages",
        (
            """CREATE TABLE fix_sessions (
                session_key TEXT PRIMARY KEY,
                next_sender_seq BIGINT,
                next_target_seq BIGINT,
                window_start_ns BIGINT
            )""",
            """CREATE TABLE fix_messages (
                session_key TEXT NOT NULL,
                seq BIGINT NOT NULL,
                data BYTEA NOT NULL,
                PRIMARY KEY (session_key, seq)
            )""",
        ),
    ),
)
_MIGRATION_LOCK = 0x6669785F73746F  # an arbitrary constant: "fix_sto"
_END = 2**62

_Conn = psycopg.AsyncConnection[tuple[Any, ...]]


class PostgresMessageStores:
    """:class:`~directbroker.adapters.fix.ports.MessageStores` in one PostgreSQL schema."""

    def __init__(self, conn: _Conn) -> None:
        self._conn = conn
        self.lock = asyncio.Lock()

    @classmethod
    async def connect(cls, dsn: str, schema: str = "fix") -> PostgresMessageStores:
        """Connect, create the schema if needed and bring its tables up to date."""
        conn = await psycopg.AsyncConnection.connect(dsn, autocommit=True)
        try:
            await conn.execute(
                sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema))
            )
            await conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(schema)))
            await _migrate(conn)
        except BaseException:
            await conn.close()
            raise
        return cls(conn)

    @property
    def conn(self) -> _Conn:
        """The shared connection (use it under :attr:`lock`)."""
        return self._conn

    def store(self, session_id: SessionID) -> PostgresMessageStore:
        """The store of one session."""
        return PostgresMessageStore(self, session_id.key)

    async def close(self) -> None:
        """Close the connection."""
        async with self.lock:
            await self._conn.close()


async def _migrate(conn: _Conn) -> None:
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS fix_store_version ("
            "version INTEGER PRIMARY KEY, description TEXT NOT NULL, "
            "applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        )
        cur = await conn.execute("SELECT coalesce(max(version), 0) FROM fix_store_version")
        row = await cur.fetchone()
        current = int(row[0]) if row is not None else 0
        for step in pending(MIGRATIONS, current):
            for statement in step.statements:
                await conn.execute(statement.encode())
            await conn.execute(
                "INSERT INTO fix_store_version (version, description) VALUES (%s, %s)",
                (step.version, step.description),
            )


class PostgresMessageStore:
    """:class:`~directbroker.adapters.fix.ports.MessageStore` of one session."""

    def __init__(self, stores: PostgresMessageStores, key: str) -> None:
        self._stores = stores
        self._key = key

    async def load(self) -> SequenceState | None:
        """The last saved numbers."""
        async with self._stores.lock:
            return await _state(self._stores.conn, self._key)

    async def save(self, state: SequenceState | None, sent: Sequence[tuple[int, bytes]]) -> None:
        """One transaction: the numbers and the messages."""
        if state is None and not sent:
            return
        key = self._key
        conn = self._stores.conn
        async with self._stores.lock, conn.transaction():
            stale = stale_from(await _state(conn, key, lock=True), state, sent)
            if stale is not None:
                await conn.execute(
                    "DELETE FROM fix_messages WHERE session_key = %s AND seq >= %s", (key, stale)
                )
            if sent:
                async with conn.cursor() as cur:
                    await cur.executemany(
                        "INSERT INTO fix_messages (session_key, seq, data) VALUES (%s, %s, %s)"
                        " ON CONFLICT (session_key, seq) DO UPDATE SET data = excluded.data",
                        [(key, seq, data) for seq, data in sent],
                    )
            if state is not None:
                await conn.execute(
                    "INSERT INTO fix_sessions (session_key, next_sender_seq, next_target_seq)"
                    " VALUES (%s, %s, %s) ON CONFLICT (session_key) DO UPDATE SET"
                    " next_sender_seq = excluded.next_sender_seq,"
                    " next_target_seq = excluded.next_target_seq",
                    (key, state.next_sender_seq, state.next_target_seq),
                )

    async def messages(self, begin_seq: int, end_seq: int) -> list[tuple[int, bytes]]:
        """Stored messages in the range, in order."""
        end = end_seq if end_seq > 0 else _END
        async with self._stores.lock:
            cur = await self._stores.conn.execute(
                "SELECT seq, data FROM fix_messages WHERE session_key = %s"
                " AND seq BETWEEN %s AND %s ORDER BY seq",
                (self._key, begin_seq, end),
            )
            rows = await cur.fetchall()
        return [(int(seq), bytes(data)) for seq, data in rows]

    async def reset(self, window_start_ns: int | None = None) -> None:
        """Forget the numbers and messages in one transaction; remember the window."""
        conn = self._stores.conn
        async with self._stores.lock, conn.transaction():
            await conn.execute("DELETE FROM fix_messages WHERE session_key = %s", (self._key,))
            await conn.execute(
                "INSERT INTO fix_sessions (session_key, window_start_ns) VALUES (%s, %s)"
                " ON CONFLICT (session_key) DO UPDATE SET next_sender_seq = NULL,"
                " next_target_seq = NULL, window_start_ns = excluded.window_start_ns",
                (self._key, window_start_ns),
            )

    async def window(self) -> int | None:
        """The window recorded by the last reset."""
        async with self._stores.lock:
            cur = await self._stores.conn.execute(
                "SELECT window_start_ns FROM fix_sessions WHERE session_key = %s", (self._key,)
            )
            row = await cur.fetchone()
        return None if row is None or row[0] is None else int(row[0])


async def _state(conn: _Conn, key: str, *, lock: bool = False) -> SequenceState | None:
    query = "SELECT next_sender_seq, next_target_seq FROM fix_sessions WHERE session_key = %s" + (
        " FOR UPDATE" if lock else ""
    )
    cur = await conn.execute(query.encode(), (key,))
    row = await cur.fetchone()
    if row is None or row[0] is None:
        return None
    return SequenceState(int(row[0]), int(row[1]))

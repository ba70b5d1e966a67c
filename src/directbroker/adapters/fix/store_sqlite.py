"""The message store on SQLite: one file for every session, on one worker thread.

``synchronous=FULL`` in WAL mode fsyncs at every commit, so a saved step survives power loss;
a save is one ``BEGIN IMMEDIATE`` ... ``COMMIT``. An fsync takes milliseconds, far too long for
the event loop that serves every other session, so the connection lives on one worker thread
(opened there, used only there, as ``adapters.http.history`` does) and the loop awaits it.
The file's ``user_version`` is its schema version (the file holds nothing else).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from directbroker.adapters.fix.settings import SessionID
from directbroker.adapters.fix.store_memory import stale_from
from directbroker.adapters.storage.migrations import Migration, pending
from directbroker.protocols.fix.effects import SequenceState

T = TypeVar("T")

MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "fix sessions and their sent messages",
        (
            """CREATE TABLE fix_sessions (
                session_key TEXT PRIMARY KEY,
                next_sender_seq INTEGER,
                next_target_seq INTEGER,
                window_start_ns INTEGER
            )""",
            """CREATE TABLE fix_messages (
                session_key TEXT NOT NULL,
                seq INTEGER NOT NULL,
                data BLOB NOT NULL,
                PRIMARY KEY (session_key, seq)
            ) WITHOUT ROWID""",
        ),
    ),
)
_END = 2**62


def _open(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA busy_timeout=10000")
        current = int(conn.execute("PRAGMA user_version").fetchone()[0])
        for step in pending(MIGRATIONS, current):
            conn.execute("BEGIN IMMEDIATE")
            for statement in step.statements:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {step.version}")
            conn.execute("COMMIT")
    except BaseException:
        conn.close()
        raise
    return conn


class SqliteMessageStores:
    """:class:`~directbroker.adapters.fix.ports.MessageStores` in one SQLite file."""

    def __init__(self, path: str | Path) -> None:
        self._path = Path(path)
        self._conn: sqlite3.Connection | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fix-store")

    def _on_worker(self) -> sqlite3.Connection:
        if self._conn is None:
            self._conn = _open(self._path)
        return self._conn

    async def run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``work`` on the worker thread with the connection."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, lambda: work(self._on_worker()))

    def store(self, session_id: SessionID) -> SqliteMessageStore:
        """The store of one session."""
        return SqliteMessageStore(self, session_id.key)

    async def close(self) -> None:
        """Close the file on its thread and stop the worker."""

        def shut(_: sqlite3.Connection) -> None:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

        if self._conn is not None:
            await self.run(shut)
        self._executor.shutdown(wait=True)


class SqliteMessageStore:
    """:class:`~directbroker.adapters.fix.ports.MessageStore` of one session, in the shared file."""

    def __init__(self, stores: SqliteMessageStores, key: str) -> None:
        self._stores = stores
        self._key = key

    async def load(self) -> SequenceState | None:
        """The last saved numbers."""
        return await self._stores.run(lambda conn: _state(conn, self._key))

    async def save(self, state: SequenceState | None, sent: Sequence[tuple[int, bytes]]) -> None:
        """One durable transaction: the numbers and the messages."""
        if state is None and not sent:
            return
        key = self._key
        rows = [(key, seq, data) for seq, data in sent]

        def work(conn: sqlite3.Connection) -> None:
            conn.execute("BEGIN IMMEDIATE")
            try:
                stale = stale_from(_state(conn, key), state, sent)
                if stale is not None:
                    conn.execute(
                        "DELETE FROM fix_messages WHERE session_key = ? AND seq >= ?", (key, stale)
                    )
                conn.executemany("INSERT OR REPLACE INTO fix_messages VALUES (?, ?, ?)", rows)
                if state is not None:
                    conn.execute(
                        "INSERT INTO fix_sessions (session_key, next_sender_seq, next_target_seq)"
                        " VALUES (?, ?, ?) ON CONFLICT (session_key) DO UPDATE SET"
                        " next_sender_seq = excluded.next_sender_seq,"
                        " next_target_seq = excluded.next_target_seq",
                        (key, state.next_sender_seq, state.next_target_seq),
                    )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

        await self._stores.run(work)

    async def messages(self, begin_seq: int, end_seq: int) -> list[tuple[int, bytes]]:
        """Stored messages in the range, in order."""
        end = end_seq if end_seq > 0 else _END

        def work(conn: sqlite3.Connection) -> list[tuple[int, bytes]]:
            rows = conn.execute(
                "SELECT seq, data FROM fix_messages WHERE session_key = ? AND seq BETWEEN ? AND ?"
                " ORDER BY seq",
                (self._key, begin_seq, end),
            ).fetchall()
            return [(int(seq), bytes(data)) for seq, data in rows]

        return await self._stores.run(work)

    async def reset(self, window_start_ns: int | None = None) -> None:
        """Forget the numbers and messages in one transaction; remember the window."""
        key = self._key

        def work(conn: sqlite3.Connection) -> None:
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute("DELETE FROM fix_messages WHERE session_key = ?", (key,))
                conn.execute(
                    "INSERT OR REPLACE INTO fix_sessions VALUES (?, NULL, NULL, ?)",
                    (key, window_start_ns),
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

        await self._stores.run(work)

    async def window(self) -> int | None:
        """The window recorded by the last reset."""

        def work(conn: sqlite3.Connection) -> int | None:
            row = conn.execute(
                "SELECT window_start_ns FROM fix_sessions WHERE session_key = ?", (self._key,)
            ).fetchone()
            return None if row is None or row[0] is None else int(row[0])

        return await self._stores.run(work)


def _state(conn: sqlite3.Connection, key: str) -> SequenceState | None:
    row = conn.execute(
        "SELECT next_sender_seq, next_target_seq FROM fix_sessions WHERE session_key = ?", (key,)
    ).fetchone()
    if row is None or row[0] is None:
        return None
    return SequenceState(int(row[0]), int(row[1]))

"""Storage helpers for tests: a backend handle that opens real storage and can tamper with it
through raw SQL, and a quick way to fill a journal with a valid chain of real entries."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from typing import Any

from directbroker.adapters.storage.postgres import PostgresStorage
from directbroker.adapters.storage.sqlite import SqliteStorage
from directbroker.adapters.storage.sqlite_frames import decode_frame, pack_frame
from directbroker.protocols import codec
from directbroker.runtime import GENESIS_HASH, Journal, JournalEntry, make_entry
from directbroker.testing.cash import CashEngine
from directbroker.testing.workload import cash_command


@dataclass
class Backend:
    """One storage location: ``name`` is ``"sqlite"`` (a file path) or ``"postgres"`` (a DSN)."""

    name: str
    location: str

    def open(self) -> SqliteStorage | PostgresStorage:
        """Open (and migrate) the storage."""
        if self.name == "sqlite":
            return SqliteStorage(self.location)
        return PostgresStorage(self.location)

    @property
    def cli_args(self) -> list[str]:
        """How the CLI and the crash child name this location."""
        return [f"--{self.name}", self.location]

    def execute(self, statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Raw SQL on a separate connection (``?`` placeholders on both), as an intruder would.

        Statements on the entry table ``journal`` also work on SQLite files that pack entries
        into batch frames: see :func:`_execute_on_frames`.
        """
        if self.name == "sqlite":
            conn = sqlite3.connect(self.location, isolation_level=None)
            try:
                if _ENTRY_TABLE.search(statement) and not _has_table(conn, "journal"):
                    return _execute_on_frames(conn, statement, params)
                return conn.execute(statement, params).fetchall()
            finally:
                conn.close()
        import psycopg

        with psycopg.connect(self.location, autocommit=True) as pg:
            cur = pg.execute(statement.replace("?", "%s").encode(), params)
            return cur.fetchall() if cur.description else []


_ENTRY_TABLE = re.compile(r"\bjournal\b", re.IGNORECASE)


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    query = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
    return conn.execute(query, (name,)).fetchone() is not None


def _execute_on_frames(
    conn: sqlite3.Connection, statement: str, params: tuple[Any, ...]
) -> list[tuple[Any, ...]]:
    """Run ``statement`` on the entries packed in ``journal_frames`` as rows of a ``journal``
    table (the one-row-per-entry layout), then write back what it changed.

    A changed frame is repacked from its rows as they now are; a frame that lost all its rows
    is deleted. So an ``UPDATE`` rewrites exactly the stored bytes of the entries it touched and
    a ``DELETE`` cuts entries out of their frames, as an intruder editing the packed bytes
    would; the frames' seq columns and the client-id table are left alone.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(
            "CREATE TEMP TABLE journal (seq INTEGER, ts_ns INTEGER, client_id TEXT, "
            "command BLOB, events BLOB, hash BLOB)"
        )
        frames = conn.execute("SELECT first_seq, last_seq, entries FROM journal_frames").fetchall()
        before: dict[int, list[tuple[Any, ...]]] = {}
        owner: dict[int, int] = {}  # temp rowid -> the frame (first_seq) the row came from
        for first_seq, last_seq, data in frames:
            entries, damage = decode_frame(first_seq, last_seq, data)
            if damage is not None:
                raise damage
            before[first_seq] = [tuple(entry) for entry in entries]
            for entry in entries:
                owner[len(owner) + 1] = first_seq
                conn.execute(
                    "INSERT INTO temp.journal (rowid, seq, ts_ns, client_id, command, events, "
                    "hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (len(owner), *entry),
                )
        result = conn.execute(statement, params).fetchall()
        after: dict[int, list[tuple[Any, ...]]] = {first_seq: [] for first_seq in before}
        for rowid, *row in conn.execute("SELECT rowid, * FROM temp.journal ORDER BY rowid"):
            if rowid not in owner:
                raise NotImplementedError("adding entries through the entry table")
            after[owner[rowid]].append(tuple(row))
        for first_seq, rows in after.items():
            if rows == before[first_seq]:
                continue
            if rows:
                conn.execute(
                    "UPDATE journal_frames SET entries = ? WHERE first_seq = ?",
                    (pack_frame(rows), first_seq),
                )
            else:
                conn.execute("DELETE FROM journal_frames WHERE first_seq = ?", (first_seq,))
        conn.execute("DROP TABLE temp.journal")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return result


def fill(journal: Journal, count: int, *, batch: int = 100, start: int = 0) -> list[JournalEntry]:
    """Append ``count`` real cash entries (client id ``c{seq}`` on every third) in batches."""
    tail = journal.tail()
    seq, prev = (0, GENESIS_HASH) if tail is None else (tail.seq, tail.hash)
    engine = CashEngine()
    written: list[JournalEntry] = []
    pending: list[JournalEntry] = []
    for i in range(start, start + count):
        seq += 1
        command = cash_command(i)
        events = codec.encode_many(engine.handle(command, seq))
        client_id = f"c{seq}" if seq % 3 == 0 else None
        entry = make_entry(prev, seq, 1_000 + seq, client_id, codec.encode(command), events)
        prev = entry.hash
        pending.append(entry)
        if len(pending) == batch:
            journal.append(pending)
            written += pending
            pending = []
    if pending:
        journal.append(pending)
        written += pending
    return written

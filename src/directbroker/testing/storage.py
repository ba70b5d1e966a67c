"""Storage helpers for tests: a backend handle that opens real storage and can tamper with it
through raw SQL, and a quick way to fill a journal with a valid chain of real entries."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from directbroker.adapters.storage.postgres import PostgresStorage
from directbroker.adapters.storage.sqlite import SqliteStorage
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
        """Raw SQL on a separate connection (``?`` placeholders on both), as an intruder would."""
        if self.name == "sqlite":
            conn = sqlite3.connect(self.location, isolation_level=None)
            try:
                return conn.execute(statement, params).fetchall()
            finally:
                conn.close()
        import psycopg

        with psycopg.connect(self.location, autocommit=True) as pg:
            cur = pg.execute(statement.replace("?", "%s").encode(), params)
            return cur.fetchall() if cur.description else []


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

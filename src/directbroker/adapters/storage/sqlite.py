"""The embedded journal and snapshot store: one SQLite file per core, WAL mode, durable commits.

``synchronous=FULL`` in WAL mode fsyncs the log at every commit, so a batch acknowledged by the
sequencer survives power loss. A batch is one ``BEGIN IMMEDIATE`` ... ``COMMIT`` with
``executemany``: many entries, one fsync. One connection serves the journal and the snapshot
store; the runtime uses it from one thread at a time.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path

from directbroker.adapters.storage.migrations import Migration, SchemaError, pending
from directbroker.runtime.journal import (
    JournalEntry,
    JournalError,
    check_append,
    entry_from_row,
)
from directbroker.runtime.snapshots import Snapshot

SQLITE_MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "journal",
        (
            """CREATE TABLE journal (
                seq INTEGER PRIMARY KEY,
                ts_ns INTEGER NOT NULL,
                client_id TEXT,
                command BLOB NOT NULL,
                events BLOB NOT NULL,
                hash BLOB NOT NULL
            )""",
        ),
    ),
    Migration(
        2,
        "snapshots",
        (
            """CREATE TABLE snapshots (
                seq INTEGER PRIMARY KEY,
                ts_ns INTEGER NOT NULL,
                entry_hash BLOB NOT NULL,
                state_hash TEXT NOT NULL,
                data BLOB NOT NULL,
                checksum BLOB NOT NULL
            )""",
        ),
    ),
    Migration(
        3,
        "idempotency index on client ids",
        (
            "CREATE UNIQUE INDEX journal_client_id ON journal (client_id) "
            "WHERE client_id IS NOT NULL",
        ),
    ),
)

_COLUMNS = "seq, ts_ns, client_id, command, events, hash"
_LOOKUP_CHUNK = 512


def sqlite_schema_version(conn: sqlite3.Connection) -> int:
    """The highest migration applied (0 for a new database)."""
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
    ).fetchone()
    if exists is None:
        return 0
    row = conn.execute("SELECT max(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


def migrate_sqlite(conn: sqlite3.Connection, target: int | None = None) -> int:
    """Apply the missing migrations (each atomically); returns the resulting version.

    ``conn`` must be in autocommit mode (``isolation_level=None``) so the explicit transactions
    here are the only ones.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_version ("
            "version INTEGER PRIMARY KEY, description TEXT NOT NULL, "
            "applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)"
        )
        current = sqlite_schema_version(conn)
        for step in pending(SQLITE_MIGRATIONS, current, target):
            for statement in step.statements:
                conn.execute(statement)
            conn.execute(
                "INSERT INTO schema_version (version, description) VALUES (?, ?)",
                (step.version, step.description),
            )
            current = step.version
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return current


def connect_sqlite(path: str | Path, *, readonly: bool = False) -> sqlite3.Connection:
    """A connection configured for durable journaling (or a read-only one for inspection)."""
    if readonly:
        uri = Path(path).resolve().as_uri() + "?mode=ro"
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    else:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        if not readonly:
            conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA busy_timeout=10000")
    except BaseException:
        conn.close()
        raise
    return conn


class SqliteJournal:
    """:class:`directbroker.runtime.Journal` on a ``journal`` table."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._last_seq: int | None = None

    def tail(self) -> JournalEntry | None:
        """The last entry, if any."""
        row = self._conn.execute(
            f"SELECT {_COLUMNS} FROM journal ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        return None if row is None else JournalEntry._make(row)

    def append(self, entries: Sequence[JournalEntry]) -> None:
        """One transaction, one fsync, for the whole batch."""
        if not entries:
            return
        if self._last_seq is None:
            tail = self.tail()
            self._last_seq = 0 if tail is None else tail.seq
        if entries[0].seq != self._last_seq + 1:
            check_append(self.tail(), entries)
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany(f"INSERT INTO journal ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)", entries)
            conn.execute("COMMIT")
        except BaseException as exc:
            self._last_seq = None
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.IntegrityError):
                raise JournalError(f"append refused by the database: {exc}") from exc
            raise
        self._last_seq = entries[-1].seq

    def read(self, after_seq: int = 0, until_seq: int | None = None) -> Iterator[JournalEntry]:
        """Stream entries in order; SQLite steps the cursor, so memory stays flat."""
        if until_seq is None:
            cursor = self._conn.execute(
                f"SELECT {_COLUMNS} FROM journal WHERE seq > ? ORDER BY seq", (after_seq,)
            )
        else:
            cursor = self._conn.execute(
                f"SELECT {_COLUMNS} FROM journal WHERE seq > ? AND seq <= ? ORDER BY seq",
                (after_seq, until_seq),
            )
        try:
            yield from map(entry_from_row, cursor)
        finally:
            cursor.close()

    def get(self, seq: int) -> JournalEntry | None:
        """One entry by sequence number."""
        row = self._conn.execute(f"SELECT {_COLUMNS} FROM journal WHERE seq = ?", (seq,)).fetchone()
        return None if row is None else JournalEntry._make(row)

    def find_client_ids(self, client_ids: Sequence[str]) -> dict[str, JournalEntry]:
        """Index lookups, a chunk per query.

        Chunks are padded to a power of two so SQLite's statement cache sees a handful of
        distinct statements rather than one per batch size.
        """
        found: dict[str, JournalEntry] = {}
        for start in range(0, len(client_ids), _LOOKUP_CHUNK):
            chunk = list(client_ids[start : start + _LOOKUP_CHUNK])
            size = 1 << (len(chunk) - 1).bit_length()
            chunk += [chunk[0]] * (size - len(chunk))
            marks = ", ".join("?" * size)
            for row in self._conn.execute(
                f"SELECT {_COLUMNS} FROM journal WHERE client_id IN ({marks})", chunk
            ):
                entry = JournalEntry._make(row)
                found[row[2]] = entry
        return found

    def close(self) -> None:
        """Close the shared connection."""
        self._conn.close()


class SqliteSnapshotStore:
    """:class:`directbroker.runtime.SnapshotStore` on a ``snapshots`` table."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def save(self, snapshot: Snapshot) -> None:
        """Store durably (its own transaction, after the batch it covers)."""
        with self._conn:
            self._conn.execute("BEGIN IMMEDIATE")
            self._conn.execute(
                "INSERT OR REPLACE INTO snapshots "
                "(seq, ts_ns, entry_hash, state_hash, data, checksum) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    snapshot.seq,
                    snapshot.ts_ns,
                    snapshot.entry_hash,
                    snapshot.state_hash,
                    snapshot.data,
                    snapshot.checksum,
                ),
            )

    def newest_first(self) -> Iterator[Snapshot]:
        """One snapshot loaded at a time, newest first."""
        seqs = [row[0] for row in self._conn.execute("SELECT seq FROM snapshots ORDER BY seq DESC")]
        for seq in seqs:
            row = self._conn.execute(
                "SELECT seq, ts_ns, entry_hash, state_hash, data, checksum "
                "FROM snapshots WHERE seq = ?",
                (seq,),
            ).fetchone()
            if row is not None:
                yield Snapshot(*row)

    def prune(self, keep: int) -> None:
        """Delete all but the newest ``keep``."""
        if keep <= 0:
            return
        with self._conn:
            self._conn.execute("BEGIN IMMEDIATE")
            self._conn.execute(
                "DELETE FROM snapshots WHERE seq NOT IN "
                "(SELECT seq FROM snapshots ORDER BY seq DESC LIMIT ?)",
                (keep,),
            )

    def close(self) -> None:
        """Close the shared connection."""
        self._conn.close()


class SqliteStorage:
    """Opens (and migrates) one SQLite file and exposes its journal and snapshot store.

    ``readonly`` opens an existing file without creating or migrating it (for verification);
    its schema must then already be one this release reads.
    """

    def __init__(self, path: str | Path, *, readonly: bool = False) -> None:
        if readonly and not Path(path).exists():
            raise FileNotFoundError(f"no journal at {path}")
        self.path = Path(path)
        self.conn = connect_sqlite(path, readonly=readonly)
        try:
            if readonly:
                version = sqlite_schema_version(self.conn)
                if version == 0:
                    raise SchemaError(f"{path} is not a DirectBroker journal")
                pending(SQLITE_MIGRATIONS, version)
            else:
                migrate_sqlite(self.conn)
        except BaseException:
            self.conn.close()
            raise
        self.journal = SqliteJournal(self.conn)
        self.snapshots = SqliteSnapshotStore(self.conn)

    def close(self) -> None:
        """Close the connection (journal and snapshot store with it)."""
        self.conn.close()

    def __enter__(self) -> SqliteStorage:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

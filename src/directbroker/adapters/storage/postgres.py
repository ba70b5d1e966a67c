"""The server journal and snapshot store on PostgreSQL (psycopg 3): the system of record when
the platform is distributed.

A batch is one transaction carrying a binary ``COPY`` (the fastest way to move many rows in);
the commit returns only once the WAL is flushed (``synchronous_commit`` stays on). Reads use a
server-side cursor so replay streams. ``schema`` puts a core's tables in their own PostgreSQL
schema, so many cores can share one database.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import psycopg
from psycopg import sql

from directbroker.adapters.storage.migrations import Migration, SchemaError, pending
from directbroker.runtime.journal import (
    JournalEntry,
    JournalError,
    check_append,
    entry_from_row,
)
from directbroker.runtime.snapshots import Snapshot

POSTGRES_MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "journal",
        (
            """CREATE TABLE journal (
                seq BIGINT PRIMARY KEY,
                ts_ns BIGINT NOT NULL,
                client_id TEXT,
                command BYTEA NOT NULL,
                events BYTEA NOT NULL,
                hash BYTEA NOT NULL
            )""",
        ),
    ),
    Migration(
        2,
        "snapshots",
        (
            """CREATE TABLE snapshots (
                seq BIGINT PRIMARY KEY,
                ts_ns BIGINT NOT NULL,
                entry_hash BYTEA NOT NULL,
                state_hash TEXT NOT NULL,
                data BYTEA NOT NULL,
                checksum BYTEA NOT NULL
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

_Conn = psycopg.Connection[tuple[Any, ...]]
# bytea loads as bytes in both text and binary formats, so rows map onto entries as they are.
_COLUMNS = "seq, ts_ns, client_id, command, events, hash"
_COPY_TYPES = ["int8", "int8", "text", "bytea", "bytea", "bytea"]
_MIGRATION_LOCK = 0x6469726563_7462  # an arbitrary constant: "directb"
_READ_CHUNK = 5_000


def postgres_schema_version(conn: _Conn) -> int:
    """The highest migration applied in the current ``search_path`` (0 if none)."""
    row = conn.execute("SELECT to_regclass('schema_version') IS NOT NULL").fetchone()
    if row is None or not row[0]:
        return 0
    version = conn.execute("SELECT max(version) FROM schema_version").fetchone()
    return int(version[0] or 0) if version is not None else 0


def migrate_postgres(conn: _Conn, target: int | None = None) -> int:
    """Apply the missing migrations in one transaction, serialised by an advisory lock so two
    processes starting at once do not both migrate."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_version ("
            "version INTEGER PRIMARY KEY, description TEXT NOT NULL, "
            "applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        )
        current = postgres_schema_version(conn)
        for step in pending(POSTGRES_MIGRATIONS, current, target):
            for statement in step.statements:
                conn.execute(statement.encode())
            conn.execute(
                "INSERT INTO schema_version (version, description) VALUES (%s, %s)",
                (step.version, step.description),
            )
            current = step.version
    return current


def connect_postgres(dsn: str, schema: str | None = None) -> _Conn:
    """An autocommit connection (transactions are explicit), optionally inside ``schema``."""
    conn = psycopg.connect(dsn, autocommit=True)
    try:
        if schema is not None:
            conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
            conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(schema)))
    except BaseException:
        conn.close()
        raise
    return conn


class PostgresJournal:
    """:class:`directbroker.runtime.Journal` on a ``journal`` table."""

    def __init__(self, conn: _Conn) -> None:
        self._conn = conn
        self._last_seq: int | None = None

    def tail(self) -> JournalEntry | None:
        """The last entry, if any."""
        with self._conn.cursor(binary=True) as cur:
            row = cur.execute(
                f"SELECT {_COLUMNS} FROM journal ORDER BY seq DESC LIMIT 1"
            ).fetchone()
        return None if row is None else entry_from_row(row)

    def append(self, entries: Sequence[JournalEntry]) -> None:
        """One transaction (one WAL flush) carrying a binary COPY of the batch."""
        if not entries:
            return
        if self._last_seq is None:
            tail = self.tail()
            self._last_seq = 0 if tail is None else tail.seq
        if entries[0].seq != self._last_seq + 1:
            check_append(self.tail(), entries)
        try:
            with (
                self._conn.transaction(),
                self._conn.cursor() as cur,
                cur.copy(f"COPY journal ({_COLUMNS}) FROM STDIN (FORMAT BINARY)") as copy,
            ):
                copy.set_types(_COPY_TYPES)
                write_row = copy.write_row
                for entry in entries:
                    write_row(entry)
        except psycopg.errors.IntegrityError as exc:
            self._last_seq = None
            raise JournalError(f"append refused by the database: {exc}") from exc
        except BaseException:
            self._last_seq = None
            raise
        self._last_seq = entries[-1].seq

    def read(self, after_seq: int = 0, until_seq: int | None = None) -> Iterator[JournalEntry]:
        """Stream through a server-side cursor, ``_READ_CHUNK`` rows per round trip."""
        limit = until_seq if until_seq is not None else 2**63 - 1
        with (
            self._conn.transaction(),
            self._conn.cursor(name="journal_read", binary=True) as cur,
        ):
            cur.itersize = _READ_CHUNK
            cur.execute(
                f"SELECT {_COLUMNS} FROM journal WHERE seq > %s AND seq <= %s ORDER BY seq",
                (after_seq, limit),
            )
            for row in cur:
                yield entry_from_row(row)

    def get(self, seq: int) -> JournalEntry | None:
        """One entry by sequence number."""
        with self._conn.cursor(binary=True) as cur:
            row = cur.execute(f"SELECT {_COLUMNS} FROM journal WHERE seq = %s", (seq,)).fetchone()
        return None if row is None else entry_from_row(row)

    def find_client_ids(self, client_ids: Sequence[str]) -> dict[str, JournalEntry]:
        """One index lookup query per batch."""
        with self._conn.cursor(binary=True) as cur:
            rows = cur.execute(
                f"SELECT {_COLUMNS} FROM journal WHERE client_id = ANY(%s)", (list(client_ids),)
            ).fetchall()
        return {str(row[2]): entry_from_row(row) for row in rows}

    def close(self) -> None:
        """Close the shared connection."""
        self._conn.close()


class PostgresSnapshotStore:
    """:class:`directbroker.runtime.SnapshotStore` on a ``snapshots`` table."""

    def __init__(self, conn: _Conn) -> None:
        self._conn = conn

    def save(self, snapshot: Snapshot) -> None:
        """Store durably (its own transaction, after the batch it covers)."""
        with self._conn.transaction():
            self._conn.execute(
                "INSERT INTO snapshots (seq, ts_ns, entry_hash, state_hash, data, checksum) "
                "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (seq) DO UPDATE SET "
                "ts_ns = EXCLUDED.ts_ns, entry_hash = EXCLUDED.entry_hash, "
                "state_hash = EXCLUDED.state_hash, data = EXCLUDED.data, "
                "checksum = EXCLUDED.checksum",
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
            with self._conn.cursor(binary=True) as cur:
                row = cur.execute(
                    "SELECT seq, ts_ns, entry_hash, state_hash, data, checksum "
                    "FROM snapshots WHERE seq = %s",
                    (seq,),
                ).fetchone()
            if row is not None:
                yield Snapshot(*row)

    def prune(self, keep: int) -> None:
        """Delete all but the newest ``keep``."""
        if keep <= 0:
            return
        with self._conn.transaction():
            self._conn.execute(
                "DELETE FROM snapshots WHERE seq NOT IN "
                "(SELECT seq FROM snapshots ORDER BY seq DESC LIMIT %s)",
                (keep,),
            )

    def close(self) -> None:
        """Close the shared connection."""
        self._conn.close()


class PostgresStorage:
    """Connects (and migrates) and exposes the journal and snapshot store of one core.

    ``readonly`` neither creates nor migrates anything (for verification).
    """

    def __init__(self, dsn: str, *, schema: str | None = None, readonly: bool = False) -> None:
        self.conn = connect_postgres(dsn, None if readonly else schema)
        try:
            if readonly:
                if schema is not None:
                    self.conn.execute(
                        sql.SQL("SET search_path TO {}").format(sql.Identifier(schema))
                    )
                version = postgres_schema_version(self.conn)
                if version == 0:
                    raise SchemaError("no DirectBroker journal in this database")
                pending(POSTGRES_MIGRATIONS, version)
            else:
                migrate_postgres(self.conn)
        except BaseException:
            self.conn.close()
            raise
        self.journal = PostgresJournal(self.conn)
        self.snapshots = PostgresSnapshotStore(self.conn)

    def close(self) -> None:
        """Close the connection (journal and snapshot store with it)."""
        self.conn.close()

    def __enter__(self) -> PostgresStorage:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

"""Every core's journal and snapshots in one PostgreSQL database, committed together.

Each core keeps the tables of :mod:`.postgres` in its own schema (``journal_<core>``), read
through its own connection. While the platform defers commits, a core's appends and snapshots
wait in memory, and :meth:`PostgresCores.commit` writes every named core's waiting rows in one
transaction on one writer connection: one WAL flush per commit group, and the cores' writes
become visible all together or not at all, which is stronger than the SQLite store's "a core's
sources before the core". The commit returns only once PostgreSQL has flushed the WAL
(``synchronous_commit`` is forced on for the writer), so nothing is answered before it is
durable.

One server at a time may write a database's journals: the writer holds a session advisory lock
for as long as it is open, and PostgreSQL releases it when the process dies.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence

import psycopg
from psycopg import sql

from directbroker.adapters.storage.postgres import PostgresStorage, connect_postgres
from directbroker.runtime.journal import JournalEntry, JournalError
from directbroker.runtime.snapshots import Snapshot

SCHEMA_PREFIX = "journal_"
"""A core's schema is this prefix and the core's name in lower case."""
_FIRM_LOCK = 0x6469726563_7466  # an arbitrary constant: the writer's advisory lock
_LOCK_WAIT_S = 5.0
"""How long opening waits for a killed predecessor's session (and its lock) to go away."""
_COLUMNS = sql.SQL("seq, ts_ns, client_id, command, events, hash")
_COPY_TYPES = ["int8", "int8", "text", "bytea", "bytea", "bytea"]


class DatabaseInUse(RuntimeError):
    """Another server writes this database's journals."""


def core_schema(core: str) -> str:
    """The PostgreSQL schema that holds ``core``'s journal and snapshots."""
    return SCHEMA_PREFIX + core.lower()


def core_schemas(dsn: str) -> list[tuple[str, str]]:
    """``(core, schema)`` for every core journal in the database, by name."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT table_schema FROM information_schema.tables "
            "WHERE table_name = 'journal' AND table_schema LIKE %s ORDER BY table_schema",
            (SCHEMA_PREFIX.replace("_", "\\_") + "%",),
        ).fetchall()
    return [(str(row[0])[len(SCHEMA_PREFIX) :], str(row[0])) for row in rows]


class HeldJournal:
    """:class:`directbroker.runtime.Journal` of one core: appended at once, or, while
    deferring, held in memory until the store's commit writes it (reads see held entries)."""

    def __init__(self, storage: PostgresStorage, schema: str) -> None:
        self.schema = schema
        self._storage = storage
        self._stored = storage.journal
        self.deferring = False
        self.held: list[JournalEntry] = []
        self._held_ids: dict[str, JournalEntry] = {}
        self.snapshots: list[Snapshot] = []
        """Snapshots saved while deferring (committed with the entries they cover)."""
        self.keep: int | None = None
        """A prune asked for while deferring (done after the commit's snapshots)."""
        self._next_seq: int | None = None

    @property
    def pending(self) -> bool:
        """Whether anything waits for the next commit."""
        return bool(self.held or self.snapshots or self.keep is not None)

    def tail(self) -> JournalEntry | None:
        """The last entry, held or stored."""
        return self.held[-1] if self.held else self._stored.tail()

    def append(self, entries: Sequence[JournalEntry]) -> None:
        """Store at once (one transaction), or hold until the commit while deferring."""
        if not entries:
            return
        if not self.deferring:
            self._stored.append(entries)
            self._next_seq = entries[-1].seq + 1
            return
        expected = self._next_seq
        if expected is None:
            tail = self.tail()
            expected = 1 if tail is None else tail.seq + 1
        held_ids = self._held_ids
        for offset, entry in enumerate(entries):
            if entry.seq != expected + offset:
                raise JournalError(
                    f"append out of order: got seq {entry.seq}, expected {expected + offset}"
                )
            if entry.client_id is not None:
                if entry.client_id in held_ids:
                    raise JournalError(f"client id {entry.client_id!r} is already journaled")
                held_ids[entry.client_id] = entry
        self.held += entries
        self._next_seq = entries[-1].seq + 1

    def read(self, after_seq: int = 0, until_seq: int | None = None) -> Iterator[JournalEntry]:
        """The stored entries (streamed), then the held ones, in order."""
        held = list(self.held)
        yield from self._stored.read(after_seq, until_seq)
        limit = 2**63 - 1 if until_seq is None else until_seq
        yield from (entry for entry in held if after_seq < entry.seq <= limit)

    def get(self, seq: int) -> JournalEntry | None:
        """One entry by sequence number, held or stored."""
        if self.held and self.held[0].seq <= seq:
            index = seq - self.held[0].seq
            return self.held[index] if index < len(self.held) else None
        return self._stored.get(seq)

    def find_client_ids(self, client_ids: Sequence[str]) -> dict[str, JournalEntry]:
        """Held entries by client id, then one index lookup for the rest."""
        held = self._held_ids
        found = {client_id: held[client_id] for client_id in client_ids if client_id in held}
        rest = [client_id for client_id in client_ids if client_id not in held]
        if rest:
            found.update(self._stored.find_client_ids(rest))
        return found

    def write_into(self, conn: psycopg.Connection[tuple[object, ...]]) -> None:
        """Write what is held into ``conn``'s open transaction."""
        schema = sql.Identifier(self.schema)
        if self.held:
            copy_sql = sql.SQL("COPY {}.journal ({}) FROM STDIN (FORMAT BINARY)").format(
                schema, _COLUMNS
            )
            with conn.cursor() as cur, cur.copy(copy_sql) as copy:
                copy.set_types(_COPY_TYPES)
                for entry in self.held:
                    copy.write_row(entry)
        for snapshot in self.snapshots:
            conn.execute(
                sql.SQL(
                    "INSERT INTO {}.snapshots (seq, ts_ns, entry_hash, state_hash, data, checksum)"
                    " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (seq) DO UPDATE SET "
                    "ts_ns = EXCLUDED.ts_ns, entry_hash = EXCLUDED.entry_hash, "
                    "state_hash = EXCLUDED.state_hash, data = EXCLUDED.data, "
                    "checksum = EXCLUDED.checksum"
                ).format(schema),
                (snapshot.seq, snapshot.ts_ns, snapshot.entry_hash, snapshot.state_hash,
                 snapshot.data, snapshot.checksum),
            )  # fmt: skip
        if self.keep is not None:
            conn.execute(
                sql.SQL(
                    "DELETE FROM {0}.snapshots WHERE seq NOT IN "
                    "(SELECT seq FROM {0}.snapshots ORDER BY seq DESC LIMIT %s)"
                ).format(schema),
                (self.keep,),
            )

    def settle(self, *, committed: bool) -> None:
        """Forget what was held: it is stored now, or (``committed`` false) it never will be
        and the next append asks the database where the journal ends."""
        self.held = []
        self._held_ids = {}
        self.snapshots = []
        self.keep = None
        if not committed:
            self._next_seq = None

    def close(self) -> None:
        """Close the core's connection."""
        self._storage.close()


class HeldSnapshots:
    """:class:`directbroker.runtime.SnapshotStore` of one core, deferred with its journal."""

    def __init__(self, journal: HeldJournal, storage: PostgresStorage) -> None:
        self._journal = journal
        self._stored = storage.snapshots

    def save(self, snapshot: Snapshot) -> None:
        """Store at once, or with the commit that makes its entries durable."""
        if self._journal.deferring:
            self._journal.snapshots.append(snapshot)
        else:
            self._stored.save(snapshot)

    def newest_first(self) -> Iterator[Snapshot]:
        """Held snapshots (newest first), then stored ones."""
        yield from reversed(list(self._journal.snapshots))
        yield from self._stored.newest_first()

    def prune(self, keep: int) -> None:
        """Delete all but the newest ``keep`` (with the next commit while deferring)."""
        if self._journal.deferring:
            self._journal.keep = keep
        else:
            self._stored.prune(keep)

    def close(self) -> None:
        """Close the core's connection."""
        self._stored.close()


class PostgresCores:
    """Opens ``journal_<core>`` for each core on demand (creating and migrating it), holds the
    writer's lock, and commits deferred writes in one transaction per commit."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self._writer = _locked_writer(dsn)
        self._open: dict[str, HeldJournal] = {}
        self._snapshots: dict[str, HeldSnapshots] = {}
        self._deferring = False

    def __call__(self, core: str) -> tuple[HeldJournal, HeldSnapshots]:
        journal = self._open.get(core)
        if journal is None:
            schema = core_schema(core)
            storage = PostgresStorage(self.dsn, schema=schema)
            journal = self._open[core] = HeldJournal(storage, schema)
            journal.deferring = self._deferring
            self._snapshots[core] = HeldSnapshots(journal, storage)
        return journal, self._snapshots[core]

    def defer(self, deferring: bool) -> None:
        """Defer commits of every journal (stopping commits what is held)."""
        if not deferring:
            self.commit(list(self._open))
        self._deferring = deferring
        for journal in self._open.values():
            journal.deferring = deferring

    def commit(self, cores: Sequence[str | Sequence[str]]) -> int:
        """Write the named cores' held rows in order in one transaction; how many cores had
        any. A failure rolls them all back and drops what was held: the platform treats it
        as fatal and a restart recovers from what was committed."""
        pending: list[HeldJournal] = []
        for item in cores:
            for core in [item] if isinstance(item, str) else item:
                journal = self._open.get(core)
                if journal is not None and journal.pending:
                    pending.append(journal)
        if not pending:
            return 0
        try:
            with self._writer.transaction():
                for journal in pending:
                    journal.write_into(self._writer)
        except BaseException as exc:
            for journal in pending:
                journal.settle(committed=False)
            if isinstance(exc, psycopg.errors.IntegrityError):
                raise JournalError(f"commit refused by the database: {exc}") from exc
            raise
        for journal in pending:
            journal.settle(committed=True)
        return len(pending)

    def close(self) -> None:
        """Close every core's connection, then the writer (releasing the lock)."""
        for journal in self._open.values():
            journal.close()
        self._open.clear()
        self._snapshots.clear()
        self._writer.close()


def _locked_writer(dsn: str) -> psycopg.Connection[tuple[object, ...]]:
    """The writer connection, holding the database's writer lock."""
    conn = connect_postgres(dsn)
    try:
        # Durability must not depend on the server's default: a commit returns after the flush.
        conn.execute("SET synchronous_commit TO on")
        deadline = time.monotonic() + _LOCK_WAIT_S
        while True:
            row = conn.execute("SELECT pg_try_advisory_lock(%s)", (_FIRM_LOCK,)).fetchone()
            if row is not None and row[0]:
                return conn
            if time.monotonic() > deadline:
                raise DatabaseInUse("another server is writing the journals in this database")
            time.sleep(0.1)
    except BaseException:
        conn.close()
        raise

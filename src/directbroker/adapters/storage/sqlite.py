"""The embedded journal and snapshot store: one SQLite file per core, WAL mode, durable commits.

``synchronous=FULL`` in WAL mode fsyncs the log at every commit, so a batch acknowledged by the
sequencer survives power loss. A batch is one ``BEGIN IMMEDIATE`` ... ``COMMIT``: its entries
packed into one row per :data:`~directbroker.adapters.storage.sqlite_frames.FRAME_ENTRIES`
(``journal_frames``, see ``sqlite_frames``) and its client ids in their own table
(``journal_client_ids``, the idempotency index), so the cost per entry is packing, not a row
and an index insert. One connection serves the journal and the snapshot store; the runtime uses
it from one thread at a time.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from operator import itemgetter
from pathlib import Path

from directbroker.adapters.storage.migrations import Migration, SchemaError, pending
from directbroker.adapters.storage.sqlite_frames import Frame, decode_frame, frame_rows
from directbroker.adapters.storage.sqlite_rows import RowJournal, move_rows_into_frames
from directbroker.runtime.journal import (
    JournalCorruptedError,
    JournalEntry,
    JournalError,
    check_append,
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
    Migration(
        4,
        "journal as one row per batch frame, client ids in their own table",
        (
            # last_seq sits before the frame so reading it never touches the frame's pages.
            """CREATE TABLE journal_frames (
                first_seq INTEGER PRIMARY KEY,
                last_seq INTEGER NOT NULL,
                entries BLOB NOT NULL
            )""",
            """CREATE TABLE journal_client_ids (
                client_id TEXT PRIMARY KEY,
                seq INTEGER NOT NULL
            ) WITHOUT ROWID""",
        ),
    ),
)

FRAMES_VERSION = 4
"""The first schema version with the frame layout; older files hold one row per entry."""

_DATA_STEPS: dict[int, Callable[[sqlite3.Connection], None]] = {
    FRAMES_VERSION: move_rows_into_frames,
}
"""Work a step does in Python after its statements, in the same transaction."""

_LOOKUP_CHUNK = 512
_FRAME = "SELECT first_seq, last_seq, entries FROM journal_frames"
_FRAME_AT = f"{_FRAME} WHERE first_seq <= ? ORDER BY first_seq DESC LIMIT 1"
_seq_of = itemgetter(0)
_client_id_of = itemgetter(2)
_second = itemgetter(1)
# json_each turns a batch's client ids into rows inside SQLite, about twice as fast per id as
# executemany but with a fixed cost of a few µs, so it takes the batches with many ids. A NUL
# (escaped as \u0000 in JSON) would end the string there, so a batch with one takes executemany.
_JSON_FROM = 16
_INSERT_NEXT_FRAME = (
    "INSERT INTO journal_frames (first_seq, last_seq, entries) SELECT ?1, ?2, ?3 "
    "WHERE ?1 = 1 + coalesce("
    "(SELECT last_seq FROM journal_frames ORDER BY first_seq DESC LIMIT 1), 0)"
)
"""A frame, only if it starts right after the last stored entry."""
_INSERT_CLIENT_IDS_AT = (
    "INSERT INTO journal_client_ids (client_id, seq) "
    "SELECT ids.value, seqs.value FROM json_each(?) AS ids JOIN json_each(?) AS seqs "
    "ON ids.key = seqs.key"
)
"""Client ids and their sequence numbers as two parallel JSON arrays."""
_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


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
    """Apply the missing migrations (all in one transaction); returns the resulting version.

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
            data_step = _DATA_STEPS.get(step.version)
            if data_step is not None:
                data_step(conn)
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


class Writes:
    """How one connection's writes become durable: each write in its own transaction (the
    default), or, while deferring, every write joins one open transaction until
    :meth:`commit`, so a writer that batches across cores pays one fsync per file per batch.

    A failed write rolls the whole open transaction back: a deferring writer (the platform)
    treats any storage failure as fatal and recovers from what was committed."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.deferring = False
        self.before_commit: list[Callable[[], None]] = []
        """Writes held in memory while deferring, written into the transaction at commit."""

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Run the block's statements in a write transaction; commit at its end unless
        deferring."""
        conn = self.conn
        if not conn.in_transaction:
            conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        if not self.deferring:
            conn.execute("COMMIT")

    def commit(self) -> bool:
        """Make every deferred write durable (one fsync); False when there was none."""
        for write in self.before_commit:
            write()
        if not self.conn.in_transaction:
            return False
        self.conn.execute("COMMIT")
        return True


def _entries(frame: Frame) -> list[JournalEntry]:
    entries, damage = frame
    if damage is not None:
        raise damage
    return entries


class SqliteJournal:
    """:class:`directbroker.runtime.Journal` on batch frames and a client-id table."""

    def __init__(self, conn: sqlite3.Connection, writes: Writes | None = None) -> None:
        self._conn = conn
        self._writes = writes or Writes(conn)
        self._writes.before_commit.append(self._flush)
        self._held: list[tuple[int, int, bytes]] = []
        """Frames appended while deferring, not yet written (they go in at commit)."""
        self._held_ids: dict[str, JournalEntry] = {}
        """The client ids of the held frames' entries."""
        self._next_seq: int | None = None
        """The sequence number the next append must start at (None: ask the file)."""

    def tail(self) -> JournalEntry | None:
        """The last entry, if any: one frame decoded."""
        self._flush()
        row = self._conn.execute(f"{_FRAME} ORDER BY first_seq DESC LIMIT 1").fetchone()
        return None if row is None else _entries(decode_frame(*row))[-1]

    def _stored_next_seq(self) -> int:
        row = self._conn.execute(
            "SELECT last_seq FROM journal_frames ORDER BY first_seq DESC LIMIT 1"
        ).fetchone()
        return 1 if row is None else int(row[0]) + 1

    def append(self, entries: Sequence[JournalEntry]) -> None:
        """One transaction, one fsync, for the whole batch; while deferring, the batch is
        packed and held in memory and written with the commit (no database call per batch:
        each one would give up the interpreter lock)."""
        if not entries:
            return
        first = entries[0].seq
        if list(map(_seq_of, entries)) != list(range(first, first + len(entries))):
            check_append(self.tail(), entries)
        if self._writes.deferring:
            expected = self._next_seq
            if expected is None:
                expected = self._next_seq = self._stored_next_seq() + self._held_count()
            if first != expected:
                raise JournalError(f"append out of order: got seq {first}, expected {expected}")
            held_ids = self._held_ids
            for entry in entries:
                client_id = entry.client_id
                if client_id is not None:
                    if client_id in held_ids:
                        raise JournalError(f"client id {client_id!r} is already journaled")
                    held_ids[client_id] = entry
            self._held += frame_rows(entries)
            self._next_seq = entries[-1].seq + 1
            return
        self._write(frame_rows(entries), [(e.client_id, e.seq) for e in entries])

    @property
    def holding(self) -> bool:
        """Whether appends are held for the next commit."""
        return bool(self._held)

    def _held_count(self) -> int:
        return sum(last - first + 1 for first, last, _ in self._held)

    def _flush(self) -> None:
        """Write the held frames into the open transaction (the commit makes them durable)."""
        if not self._held:
            return
        frames, self._held = self._held, []
        held_ids, self._held_ids = self._held_ids, {}
        keyed = [(client_id, entry.seq) for client_id, entry in held_ids.items()]
        self._write(frames, keyed)

    def _write(
        self, frames: list[tuple[int, int, bytes]], keyed: Sequence[tuple[str | None, int]]
    ) -> None:
        first = frames[0][0]
        conn = self._conn
        try:
            with self._writes.transaction():
                # Under the write lock, so a second writer cannot slip a batch in between: each
                # frame goes in only if it continues the stored tail.
                inserted = conn.executemany(_INSERT_NEXT_FRAME, frames).rowcount
                if inserted != len(frames):
                    expected = self._stored_next_seq()
                    raise JournalError(f"append out of order: got seq {first}, expected {expected}")
                ids = [item for item in keyed if item[0] is not None]
                text = _json([client_id for client_id, _ in ids]) if len(ids) >= _JSON_FROM else ""
                if text and "\\u0000" not in text:
                    conn.execute(_INSERT_CLIENT_IDS_AT, (text, _json([seq for _, seq in ids])))
                elif ids:
                    conn.executemany(
                        "INSERT INTO journal_client_ids (client_id, seq) VALUES (?, ?)", ids
                    )
        except sqlite3.IntegrityError as exc:
            raise JournalError(f"append refused by the database: {exc}") from exc

    def read(self, after_seq: int = 0, until_seq: int | None = None) -> Iterator[JournalEntry]:
        """Stream entries in order, one frame in memory at a time.

        Damage is raised once the entries before it have been yielded, so a checker counting
        entries names the first bad one.
        """
        self._flush()
        start = self._conn.execute(
            "SELECT first_seq FROM journal_frames WHERE first_seq <= ? "
            "ORDER BY first_seq DESC LIMIT 1",
            (after_seq + 1,),
        ).fetchone()
        first = after_seq + 1 if start is None else start[0]
        limit = 2**63 - 1 if until_seq is None else until_seq
        cursor = self._conn.execute(
            f"{_FRAME} WHERE first_seq >= ? AND first_seq <= ? ORDER BY first_seq",
            (first, limit),
        )
        try:
            for row in cursor:
                entries, damage = decode_frame(*row)
                if entries and (entries[0].seq <= after_seq or entries[-1].seq > limit):
                    entries = [e for e in entries if after_seq < e.seq <= limit]
                yield from entries
                if damage is not None and damage.seq <= limit:
                    raise damage
        finally:
            cursor.close()

    def get(self, seq: int) -> JournalEntry | None:
        """One entry by sequence number: an index seek to its frame, then that frame decoded."""
        self._flush()
        return self._get(seq, {})

    def _get(self, seq: int, decoded: dict[int, Frame]) -> JournalEntry | None:
        row = self._conn.execute(_FRAME_AT, (seq,)).fetchone()
        if row is None:
            return None
        first: int = row[0]
        frame = decoded.get(first)
        if frame is None:
            frame = decoded[first] = decode_frame(first, row[1], row[2])
        entries, damage = frame
        index = seq - first
        if 0 <= index < len(entries) and entries[index].seq == seq:
            return entries[index]
        if damage is not None and damage.seq <= seq:
            raise damage
        return next((e for e in entries if e.seq == seq), None)

    def find_client_ids(self, client_ids: Sequence[str]) -> dict[str, JournalEntry]:
        """Index lookups, a chunk per query, then the entries from their frames.

        Chunks are padded to a power of two so SQLite's statement cache sees a handful of
        distinct statements rather than one per batch size. An index entry whose journal entry
        does not carry its client id is corruption: answering "unknown" would apply a retry
        twice.
        """
        found: dict[str, JournalEntry] = {}
        held = self._held_ids
        if held:
            found = {client_id: held[client_id] for client_id in client_ids if client_id in held}
            client_ids = [client_id for client_id in client_ids if client_id not in held]
        known: list[tuple[str, int]] = []
        for start in range(0, len(client_ids), _LOOKUP_CHUNK):
            chunk = list(client_ids[start : start + _LOOKUP_CHUNK])
            size = 1 << (len(chunk) - 1).bit_length()
            chunk += [chunk[0]] * (size - len(chunk))
            marks = ", ".join("?" * size)
            known += self._conn.execute(
                f"SELECT client_id, seq FROM journal_client_ids WHERE client_id IN ({marks})",
                chunk,
            ).fetchall()
        decoded: dict[int, Frame] = {}
        for client_id, seq in sorted(known, key=_second):
            entry = self._get(seq, decoded)
            if entry is None or entry.client_id != client_id:
                raise JournalCorruptedError(
                    seq, f"the client-id index points {client_id!r} at it, but it does not carry it"
                )
            found[client_id] = entry
        return found

    def close(self) -> None:
        """Close the shared connection."""
        self._conn.close()


class SqliteSnapshotStore:
    """:class:`directbroker.runtime.SnapshotStore` on a ``snapshots`` table."""

    def __init__(self, conn: sqlite3.Connection, writes: Writes | None = None) -> None:
        self._conn = conn
        self._writes = writes or Writes(conn)

    def save(self, snapshot: Snapshot) -> None:
        """Store durably (its own transaction after the batch it covers, or, while the
        journal's writes are deferred, in the same transaction as that batch)."""
        with self._writes.transaction():
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
        with self._writes.transaction():
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
    its schema must then already be one this release reads, and a file still in the
    one-row-per-entry layout is read as it is.
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
                version = migrate_sqlite(self.conn)
        except BaseException:
            self.conn.close()
            raise
        self.writes = Writes(self.conn)
        """How this file's writes commit (see :class:`Writes`)."""
        self.journal: SqliteJournal | RowJournal = (
            RowJournal(self.conn)
            if version < FRAMES_VERSION
            else SqliteJournal(self.conn, self.writes)
        )
        self.snapshots = SqliteSnapshotStore(self.conn, self.writes)

    def defer_commits(self, deferring: bool) -> None:
        """Let writes join one open transaction until :meth:`commit` (or commit each at once
        again, committing what is open)."""
        if not deferring:
            self.writes.commit()
        self.writes.deferring = deferring and isinstance(self.journal, SqliteJournal)

    def commit(self) -> bool:
        """Make deferred writes durable; False when there was nothing to commit."""
        return self.writes.commit()

    @property
    def pending(self) -> bool:
        """Whether there are deferred writes to commit."""
        journal = self.journal
        held = isinstance(journal, SqliteJournal) and journal.holding
        return held or self.conn.in_transaction

    def close(self) -> None:
        """Close the connection (journal and snapshot store with it)."""
        self.conn.close()

    def __enter__(self) -> SqliteStorage:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

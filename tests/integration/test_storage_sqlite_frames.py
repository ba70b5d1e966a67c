"""The SQLite journal's batch frames: entries across frame boundaries, the client-id table, every
stored byte covered by the hash chain, and the upgrade from the one-row-per-entry layout."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import msgpack
import pytest

from directbroker.adapters.storage.sqlite import (
    FRAMES_VERSION,
    SqliteStorage,
    migrate_sqlite,
    sqlite_schema_version,
)
from directbroker.adapters.storage.sqlite_frames import FRAME_ENTRIES
from directbroker.app import journal_cli
from directbroker.runtime import (
    GENESIS_HASH,
    InMemoryJournal,
    JournalCorruptedError,
    JournalEntry,
    JournalError,
    make_entry,
    recover,
    take_snapshot,
    verify_journal,
)
from directbroker.testing.cash import CashEngine
from directbroker.testing.storage import fill


def _frames(storage: SqliteStorage) -> list[tuple[int, int, bytes]]:
    return storage.conn.execute(
        "SELECT first_seq, last_seq, entries FROM journal_frames ORDER BY first_seq"
    ).fetchall()


def test_a_big_batch_spans_frames_and_every_read_crosses_them_correctly(tmp_path: Path) -> None:
    with SqliteStorage(tmp_path / "journal.db") as storage:
        journal = storage.journal
        entries = fill(journal, 600, batch=600) + fill(journal, 7, batch=3)
        frames = _frames(storage)
        assert [(first, last) for first, last, _ in frames] == [
            (1, 256), (257, 512), (513, 600), (601, 603), (604, 606), (607, 607),
        ]  # fmt: skip
        assert FRAME_ENTRIES == 256
        assert list(journal.read()) == entries
        for after, until in [(0, 1), (255, 257), (256, 256), (256, 512), (511, 700), (600, None)]:
            expected = entries[after:until]
            assert list(journal.read(after, until)) == expected, (after, until)
        assert all(journal.get(e.seq) == e for e in entries)
        assert journal.get(0) is None
        assert journal.get(608) is None
        assert journal.tail() == entries[-1]


def test_a_reader_stopped_early_releases_its_cursor(tmp_path: Path) -> None:
    with SqliteStorage(tmp_path / "journal.db") as storage:
        fill(storage.journal, 600, batch=600)
        reader = storage.journal.read()
        assert next(reader).seq == 1
        reader.close()  # type: ignore[attr-defined]
        fill(storage.journal, 1)  # a writer is not blocked by the abandoned read
        assert verify_journal(storage.journal).entries == 601


@pytest.mark.parametrize("batch", [1, 40])  # executemany, and json_each for many ids
def test_client_ids_round_trip_whatever_their_characters(tmp_path: Path, batch: int) -> None:
    odd = ["é", "😀", 'quote"d', "back\\slash", "new\nline", "nul\x00inside", "\\u0000", "7"]
    client_ids = [*odd, *(f"id-{i}" for i in range(80 - len(odd)))]
    prev, written = GENESIS_HASH, []
    for seq, client_id in enumerate(client_ids, start=1):
        entry = make_entry(prev, seq, seq, client_id if seq % 5 else None, b"c", b"e")
        prev = entry.hash
        written.append(entry)
    with SqliteStorage(tmp_path / "journal.db") as storage:
        for start in range(0, len(written), batch):
            storage.journal.append(written[start : start + batch])
        found = storage.journal.find_client_ids([*client_ids, "unknown"])
        assert found == {e.client_id: e for e in written if e.client_id is not None}
        assert list(storage.journal.read()) == written


def _chain(after: JournalEntry, client_ids: list[str | None]) -> list[JournalEntry]:
    prev, seq, out = after.hash, after.seq, []
    for client_id in client_ids:
        seq += 1
        entry = make_entry(prev, seq, seq, client_id, b"c", b"e")
        prev = entry.hash
        out.append(entry)
    return out


def test_a_client_id_used_twice_refuses_the_whole_batch(tmp_path: Path) -> None:
    with SqliteStorage(tmp_path / "journal.db") as storage:
        tail = fill(storage.journal, 30, batch=30)[-1]  # client ids c3, c6, ... c30
        batches: list[list[str | None]] = [
            [*(f"n{i}" for i in range(19)), "c3"],  # journaled before (json_each)
            ["n1", "c3"],  # journaled before (executemany)
            [*(f"n{i}" for i in range(19)), "n5"],  # twice in the batch
            ["dup", None, "dup"],
        ]
        for client_ids in batches:
            with pytest.raises(JournalError, match="refused by the database"):
                storage.journal.append(_chain(tail, client_ids))
        assert storage.journal.tail() == tail
        assert storage.journal.find_client_ids(["n1", "dup"]) == {}
        assert [e.seq for e in storage.journal.read()] == list(range(1, 31))


def test_a_second_writer_cannot_interleave_batches(tmp_path: Path) -> None:
    path = tmp_path / "journal.db"
    with SqliteStorage(path) as first, SqliteStorage(path) as second:
        fill(first.journal, 10)
        staged = InMemoryJournal()
        staged.entries = list(first.journal.read())
        batch = fill(staged, 5)
        second.journal.append(batch)
        with pytest.raises(JournalError, match="got seq 11, expected 16"):
            first.journal.append(batch)
        assert verify_journal(first.journal).entries == 15


def _flipped(data: bytes, offset: int, mask: int) -> bytes:
    return data[:offset] + bytes([data[offset] ^ mask]) + data[offset + 1 :]


def test_changing_any_stored_byte_of_a_frame_names_the_entry_it_belongs_to(
    tmp_path: Path,
) -> None:
    with SqliteStorage(tmp_path / "journal.db") as storage:
        entries = fill(storage.journal, 15, batch=5)
        first, last, data = _frames(storage)[1]
        assert (first, last) == (6, 10)
        # Which entry owns each byte: the frame is an array header, then the entries in order.
        owner = [first]  # the header: damage to it is reported at the frame's first entry
        for entry in entries[5:10]:
            owner += [entry.seq] * len(msgpack.packb(tuple(entry)))
        assert len(owner) == len(data)
        update = "UPDATE journal_frames SET entries = ? WHERE first_seq = ?"
        for offset, seq in enumerate(owner):
            for mask in (0x01, 0x80, 0xFF):
                storage.conn.execute(update, (_flipped(data, offset, mask), first))
                report = verify_journal(storage.journal)
                assert (report.bad_seq, report.entries) == (seq, seq - 1), (offset, mask, report)
        storage.conn.execute(update, (data, first))
        assert verify_journal(storage.journal).ok


def test_losing_the_last_entries_of_the_journal_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "journal.db"
    with SqliteStorage(path) as storage:
        entries = fill(storage.journal, 12, batch=6)
        storage.conn.execute(
            "UPDATE journal_frames SET entries = ? WHERE first_seq = 7",
            (msgpack.packb([tuple(e) for e in entries[6:10]]),),
        )
        report = verify_journal(storage.journal)
        assert (report.bad_seq, report.entries) == (11, 10)
        assert "written up to entry 12, it ends at 10" in report.reason
        with pytest.raises(JournalCorruptedError, match="journal entry 11 is corrupt"):
            recover(CashEngine, storage.journal)


def test_a_client_id_index_that_disagrees_with_the_journal_is_corruption(
    tmp_path: Path,
) -> None:
    with SqliteStorage(tmp_path / "journal.db") as storage:
        fill(storage.journal, 12)
        storage.conn.execute("UPDATE journal_client_ids SET seq = 4 WHERE client_id = 'c6'")
        with pytest.raises(JournalCorruptedError, match="journal entry 4 is corrupt"):
            storage.journal.find_client_ids(["c3", "c6"])


def _database_at_version_3(
    path: Path, entries: list[JournalEntry], *, snapshot_at: int | None = None
) -> None:
    """A journal as the release before frames left it: one row per entry, maybe a snapshot."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        assert migrate_sqlite(conn, FRAMES_VERSION - 1) == 3
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO journal (seq, ts_ns, client_id, command, events, hash) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            entries,
        )
        if snapshot_at is not None:
            _insert_snapshot(conn, entries[:snapshot_at])
        conn.execute("COMMIT")
    finally:
        conn.close()


def _insert_snapshot(conn: sqlite3.Connection, entries: list[JournalEntry]) -> None:
    engine, _ = recover(CashEngine, _in_memory(entries))
    snapshot = take_snapshot(engine, entries[-1].seq, entries[-1].ts_ns, entries[-1].hash)
    conn.execute(
        "INSERT INTO snapshots (seq, ts_ns, entry_hash, state_hash, data, checksum) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (
            snapshot.seq,
            snapshot.ts_ns,
            snapshot.entry_hash,
            snapshot.state_hash,
            snapshot.data,
            snapshot.checksum,
        ),
    )


def _in_memory(entries: list[JournalEntry]) -> InMemoryJournal:
    journal = InMemoryJournal()
    journal.entries = list(entries)
    return journal


def test_upgrading_a_version_3_database_keeps_every_entry(tmp_path: Path) -> None:
    path = tmp_path / "journal.db"
    reference = InMemoryJournal()
    entries = fill(reference, 700, batch=100)
    _database_at_version_3(path, entries, snapshot_at=500)
    with SqliteStorage(path) as storage:
        assert sqlite_schema_version(storage.conn) == FRAMES_VERSION
        tables = {r[0] for r in storage.conn.execute("SELECT name FROM sqlite_master")}
        assert "journal" not in tables
        assert [(f, la) for f, la, _ in _frames(storage)] == [(1, 256), (257, 512), (513, 700)]
        journal = storage.journal
        assert list(journal.read()) == entries
        assert list(journal.read(255, 513)) == entries[255:513]
        assert all(journal.get(e.seq) == e for e in entries)
        assert journal.tail() == entries[-1]
        client_ids = [e.client_id for e in entries if e.client_id is not None]
        assert len(client_ids) == 233
        found = journal.find_client_ids(client_ids)
        assert found == {e.client_id: e for e in entries if e.client_id is not None}
        report = verify_journal(journal)
        assert (report.ok, report.entries, report.last_hash) == (True, 700, entries[-1].hash)
        engine, recovered = recover(CashEngine, journal, storage.snapshots)
        assert (recovered.snapshot_seq, recovered.replayed) == (500, 200)
        expected, _ = recover(CashEngine, reference)
        assert engine.state_hash() == expected.state_hash()
        # And the upgraded journal carries on.
        fill(journal, 300, batch=300)
        assert verify_journal(journal).entries == 1000


def test_damage_in_a_version_3_database_is_still_named_after_the_upgrade(
    tmp_path: Path,
) -> None:
    path = tmp_path / "journal.db"
    entries = fill(InMemoryJournal(), 400, batch=400)
    damaged = entries[56]._replace(command=entries[56].command[:-1] + b"\xff")
    _database_at_version_3(path, [*entries[:56], damaged, *entries[57:300], *entries[301:]])
    with SqliteStorage(path) as storage:
        report = verify_journal(storage.journal)
        assert (report.bad_seq, report.entries) == (57, 56)
        assert "hash mismatch" in report.reason
        with pytest.raises(JournalCorruptedError, match="journal entry 57 is corrupt"):
            recover(CashEngine, storage.journal, storage.snapshots)
        assert [e.seq for e in storage.journal.read(298, 303)] == [299, 300, 302, 303]


def test_a_version_3_database_is_verified_read_only_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "journal.db"
    entries = fill(InMemoryJournal(), 300, batch=300)
    _database_at_version_3(path, entries)
    with SqliteStorage(path, readonly=True) as storage:
        assert sqlite_schema_version(storage.conn) == FRAMES_VERSION - 1
        report = verify_journal(storage.journal)
        assert (report.ok, report.entries) == (True, 300)
        assert storage.journal.get(7) == entries[6]
        assert storage.journal.find_client_ids(["c9"]) == {"c9": entries[8]}
        with pytest.raises(JournalError, match="read-only"):
            storage.journal.append(entries[:1])
    assert journal_cli.main(["journal", "verify", "--sqlite", str(path)]) == journal_cli.EXIT_OK
    with SqliteStorage(path, readonly=True) as storage:
        assert sqlite_schema_version(storage.conn) == FRAMES_VERSION - 1

"""Deferred commits on the SQLite journal: while deferring, appends (and snapshots) join one
open transaction that the writer's own reads see but nothing else does until the commit; a
process that dies before committing loses exactly the uncommitted tail, and the journal stays
a valid prefix."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from directbroker.adapters.storage.sqlite import SqliteStorage
from directbroker.app.journals import SqliteJournals
from directbroker.runtime import verify_journal
from directbroker.runtime.snapshots import Snapshot, snapshot_checksum
from directbroker.testing.storage import fill


def _frames_seen_by_another_connection(path: Path) -> int:
    other = sqlite3.connect(path)
    try:
        row = other.execute("SELECT count(*) FROM journal_frames").fetchone()
        return int(row[0])
    finally:
        other.close()


def test_deferred_appends_are_read_back_but_durable_only_after_commit(tmp_path: Path) -> None:
    path = tmp_path / "core.journal.db"
    with SqliteStorage(path) as storage:
        first = fill(storage.journal, 5, batch=5)
        storage.defer_commits(True)
        later = fill(storage.journal, 9, batch=3)
        assert list(storage.journal.read()) == first + later
        assert storage.journal.find_client_ids(["c9"]) == {"c9": later[3]}
        assert _frames_seen_by_another_connection(path) == 1
        assert storage.commit() is True
        assert _frames_seen_by_another_connection(path) == 4
        assert storage.commit() is False  # nothing open


def test_a_crash_before_the_commit_loses_only_the_uncommitted_tail(tmp_path: Path) -> None:
    path = tmp_path / "core.journal.db"
    storage = SqliteStorage(path)
    kept = fill(storage.journal, 6, batch=3)
    storage.defer_commits(True)
    fill(storage.journal, 4, batch=2)
    storage.conn.close()  # the process dies: the open transaction never commits
    with SqliteStorage(path) as again:
        assert list(again.journal.read()) == kept
        report = verify_journal(again.journal)
        assert report.entries == 6
        # The journal goes on from the durable tail.
        more = fill(again.journal, 2, batch=2)
        assert [entry.seq for entry in more] == [7, 8]


def test_a_snapshot_joins_the_deferred_transaction(tmp_path: Path) -> None:
    path = tmp_path / "core.journal.db"
    with SqliteStorage(path) as storage:
        storage.defer_commits(True)
        entries = fill(storage.journal, 3, batch=3)
        tail = entries[-1]
        checksum = snapshot_checksum(tail.seq, tail.ts_ns, tail.hash, "h", b"state")
        storage.snapshots.save(Snapshot(tail.seq, tail.ts_ns, tail.hash, "h", b"state", checksum))
        storage.snapshots.prune(1)
        assert [s.seq for s in storage.snapshots.newest_first()] == [3]
        storage.commit()
    with SqliteStorage(path) as again:
        assert [s.seq for s in again.snapshots.newest_first()] == [3]


def test_stopping_deferral_commits_what_is_open(tmp_path: Path) -> None:
    path = tmp_path / "core.journal.db"
    with SqliteStorage(path) as storage:
        storage.defer_commits(True)
        fill(storage.journal, 4, batch=2)
        storage.defer_commits(False)
        assert _frames_seen_by_another_connection(path) == 2
        fill(storage.journal, 1, batch=1)
        assert _frames_seen_by_another_connection(path) == 3


def test_journals_commit_the_named_cores_in_order(tmp_path: Path) -> None:
    journals = SqliteJournals(tmp_path)
    try:
        journals.defer(True)
        for core in ("venue", "marketdata", "broker"):
            fill(journals(core)[0], 2, batch=2)
        assert journals.commit(["venue", "marketdata"]) == 2
        assert _frames_seen_by_another_connection(journals.path("venue")) == 1
        assert _frames_seen_by_another_connection(journals.path("broker")) == 0
        assert journals.commit(["venue", "marketdata", "broker"]) == 1
        assert _frames_seen_by_another_connection(journals.path("broker")) == 1
    finally:
        journals.close()

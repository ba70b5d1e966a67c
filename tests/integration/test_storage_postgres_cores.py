"""Every core's journal in one PostgreSQL database (``PostgresCores``): appends, deferred
commits that another connection sees only after the commit and all together, snapshots held
with the entries they cover, a crash between commits that loses exactly the uncommitted tail,
the hash chain verified after reopening, and one writer per database."""

from __future__ import annotations

import psycopg
import pytest

from directbroker.adapters.storage.postgres import PostgresStorage
from directbroker.adapters.storage.postgres_cores import (
    DatabaseInUse,
    PostgresCores,
    core_schema,
    core_schemas,
)
from directbroker.runtime import verify_journal
from directbroker.runtime.journal import JournalError
from directbroker.runtime.snapshots import Snapshot, snapshot_checksum
from directbroker.testing.storage import fill

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(60)]


def _seen_by_another_connection(dsn: str, core: str) -> int:
    with psycopg.connect(dsn, autocommit=True) as other:
        row = other.execute(f'SELECT count(*) FROM "{core_schema(core)}".journal').fetchone()
    assert row is not None
    return int(row[0])


def _snapshot(seq: int, entry_hash: bytes) -> Snapshot:
    checksum = snapshot_checksum(seq, 1, entry_hash, "h", b"state")
    return Snapshot(seq, 1, entry_hash, "h", b"state", checksum)


def test_appends_commit_at_once_until_deferring(postgres_dsn: str) -> None:
    cores = PostgresCores(postgres_dsn)
    try:
        journal, _ = cores("broker")
        written = fill(journal, 7, batch=3)
        assert _seen_by_another_connection(postgres_dsn, "broker") == 7
        assert list(journal.read()) == written
        assert journal.get(5) == written[4]
        assert journal.find_client_ids(["c3", "c6", "nope"]) == {
            "c3": written[2],
            "c6": written[5],
        }
        assert [core for core, _ in core_schemas(postgres_dsn)] == ["broker"]
    finally:
        cores.close()


def test_deferred_writes_are_read_back_and_durable_only_after_the_commit(
    postgres_dsn: str,
) -> None:
    cores = PostgresCores(postgres_dsn)
    try:
        venue, _ = cores("XNAS")
        broker, _ = cores("broker")
        first = fill(broker, 3, batch=3)
        cores.defer(True)
        fill(venue, 4, batch=2)
        at_broker = fill(broker, 6, batch=2)
        # The writer reads what it holds; nobody else sees it yet.
        assert list(broker.read()) == first + at_broker
        assert list(broker.read(4, 6)) == at_broker[1:3]
        assert broker.tail() == at_broker[-1]
        assert broker.get(9) == at_broker[-1]
        assert broker.get(2) == first[1]
        assert broker.find_client_ids(["c3", "c6", "c9"]) == {
            "c3": first[2],
            "c6": at_broker[2],
            "c9": at_broker[5],
        }
        assert _seen_by_another_connection(postgres_dsn, "xnas") == 0
        assert _seen_by_another_connection(postgres_dsn, "broker") == 3
        # The venue (a source) and the broker commit in one transaction.
        assert cores.commit([("XNAS",), "broker"]) == 2
        assert _seen_by_another_connection(postgres_dsn, "xnas") == 4
        assert _seen_by_another_connection(postgres_dsn, "broker") == 9
        assert cores.commit([("XNAS",), "broker"]) == 0  # nothing held
    finally:
        cores.close()


def test_only_the_named_cores_commit(postgres_dsn: str) -> None:
    cores = PostgresCores(postgres_dsn)
    try:
        venue, _ = cores("arca")
        broker, _ = cores("broker")
        cores.defer(True)
        fill(venue, 2)
        fill(broker, 2)
        assert cores.commit(["arca"]) == 1
        assert _seen_by_another_connection(postgres_dsn, "arca") == 2
        assert _seen_by_another_connection(postgres_dsn, "broker") == 0
        cores.defer(False)  # stopping commits what is held
        assert _seen_by_another_connection(postgres_dsn, "broker") == 2
    finally:
        cores.close()


def test_a_crash_between_commits_loses_exactly_the_uncommitted_tail(postgres_dsn: str) -> None:
    cores = PostgresCores(postgres_dsn)
    journal, _ = cores("broker")
    cores.defer(True)
    kept = fill(journal, 6, batch=3)
    cores.commit(["broker"])
    fill(journal, 4, batch=2)  # held, never committed
    cores.close()  # the process dies: what was held is gone
    again = PostgresCores(postgres_dsn)
    try:
        journal, _ = again("broker")
        assert list(journal.read()) == kept
        report = verify_journal(journal)
        assert report.ok and report.entries == 6
        again.defer(True)
        more = fill(journal, 2)
        again.commit(["broker"])
        assert [entry.seq for entry in more] == [7, 8]
    finally:
        again.close()
    with PostgresStorage(postgres_dsn, schema=core_schema("broker"), readonly=True) as reader:
        report = verify_journal(reader.journal)
        assert report.ok and report.entries == 8 and report.last_seq == 8


def test_a_snapshot_is_held_with_the_entries_it_covers(postgres_dsn: str) -> None:
    cores = PostgresCores(postgres_dsn)
    try:
        journal, snapshots = cores("broker")
        assert snapshots is not None
        cores.defer(True)
        entries = fill(journal, 3)
        snapshots.save(_snapshot(3, entries[-1].hash))
        assert [s.seq for s in snapshots.newest_first()] == [3]
        with psycopg.connect(postgres_dsn, autocommit=True) as other:
            count = other.execute('SELECT count(*) FROM "journal_broker".snapshots').fetchone()
            assert count == (0,)
            cores.commit(["broker"])
            count = other.execute('SELECT count(*) FROM "journal_broker".snapshots').fetchone()
            assert count == (1,)
        more = fill(journal, 3)
        snapshots.save(_snapshot(6, more[-1].hash))
        snapshots.prune(1)
        cores.commit(["broker"])
        assert [s.seq for s in snapshots.newest_first()] == [6]
        assert all(s.intact for s in snapshots.newest_first())
    finally:
        cores.close()


def test_a_refused_commit_stores_nothing_and_the_writer_resumes_from_the_database(
    postgres_dsn: str,
) -> None:
    cores = PostgresCores(postgres_dsn)
    try:
        venue, _ = cores("xnys")
        broker, _ = cores("broker")
        fill(broker, 3)
        cores.defer(True)
        fill(venue, 2)
        held = fill(broker, 3)
        # Another writer (a bug) takes seq 4 behind our back: the whole commit is refused.
        with psycopg.connect(postgres_dsn, autocommit=True) as other:
            other.execute(
                'INSERT INTO "journal_broker".journal VALUES (%s, %s, %s, %s, %s, %s)',
                tuple(held[0]),
            )
        with pytest.raises(JournalError, match="refused"):
            cores.commit([("xnys",), "broker"])
        assert _seen_by_another_connection(postgres_dsn, "xnys") == 0  # all or nothing
        assert broker.tail() == held[0]
    finally:
        cores.close()


def test_one_writer_per_database(postgres_dsn: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import directbroker.adapters.storage.postgres_cores as module

    monkeypatch.setattr(module, "_LOCK_WAIT_S", 0.2)
    cores = PostgresCores(postgres_dsn)
    try:
        with pytest.raises(DatabaseInUse):
            PostgresCores(postgres_dsn)
    finally:
        cores.close()
    PostgresCores(postgres_dsn).close()  # released with the writer's session

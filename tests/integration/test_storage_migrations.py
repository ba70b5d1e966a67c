"""Schema migrations keep a user's data, and a database from a newer release is refused."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest

from directbroker.adapters.storage.migrations import SchemaError
from directbroker.adapters.storage.postgres import (
    POSTGRES_MIGRATIONS,
    migrate_postgres,
    postgres_schema_version,
)
from directbroker.adapters.storage.sqlite import (
    SQLITE_MIGRATIONS,
    migrate_sqlite,
    sqlite_schema_version,
)
from directbroker.runtime import InMemoryJournal, recover, verify_journal
from directbroker.testing.cash import CashEngine
from directbroker.testing.storage import Backend, fill


def _migrate_to_previous(backend: Backend) -> int:
    """Create the database as the previous release left it (every step but the last)."""
    previous = len(SQLITE_MIGRATIONS if backend.name == "sqlite" else POSTGRES_MIGRATIONS) - 1
    if backend.name == "sqlite":
        conn = sqlite3.connect(backend.location, isolation_level=None)
        try:
            assert migrate_sqlite(conn, previous) == previous
        finally:
            conn.close()
    else:
        with psycopg.connect(backend.location, autocommit=True) as pg:
            assert migrate_postgres(pg, previous) == previous
    return previous


def test_a_database_at_the_previous_version_upgrades_and_keeps_its_data(
    backend: Backend,
) -> None:
    previous = _migrate_to_previous(backend)
    # Data written by the previous release, straight into its tables.
    reference = InMemoryJournal()
    entries = fill(reference, 40, batch=40)
    for e in entries:
        backend.execute(
            "INSERT INTO journal (seq, ts_ns, client_id, command, events, hash) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            tuple(e),
        )
    assert backend.execute("SELECT max(version) FROM schema_version") == [(previous,)]
    with backend.open() as storage:
        assert backend.execute("SELECT max(version) FROM schema_version") == [(previous + 1,)]
        assert list(storage.journal.read()) == entries
        assert verify_journal(storage.journal).ok
        # The upgrade's feature (the idempotency index) works on old data.
        found = storage.journal.find_client_ids(["c3", "c39"])
        assert {k: v.seq for k, v in found.items()} == {"c3": 3, "c39": 39}
        engine, recovered = recover(CashEngine, storage.journal, storage.snapshots)
        assert recovered.last_seq == 40
        expected, _ = recover(CashEngine, reference)
        assert engine.state_hash() == expected.state_hash()
    # Opening again is a no-op.
    with backend.open():
        assert backend.execute("SELECT count(*) FROM schema_version") == [(previous + 1,)]


def test_a_database_from_a_newer_release_is_refused(backend: Backend) -> None:
    with backend.open():
        pass
    backend.execute("INSERT INTO schema_version (version, description) VALUES (99, 'future')")
    with pytest.raises(SchemaError, match="newer than this release"):
        backend.open()


def test_schema_versions_are_reported(backend: Backend) -> None:
    with backend.open() as storage:
        if backend.name == "sqlite":
            version = sqlite_schema_version(storage.conn)  # type: ignore[arg-type]
            assert version == len(SQLITE_MIGRATIONS)
        else:
            version = postgres_schema_version(storage.conn)  # type: ignore[arg-type]
            assert version == len(POSTGRES_MIGRATIONS)

"""Where a data directory's journals are: ``[storage]`` is checked, the first start on
PostgreSQL records the database in ``journals/postgres.dsn`` (0600), a start with the other
backend or another database is refused (as is a new data directory on a database that holds a
firm), and the broker journal's readers follow the record."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from directbroker.adapters.storage.postgres_cores import PostgresCores
from directbroker.app.broker_journal import broker_entries
from directbroker.app.config import ConfigError, FirmConfig, load_config
from directbroker.app.config_storage import StorageSection
from directbroker.app.journal_cli import verify_data_dir
from directbroker.app.journal_location import (
    JournalLocationError,
    has_broker_journal,
    locate,
    open_journals,
    reading_core,
)
from directbroker.app.journals import SqliteJournals
from directbroker.testing.storage import fill


def test_storage_defaults_to_sqlite_and_postgres_needs_a_dsn(tmp_path: Path) -> None:
    assert FirmConfig().storage == StorageSection("sqlite", "")
    path = tmp_path / "firm.toml"
    path.write_text('[storage]\nbackend = "postgres"\n')
    with pytest.raises(ConfigError, match=r"storage\.dsn"):
        load_config(path)
    path.write_text('[storage]\nbackend = "mysql"\n')
    with pytest.raises(ConfigError, match=r"storage\.backend"):
        load_config(path)
    path.write_text('[storage]\nbackend = "postgres"\ndsn = "dbname=x"\n')
    assert load_config(path).storage == StorageSection("postgres", "dbname=x")


def test_sqlite_journals_by_default(tmp_path: Path) -> None:
    store = open_journals(tmp_path, StorageSection())
    try:
        assert isinstance(store, SqliteJournals)
        assert not locate(tmp_path).on_postgres
        assert not has_broker_journal(tmp_path)
        journal, _ = store("broker")
        fill(journal, 2)
        assert has_broker_journal(tmp_path)
    finally:
        store.close()
    with pytest.raises(JournalLocationError, match='backend = "sqlite"'):
        open_journals(tmp_path, StorageSection("postgres", "dbname=elsewhere"))


@pytest.mark.postgres
def test_the_first_start_on_postgres_records_the_database(
    tmp_path: Path, postgres_dsn: str
) -> None:
    storage = StorageSection("postgres", postgres_dsn)
    store = open_journals(tmp_path, storage)
    try:
        assert isinstance(store, PostgresCores)
        marker = tmp_path / "journals" / "postgres.dsn"
        assert stat.S_IMODE(marker.stat().st_mode) == 0o600
        assert locate(tmp_path).dsn == postgres_dsn
        assert not has_broker_journal(tmp_path)
        with pytest.raises(FileNotFoundError, match="no broker journal"):
            list(broker_entries(tmp_path))
        journal, _ = store("broker")
        written = fill(journal, 5)
        assert has_broker_journal(tmp_path)
        # Readers follow the record: the broker journal read-only, and every core verified.
        with reading_core(tmp_path, "broker") as reader:
            assert list(reader.read()) == written
        assert [seq for seq, _ in broker_entries(tmp_path, after_seq=2)] == [3, 4, 5]
        [(core, report)] = verify_data_dir(tmp_path)
        assert core == "broker" and not isinstance(report, str) and report.entries == 5
    finally:
        store.close()
    with pytest.raises(JournalLocationError, match='backend = "postgres"'):
        open_journals(tmp_path, StorageSection())
    with pytest.raises(JournalLocationError, match=r"postgres\.dsn"):
        open_journals(tmp_path, StorageSection("postgres", postgres_dsn + " application_name=x"))
    open_journals(tmp_path, storage).close()  # the same database: resumed
    # Another data directory (or a --fresh one) does not take over that firm's journals.
    with pytest.raises(JournalLocationError, match="already holds a firm's journals"):
        open_journals(tmp_path / "other", storage)
    assert not locate(tmp_path / "other").on_postgres


def test_an_unreachable_database_is_a_clear_error(tmp_path: Path) -> None:
    storage = StorageSection("postgres", "host=127.0.0.1 port=1 dbname=none connect_timeout=2")
    with pytest.raises(JournalLocationError, match="cannot reach"):
        open_journals(tmp_path, storage)

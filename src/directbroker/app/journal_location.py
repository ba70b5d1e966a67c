"""Where a data directory's journals are: SQLite files in ``journals/``, or a PostgreSQL
database that ``journals/postgres.dsn`` names.

The first start on PostgreSQL writes that file (0600: a DSN may carry a password), so the data
directory keeps saying where its journals are: the back office, reports, records and
``journal verify --data-dir`` find them without the configuration file, and a start with the
other backend, or another database, is refused instead of silently creating a second firm; so
is a new data directory on a database that already holds another firm's journals.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from directbroker.app.config_storage import StorageSection
from directbroker.app.journals import JournalStore, SqliteJournals
from directbroker.runtime.journal import Journal

DSN_FILE = "postgres.dsn"
BROKER_CORE = "broker"


class JournalLocationError(ValueError):
    """The journals cannot be opened where the configuration says: the data directory's firm
    is elsewhere, or the database cannot be reached."""


class JournalsInUse(RuntimeError):
    """Another server writes the journals in the configured database."""


@dataclass(frozen=True, slots=True)
class JournalLocation:
    """A data directory's journals: SQLite files in ``directory``, or the database ``dsn``."""

    directory: Path
    dsn: str | None = None

    @property
    def on_postgres(self) -> bool:
        """Whether the journals are in PostgreSQL."""
        return self.dsn is not None

    def sqlite_path(self, core: str) -> Path:
        """The SQLite journal file of ``core`` (meaningful on SQLite only)."""
        return self.directory / f"{core.lower()}.journal.db"


def locate(data_dir: Path) -> JournalLocation:
    """Where ``data_dir``'s journals are, as the data directory says."""
    directory = data_dir / "journals"
    marker = directory / DSN_FILE
    if marker.exists():
        return JournalLocation(directory, marker.read_text(encoding="utf-8").strip())
    return JournalLocation(directory)


def has_broker_journal(data_dir: Path) -> bool:
    """Whether the firm in ``data_dir`` has a broker journal to read yet."""
    where = locate(data_dir)
    if not where.on_postgres:
        return where.sqlite_path(BROKER_CORE).exists()
    from directbroker.adapters.storage.postgres_cores import core_schema, core_schemas

    assert where.dsn is not None
    return any(schema == core_schema(BROKER_CORE) for _, schema in core_schemas(where.dsn))


def is_new(journals: JournalStore) -> bool:
    """Whether the firm on ``journals`` has journaled nothing yet (its broker core is empty)."""
    journal, _ = journals(BROKER_CORE)
    return journal.tail() is None


@contextmanager
def reading_core(data_dir: Path, core: str) -> Iterator[Journal]:
    """``core``'s journal in ``data_dir``, opened read-only (a running server may keep writing).
    Raises :class:`FileNotFoundError` when there is none."""
    where = locate(data_dir)
    if where.dsn is None:
        from directbroker.adapters.storage.sqlite import SqliteStorage

        path = where.sqlite_path(core)
        if not path.exists():
            raise FileNotFoundError(f"no {core} journal at {path}")
        with SqliteStorage(str(path), readonly=True) as lite:
            yield lite.journal
        return
    from directbroker.adapters.storage.migrations import SchemaError
    from directbroker.adapters.storage.postgres import PostgresStorage
    from directbroker.adapters.storage.postgres_cores import core_schema

    try:
        storage = PostgresStorage(where.dsn, schema=core_schema(core), readonly=True)
    except SchemaError as exc:
        raise FileNotFoundError(f"no {core} journal in the firm's PostgreSQL database") from exc
    with storage:
        yield storage.journal


def open_journals(data_dir: Path, storage: StorageSection) -> JournalStore:
    """The journal store the configuration names, after checking that it is the one this data
    directory's firm was created on (and recording it on the first start)."""
    where = locate(data_dir)
    if storage.backend == "sqlite":
        if where.on_postgres:
            raise JournalLocationError(
                f"the journals of the firm in {data_dir} are in PostgreSQL "
                f'({where.directory / DSN_FILE}); start it with storage.backend = "postgres"'
            )
        return SqliteJournals(where.directory)
    if where.dsn is None:
        existing = sorted(where.directory.glob("*.journal.db"))
        if existing:
            raise JournalLocationError(
                f"the journals of the firm in {data_dir} are SQLite files ({existing[0]}); "
                'start it with storage.backend = "sqlite"'
            )
    elif where.dsn != storage.dsn:
        raise JournalLocationError(
            f"the firm in {data_dir} keeps its journals in the database named by "
            f"{where.directory / DSN_FILE}, not the one storage.dsn names (if the database "
            "moved, write its new DSN into that file)"
        )
    import psycopg

    from directbroker.adapters.storage.postgres_cores import (
        DatabaseInUse,
        PostgresCores,
        core_schemas,
    )

    try:
        cores = PostgresCores(storage.dsn)
        if where.dsn is None and core_schemas(storage.dsn):
            cores.close()
            raise JournalLocationError(
                f"the database storage.dsn names already holds a firm's journals, but {data_dir} "
                f"is not that firm's data directory: use an empty database (or, to adopt that "
                f"firm here, write its DSN into {where.directory / DSN_FILE})"
            )
    except DatabaseInUse as exc:
        raise JournalsInUse(str(exc)) from exc
    except psycopg.OperationalError as exc:
        raise JournalLocationError(f"cannot reach the journals' database: {exc}") from exc
    if where.dsn is None:
        _write_dsn(where.directory, storage.dsn)
    return cores


def _write_dsn(directory: Path, dsn: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / DSN_FILE
    temporary = path.with_name(DSN_FILE + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(dsn + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)

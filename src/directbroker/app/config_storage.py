"""The ``[storage]`` configuration section: where the cores keep their journals.

SQLite files in the data directory are the embedded default; PostgreSQL is the system of record
when the firm outgrows one machine. Everything else the firm keeps (the lock, ``admin.key``,
history, preferences, FIX stores, back-office files) stays in the data directory either way.
"""

from __future__ import annotations

from dataclasses import dataclass

BACKENDS = ("sqlite", "postgres")


class StorageConfigError(ValueError):
    """A ``[storage]`` setting is not valid; the message names it."""


@dataclass(frozen=True, slots=True)
class StorageSection:
    """Where the cores' journals and snapshots are kept."""

    backend: str = "sqlite"
    """``sqlite``: one file per core in the data directory's ``journals/``; ``postgres``: one
    schema per core (``journal_<core>``) in the database ``dsn`` names."""
    dsn: str = ""
    """The PostgreSQL connection string (``postgres`` only), e.g.
    ``postgresql://user@127.0.0.1:5432/directbroker``."""


def check_storage(section: StorageSection) -> None:
    """Refuse a backend that does not exist, or PostgreSQL without a database to use."""
    if section.backend not in BACKENDS:
        raise StorageConfigError(
            f"storage.backend must be 'sqlite' or 'postgres', not {section.backend!r}"
        )
    if section.backend == "postgres" and not section.dsn.strip():
        raise StorageConfigError(
            "storage.dsn must name the database when storage.backend is postgres"
        )

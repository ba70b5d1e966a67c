"""Where the embedded platform's cores keep their journals: one SQLite file per core in a data
directory (the embedded default), or memory (tests that do not need a disk)."""

from __future__ import annotations

from pathlib import Path

from directbroker.adapters.storage.sqlite import SqliteStorage
from directbroker.runtime.journal import Journal
from directbroker.runtime.memory import InMemoryJournal, InMemorySnapshotStore
from directbroker.runtime.snapshots import SnapshotStore


class SqliteJournals:
    """Opens ``<directory>/<core>.journal.db`` for each core on demand; closes them all."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self._open: dict[str, SqliteStorage] = {}

    def path(self, core: str) -> Path:
        """The journal file of ``core``."""
        return self.directory / f"{core.lower()}.journal.db"

    def __call__(self, core: str) -> tuple[Journal, SnapshotStore | None]:
        storage = self._open.get(core)
        if storage is None:
            storage = self._open[core] = SqliteStorage(self.path(core))
        return storage.journal, storage.snapshots

    def close(self) -> None:
        """Close every journal opened so far."""
        for storage in self._open.values():
            storage.close()
        self._open.clear()


class MemoryJournals:
    """In-memory journals, kept by name so a test can recover a core from one."""

    def __init__(self) -> None:
        self.journals: dict[str, tuple[InMemoryJournal, InMemorySnapshotStore]] = {}

    def __call__(self, core: str) -> tuple[Journal, SnapshotStore | None]:
        pair = self.journals.get(core)
        if pair is None:
            pair = self.journals[core] = (InMemoryJournal(), InMemorySnapshotStore())
        return pair

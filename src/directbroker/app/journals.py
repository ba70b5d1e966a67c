"""Where the platform's cores keep their journals: one SQLite file per core in a data directory
(the embedded default), one schema per core in PostgreSQL
(:class:`directbroker.adapters.storage.postgres_cores.PostgresCores`, chosen by ``[storage]``),
or memory (tests that do not need a disk)."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

from directbroker.adapters.storage.sqlite import SqliteStorage
from directbroker.runtime.journal import Journal
from directbroker.runtime.memory import InMemoryJournal, InMemorySnapshotStore
from directbroker.runtime.snapshots import SnapshotStore


class JournalStore(Protocol):
    """Opens each core's journal by name, and can defer durability across cores: while
    deferring, appends are not yet durable until :meth:`commit` makes the named cores' writes
    durable, in the order named (a core's sources before the core)."""

    def __call__(self, core: str) -> tuple[Journal, SnapshotStore | None]:
        """The journal (and snapshot store) of ``core``."""
        ...

    def defer(self, deferring: bool) -> None:
        """Start (or stop) deferring commits."""
        ...

    def commit(self, cores: Sequence[str | Sequence[str]]) -> int:
        """Commit the deferred writes of ``cores``, in that order; how many files it wrote.
        An item may be a group of cores that take nothing from one another: those may
        commit at the same time (the group still commits after the items before it)."""
        ...

    def close(self) -> None:
        """Close every journal opened so far."""
        ...


class SqliteJournals:
    """Opens ``<directory>/<core>.journal.db`` for each core on demand; closes them all."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self._open: dict[str, SqliteStorage] = {}
        self._deferring = False
        self._pool: ThreadPoolExecutor | None = None

    def path(self, core: str) -> Path:
        """The journal file of ``core``."""
        return self.directory / f"{core.lower()}.journal.db"

    def __call__(self, core: str) -> tuple[Journal, SnapshotStore | None]:
        storage = self._open.get(core)
        if storage is None:
            storage = self._open[core] = SqliteStorage(self.path(core))
            storage.defer_commits(self._deferring)
        return storage.journal, storage.snapshots

    def defer(self, deferring: bool) -> None:
        """Defer commits of every journal (stopping commits what is open)."""
        self._deferring = deferring
        for storage in self._open.values():
            storage.defer_commits(deferring)

    def commit(self, cores: Sequence[str | Sequence[str]]) -> int:
        """Commit the named cores' deferred writes in order (one fsync each that wrote); the
        files of a group that all have writes commit on threads at the same time (an fsync
        lets the interpreter run, so their waits overlap instead of adding up)."""
        written = 0
        for item in cores:
            group = [item] if isinstance(item, str) else item
            pending = [s for core in group if (s := self._open.get(core)) is not None and s.pending]
            if len(pending) > 1:
                if self._pool is None:
                    self._pool = ThreadPoolExecutor(thread_name_prefix="journal-commit")
                written += sum(self._pool.map(SqliteStorage.commit, pending))
            elif pending:
                written += pending[0].commit()
        return written

    def close(self) -> None:
        """Close every journal opened so far."""
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None
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

    def defer(self, deferring: bool) -> None:
        """Nothing to defer: memory is as durable as it gets."""

    def commit(self, cores: Sequence[str | Sequence[str]]) -> int:
        """Nothing to commit."""
        return 0

    def close(self) -> None:
        """Nothing to close: the journals stay readable for the test."""

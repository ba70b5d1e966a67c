"""In-memory journal and snapshot store: the fakes of the storage ports, for unit tests.

They enforce the same contract as the real adapters (ordering, unique client ids, all-or-nothing
append) so a test that passes here exercises the sequencer honestly.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from directbroker.runtime.journal import JournalEntry, JournalError, check_append
from directbroker.runtime.snapshots import Snapshot


class InMemoryJournal:
    """A list of entries plus a client-id index. ``fail_next_append`` simulates a dead disk."""

    def __init__(self) -> None:
        self.entries: list[JournalEntry] = []
        self._by_client: dict[str, JournalEntry] = {}
        self.fail_next_append: Exception | None = None
        self.commits = 0

    def tail(self) -> JournalEntry | None:
        """The last entry, if any."""
        return self.entries[-1] if self.entries else None

    def append(self, entries: Sequence[JournalEntry]) -> None:
        """Validate the whole batch first, then store it: all or nothing."""
        if self.fail_next_append is not None:
            failure, self.fail_next_append = self.fail_next_append, None
            raise failure
        check_append(self.tail(), entries)
        seen: set[str] = set()
        for entry in entries:
            cid = entry.client_id
            if cid is not None and (cid in self._by_client or cid in seen):
                raise JournalError(f"client id {cid!r} is already journaled")
            if cid is not None:
                seen.add(cid)
        self.entries.extend(entries)
        for entry in entries:
            if entry.client_id is not None:
                self._by_client[entry.client_id] = entry
        self.commits += 1

    def read(self, after_seq: int = 0, until_seq: int | None = None) -> Iterator[JournalEntry]:
        """Entries after ``after_seq`` (sequence n sits at index n-1 unless tampered with)."""
        for entry in self.entries[max(after_seq, 0) :]:
            if until_seq is not None and entry.seq > until_seq:
                return
            if entry.seq > after_seq:
                yield entry

    def get(self, seq: int) -> JournalEntry | None:
        """One entry by sequence number."""
        if 1 <= seq <= len(self.entries) and self.entries[seq - 1].seq == seq:
            return self.entries[seq - 1]
        return next((e for e in self.entries if e.seq == seq), None)

    def find_client_ids(self, client_ids: Sequence[str]) -> dict[str, JournalEntry]:
        """Known entries for these idempotency keys."""
        index = self._by_client
        return {cid: index[cid] for cid in client_ids if cid in index}

    def close(self) -> None:
        """Nothing to release."""


class InMemorySnapshotStore:
    """Snapshots in a list, newest last."""

    def __init__(self) -> None:
        self.snapshots: list[Snapshot] = []

    def save(self, snapshot: Snapshot) -> None:
        """Keep a snapshot (replacing one at the same sequence)."""
        self.snapshots = [s for s in self.snapshots if s.seq != snapshot.seq]
        self.snapshots.append(snapshot)
        self.snapshots.sort(key=lambda s: s.seq)

    def newest_first(self) -> Iterator[Snapshot]:
        """Snapshots from the newest to the oldest."""
        yield from reversed(list(self.snapshots))

    def prune(self, keep: int) -> None:
        """Drop all but the newest ``keep`` snapshots."""
        if keep > 0:
            self.snapshots = self.snapshots[-keep:]

    def close(self) -> None:
        """Nothing to release."""

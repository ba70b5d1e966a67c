"""Snapshots: a core's whole state at a journal sequence, so start-up need not replay from 1.

A snapshot is only an accelerator: the journal stays the truth. It records the chain hash of
the entry it covers (so it cannot be paired with a different journal) and a checksum over its
own bytes (so a damaged snapshot is skipped for an older one, not trusted).
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from directbroker.engines.core import Core

_HEADER = struct.Struct(">qqI")


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The state of a core after applying journal entry ``seq`` (``entry_hash`` is its hash)."""

    seq: int
    ts_ns: int
    entry_hash: bytes
    state_hash: str
    data: bytes
    checksum: bytes

    @property
    def intact(self) -> bool:
        """Whether the stored bytes are the ones that were written."""
        return self.checksum == snapshot_checksum(
            self.seq, self.ts_ns, self.entry_hash, self.state_hash, self.data
        )


def snapshot_checksum(
    seq: int, ts_ns: int, entry_hash: bytes, state_hash: str, data: bytes
) -> bytes:
    """The sha256 that seals a snapshot's fields together."""
    hashed = state_hash.encode()
    header = _HEADER.pack(seq, ts_ns, len(hashed))
    return hashlib.sha256(b"".join((header, entry_hash, hashed, data))).digest()


def take_snapshot(core: Core, seq: int, ts_ns: int, entry_hash: bytes) -> Snapshot:
    """Capture ``core`` as it stands after entry ``seq``."""
    data = core.snapshot()
    state_hash = core.state_hash()
    checksum = snapshot_checksum(seq, ts_ns, entry_hash, state_hash, data)
    return Snapshot(seq, ts_ns, entry_hash, state_hash, data, checksum)


class SnapshotStore(Protocol):
    """Where snapshots are kept. Saving is durable; loading walks newest first."""

    def save(self, snapshot: Snapshot) -> None:
        """Store a snapshot durably."""
        ...

    def newest_first(self) -> Iterator[Snapshot]:
        """Stored snapshots from the newest, loaded lazily one at a time."""
        ...

    def prune(self, keep: int) -> None:
        """Delete all but the newest ``keep`` snapshots."""
        ...

    def close(self) -> None:
        """Release the storage."""
        ...

"""The journal port: an append-only, hash-chained log of every input a core applied.

An entry holds the stamped input (sequence, time, client id, encoded command) and the encoded
events it produced. Each entry's hash covers the previous entry's hash and its own content, so
changing any stored byte, dropping an entry or reordering entries breaks the chain at that
entry: ``verify_journal`` and start-up name the first entry that does not fit.
"""

from __future__ import annotations

import functools
import hashlib
import struct
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NamedTuple, Protocol

GENESIS_HASH = hashlib.sha256(b"directbroker journal genesis v1").digest()
"""The hash "before" entry 1; fixed so every journal's chain starts from the same anchor."""

_HEADER = struct.Struct(">qqII")
_sha256 = hashlib.sha256
_join = b"".join


class JournalEntry(NamedTuple):
    """One journaled input and its outcome. A tuple so storage rows map onto it for free.

    ``client_id`` is the client-chosen idempotency key (``None`` for inputs without one, such as
    timer ticks); ``command`` and ``events`` are codec bytes (``encode`` / ``encode_many``).
    """

    seq: int
    ts_ns: int
    client_id: str | None
    command: bytes
    events: bytes
    hash: bytes


entry_from_row: Callable[[tuple[Any, ...]], JournalEntry] = functools.partial(
    tuple.__new__, JournalEntry
)
"""A storage row (columns in field order) as an entry, built in C without a length check.
Adapters use it on the replay path, where ``JournalEntry._make`` costs ~0.1 µs more per row."""


def entry_hash(
    prev_hash: bytes, seq: int, ts_ns: int, client_id: str | None, command: bytes, events: bytes
) -> bytes:
    """The chained hash of one entry.

    Lengths are part of the header so that no two different entries serialise alike; an empty
    client id is not allowed, which keeps ``None`` and ``""`` from colliding.
    """
    cid = b"" if client_id is None else client_id.encode()
    header = _HEADER.pack(seq, ts_ns, len(cid), len(command))
    return _sha256(_join((prev_hash, header, cid, command, events))).digest()


def make_entry(
    prev_hash: bytes, seq: int, ts_ns: int, client_id: str | None, command: bytes, events: bytes
) -> JournalEntry:
    """Build the entry that follows ``prev_hash`` in the chain."""
    return JournalEntry(
        seq, ts_ns, client_id, command, events,
        entry_hash(prev_hash, seq, ts_ns, client_id, command, events),
    )  # fmt: skip


class JournalError(Exception):
    """The journal cannot be used as asked (not corruption: see :class:`JournalCorruptedError`)."""


class JournalCorruptedError(JournalError):
    """A stored entry does not fit the chain: tampering, media corruption or a lost entry.

    Start-up refuses to run on such a journal; the message names the entry so an operator can
    restore it from a replica or backup.
    """

    def __init__(self, seq: int, reason: str) -> None:
        self.seq = seq
        self.reason = reason
        super().__init__(
            f"journal entry {seq} is corrupt: {reason}; refusing to continue "
            "(restore the journal from a replica or backup)"
        )


class Journal(Protocol):
    """Durable, append-only storage for :class:`JournalEntry` rows.

    Implementations are used by one thread at a time (the sequencer, or recovery before it
    starts). ``append`` is the group commit: all entries become durable together or none do.
    """

    def tail(self) -> JournalEntry | None:
        """The last entry, or ``None`` for an empty journal."""
        ...

    def append(self, entries: Sequence[JournalEntry]) -> None:
        """Store ``entries`` (consecutive, continuing the tail) in one durable commit."""
        ...

    def read(self, after_seq: int = 0, until_seq: int | None = None) -> Iterator[JournalEntry]:
        """Stream entries with ``after_seq < seq <= until_seq`` in order, without loading all."""
        ...

    def get(self, seq: int) -> JournalEntry | None:
        """One entry by sequence number."""
        ...

    def find_client_ids(self, client_ids: Sequence[str]) -> dict[str, JournalEntry]:
        """The entries already journaled under any of ``client_ids`` (the idempotency index)."""
        ...

    def close(self) -> None:
        """Release the storage; the journal is unusable afterwards."""
        ...


@contextmanager
def reading(
    journal: Journal, after_seq: int = 0, until_seq: int | None = None
) -> Iterator[Iterator[JournalEntry]]:
    """``journal.read`` that is closed when the block ends, even on an exception.

    A reader that stops early (a corrupt entry) must release its cursor at once: on PostgreSQL
    an abandoned server-side cursor would hold a transaction open on the shared connection.
    """
    entries = journal.read(after_seq, until_seq)
    try:
        yield entries
    finally:
        close = getattr(entries, "close", None)
        if close is not None:
            close()


def check_append(tail: JournalEntry | None, entries: Sequence[JournalEntry]) -> None:
    """Refuse a batch that does not continue the tail: a second writer or a sequencer bug.

    Only sequence numbers are checked here; hashes were computed by the writer and are checked
    end to end by :func:`verify_journal` and recovery.
    """
    expected = 1 if tail is None else tail.seq + 1
    for offset, entry in enumerate(entries):
        if entry.seq != expected + offset:
            raise JournalError(
                f"append out of order: got seq {entry.seq}, expected {expected + offset}"
            )


class ChainChecker:
    """Walks entries in order and raises :class:`JournalCorruptedError` at the first that breaks.

    Shared by verification and replay so both apply the same rules: sequence numbers are
    contiguous and every stored hash equals the hash recomputed from its content.
    """

    __slots__ = ("last_hash", "last_seq", "last_ts_ns")

    def __init__(self, last_seq: int = 0, last_hash: bytes = GENESIS_HASH, last_ts_ns: int = 0):
        self.last_seq = last_seq
        self.last_hash = last_hash
        self.last_ts_ns = last_ts_ns

    def check(self, entry: JournalEntry) -> None:
        """Accept ``entry`` as the next link, or raise naming it."""
        seq, ts_ns, client_id, command, events, stored = entry
        if seq != self.last_seq + 1:
            raise JournalCorruptedError(self.last_seq + 1, f"missing (next stored entry is {seq})")
        try:
            digest = entry_hash(self.last_hash, seq, ts_ns, client_id, command, events)
        except (TypeError, AttributeError, UnicodeEncodeError) as exc:
            raise JournalCorruptedError(seq, f"stored fields have the wrong type ({exc})") from exc
        if digest != stored:
            raise JournalCorruptedError(seq, "hash mismatch (stored content changed or damaged)")
        self.last_seq = seq
        self.last_hash = stored
        self.last_ts_ns = ts_ns

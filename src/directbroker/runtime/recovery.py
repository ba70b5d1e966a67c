"""Start-up and replay: newest valid snapshot, then the journal after it, then the state check.

Start-up always takes the same path, so the code that runs after a crash is the code that runs
every day. Replay streams the journal (memory is the state's, not the journal's) and re-checks
the hash chain as it goes: a corrupt entry stops start-up with its sequence number.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from directbroker.engines.core import Core
from directbroker.protocols import codec
from directbroker.runtime.journal import (
    GENESIS_HASH,
    ChainChecker,
    Journal,
    JournalCorruptedError,
    JournalError,
    entry_hash,
    reading,
)
from directbroker.runtime.snapshots import Snapshot, SnapshotStore

C = TypeVar("C", bound=Core)


class RecoveryError(JournalError):
    """The journal is intact but replaying it does not reproduce the recorded history."""


@dataclass(frozen=True, slots=True)
class ReplayResult:
    """Where a replay stopped: the position a sequencer continues from."""

    last_seq: int
    last_hash: bytes
    last_ts_ns: int
    replayed: int


@dataclass(frozen=True, slots=True)
class Recovered:
    """The outcome of start-up: the position, what was used, and the resulting state hash."""

    last_seq: int
    last_hash: bytes
    last_ts_ns: int
    snapshot_seq: int
    replayed: int
    state_hash: str
    skipped_snapshots: tuple[str, ...] = ()


def replay(
    core: Core,
    journal: Journal,
    *,
    after_seq: int = 0,
    prev_hash: bytes = GENESIS_HASH,
    prev_ts_ns: int = 0,
    until_seq: int | None = None,
    check_events: bool = False,
) -> ReplayResult:
    """Apply entries ``after_seq < seq <= until_seq`` to ``core``, checking the chain.

    ``check_events`` also re-encodes the events each command produces and compares them with the
    stored ones, which proves the engine deterministic at a cost of about a third more time.
    Raises :class:`JournalCorruptedError` naming the first bad entry, or :class:`RecoveryError` if
    the engine breaks or diverges.
    """
    handle = core.handle
    decode = codec.decode
    encode_many = codec.encode_many
    last_seq, last_hash, last_ts = after_seq, prev_hash, prev_ts_ns
    count = 0
    # The loop inlines ChainChecker.check: this is the hottest loop at start-up.
    with reading(journal, after_seq, until_seq) as entries:
        for seq, ts_ns, client_id, command, events, stored in entries:
            if seq != last_seq + 1:
                raise JournalCorruptedError(last_seq + 1, f"missing (next stored entry is {seq})")
            try:
                digest = entry_hash(last_hash, seq, ts_ns, client_id, command, events)
            except (TypeError, AttributeError, UnicodeEncodeError) as exc:
                raise JournalCorruptedError(
                    seq, f"stored fields have the wrong type ({exc})"
                ) from exc
            if digest != stored:
                raise JournalCorruptedError(
                    seq, "hash mismatch (stored content changed or damaged)"
                )
            try:
                produced = handle(decode(command), ts_ns)
            except Exception as exc:
                raise RecoveryError(f"replaying entry {seq} failed: {exc!r}") from exc
            if check_events and encode_many(produced) != events:
                raise RecoveryError(
                    f"replaying entry {seq} produced different events than were journaled "
                    "(the engine is not deterministic, or its code changed)"
                )
            last_seq, last_hash, last_ts = seq, stored, ts_ns
            count += 1
    if until_seq is not None and last_seq < until_seq:
        tail = journal.tail()
        if tail is not None and tail.seq >= until_seq:
            raise JournalCorruptedError(last_seq + 1, "missing")
    return ReplayResult(last_seq, last_hash, last_ts, count)


def _verify_prefix(journal: Journal, until_seq: int) -> bytes:
    checker = ChainChecker()
    with reading(journal, 0, until_seq) as entries:
        for entry in entries:
            checker.check(entry)
    if checker.last_seq != until_seq:
        raise JournalCorruptedError(checker.last_seq + 1, "missing")
    return checker.last_hash


def _snapshot_problem(snapshot: Snapshot, journal: Journal, until_seq: int | None) -> str:
    if until_seq is not None and snapshot.seq > until_seq:
        return "newer than the requested position"
    if not snapshot.intact:
        return "checksum mismatch"
    entry = journal.get(snapshot.seq)
    if entry is None:
        return "covers entries the journal does not have"
    if entry.hash != snapshot.entry_hash:
        return "does not belong to this journal (entry hash differs)"
    return ""


def recover(
    new_core: Callable[[], C],
    journal: Journal,
    snapshots: SnapshotStore | None = None,
    *,
    until_seq: int | None = None,
    verify_prefix: bool = True,
    check_events: bool = False,
) -> tuple[C, Recovered]:
    """Rebuild a core: newest valid snapshot, replay after it, check the state hash.

    A snapshot that is damaged, belongs to another journal or does not restore to its recorded
    state hash is skipped (and reported) in favour of an older one; the journal alone is always
    enough. ``verify_prefix`` also re-checks the chain under the snapshot, so corruption
    anywhere refuses start-up, not only after the snapshot.
    """
    skipped: list[str] = []
    core = new_core()
    chosen: Snapshot | None = None
    for snapshot in snapshots.newest_first() if snapshots is not None else ():
        problem = _snapshot_problem(snapshot, journal, until_seq)
        if not problem:
            candidate = new_core()
            try:
                candidate.restore(snapshot.data)
            except Exception as exc:
                problem = f"does not restore: {exc!r}"
            else:
                if candidate.state_hash() != snapshot.state_hash:
                    problem = "restored state hash differs from the recorded one"
                else:
                    core, chosen = candidate, snapshot
                    break
        skipped.append(f"snapshot at seq {snapshot.seq}: {problem}")
    if chosen is None:
        result = replay(core, journal, until_seq=until_seq, check_events=check_events)
        snapshot_seq = 0
    else:
        if verify_prefix:
            _verify_prefix(journal, chosen.seq)
        result = replay(
            core,
            journal,
            after_seq=chosen.seq,
            prev_hash=chosen.entry_hash,
            prev_ts_ns=chosen.ts_ns,
            until_seq=until_seq,
            check_events=check_events,
        )
        snapshot_seq = chosen.seq
    recovered = Recovered(
        result.last_seq,
        result.last_hash,
        result.last_ts_ns,
        snapshot_seq,
        result.replayed,
        core.state_hash(),
        tuple(skipped),
    )
    return core, recovered

"""Start-up: newest valid snapshot, replay after it, state hash check; corruption refuses."""

from __future__ import annotations

import pytest

from directbroker.domain.messages import Event, Message
from directbroker.runtime import (
    InMemoryJournal,
    InMemorySnapshotStore,
    JournalCorruptedError,
    ManualClock,
    RecoveryError,
    Sequencer,
    recover,
    replay,
)
from directbroker.testing.cash import CashEngine, CashRejected
from directbroker.testing.workload import cash_command


def _run(n: int, every: int = 0) -> tuple[InMemoryJournal, InMemorySnapshotStore, str]:
    journal, store = InMemoryJournal(), InMemorySnapshotStore()
    engine = CashEngine()
    sequencer = Sequencer(
        engine, journal, ManualClock(step_ns=7), snapshots=store, snapshot_every=every,
        keep_snapshots=5, max_batch=10,
    )  # fmt: skip
    for i in range(n):
        sequencer.submit(cash_command(i), client_id=f"c{i}")
    sequencer.stop()
    return journal, store, engine.state_hash()


def test_replay_from_scratch_reproduces_the_state_hash() -> None:
    journal, _, expected = _run(300)
    engine, recovered = recover(CashEngine, journal, check_events=True)
    assert engine.state_hash() == expected == recovered.state_hash
    assert recovered.last_seq == 300
    assert recovered.replayed == 300
    assert recovered.snapshot_seq == 0


def test_start_up_uses_the_newest_snapshot_and_replays_only_after_it() -> None:
    journal, store, expected = _run(305, every=50)
    engine, recovered = recover(CashEngine, journal, store)
    assert recovered.snapshot_seq == 300
    assert recovered.replayed == 5
    assert engine.state_hash() == expected
    assert recovered.last_hash == journal.entries[-1].hash


def test_a_damaged_snapshot_is_skipped_for_an_older_one() -> None:
    journal, store, expected = _run(305, every=50)
    newest = store.snapshots[-1]
    store.snapshots[-1] = type(newest)(
        newest.seq, newest.ts_ns, newest.entry_hash, newest.state_hash,
        newest.data[:-1] + b"\x00", newest.checksum,
    )  # fmt: skip
    engine, recovered = recover(CashEngine, journal, store)
    assert recovered.snapshot_seq == 250
    assert engine.state_hash() == expected
    assert recovered.skipped_snapshots == ("snapshot at seq 300: checksum mismatch",)


def test_a_snapshot_of_another_journal_is_not_used() -> None:
    journal, _, expected = _run(120)
    _, other_store, _ = _run(120, every=50)
    _, recovered = recover(CashEngine, journal, other_store)
    # Same commands but different stamps: different chain, so the snapshots do not apply.
    assert recovered.snapshot_seq in (0, 100)
    assert recovered.state_hash == expected


def test_a_snapshot_that_restores_to_another_hash_is_skipped() -> None:
    journal, store, expected = _run(120, every=50)
    bad = store.snapshots[-1]
    from directbroker.runtime import snapshot_checksum

    wrong_hash = "0" * 64
    store.snapshots[-1] = type(bad)(
        bad.seq, bad.ts_ns, bad.entry_hash, wrong_hash, bad.data,
        snapshot_checksum(bad.seq, bad.ts_ns, bad.entry_hash, wrong_hash, bad.data),
    )  # fmt: skip
    engine, recovered = recover(CashEngine, journal, store)
    assert recovered.snapshot_seq == 50
    assert "state hash differs" in recovered.skipped_snapshots[0]
    assert engine.state_hash() == expected


@pytest.mark.parametrize("where", [3, 150, 299])
def test_corruption_anywhere_refuses_start_up_naming_the_entry(where: int) -> None:
    journal, store, _ = _run(300, every=100)
    entry = journal.entries[where - 1]
    journal.entries[where - 1] = entry._replace(events=entry.events + b"\x00")
    with pytest.raises(JournalCorruptedError, match=f"journal entry {where} is corrupt"):
        recover(CashEngine, journal, store)


def test_replay_until_a_position_and_continue() -> None:
    journal, _, expected = _run(200)
    engine = CashEngine()
    half = replay(engine, journal, until_seq=120)
    assert half.last_seq == 120
    rest = replay(
        engine, journal, after_seq=half.last_seq, prev_hash=half.last_hash, check_events=True
    )
    assert rest.last_seq == 200
    assert rest.replayed == 80
    assert engine.state_hash() == expected


class _DriftingEngine(CashEngine):
    """Behaves differently on replay: the kind of bug check_events exists to catch."""

    def handle(self, command: Message, ts_ns: int) -> list[Event]:
        events = super().handle(command, ts_ns)
        if isinstance(events[0], CashRejected):
            return [CashRejected(events[0].code, "different words")]
        return events


def test_check_events_catches_a_non_deterministic_engine() -> None:
    journal, _, _ = _run(200)
    with pytest.raises(RecoveryError, match="different events"):
        recover(_DriftingEngine, journal, check_events=True)


def test_an_engine_failing_on_replay_is_a_recovery_error() -> None:
    journal, _, _ = _run(20)

    class Broken(CashEngine):
        def handle(self, command: Message, ts_ns: int) -> list[Event]:
            raise AssertionError("invariant")

    with pytest.raises(RecoveryError, match="replaying entry 1 failed"):
        recover(Broken, journal)

"""The sequencer on the in-memory journal, driven step by step (deterministic) or threaded."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

import pytest

from directbroker.domain.messages import Command, Event, Message
from directbroker.domain.rejects import RejectCode
from directbroker.protocols import codec
from directbroker.runtime import (
    ConsumerDroppedError,
    CoreHaltedError,
    InMemoryJournal,
    InMemorySnapshotStore,
    JournalEntry,
    JournalError,
    ManualClock,
    Outcome,
    Sequencer,
    recover,
    verify_journal,
)
from directbroker.testing.cash import (
    CashDeposit,
    CashDeposited,
    CashEngine,
    CashRejected,
    CashTransfer,
    CashTransferred,
)


@dataclass(frozen=True, slots=True)
class ExplodeForTest(Command):
    """A command the test engine treats as a broken invariant."""

    why: str


class ExplodingEngine(CashEngine):
    def handle(self, command: Message, ts_ns: int) -> list[Event]:
        if isinstance(command, ExplodeForTest):
            raise AssertionError(command.why)
        return super().handle(command, ts_ns)


def _setup(**kwargs: object) -> tuple[Sequencer, CashEngine, InMemoryJournal, list[Outcome]]:
    engine = ExplodingEngine()
    journal = InMemoryJournal()
    sequencer = Sequencer(engine, journal, ManualClock(step_ns=1), **kwargs)  # type: ignore[arg-type]
    return sequencer, engine, journal, []


def test_a_batch_is_one_commit_and_outcomes_come_after_it() -> None:
    sequencer, engine, journal, outcomes = _setup()
    seen_commits: list[int] = []

    def record(outcome: Outcome) -> None:
        seen_commits.append(journal.commits)
        outcomes.append(outcome)

    sequencer.submit(CashDeposit("alice", 100), client_id="d1", on_outcome=record)
    sequencer.submit(CashTransfer("alice", "bob", 30), client_id="t1", on_outcome=record)
    sequencer.submit(CashTransfer("alice", "bob", 500), client_id="t2", on_outcome=record)
    assert outcomes == []
    assert sequencer.run_once() == 3
    assert journal.commits == 1
    assert seen_commits == [1, 1, 1]
    assert [o.seq for o in outcomes] == [1, 2, 3]
    assert outcomes[0].events == (CashDeposited("alice", 100, 100),)
    assert outcomes[1].events == (CashTransferred("alice", "bob", 30),)
    assert outcomes[2].events == (
        CashRejected(RejectCode.INSUFFICIENT_BUYING_POWER, "insufficient funds"),
    )
    assert engine.balances == {"alice": 70, "bob": 30}
    assert verify_journal(journal).entries == 3
    assert codec.decode(journal.entries[1].command) == CashTransfer("alice", "bob", 30)


def test_stamps_are_monotonic_even_if_the_clock_steps_back() -> None:
    clock = ManualClock(start_ns=5_000)
    sequencer = Sequencer(CashEngine(), InMemoryJournal(), clock)
    outcomes: list[Outcome] = []
    sequencer.submit(CashDeposit("a", 1), on_outcome=outcomes.append)
    sequencer.run_once()
    clock.set(1_000)
    sequencer.submit(CashDeposit("a", 1), on_outcome=outcomes.append)
    sequencer.run_once()
    assert [o.ts_ns for o in outcomes] == [5_000, 5_000]
    assert [o.seq for o in outcomes] == [1, 2]


def test_a_retried_command_returns_the_original_outcome_and_applies_once() -> None:
    sequencer, engine, journal, outcomes = _setup()
    sequencer.submit(CashDeposit("alice", 100), client_id="dep-1", on_outcome=outcomes.append)
    sequencer.run_once()
    # Retry in a later batch, and twice inside one batch.
    for _ in range(3):
        sequencer.submit(CashDeposit("alice", 100), client_id="dep-1", on_outcome=outcomes.append)
    sequencer.submit(CashDeposit("bob", 5), client_id="dep-2", on_outcome=outcomes.append)
    sequencer.submit(CashDeposit("bob", 5), client_id="dep-2", on_outcome=outcomes.append)
    sequencer.run_once()
    assert engine.balances == {"alice": 100, "bob": 5}
    assert len(journal.entries) == 2
    assert [(o.seq, o.duplicate) for o in outcomes] == [
        (1, False), (1, True), (1, True), (1, True), (2, False), (2, True),
    ]  # fmt: skip
    assert outcomes[1].events == outcomes[0].events


def test_on_batch_runs_after_every_batch_even_one_of_retries_alone() -> None:
    reported: list[int] = []
    sequencer, _, journal, outcomes = _setup(on_batch=reported.append)
    sequencer.submit(CashDeposit("alice", 100), client_id="dep-1", on_outcome=outcomes.append)
    sequencer.run_once()
    # A batch of retries commits nothing, but its outcomes are resolved and must be reported.
    sequencer.submit(CashDeposit("alice", 100), client_id="dep-1", on_outcome=outcomes.append)
    sequencer.run_once()
    assert reported == [1, 1]
    assert len(journal.entries) == 1
    assert [o.duplicate for o in outcomes] == [False, True]


def test_a_client_id_reused_for_another_command_is_refused() -> None:
    sequencer, engine, _, outcomes = _setup()
    sequencer.submit(CashDeposit("alice", 100), client_id="x", on_outcome=outcomes.append)
    sequencer.run_once()
    sequencer.submit(CashDeposit("alice", 999), client_id="x", on_outcome=outcomes.append)
    sequencer.submit(CashDeposit("bob", 1), client_id="y", on_outcome=outcomes.append)
    sequencer.submit(CashDeposit("bob", 2), client_id="y", on_outcome=outcomes.append)
    sequencer.run_once()
    assert outcomes[1].reject is RejectCode.CLIENT_ID_REUSED
    assert outcomes[1].seq == 1
    assert outcomes[3].reject is RejectCode.CLIENT_ID_REUSED
    assert engine.balances == {"alice": 100, "bob": 1}


def test_bad_client_ids_and_unencodable_commands_are_refused_without_journaling() -> None:
    sequencer, _, journal, outcomes = _setup()
    sequencer.submit(CashDeposit("a", 1), client_id="", on_outcome=outcomes.append)
    sequencer.submit(CashDeposit("a", 1), client_id="x" * 65, on_outcome=outcomes.append)
    sequencer.submit(CashDeposit("a", object()), on_outcome=outcomes.append)  # type: ignore[arg-type]
    sequencer.run_once()
    assert [o.reject for o in outcomes] == [
        RejectCode.INVALID_ID,
        RejectCode.INVALID_ID,
        RejectCode.MALFORMED,
    ]
    assert journal.entries == []


def test_a_broken_invariant_halts_and_nothing_of_the_batch_is_acknowledged() -> None:
    sequencer, _, journal, outcomes = _setup()
    sequencer.submit(CashDeposit("a", 1), on_outcome=outcomes.append)
    sequencer.run_once()
    sequencer.submit(CashDeposit("a", 2), on_outcome=outcomes.append)
    sequencer.submit(ExplodeForTest("boom"), on_outcome=outcomes.append)
    sequencer.submit(CashDeposit("a", 3), on_outcome=outcomes.append)
    sequencer.run_once()
    assert len(journal.entries) == 1
    assert [o.reject for o in outcomes[1:]] == [RejectCode.CORE_HALTED] * 3
    assert isinstance(sequencer.failure, AssertionError)
    with pytest.raises(CoreHaltedError):
        sequencer.submit(CashDeposit("a", 4))
    with pytest.raises(CoreHaltedError, match="boom"):
        sequencer.stop()
    # Crash-only: a restart recovers exactly the acknowledged state.
    engine, recovered = recover(CashEngine, journal)
    assert engine.balances == {"a": 1}
    assert recovered.last_seq == 1


def test_a_failed_commit_halts_without_acknowledging() -> None:
    sequencer, _, journal, outcomes = _setup()
    journal.fail_next_append = OSError("disk gone")
    sequencer.submit(CashDeposit("a", 1), on_outcome=outcomes.append)
    sequencer.run_once()
    assert outcomes[0].reject is RejectCode.CORE_HALTED
    assert isinstance(sequencer.failure, OSError)
    assert journal.entries == []


def test_a_full_inbox_refuses_instead_of_blocking_when_asked() -> None:
    sequencer, _, _, outcomes = _setup(inbox_capacity=2)
    assert sequencer.submit(CashDeposit("a", 1), block=False)
    assert sequencer.submit(CashDeposit("a", 1), block=False)
    assert not sequencer.submit(CashDeposit("a", 1), block=False, on_outcome=outcomes.append)
    assert not sequencer.submit(CashDeposit("a", 1), timeout=0.01, on_outcome=outcomes.append)
    assert [o.reject for o in outcomes] == [RejectCode.OVERLOADED] * 2


def test_batches_are_bounded_by_max_batch() -> None:
    sequencer, _, journal, _ = _setup(max_batch=4)
    for i in range(10):
        sequencer.submit(CashDeposit("a", i + 1))
    assert [sequencer.run_once() for _ in range(4)] == [4, 4, 2, 0]
    assert journal.commits == 3


def test_consumers_get_committed_events_and_a_slow_one_is_dropped() -> None:
    sequencer, _, _, _ = _setup()
    fast = sequencer.subscribe("fast", capacity=100)
    slow = sequencer.subscribe("slow", capacity=3)
    for i in range(2):
        sequencer.submit(CashDeposit("a", i + 1), client_id=f"c{i}")
    sequencer.run_once()
    first = slow.get(timeout=0)
    assert first is not None
    assert first.seq == 1
    for i in range(2, 6):
        sequencer.submit(CashDeposit("a", i + 1))
    sequencer.run_once()  # would put slow at 5 > 3: dropped, core not blocked
    assert slow.dropped
    with pytest.raises(ConsumerDroppedError, match="after seq 1"):
        slow.get(timeout=0)
    deliveries = fast.get_batch(100, timeout=0)
    assert [d.seq for d in deliveries] == [1, 2, 3, 4, 5, 6]
    assert deliveries[0].client_id == "c0"
    assert deliveries[0].events == (CashDeposited("a", 1, 1),)
    fast.close()
    assert fast.get(timeout=0) is None


def test_snapshots_are_taken_periodically_and_pruned() -> None:
    store = InMemorySnapshotStore()
    sequencer, _, journal, _ = _setup(snapshots=store, snapshot_every=5, keep_snapshots=2)
    for i in range(23):
        sequencer.submit(CashDeposit("a", i + 1))
        sequencer.run_once()
    assert [s.seq for s in store.snapshots] == [15, 20]
    newest = store.snapshots[-1]
    assert newest.intact
    assert newest.entry_hash == journal.entries[19].hash
    restored = CashEngine()
    restored.restore(newest.data)
    assert restored.state_hash() == newest.state_hash


class _SlowDiskJournal(InMemoryJournal):
    """Each commit takes a millisecond, like an fsync: inputs pile up behind it."""

    def append(self, entries: Sequence[JournalEntry]) -> None:
        time.sleep(0.001)
        super().append(entries)


def test_threaded_sequencer_under_concurrent_producers() -> None:
    journal = _SlowDiskJournal()
    engine = CashEngine()
    sequencer = Sequencer(engine, journal, ManualClock(step_ns=1), max_batch=64)
    sequencer.start()
    outcomes: list[Outcome] = []
    lock = threading.Lock()

    def produce(worker: int) -> None:
        for i in range(500):
            outcome = sequencer.call(
                CashDeposit(f"w{worker}", 1), client_id=f"{worker}-{i % 400}", timeout=10
            )
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=produce, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sequencer.stop()
    assert len(outcomes) == 2000
    assert sum(o.duplicate for o in outcomes) == 400
    assert engine.balances == {f"w{w}": 400 for w in range(4)}
    assert len(journal.entries) == 1600
    assert journal.commits < 1000  # group commit: inputs waiting behind a commit share the next
    assert [e.seq for e in journal.entries] == list(range(1, 1601))


def test_a_sequencer_needs_recovery_before_running_on_a_non_empty_journal() -> None:
    journal = InMemoryJournal()
    first = Sequencer(CashEngine(), journal, ManualClock())
    first.submit(CashDeposit("a", 1))
    first.stop()
    with pytest.raises(JournalError, match="recover"):
        Sequencer(CashEngine(), journal, ManualClock())
    engine, recovered = recover(CashEngine, journal)
    second = Sequencer(engine, journal, ManualClock(), position=recovered)
    second.submit(CashDeposit("a", 1))
    second.stop()
    assert engine.balances == {"a": 2}
    assert verify_journal(journal).ok

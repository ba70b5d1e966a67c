"""The journal port's contract on the real databases: durable group commit, streaming reads,
the idempotency index, snapshots, restart, and tampering detected by verify and start-up."""

from __future__ import annotations

import subprocess
import sys

import pytest

from directbroker.app import journal_cli
from directbroker.runtime import (
    JournalCorruptedError,
    JournalError,
    ManualClock,
    Sequencer,
    recover,
    take_snapshot,
    verify_journal,
)
from directbroker.testing.cash import CashDeposit, CashEngine
from directbroker.testing.storage import Backend, fill
from directbroker.testing.workload import cash_command


def test_entries_round_trip_and_lookups_work(backend: Backend) -> None:
    with backend.open() as storage:
        journal = storage.journal
        assert journal.tail() is None
        fill(journal, 250, batch=100)
        tail = journal.tail()
        assert tail is not None
        assert tail.seq == 250
        entries = list(journal.read())
        assert [e.seq for e in entries] == list(range(1, 251))
        assert [e.seq for e in journal.read(10, 12)] == [11, 12]
        assert journal.get(7) == entries[6]
        assert journal.get(999) is None
        found = journal.find_client_ids([f"c{i}" for i in range(0, 700, 3)] + ["nope"])
        assert {k: v.seq for k, v in found.items()} == {f"c{i}": i for i in range(3, 251, 3)}
        assert verify_journal(journal).ok


def test_a_bad_batch_is_refused_whole(backend: Backend) -> None:
    with backend.open() as storage:
        entries = fill(storage.journal, 5, batch=5)
        clash = entries[-1]
        bad = [clash._replace(seq=6), clash._replace(seq=7, client_id="c3")]
        with pytest.raises(JournalError):
            storage.journal.append(bad)
        with pytest.raises(JournalError, match="expected 6"):
            storage.journal.append([clash._replace(seq=9)])
        assert [e.seq for e in storage.journal.read()] == [1, 2, 3, 4, 5]


def test_restart_replays_to_the_same_state_and_retries_get_the_original_outcome(
    backend: Backend,
) -> None:
    with backend.open() as storage:
        engine, recovered = recover(CashEngine, storage.journal, storage.snapshots)
        sequencer = Sequencer(
            engine, storage.journal, ManualClock(step_ns=3), position=recovered,
            snapshots=storage.snapshots, snapshot_every=100, max_batch=50,
        )  # fmt: skip
        sequencer.start()
        first = [sequencer.call(cash_command(i), client_id=f"c{i}", timeout=10) for i in range(5)]
        for i in range(5, 450):
            sequencer.submit(cash_command(i), client_id=f"c{i}")
        sequencer.stop()
        expected = engine.state_hash()
    with backend.open() as storage:
        engine, recovered = recover(CashEngine, storage.journal, storage.snapshots)
        assert recovered.state_hash == expected
        assert 400 <= recovered.snapshot_seq < 450  # taken at the first batch end past 400
        assert recovered.replayed == 450 - recovered.snapshot_seq
        _, from_scratch = recover(CashEngine, storage.journal, None, check_events=True)
        assert from_scratch.state_hash == expected
        sequencer = Sequencer(engine, storage.journal, ManualClock(), position=recovered)
        sequencer.start()
        retried = [sequencer.call(cash_command(i), client_id=f"c{i}", timeout=10) for i in range(5)]
        fresh = sequencer.call(CashDeposit("new", 1), client_id="fresh", timeout=10)
        sequencer.stop()
        assert [(o.seq, o.events, o.duplicate) for o in retried] == [
            (o.seq, o.events, True) for o in first
        ]
        assert fresh.seq == 451
        assert verify_journal(storage.journal).entries == 451


def test_snapshots_save_load_and_prune(backend: Backend) -> None:
    with backend.open() as storage:
        entries = fill(storage.journal, 30, batch=10)
        engine = CashEngine()
        for seq in (10, 20, 30):
            engine.balances["x"] = seq
            storage.snapshots.save(take_snapshot(engine, seq, seq, entries[seq - 1].hash))
        storage.snapshots.prune(2)
        loaded = list(storage.snapshots.newest_first())
        assert [s.seq for s in loaded] == [30, 20]
        assert all(s.intact for s in loaded)
        assert loaded[0].data == engine.snapshot()


def _tamper_middle_entry(backend: Backend) -> None:
    backend.execute(
        "UPDATE journal SET command = ? WHERE seq = 57",
        (backend.execute("SELECT command FROM journal WHERE seq = 57")[0][0][:-1] + b"\xff",),
    )


def test_tampering_is_reported_by_verify_and_refused_at_start_up(backend: Backend) -> None:
    with backend.open() as storage:
        fill(storage.journal, 120, batch=40)
        storage.snapshots.save(
            take_snapshot(CashEngine(), 100, 0, storage.journal.get(100).hash)  # type: ignore[union-attr]
        )
    assert journal_cli.main(["journal", "verify", *backend.cli_args]) == journal_cli.EXIT_OK
    _tamper_middle_entry(backend)
    with backend.open() as storage:
        report = verify_journal(storage.journal)
        assert report.bad_seq == 57
        assert report.entries == 56
        # Even with a snapshot past the damage, start-up re-checks the prefix and refuses.
        with pytest.raises(JournalCorruptedError, match="journal entry 57 is corrupt"):
            recover(CashEngine, storage.journal, storage.snapshots)
    assert journal_cli.main(["journal", "verify", *backend.cli_args]) == journal_cli.EXIT_CORRUPT


def test_verify_command_line(backend: Backend) -> None:
    with backend.open() as storage:
        fill(storage.journal, 80, batch=80)
    run = [sys.executable, "-m", "directbroker.app.journal_cli", "journal", "verify"]
    good = subprocess.run([*run, *backend.cli_args], capture_output=True, text=True, check=False)
    assert good.returncode == 0, good.stderr
    assert "journal OK: 80 entries" in good.stdout
    backend.execute("DELETE FROM journal WHERE seq = 33")
    bad = subprocess.run([*run, *backend.cli_args], capture_output=True, text=True, check=False)
    assert bad.returncode == 1
    assert "journal CORRUPT at entry 33: missing" in bad.stderr


def test_verify_reports_an_unusable_location(capsys: pytest.CaptureFixture[str]) -> None:
    status = journal_cli.main(["journal", "verify", "--sqlite", "/nonexistent/journal.db"])
    assert status == journal_cli.EXIT_UNUSABLE
    assert "cannot open the journal" in capsys.readouterr().err

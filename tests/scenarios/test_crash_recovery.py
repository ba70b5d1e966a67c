"""SIGKILL the sequencer at random moments under load; nothing acknowledged may be lost, nothing
applied twice or by half, and replay must reproduce the state hashes the core reported.

``DIRECTBROKER_CRASH_KILLS=1000`` runs a longer campaign (default: 50 kills on SQLite and 10 on
PostgreSQL); ``DIRECTBROKER_CRASH_SEED`` changes the kill timing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from directbroker.adapters.storage.postgres import PostgresStorage
from directbroker.adapters.storage.sqlite import SqliteStorage
from directbroker.testing.crash_harness import run_crash_test

KILLS = int(os.environ.get("DIRECTBROKER_CRASH_KILLS", "50"))
SEED = int(os.environ.get("DIRECTBROKER_CRASH_SEED", "20240601"))


@pytest.mark.slow
@pytest.mark.timeout(1800 + KILLS * 3)
def test_sqlite_survives_repeated_sigkill(tmp_path: Path) -> None:
    path = tmp_path / "journal.db"
    with SqliteStorage(path) as storage:
        report = run_crash_test(["--sqlite", str(path)], storage.journal, kills=KILLS, seed=SEED)
    assert report.kills == KILLS
    assert report.commands > KILLS * 10
    assert report.entries == report.commands
    # Kills landed under load: most rounds acknowledged something before dying.
    assert sum(1 for n in report.acked_at_kill if n > 0) > KILLS // 2


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.timeout(1800 + KILLS * 3)
def test_postgres_survives_repeated_sigkill(postgres_dsn: str) -> None:
    kills = max(10, KILLS // 5)
    with PostgresStorage(postgres_dsn) as storage:
        report = run_crash_test(
            ["--postgres", postgres_dsn], storage.journal, kills=kills, seed=SEED + 1
        )
    assert report.kills == kills
    assert report.entries == report.commands


@pytest.mark.slow
@pytest.mark.timeout(1800 + KILLS * 3)
def test_venue_matching_engine_survives_repeated_sigkill(tmp_path: Path) -> None:
    kills = max(15, KILLS // 3)
    path = tmp_path / "venue.db"
    with SqliteStorage(path) as storage:
        report = run_crash_test(
            ["--sqlite", str(path)],
            storage.journal,
            kills=kills,
            workload="directbroker.testing.venue_workload:venue_workload",
            seed=SEED + 2,
        )
    assert report.kills == kills
    assert report.entries == report.commands

"""``directbroker simulate-firm`` as a user runs it: a small firm grown over three simulated
months through the real server; its broker journal shows accounts opened, funded and trading
in every month, as the plan says, though the first run was interrupted after a month and
the same command resumed it; running it again leaves the finished firm as it is, and
asking for another plan on the same directory is refused and changes nothing. (Two years of a
firm run only with ``DIRECTBROKER_LONG=1``.)"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from directbroker.app.broker_journal import broker_entries
from directbroker.app.firm_growth import growth_plan
from directbroker.domain.ledger_messages import AccountOpened, DepositCredited, ExecutionRecorded
from tests.e2e.monthly_recount import differences

NEW_YORK = ZoneInfo("America/New_York")


def simulate(data: Path, *args: str, timeout: float = 180.0) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "TERM": "dumb"}
    return subprocess.run(
        [sys.executable, "-m", "directbroker.app.cli", "simulate-firm", "--data-dir", str(data),
         *args],
        capture_output=True, text=True, timeout=timeout, env=env, check=False,
    )  # fmt: skip


def by_month(data: Path) -> dict[str, Counter[str]]:
    """Per New York month: accounts opened, deposits credited, executions recorded."""
    months: dict[str, Counter[str]] = {}
    for _, (_, events, ts) in broker_entries(data):
        month = datetime.fromtimestamp(ts / 1e9, UTC).astimezone(NEW_YORK).strftime("%Y-%m")
        counts = months.setdefault(month, Counter())
        for event in events:
            if isinstance(event, AccountOpened):
                counts["opened"] += 1
            elif isinstance(event, DepositCredited):
                counts["deposits"] += 1
            elif isinstance(event, ExecutionRecorded):
                counts["executions"] += 1
    return months


def test_a_small_firm_grows_month_by_month_resumes_and_a_second_run_changes_nothing(
    tmp_path: Path,
) -> None:
    data = tmp_path / "firm"
    args = ("--months", "3", "--accounts", "12", "--start", "2024-01-01", "--seed", "5")

    # Interrupted once its first month is done: it stops the firm cleanly ...
    with subprocess.Popen(
        [sys.executable, "-m", "directbroker.app.cli", "simulate-firm", "--data-dir", str(data),
         *args],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "COLUMNS": "200", "TERM": "dumb"},
    ) as first:  # fmt: skip
        assert first.stdout is not None
        seen = []
        for line in first.stdout:
            seen.append(line)
            if line.startswith("2024-01"):
                first.send_signal(signal.SIGINT)
                break
        seen.extend(first.stdout)
        assert first.wait(60) == 130, "".join(seen)

    # ... and the same command goes on from where the firm's clock is.
    done = simulate(data, *args)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = [line for line in done.stdout.splitlines() if line.startswith("2024-")]
    assert [line[:7] for line in lines][-2:] == ["2024-02", "2024-03"]

    plan = growth_plan(date(2024, 1, 1), 3, 12, seed=5)
    months = by_month(data)
    for number, month in enumerate(("2024-01", "2024-02", "2024-03")):
        counts = months[month]
        assert counts["opened"] == len(plan.opening_in(number)), (month, counts)
        assert counts["deposits"] >= 1, (month, counts)
        assert counts["executions"] >= 1, (month, counts)
    assert sum(c["opened"] for c in months.values()) == 12
    # The growth curve: more accounts open later than sooner.
    assert months["2024-03"]["opened"] >= months["2024-01"]["opened"]

    entries = sum(1 for _ in broker_entries(data))
    again = simulate(data, *args)
    assert again.returncode == 0 and "already simulated" in again.stdout
    other = simulate(data, "--accounts", "13")
    assert other.returncode == 2 and "planned with --accounts 12" in other.stderr
    assert sum(1 for _ in broker_entries(data)) == entries


@pytest.mark.skipif(os.environ.get("DIRECTBROKER_LONG") != "1", reason="DIRECTBROKER_LONG=1")
def test_two_years_of_a_firm(tmp_path: Path) -> None:
    data = tmp_path / "firm"
    done = simulate(data, "--months", "24", "--accounts", "20", timeout=3600.0)
    assert done.returncode == 0, done.stdout + done.stderr
    months = by_month(data)
    plan = growth_plan(date(2024, 1, 1), 24, 20, seed=1)
    for number in range(24):
        month = plan.month_start(number).strftime("%Y-%m")
        assert months[month]["executions"] >= 1, month
    assert sum(c["opened"] for c in months.values()) == 20
    # The monthly report equals a brute-force recount of the journal, every month of the two
    # years; and with no fault injected, the clearing firm agreed with the books every day.
    assert differences(data) == []
    reports = sorted((data / "backoffice" / "recon").glob("*.json"))
    assert len(reports) >= 480
    assert [p.name for p in reports if not json.loads(p.read_text())["clean"]] == []

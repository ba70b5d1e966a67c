"""``benchmarks/api_bench.py --quick`` runs end to end (the real platform, the bare endpoint and
the client's ceiling, every phase) and reports in the documented shape. How fast anything is
is the benchmark's business, never this test's: only the report's form is checked."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
LEVELS = [1, 8, 32, 128]
PERCENTILES = ("p50_ms", "p90_ms", "p99_ms", "max_ms")


def _numbers(row: dict[str, Any], keys: tuple[str, ...]) -> None:
    for key in keys:
        assert isinstance(row[key], int | float), (key, row)


@pytest.mark.timeout(400)
def test_quick_run_reports_every_phase_for_every_target(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "api_bench.py"), "--quick", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=360,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    for heading in ("Closed loop", "Overload", "Trade updates", "Goals"):
        assert heading in done.stdout, done.stdout
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["quick"] is True

    rows = report["closed_loop"]
    for target in ("client", "bare", "platform"):
        mine = [row for row in rows if row["target"] == target]
        assert [row["connections"] for row in mine] == LEVELS, mine
        for row in mine:
            # Every connection completes at least its first request, and the book takes it.
            assert row["orders"] > 0, row
            _numbers(row, ("orders_per_s", *PERCENTILES, "timeouts"))
            assert row["p50_ms"] <= row["p90_ms"] <= row["p99_ms"] <= row["max_ms"], row
    assert set(report["ratios"]) == {str(level) for level in LEVELS}

    overload = report["overload"]
    _numbers(overload, ("offered_per_s", "sent_per_s", "requests", "admitted", "timeouts"))
    assert (
        sum(overload["statuses"].values()) + overload["timeouts"] + overload["errors"]
        == (overload["requests"])
    )

    updates = report["trade_updates"]
    assert updates["fills"] + updates["missing"] > 0
    if updates["fills"]:
        _numbers(updates["ack_to_update"], ("p50_ms", "p99_ms"))
        _numbers(updates["send_to_update"], ("p50_ms", "p99_ms"))

    goals = {goal["goal"] for goal in report["goals"]}
    assert any("2000" in goal for goal in goals) and any("bare" in goal for goal in goals)

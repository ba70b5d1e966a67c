"""``benchmarks/fix_bench.py --quick`` runs end to end and reports in the documented shape.
How fast anything is is the benchmark's business, never this test's."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.timeout(120)
def test_quick_run_reports_codec_and_round_trips(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "fix_bench.py"), "--quick", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=100,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Codec" in done.stdout and "Round trips" in done.stdout, done.stdout
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["quick"] is True
    for key in ("parse_per_s", "simplefix_parse_per_s", "encode_per_s", "simplefix_encode_per_s"):
        assert report["codec"][key] > 0, report["codec"]
    for mode, window in (("pipelined", 100), ("ping_pong", 1)):
        row = report[mode]
        assert row["window"] == window
        assert row["round_trips"] > 0, row
        assert row["p50_ms"] <= row["p90_ms"] <= row["p99_ms"] <= row["max_ms"], row

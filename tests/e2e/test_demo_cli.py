"""The README's main command, run as a newcomer would (without the live screen)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path


def test_demo_runs_a_short_session_and_prints_the_market(tmp_path: Path) -> None:
    env = {**os.environ, "COLUMNS": "160", "TERM": "dumb"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "directbroker.app.cli",
            "demo",
            "--duration",
            "6",
            "--rate",
            "150",
            "--speed",
            "5000",
            "--no-live",
            "--data-dir",
            str(tmp_path / "data"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "National best bid and offer" in out
    assert "Level II" in out
    assert "Time and sales" in out
    match = re.search(r"trades ([\d,]+)", out)
    assert match is not None
    assert int(match.group(1).replace(",", "")) > 0
    # At 5,000 times real speed the six seconds hold a whole session (both crosses), the
    # status line shows the firm's simulated date and phase, and the journals verify.
    assert re.search(
        r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d ET (pre market|regular|after hours|closed)", out
    )
    journal = re.search(r"--sqlite (\S+)", out)
    assert journal is not None
    verify = subprocess.run(
        [sys.executable, "-m", "directbroker.app.cli", "journal", "verify", "--sqlite",
         journal.group(1)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )  # fmt: skip
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_cli_lists_its_commands() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "directbroker.app.cli", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0
    assert "demo" in result.stdout
    assert "journal" in result.stdout

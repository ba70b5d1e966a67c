"""FIX session acceptance: every script replayed over TCP against ``directbroker fix
acceptance-server``.

FIX 4.2 uses the industry's 63 server-side acceptance scripts (read from the shared test
data beside the repository, never copied in); FIX 4.4 uses our own equivalents in
``tests/data/fix44``. The acceptor runs as a subprocess, as an operator would start it.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.fix_script import replay

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("DIRECTBROKER_SHARED_DIR", REPO_ROOT.parent / "shared"))
"""The shared test data beside the repository (a worktree elsewhere may point at it)."""
FIX42_SCRIPTS = SHARED / "fix-acceptance" / "fix42"
FIX44_SCRIPTS = REPO_ROOT / "tests" / "data" / "fix44"
SLOW = frozenset({"4a_NoDataSentDuringHeartBtInt.def", "6_SendTestRequest.def"})
"""Scripts that wait out heartbeat intervals (about 12 and 35 seconds)."""


def _scripts(folder: Path) -> list[object]:
    if not folder.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"{folder} is absent"))]
    return [
        pytest.param(path, id=path.stem, marks=[pytest.mark.slow] if path.name in SLOW else [])
        for path in sorted(folder.glob("*.def"))
    ]


def _start_server(version: str) -> Iterator[int]:
    command = [
        sys.executable,
        "-m",
        "directbroker.app.cli",
        "fix",
        "acceptance-server",
        "--port",
        "0",
        "--version",
        version,
    ]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert "listening on" in line, f"the acceptor did not start: {line!r}"
        yield int(line.rsplit(":", 1)[1])
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


@pytest.fixture(scope="module")
def fix42_port() -> Iterator[int]:
    yield from _start_server("4.2")


@pytest.fixture(scope="module")
def fix44_port() -> Iterator[int]:
    yield from _start_server("4.4")


@pytest.mark.parametrize("script", _scripts(FIX42_SCRIPTS))
def test_fix42_acceptance_script(script: Path, fix42_port: int) -> None:
    asyncio.run(replay("127.0.0.1", fix42_port, script))


@pytest.mark.parametrize("script", _scripts(FIX44_SCRIPTS))
def test_fix44_acceptance_script(script: Path, fix44_port: int) -> None:
    asyncio.run(replay("127.0.0.1", fix44_port, script))


def test_all_63_fix42_scripts_are_present() -> None:
    if not FIX42_SCRIPTS.is_dir():
        pytest.skip(f"{FIX42_SCRIPTS} is absent")
    assert len(list(FIX42_SCRIPTS.glob("*.def"))) == 63

"""The platform as a user runs it: ``directbroker demo``/``serve`` in a subprocess, with durable
journals in a data directory, at the default order-flow rate.

:class:`RunningFirm` starts the command, waits for it to print its API address (and, for the
demo, its customers' keys), and stops it with SIGTERM (a clean stop) or SIGKILL (a crash).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import TypeVar

import httpx

T = TypeVar("T")

_URL = re.compile(r"(http://127\.0\.0\.1:\d+)")
_KEY = re.compile(r"APCA-API-KEY-ID=(\S+)\s+APCA-API-SECRET-KEY=(\S+)\s+\(account (\S+?)[,)]")


class RunningFirm:
    """``directbroker ARGS`` as a subprocess; its output is collected on a thread."""

    def __init__(
        self,
        args: Sequence[str],
        cwd: Path,
        startup_timeout: float = 90.0,
        launcher: Sequence[str] = ("-m", "directbroker.app.cli"),
    ) -> None:
        self.args = list(args)
        self.launcher = list(launcher)
        """How Python runs the command (a wrapper script may stand in for the module)."""
        self.cwd = cwd
        self.startup_timeout = startup_timeout
        self.lines: list[str] = []
        self.url = ""
        self.keys: dict[str, tuple[str, str]] = {}
        """account -> (key id, secret), as the demo printed them."""
        self._process: subprocess.Popen[str] | None = None
        self._reader: threading.Thread | None = None

    @property
    def process(self) -> subprocess.Popen[str]:
        """The running command."""
        assert self._process is not None, "not started"
        return self._process

    def start(self, wait_for_keys: int = 0) -> RunningFirm:
        """Start and wait until the API answers (and ``wait_for_keys`` keys were printed)."""
        env = {**os.environ, "COLUMNS": "200", "TERM": "dumb", "PYTHONUNBUFFERED": "1"}
        self._process = subprocess.Popen(
            [sys.executable, *self.launcher, *self.args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=self.cwd,
            env=env,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        deadline = time.monotonic() + self.startup_timeout
        while not self.url or len(self.keys) < wait_for_keys:
            if self.process.poll() is not None:
                raise RuntimeError("the command exited early:\n" + self.output)
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError("the command did not start in time:\n" + self.output)
            time.sleep(0.05)
        self.wait_until_answering()
        return self

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        for line in stream:
            self.lines.append(line)
            if not self.url and (found := _URL.search(line)):
                self.url = found.group(1)
            if key := _KEY.search(line):
                self.keys[key.group(3)] = (key.group(1), key.group(2))

    def wait_until_answering(self, timeout: float = 30.0) -> None:
        """Poll ``/v2/clock`` (no auth needed to get an answer) until the server answers."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                httpx.get(f"{self.url}/v2/clock", timeout=2.0)
                return
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def headers(self, account: str) -> dict[str, str]:
        """Alpaca's key headers for a demo account."""
        key, secret = self.keys[account]
        return {"APCA-API-KEY-ID": key, "APCA-API-SECRET-KEY": secret}

    @property
    def output(self) -> str:
        """Everything the command printed so far."""
        return "".join(self.lines)

    def terminate(self, timeout: float = 30.0) -> int:
        """SIGTERM (a clean stop) and wait; returns the exit status."""
        self.process.send_signal(signal.SIGTERM)
        return self._wait(timeout)

    def kill(self) -> None:
        """SIGKILL: a crash, nothing gets to clean up."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._wait(30.0)

    def _wait(self, timeout: float) -> int:
        status = self.process.wait(timeout)
        if self._reader is not None:
            self._reader.join(5)
        if self.process.stdout is not None:
            self.process.stdout.close()
        return status

    def __enter__(self) -> RunningFirm:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.kill()


SESSION_START = "2026-11-30T09:29:55-05:00"
"""A Monday, five seconds before the open: tests that trade start a new firm's simulated clock
here, so they run inside a session whatever time of day the wall clock says."""

SIM_SESSION = ("--clock", "sim", "--speed", "1", "--start", SESSION_START)
"""``serve`` options for a simulated clock at real speed from :data:`SESSION_START`."""


def demo_args(data_dir: Path, *extra: str) -> list[str]:
    """``demo`` at its default rate, without the live screen, on ``data_dir``, any free port,
    its simulated clock starting a new firm at :data:`SESSION_START`."""
    return ["demo", "--no-live", "--data-dir", str(data_dir), "--api-port", "0",
            "--start", SESSION_START, *extra]  # fmt: skip


def cpu_burners(count: int) -> list[subprocess.Popen[bytes]]:
    """``count`` processes that keep a core busy each (a loaded machine)."""
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]


def stop_all(processes: Sequence[subprocess.Popen[bytes]]) -> None:
    """Kill and reap ``processes``."""
    for process in processes:
        process.kill()
    for process in processes:
        process.wait(10)


def until(probe: Callable[[], T | None], what: str, timeout: float = 60.0) -> T:
    """Poll until ``probe`` answers something true (the server works asynchronously)."""
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)

"""The simulated firm's server: ``directbroker serve`` in a child process, started and stopped.

``directbroker simulate-firm`` runs the very firm a user runs, so it starts ``serve`` on the
data directory with the configuration it wrote, reads the API address the server prints, and
stops it with SIGTERM (a clean stop: everything admitted is applied and journaled). Running the
firm in its own process also gives the platform its own interpreter lock, so the driver's
requests do not slow the market down. While the driver does a day's work it holds the firm's
simulated clock still (``serve``'s SIGUSR1, released with SIGUSR2), so the session never runs
out under a slow day's work.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from pathlib import Path
from types import TracebackType

STARTUP_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 60.0
_URL = re.compile(r"is serving .* at (http://[0-9.]+:\d+)")


class FirmProcessError(RuntimeError):
    """The server did not start, or stopped on its own (its last lines are in the message)."""


class FirmProcess:
    """``directbroker serve --data-dir DATA --config CONFIG --api-port 0`` as a child."""

    def __init__(self, data_dir: Path, config: Path) -> None:
        self.data_dir = data_dir
        self.config = config
        self.url = ""
        self._lines: deque[str] = deque(maxlen=40)
        self._process: subprocess.Popen[str] | None = None
        self._reader: threading.Thread | None = None

    def start(self) -> FirmProcess:
        """Start the server and wait until it says where it serves."""
        command = [sys.executable, "-m", "directbroker.app.cli", "serve",
                   "--data-dir", str(self.data_dir), "--config", str(self.config),
                   "--api-port", "0"]  # fmt: skip
        self._process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not self.url:
            if self._process.poll() is not None:
                raise FirmProcessError("the firm did not start:\n" + self.output)
            if time.monotonic() > deadline:
                self.stop()
                raise FirmProcessError("the firm did not start in time:\n" + self.output)
            time.sleep(0.05)
        return self

    def _read(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        for line in self._process.stdout:
            self._lines.append(line)
            if not self.url and (found := _URL.search(line)):
                self.url = found.group(1)

    @property
    def output(self) -> str:
        """The server's last lines."""
        return "".join(self._lines)

    def check(self, wait_s: float = 0.0) -> None:
        """Raise :class:`FirmProcessError` if the server has stopped (or stops within
        ``wait_s``)."""
        process = self._process
        if process is None:
            return
        try:
            process.wait(wait_s)
        except subprocess.TimeoutExpired:
            return
        raise FirmProcessError(f"the firm stopped (status {process.returncode}):\n{self.output}")

    def hold(self) -> None:
        """Hold the firm's simulated clock still (SIGUSR1 to ``serve``)."""
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGUSR1)

    def release(self) -> None:
        """Let the firm's simulated clock run again (SIGUSR2 to ``serve``)."""
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGUSR2)

    def stop(self) -> int:
        """SIGTERM and wait (SIGKILL if it does not stop in time); the exit status."""
        process = self._process
        if process is None:
            return 0
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._reader is not None:
            self._reader.join(5)
        if process.stdout is not None:
            process.stdout.close()
        return process.returncode

    def __enter__(self) -> FirmProcess:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

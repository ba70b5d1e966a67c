"""The crash test: run a core under load in a child process, SIGKILL it at random moments,
restart it, and prove nothing acknowledged was lost and nothing was applied twice or by half.

After every kill the parent checks, against the journal it reads itself:

* every acknowledged command is journaled, at the sequence number its acknowledgement gave;
* the chain verifies, and replaying it (re-deriving every entry's events) reproduces the state
  hash the child reported after its last acknowledged batch and the one it recovered to;
* a retried command returns its original outcome (same sequence, marked duplicate).

At the end every command sent has been acknowledged exactly once, the journal holds exactly one
entry per command, and the workload's own invariant (for cash: money conserved) holds.
"""

from __future__ import annotations

import contextlib
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO

from directbroker.engines.core import Core
from directbroker.runtime import GENESIS_HASH, Journal, ReplayResult, replay, verify_journal
from directbroker.testing.workload import load_workload

DEFAULT_WORKLOAD = "directbroker.testing.workload:cash_workload"


@dataclass
class CrashReport:
    """What a crash run did and saw."""

    kills: int = 0
    commands: int = 0
    acknowledged: int = 0
    duplicates: int = 0
    entries: int = 0
    seconds: float = 0.0
    final_hash: str = ""
    acked_at_kill: list[int] = field(default_factory=list)


class CrashCheckError(AssertionError):
    """The run broke a durability promise (the message says which)."""


@dataclass
class _Round:
    """Shared state of one child's life between the writer thread and the reader."""

    acks: dict[int, tuple[int, bool]] = field(default_factory=dict)
    last_report: tuple[int, str] | None = None
    ready: tuple[int, str] | None = None
    bye: tuple[int, str] | None = None
    errors: list[str] = field(default_factory=list)


class CrashHarness:
    """Drives rounds of child processes against one journal. ``child_args`` names the storage
    (``["--sqlite", path]`` or ``["--postgres", dsn]``); ``journal`` is the parent's own view."""

    def __init__(
        self,
        child_args: Sequence[str],
        journal: Journal,
        *,
        workload: str = DEFAULT_WORKLOAD,
        seed: int = 0,
        kill_after: tuple[float, float] = (0.02, 0.15),
        window: int = 600,
    ) -> None:
        self._child_args = list(child_args)
        self._journal = journal
        self._workload_path = workload
        self._workload = load_workload(workload)
        self._rng = random.Random(seed)
        self._kill_after = kill_after
        self._window = window
        self._next = 0
        self._acked: dict[int, int] = {}
        self._outstanding: set[int] = set()
        self._core: Core = self._workload.new_core()
        self._position = ReplayResult(0, GENESIS_HASH, 0, 0)
        self._last_report: tuple[int, str] | None = None
        self.report = CrashReport()

    # -- one child --------------------------------------------------------------------------

    def _spawn(self, stderr: IO[bytes]) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "directbroker.testing.crash_child", *self._child_args]
        command += ["--workload", self._workload_path]
        return subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr
        )

    def _writer(self, proc: subprocess.Popen[bytes], round_: _Round, final: bool) -> None:
        assert proc.stdin is not None
        resend = sorted(self._outstanding)
        acked = sorted(self._acked)
        probes = self._rng.sample(acked, min(3, len(acked)))
        queue = resend + probes
        sent: list[int] = []
        try:
            while True:
                if not queue:
                    if final:
                        break
                    queue = list(range(self._next, self._next + 100))
                    self._next += 100
                    self._outstanding.update(queue)
                # Keep a bounded number in flight, so a kill leaves a bounded number to retry.
                while proc.poll() is None and (
                    sum(1 for i in sent if i not in round_.acks) > self._window
                ):
                    time.sleep(0.002)
                chunk, queue = queue[:100], queue[100:]
                sent += chunk
                proc.stdin.write(b"".join(b"%d\n" % i for i in chunk))
                proc.stdin.flush()
            while any(i not in round_.acks for i in sent) and proc.poll() is None:
                time.sleep(0.002)
            proc.stdin.close()
        except (BrokenPipeError, OSError, ValueError):
            return

    def _read(self, proc: subprocess.Popen[bytes], round_: _Round) -> None:
        assert proc.stdout is not None
        for raw in proc.stdout:
            if not raw.endswith(b"\n"):
                return  # cut off by the kill: half a line acknowledges nothing
            kind, *rest = raw.decode().split()
            if kind == "A":
                index, seq, dup = int(rest[0]), int(rest[1]), rest[2] == "1"
                round_.acks[index] = (seq, dup)
            elif kind == "H":
                round_.last_report = (int(rest[0]), rest[1])
            elif kind == "READY":
                round_.ready = (int(rest[0]), rest[1])
            elif kind == "BYE":
                round_.bye = (int(rest[0]), rest[1])
            elif kind == "R":
                round_.errors.append(f"command {rest[0]} refused with code {rest[1]}")

    def run_round(self, *, final: bool = False) -> _Round:
        """Start a child, load it, kill it (or, if ``final``, let it finish), then check."""
        round_ = _Round()
        with tempfile.TemporaryFile() as stderr:
            proc = self._spawn(stderr)
            reader = threading.Thread(target=self._read, args=(proc, round_), daemon=True)
            reader.start()
            while round_.ready is None and proc.poll() is None:
                time.sleep(0.001)
            if round_.ready is None:
                reader.join()
                stderr.seek(0)
                raise CrashCheckError(f"child failed to start:\n{stderr.read().decode()}")
            self._check_restart(round_.ready)
            writer = threading.Thread(target=self._writer, args=(proc, round_, final), daemon=True)
            writer.start()
            if final:
                proc.wait(timeout=120)
            else:
                time.sleep(self._rng.uniform(*self._kill_after))
                proc.kill()
                proc.wait()
                self.report.kills += 1
            reader.join()
            writer.join()
            for stream in (proc.stdin, proc.stdout):
                if stream is not None:
                    with contextlib.suppress(BrokenPipeError):  # unflushed input to a dead child
                        stream.close()
            if final and proc.returncode != 0:
                stderr.seek(0)
                raise CrashCheckError(f"child exited {proc.returncode}:\n{stderr.read().decode()}")
        if round_.errors:
            raise CrashCheckError("; ".join(round_.errors))
        self._absorb(round_)
        return round_

    # -- checks -------------------------------------------------------------------------------

    def _replay_to(self, seq: int, expected_hash: str, what: str) -> None:
        if seq > self._position.last_seq:
            self._position = replay(
                self._core,
                self._journal,
                after_seq=self._position.last_seq,
                prev_hash=self._position.last_hash,
                prev_ts_ns=self._position.last_ts_ns,
                until_seq=seq,
                check_events=True,
            )
        if self._position.last_seq != seq:
            raise CrashCheckError(f"{what}: journal ends at {self._position.last_seq}, not {seq}")
        if self._core.state_hash() != expected_hash:
            raise CrashCheckError(f"{what}: replayed state hash differs at seq {seq}")

    def _check_restart(self, ready: tuple[int, str]) -> None:
        ready_seq, ready_hash = ready
        highest_ack = max(self._acked.values(), default=0)
        if ready_seq < highest_ack:
            raise CrashCheckError(f"restart at seq {ready_seq} lost acknowledged seq {highest_ack}")
        if self._last_report is not None:
            if self._last_report[0] > ready_seq:
                raise CrashCheckError("restart lost a batch whose state hash was reported")
            self._replay_to(*self._last_report, "reported before the kill")
            self._last_report = None  # checked; a round that reports nothing leaves it unset
        self._replay_to(ready_seq, ready_hash, "recovered by the child")

    def _absorb(self, round_: _Round) -> None:
        for index, (seq, dup) in round_.acks.items():
            original = self._acked.get(index)
            if original is not None and (original != seq or not dup):
                raise CrashCheckError(
                    f"retried command {index} got seq {seq} dup={dup}, originally seq {original}"
                )
            if dup:
                self.report.duplicates += 1
            self._acked[index] = seq
            self._outstanding.discard(index)
        self.report.acked_at_kill.append(len(round_.acks))
        if round_.last_report is not None:
            self._last_report = round_.last_report
        if round_.bye is not None:
            self._last_report = round_.bye
        new_acks = [f"c{i}" for i in round_.acks]
        found = self._journal.find_client_ids(new_acks)
        for index in round_.acks:
            entry = found.get(f"c{index}")
            if entry is None or entry.seq != self._acked[index]:
                raise CrashCheckError(f"acknowledged command {index} is not journaled as acked")

    def finish(self) -> CrashReport:
        """A last clean round, then the end-to-end checks."""
        round_ = self.run_round(final=True)
        if round_.bye is None or self._outstanding:
            raise CrashCheckError("the final round did not acknowledge every command")
        seq, final_hash = round_.bye
        self._replay_to(seq, final_hash, "final state")
        verdict = verify_journal(self._journal)
        if not verdict.ok:
            raise CrashCheckError(verdict.describe())
        commands = sorted(self._acked)
        if commands != list(range(self._next)):
            raise CrashCheckError("some commands sent were never acknowledged")
        if verdict.entries != len(commands) or len(set(self._acked.values())) != len(commands):
            raise CrashCheckError(
                f"{verdict.entries} journal entries for {len(commands)} distinct commands"
            )
        self._workload.check(self._core, commands)
        self.report.commands = len(commands)
        self.report.acknowledged = len(self._acked)
        self.report.entries = verdict.entries
        self.report.final_hash = final_hash
        return self.report


def run_crash_test(
    child_args: Sequence[str],
    journal: Journal,
    *,
    kills: int,
    workload: str = DEFAULT_WORKLOAD,
    seed: int = 0,
    kill_after: tuple[float, float] = (0.02, 0.15),
) -> CrashReport:
    """``kills`` rounds ending in SIGKILL, one clean round, all checks; raises on any breach."""
    started = time.perf_counter()
    harness = CrashHarness(child_args, journal, workload=workload, seed=seed, kill_after=kill_after)
    for _ in range(kills):
        harness.run_round()
    report = harness.finish()
    report.seconds = time.perf_counter() - started
    return report

"""The clock port: the sequencer's only source of time, so engines never read one."""

from __future__ import annotations

from typing import Protocol


class Clock(Protocol):
    """Wall-clock time in nanoseconds since the Unix epoch.

    The sequencer reads it once per input and never lets stamps go backwards, so a clock that
    steps back (NTP) cannot reorder the journal.
    """

    def now_ns(self) -> int:
        """The current time in nanoseconds since the epoch."""
        ...


class ManualClock:
    """A clock that moves only when told to: deterministic tests and backtests.

    ``step_ns`` lets each reading advance time by itself, so a test can get distinct stamps
    without scripting every tick.
    """

    def __init__(self, start_ns: int = 1_700_000_000_000_000_000, step_ns: int = 0) -> None:
        self._now = start_ns
        self._step = step_ns

    def now_ns(self) -> int:
        """The current manual time (then advanced by ``step_ns``)."""
        now = self._now
        self._now += self._step
        return now

    def advance(self, delta_ns: int) -> None:
        """Move time forward; moving it back is a test bug, so it is refused."""
        if delta_ns < 0:
            raise ValueError("a manual clock only moves forward")
        self._now += delta_ns

    def set(self, now_ns: int) -> None:
        """Jump to an absolute time (may go backwards, to test the sequencer's guard)."""
        self._now = now_ns

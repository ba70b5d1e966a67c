"""The firm's clocks: the wall clock, or a simulated one that runs faster and skips idle time.

Both answer ``now_ns`` from any thread. The day driver asks a clock that ``skips`` to jump to
the next moment something is due when the market is closed (nights, weekends, holidays, the
idle parts of the extended sessions), so a simulated week takes minutes and uses the very
same driver as the wall clock. The wall itself is injected (``wall_ns``): the runtime reads no
clock of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

WallClock = Callable[[], int]


class FirmClock(Protocol):
    """The time the firm runs on (what ``/v2/clock`` reports and the cores are stamped with)."""

    skips: bool
    """Whether :meth:`skip_to` may move time forward (a simulated clock)."""

    def now_ns(self) -> int:
        """Nanoseconds since the epoch, on this clock."""
        ...

    def skip_to(self, ts_ns: int) -> None:
        """Jump forward to ``ts_ns`` when nothing is due before it (no-op for the wall)."""
        ...

    def resume_at(self, ts_ns: int) -> None:
        """Carry on from ``ts_ns``, the last time the firm's journals hold (a restart); the
        wall clock carries on from the wall."""
        ...


class RealClock:
    """The wall clock: the market opens and closes when New York's does."""

    skips = False

    def __init__(self, wall_ns: WallClock) -> None:
        self._wall = wall_ns

    def now_ns(self) -> int:
        """The wall time."""
        return self._wall()

    def skip_to(self, ts_ns: int) -> None:
        """The wall waits for no one."""

    def resume_at(self, ts_ns: int) -> None:
        """The wall is where it is."""


class SimClock:
    """Simulated time from ``start_ns``, ``speed`` times faster than the wall, that the driver
    may move forward over idle time, and that may be held still (a firm's owner pausing the
    simulation, e.g. while a client simulating its customers does a day's work). One thread
    moves it; any thread may read it (the triple it reads is replaced whole, never
    half-updated)."""

    skips = True

    def __init__(self, start_ns: int, speed: float, wall_ns: WallClock) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self._wall = wall_ns
        self._origin = (start_ns, wall_ns(), False)

    @property
    def held(self) -> bool:
        """Whether the clock is held still."""
        return self._origin[2]

    def now_ns(self) -> int:
        """The simulated time now."""
        sim, wall, held = self._origin
        if held:
            return sim
        return sim + int((self._wall() - wall) * self.speed)

    def skip_to(self, ts_ns: int) -> None:
        """Jump to ``ts_ns`` if it is ahead (time never goes back; a held clock stays put)."""
        if not self.held and ts_ns > self.now_ns():
            self._origin = (ts_ns, self._wall(), False)

    def resume_at(self, ts_ns: int) -> None:
        """Simulated time goes on from where the journals stopped, whatever the wall says."""
        self._origin = (ts_ns, self._wall(), self.held)

    def hold(self) -> None:
        """Stop simulated time where it is until :meth:`release` (again: no change)."""
        if not self.held:
            self._origin = (self.now_ns(), self._wall(), True)

    def release(self) -> None:
        """Let simulated time run again from where it was held (not held: no change)."""
        if self.held:
            self._origin = (self._origin[0], self._wall(), False)

    def wall_seconds(self, sim_ns: int) -> float:
        """How long ``sim_ns`` of simulated time takes on the wall."""
        return sim_ns / 1e9 / self.speed

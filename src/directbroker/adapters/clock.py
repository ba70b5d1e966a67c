"""The system clock: the production implementation of :class:`directbroker.runtime.Clock`."""

from __future__ import annotations

import time


class SystemClock:
    """Wall-clock nanoseconds from the operating system (the sequencer keeps stamps monotonic)."""

    def now_ns(self) -> int:
        """Nanoseconds since the Unix epoch."""
        return time.time_ns()

"""Portfolio history: each account's equity sampled as the market moves.

The books know equity only now; the API's portfolio history needs it over time. The edge
takes a sample from every account state the platform publishes (at most one per interval an
account, so a busy account does not grow memory faster than the clock), and the API reads
the samples back as windows.
"""

from __future__ import annotations

import bisect

from directbroker.adapters.http.ports import EquityPoint


class EquityRecorder:
    """Equity samples per account, oldest first, at most one per ``interval_ns`` an account."""

    def __init__(self, interval_ns: int = 1_000_000_000) -> None:
        self._interval = interval_ns
        self._times: dict[str, list[int]] = {}
        self._values: dict[str, list[int]] = {}

    def take(self, account: str, ts_ns: int, equity: int) -> None:
        """Record the account's equity at ``ts_ns``: the latest value within one interval
        replaces that interval's sample, and a flat stretch moves its last point instead of
        adding points."""
        times = self._times.setdefault(account, [])
        values = self._values.setdefault(account, [])
        if times and ts_ns < times[-1]:
            return
        same_interval = bool(times) and ts_ns // self._interval == times[-1] // self._interval
        flat = len(values) > 1 and values[-1] == values[-2] == equity
        if len(times) > 1 and (same_interval or flat):
            times[-1], values[-1] = ts_ns, equity
            return
        times.append(ts_ns)
        values.append(equity)

    def history(self, account: str, start_ns: int, end_ns: int, step_ns: int) -> list[EquityPoint]:
        """Equity at the end of each ``step_ns`` window in [start_ns, end_ns)."""
        times = self._times.get(account, [])
        values = self._values.get(account, [])
        if not times or step_ns <= 0:
            return []
        base = values[0]
        points = []
        window = start_ns
        while window < end_ns:
            index = bisect.bisect_right(times, window + step_ns - 1) - 1
            if index >= 0:
                points.append(EquityPoint(window, values[index], values[index] - base))
            window += step_ns
            if len(points) > 10_000:
                break
        return points

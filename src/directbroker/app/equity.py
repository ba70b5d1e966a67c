"""Portfolio history: each account's equity sampled as the market moves.

The books know equity only now; the API's portfolio history needs it over time. The platform
samples every account at most once per interval of market time (on its own thread), and the
API reads the samples back as windows.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable

from directbroker.adapters.http.ports import EquityPoint

EquityOf = Callable[[str], int]
AccountsNow = Callable[[], Iterable[str]]


class EquityRecorder:
    """Equity samples per account, oldest first, at most one per ``interval_ns``."""

    def __init__(
        self, accounts: AccountsNow, equity_of: EquityOf, interval_ns: int = 1_000_000_000
    ) -> None:
        self._accounts = accounts
        self._equity_of = equity_of
        self._interval = interval_ns
        self._times: dict[str, list[int]] = {}
        self._values: dict[str, list[int]] = {}
        self._last_sample = 0

    def sample(self, ts_ns: int) -> None:
        """Record every account's equity, unless the last sample is too recent (called on
        every market data batch, so the accounts are listed only when a sample is due)."""
        if ts_ns - self._last_sample < self._interval:
            return
        self._last_sample = ts_ns
        for account in self._accounts():
            times = self._times.setdefault(account, [])
            values = self._values.setdefault(account, [])
            equity = self._equity_of(account)
            if values and values[-1] == equity and len(times) > 1:
                times[-1] = ts_ns  # flat: move the last point instead of adding one
                continue
            times.append(ts_ns)
            values.append(equity)

    def last_close(self, account: str, default: int) -> int:
        """The equity the session started from (the first sample)."""
        values = self._values.get(account)
        return values[0] if values else default

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

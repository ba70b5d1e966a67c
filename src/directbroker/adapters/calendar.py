"""The NYSE business-day calendar, from ``exchange_calendars`` (XNYS), for settlement dates.

``exchange_calendars`` is maintained against the exchange's published holiday and early-close
schedule (including one-off closures), which a hand-written list would miss. It is slow to build
and speaks pandas, so this adapter builds it once for a range of years and keeps only a sorted
list of session dates as ints YYYYMMDD; every lookup after that is a bisect. Engines receive it
through the ``SettlementCalendar`` port and never see pandas or ``datetime``.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence

import exchange_calendars  # type: ignore[import-untyped]


class SessionCalendar:
    """Business-day arithmetic over a fixed, sorted list of session dates (YYYYMMDD)."""

    def __init__(self, sessions: Sequence[int], early_closes: Sequence[int] = ()) -> None:
        if list(sessions) != sorted(set(sessions)) or not sessions:
            raise ValueError("sessions must be a non-empty, strictly increasing sequence")
        self._sessions = list(sessions)
        self._set = frozenset(sessions)
        self._early = frozenset(early_closes)

    @property
    def first(self) -> int:
        """The first session covered."""
        return self._sessions[0]

    @property
    def last(self) -> int:
        """The last session covered."""
        return self._sessions[-1]

    def _check(self, date: int) -> None:
        if not self.first <= date <= self.last:
            raise ValueError(f"{date} is outside the calendar ({self.first}..{self.last})")

    def is_business_day(self, date: int) -> bool:
        """Whether the exchange has a session that day (early closes included)."""
        self._check(date)
        return date in self._set

    def is_early_close(self, date: int) -> bool:
        """Whether the session closes early (13:00 New York)."""
        return date in self._early

    def add_business_days(self, date: int, days: int) -> int:
        """The session ``days`` sessions after ``date`` (from a non-session date, counting starts
        at the previous session, so Saturday + 1 is Monday)."""
        self._check(date)
        index = bisect_right(self._sessions, date) - 1 + days
        if date not in self._set and days <= 0:
            index += 1
        if not 0 <= index < len(self._sessions):
            raise ValueError(f"{date} + {days} business days is outside the calendar")
        return self._sessions[index]

    def sessions_between(self, start: int, end: int) -> list[int]:
        """Sessions from ``start`` to ``end`` inclusive."""
        return self._sessions[
            bisect_left(self._sessions, start) : bisect_right(self._sessions, end)
        ]


def _as_int(timestamp: object) -> int:
    text = str(timestamp)[:10]
    return int(text.replace("-", ""))


class XnysCalendar(SessionCalendar):
    """The New York Stock Exchange calendar for ``first_year`` through ``last_year``."""

    def __init__(self, first_year: int = 2020, last_year: int = 2030) -> None:
        calendar = exchange_calendars.get_calendar(
            "XNYS", start=f"{first_year}-01-01", end=f"{last_year}-12-31"
        )
        sessions = [_as_int(s) for s in calendar.sessions]
        early = [_as_int(s) for s in calendar.early_closes]
        super().__init__(sessions, early)

"""When a FIX session may be logged on: a daily window in a time zone, on chosen weekdays.

A window opens at ``start`` local time on each listed day and closes at ``end`` (the next day
when ``end`` is not after ``start``; ``start == end`` is a 24-hour window). Outside a window
logons are refused and live sessions are logged out; a window is identified by the instant it
opened, so a session that logs on in a new window starts its sequence numbers again (when so
configured). No start and no end is a non-stop session: always open, one endless window.

Instants are compared as UTC nanoseconds, never as local wall times, so DST changes cannot
make a window look open twice or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_NS = 1_000_000_000
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
NON_STOP_WINDOW = 0
"""The one window of a non-stop session."""


@dataclass(frozen=True, slots=True)
class SessionSchedule:
    """A daily window (``start``/``end`` ``None``: non-stop) on ``days`` (empty: every day)."""

    start: time | None = None
    end: time | None = None
    zone: str = "UTC"
    days: frozenset[int] = frozenset()

    @classmethod
    def parse(
        cls, start: str = "", end: str = "", zone: str = "UTC", days: Sequence[str] = ()
    ) -> SessionSchedule:
        """A schedule from its configuration text; ``ValueError`` names what is wrong."""
        if bool(start) != bool(end):
            raise ValueError("a schedule needs both a start and an end time, or neither")
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {zone!r}") from None
        unknown = [d for d in days if d.lower() not in DAY_NAMES]
        if unknown:
            raise ValueError(f"unknown day {unknown[0]!r} (use {', '.join(DAY_NAMES)})")
        return cls(
            start=_time(start) if start else None,
            end=_time(end) if end else None,
            zone=zone,
            days=frozenset(DAY_NAMES.index(d.lower()) for d in days),
        )

    @property
    def non_stop(self) -> bool:
        """Always open."""
        return self.start is None or self.end is None

    def window_start(self, now_ns: int) -> int | None:
        """The start (UTC ns) of the window open at ``now_ns``, or ``None`` when closed."""
        if self.start is None or self.end is None:
            return NON_STOP_WINDOW
        tz = ZoneInfo(self.zone)
        today = datetime.fromtimestamp(now_ns // _NS, tz).date()
        for offset in (0, -1):
            bounds = self._bounds(today + timedelta(days=offset), tz)
            if bounds is not None and bounds[0] <= now_ns < bounds[1]:
                return bounds[0]
        return None

    def next_start(self, now_ns: int) -> int:
        """The start (UTC ns) of the first window opening after ``now_ns``."""
        if self.start is None or self.end is None:
            return now_ns
        tz = ZoneInfo(self.zone)
        today = datetime.fromtimestamp(now_ns // _NS, tz).date()
        for offset in range(9):
            bounds = self._bounds(today + timedelta(days=offset), tz)
            if bounds is not None and bounds[0] > now_ns:
                return bounds[0]
        raise ValueError("a schedule with no day has no next window")  # pragma: no cover

    def _bounds(self, day: date, tz: ZoneInfo) -> tuple[int, int] | None:
        assert self.start is not None and self.end is not None
        if self.days and day.weekday() not in self.days:
            return None
        opens = datetime.combine(day, self.start, tz)
        closes_on = day if self.end > self.start else day + timedelta(days=1)
        closes = datetime.combine(closes_on, self.end, tz)
        return int(opens.timestamp()) * _NS, int(closes.timestamp()) * _NS


def _time(text: str) -> time:
    try:
        value = time.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not a time of day (HH:MM or HH:MM:SS): {text!r}") from None
    if value.tzinfo is not None or value.microsecond:
        raise ValueError(f"a time of day without zone or fraction, please: {text!r}")
    return value

"""The exchange's trading day on the XNYS calendar: when each session phase starts, in UTC.

A session date ``D`` (a business day) has four boundaries, in New York time: pre-market at
04:00, the open at 09:30, the close at 16:00 (13:00 on an early close) and the end of the day at
20:00 (17:00 on an early close). Outside them, and on weekends and holidays, the market is
closed. Times come from the calendar and ``zoneinfo``, so daylight saving is the tz database's
business, not ours. Everything here is pure: the driver asks, with a time it was given.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Protocol
from zoneinfo import ZoneInfo

from directbroker.domain.sessions import SessionPhase

NEW_YORK = ZoneInfo("America/New_York")
PRE_MARKET = time(4, 0)
OPEN = time(9, 30)
CLOSE = time(16, 0)
EARLY_CLOSE = time(13, 0)
END = time(20, 0)
EARLY_END = time(17, 0)


class BusinessCalendar(Protocol):
    """What the schedule needs of the exchange calendar (XnysCalendar provides it)."""

    def is_business_day(self, date: int) -> bool:
        """Whether the exchange has a session on ``date`` (YYYYMMDD)."""
        ...

    def is_early_close(self, date: int) -> bool:
        """Whether the session on ``date`` closes at 13:00."""
        ...

    def add_business_days(self, date: int, days: int) -> int:
        """The session ``days`` sessions after ``date``."""
        ...


@dataclass(frozen=True, slots=True)
class SessionTimes:
    """One session date's boundaries in nanoseconds since the epoch (UTC)."""

    date: int
    pre_market_ns: int
    open_ns: int
    close_ns: int
    end_ns: int

    def starts(self, phase: SessionPhase) -> int:
        """When ``phase`` starts on this date (``CLOSED`` starts at the end of the day)."""
        return {
            SessionPhase.PRE_MARKET: self.pre_market_ns,
            SessionPhase.REGULAR: self.open_ns,
            SessionPhase.AFTER_HOURS: self.close_ns,
            SessionPhase.CLOSED: self.end_ns,
        }[phase]


@dataclass(frozen=True, slots=True, order=True)
class Position:
    """Where a core is in the calendar: a session date and its phase, ordered as time runs
    (``(0, CLOSED)`` is before any session: nothing has started)."""

    date: int
    rank: int

    @property
    def phase(self) -> SessionPhase:
        """The phase this position is in."""
        return list(SessionPhase)[self.rank]

    @staticmethod
    def of(date: int, phase: SessionPhase) -> Position:
        """The position of ``phase`` on ``date``."""
        return Position(date, phase.rank)


NOWHERE = Position.of(0, SessionPhase.CLOSED)


@dataclass(frozen=True, slots=True)
class Transition:
    """A phase to enter: ``phase`` of ``date``, due at ``ts_ns``."""

    ts_ns: int
    date: int
    phase: SessionPhase


def to_date(day: int) -> date:
    """YYYYMMDD as a ``date``."""
    return date(day // 10_000, day // 100 % 100, day % 100)


def from_date(value: date) -> int:
    """A ``date`` as YYYYMMDD."""
    return value.year * 10_000 + value.month * 100 + value.day


def _ns(day: int, at: time) -> int:
    moment = datetime.combine(to_date(day), at, NEW_YORK)
    return int(moment.timestamp()) * 1_000_000_000


def new_york_date(ts_ns: int) -> int:
    """The New York calendar date (YYYYMMDD) at ``ts_ns``."""
    return from_date(
        datetime.fromtimestamp(ts_ns // 1_000_000_000, UTC).astimezone(NEW_YORK).date()
    )


class TradingSchedule:
    """Session boundaries and phases over a business calendar."""

    def __init__(self, calendar: BusinessCalendar) -> None:
        self.calendar = calendar

    def times(self, day: int) -> SessionTimes:
        """The boundaries of session date ``day`` (which must be a business day)."""
        if not self.calendar.is_business_day(day):
            raise ValueError(f"{day} is not a session date")
        early = self.calendar.is_early_close(day)
        return SessionTimes(
            day,
            _ns(day, PRE_MARKET),
            _ns(day, OPEN),
            _ns(day, EARLY_CLOSE if early else CLOSE),
            _ns(day, EARLY_END if early else END),
        )

    def session_on_or_after(self, day: int) -> int:
        """``day`` if it is a session date, else the next one."""
        if self.calendar.is_business_day(day):
            return day
        return self.calendar.add_business_days(day, 1)

    def session_before(self, day: int) -> int:
        """The last session date strictly before ``day``."""
        return self.calendar.add_business_days(self.session_on_or_after(day), -1)

    def position_at(self, ts_ns: int) -> Position:
        """Where the market is at ``ts_ns``: the latest boundary at or before it."""
        today = new_york_date(ts_ns)
        if self.calendar.is_business_day(today):
            times = self.times(today)
            for phase in (
                SessionPhase.CLOSED,
                SessionPhase.AFTER_HOURS,
                SessionPhase.REGULAR,
                SessionPhase.PRE_MARKET,
            ):
                if ts_ns >= times.starts(phase):
                    return Position.of(today, phase)
        return Position.of(self.session_before(today), SessionPhase.CLOSED)

    def next_transition(self, after: Position) -> Transition:
        """The phase that follows ``after`` and when it starts."""
        if after.phase is SessionPhase.CLOSED:
            following = self.calendar.add_business_days(after.date, 1) if after.date else 0
            if not following:
                raise ValueError("nothing has started: ask position_at for where to begin")
            times = self.times(following)
            return Transition(times.pre_market_ns, following, SessionPhase.PRE_MARKET)
        phase = list(SessionPhase)[after.rank + 1]
        return Transition(self.times(after.date).starts(phase), after.date, phase)

    def transitions(self, current: Position, now_ns: int) -> list[Transition]:
        """The phases to enter, in order, to take a core from ``current`` to where the market is
        at ``now_ns``. A core more than a session behind (the firm was down) ends its own day
        and starts the latest session at once: the days in between had nothing to trade."""
        target = self.position_at(now_ns)
        if target <= current:
            return []
        out: list[Transition] = []
        if current.date and current.date < target.date:
            while current.phase is not SessionPhase.CLOSED:
                step = self.next_transition(current)
                out.append(step)
                current = Position.of(step.date, step.phase)
        if current.date < target.date:
            times = self.times(target.date)
            out.append(Transition(times.pre_market_ns, target.date, SessionPhase.PRE_MARKET))
            current = Position.of(target.date, SessionPhase.PRE_MARKET)
        while current < target:
            step = self.next_transition(current)
            out.append(step)
            current = Position.of(step.date, step.phase)
        return out

    def following(self, current: Position, now_ns: int) -> Transition:
        """The next phase after where the market is at ``now_ns`` (or after ``current`` if that
        is later): what the driver waits for."""
        position = max(current, self.position_at(now_ns))
        return self.next_transition(position)

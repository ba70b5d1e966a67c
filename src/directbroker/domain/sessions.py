"""The trading session's phases and the journaled inputs that move the cores through them.

A session date runs pre-market (04:00 New York), the regular session (opening cross at 09:30,
closing cross at 16:00, 13:00 on early closes), after-hours (to 20:00, 17:00 on early closes)
and then it is closed until the next session's pre-market. The day driver
(:mod:`directbroker.runtime.days`) decides when a phase starts; the cores learn it only from
these journaled inputs, so replaying a journal replays the day exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from directbroker.domain.messages import Command, Event


class SessionPhase(str, Enum):
    """Where a session date is. The order of the members is the order of the day."""

    PRE_MARKET = "pre_market"
    """04:00 to the open: extended-hours orders trade, others wait for the open."""
    REGULAR = "regular"
    """The opening cross to the closing cross."""
    AFTER_HOURS = "after_hours"
    """The close to 20:00: regular-session DAY orders have expired; extended-hours ones trade."""
    CLOSED = "closed"
    """After the end of the day until the next pre-market: orders wait for the next session."""

    @property
    def rank(self) -> int:
        """The phase's place in the day (pre-market 0 .. closed 3)."""
        return _RANK[self]


_RANK = {phase: index for index, phase in enumerate(SessionPhase)}


@dataclass(frozen=True, slots=True)
class SetSessionPhase(Command):
    """The broker's session moves to ``phase`` on ``date`` (the open or the regular close;
    pre-market starts with ``StartBrokerDay`` and the end of the day is ``EndBrokerDay``)."""

    date: int
    phase: SessionPhase


@dataclass(frozen=True, slots=True)
class SessionPhaseChanged(Event):
    """The broker core's session is now in ``phase`` on ``date``."""

    date: int
    phase: SessionPhase
    ts_ns: int


@dataclass(frozen=True, slots=True)
class EndVenueSession(Command):
    """A venue's session ends: resting orders that live only for it expire. ``extended``
    false is the regular close (DAY orders go; DAY_PLUS orders stay for after-hours); true is
    the end of the day (everything but GTC goes)."""

    extended: bool

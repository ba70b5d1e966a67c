"""The day driver's rules: which journaled inputs each core takes when a session phase starts.

The driver's position is each core's own state (the broker core's date and phase, market
data's trading date), recovered from their journals, never a side file: after any restart it
asks the schedule for the transitions from there to now and feeds them in, so a firm that was
down over a weekend ends Friday and starts Monday, and one killed mid-day resumes in the phase
it was in.
"""

from __future__ import annotations

from collections.abc import Sequence

from directbroker.domain.broker_messages import EndBrokerDay, StartBrokerDay
from directbroker.domain.marketdata_messages import EndTradingDay, StartTradingDay
from directbroker.domain.messages import Command
from directbroker.domain.sessions import EndVenueSession, SessionPhase, SetSessionPhase
from directbroker.runtime.schedule import NOWHERE, Position, Transition


def iso(date: int) -> str:
    """YYYYMMDD as ISO text (market data speaks ISO dates)."""
    return f"{date // 10_000:04d}-{date // 100 % 100:02d}-{date % 100:02d}"


def broker_position(date: int, is_open: bool, phase: SessionPhase) -> Position:
    """The broker core's place in the calendar from its state (date 0: nothing started)."""
    if not date:
        return NOWHERE
    return Position.of(date, phase if is_open else SessionPhase.CLOSED)


def broker_inputs(step: Transition) -> list[Command]:
    """What the broker core takes when ``step`` starts."""
    if step.phase is SessionPhase.PRE_MARKET:
        return [StartBrokerDay(step.date, pre_market=True)]
    if step.phase is SessionPhase.CLOSED:
        return [EndBrokerDay(step.date)]
    return [SetSessionPhase(step.date, step.phase)]


def venue_inputs(step: Transition, venues: Sequence[str]) -> list[tuple[str, Command]]:
    """What each venue takes: its sessions end at the close (DAY orders) and at the end of the
    day (extended-hours ones). Crosses are the market's own instructions (``RunAuction``)."""
    if step.phase is SessionPhase.AFTER_HOURS:
        return [(venue, EndVenueSession(extended=False)) for venue in venues]
    if step.phase is SessionPhase.CLOSED:
        return [(venue, EndVenueSession(extended=True)) for venue in venues]
    return []


def market_data_inputs(step: Transition, market_data_date: str) -> list[Command]:
    """What market data takes: a new trading date at pre-market, the day's end at the end."""
    date = iso(step.date)
    if step.phase is SessionPhase.PRE_MARKET and market_data_date < date:
        return [StartTradingDay(date)]
    if step.phase is SessionPhase.CLOSED and market_data_date == date:
        return [EndTradingDay(date)]
    return []

"""The trading schedule on the XNYS calendar: phases, weekends, holidays, early closes, DST."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from directbroker.adapters.calendar import XnysCalendar
from directbroker.domain.broker_messages import EndBrokerDay, StartBrokerDay
from directbroker.domain.sessions import EndVenueSession, SessionPhase, SetSessionPhase
from directbroker.runtime import days
from directbroker.runtime.clocks import RealClock, SimClock
from directbroker.runtime.schedule import NEW_YORK, NOWHERE, Position, TradingSchedule

SCHEDULE = TradingSchedule(XnysCalendar(2025, 2026))
PRE, REG, AFTER, CLOSED = list(SessionPhase)


def ny(day: int, hour: int, minute: int = 0) -> int:
    moment = datetime(day // 10_000, day // 100 % 100, day % 100, hour, minute, tzinfo=NEW_YORK)
    return int(moment.timestamp()) * 1_000_000_000


def utc_hour(ts_ns: int) -> int:
    return datetime.fromtimestamp(ts_ns // 1_000_000_000, UTC).hour


def test_a_regular_day_has_its_four_boundaries_in_new_york_time() -> None:
    times = SCHEDULE.times(20260115)
    assert times.pre_market_ns == ny(20260115, 4)
    assert times.open_ns == ny(20260115, 9, 30)
    assert times.close_ns == ny(20260115, 16)
    assert times.end_ns == ny(20260115, 20)


def test_the_open_follows_daylight_saving_time() -> None:
    # 09:30 New York is 14:30 UTC in winter (EST) and 13:30 UTC in summer (EDT).
    assert utc_hour(SCHEDULE.times(20260305).open_ns) == 14  # before the March change
    assert utc_hour(SCHEDULE.times(20260309).open_ns) == 13  # the Monday after it
    assert utc_hour(SCHEDULE.times(20261102).open_ns) == 14  # after the November change


def test_an_early_close_ends_the_session_and_after_hours_early() -> None:
    times = SCHEDULE.times(20261127)  # the day after Thanksgiving
    assert times.close_ns == ny(20261127, 13)
    assert times.end_ns == ny(20261127, 17)


def test_holidays_and_weekends_have_no_session() -> None:
    with pytest.raises(ValueError):
        SCHEDULE.times(20260403)  # Good Friday
    with pytest.raises(ValueError):
        SCHEDULE.times(20260404)  # a Saturday


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (ny(20260401, 3, 59), Position.of(20260331, CLOSED)),
        (ny(20260401, 4), Position.of(20260401, PRE)),
        (ny(20260401, 9, 30), Position.of(20260401, REG)),
        (ny(20260401, 16), Position.of(20260401, AFTER)),
        (ny(20260401, 20), Position.of(20260401, CLOSED)),
        (ny(20260403, 12), Position.of(20260402, CLOSED)),  # Good Friday
        (ny(20260405, 12), Position.of(20260402, CLOSED)),  # Sunday
        (ny(20260406, 5), Position.of(20260406, PRE)),
    ],
)
def test_the_market_position_at_a_moment(moment: int, expected: Position) -> None:
    assert SCHEDULE.position_at(moment) == expected


def test_the_next_session_after_a_holiday_weekend_is_monday_pre_market() -> None:
    step = SCHEDULE.next_transition(Position.of(20260402, CLOSED))
    assert (step.date, step.phase, step.ts_ns) == (20260406, PRE, ny(20260406, 4))


def test_transitions_walk_a_day_phase_by_phase() -> None:
    steps = SCHEDULE.transitions(Position.of(20260331, CLOSED), ny(20260401, 21))
    assert [(s.date, s.phase) for s in steps] == [(20260401, p) for p in SessionPhase]
    assert [s.ts_ns for s in steps] == sorted(s.ts_ns for s in steps)
    assert SCHEDULE.transitions(Position.of(20260401, CLOSED), ny(20260401, 22)) == []


def test_a_firm_down_for_days_ends_its_day_and_starts_the_latest_session() -> None:
    steps = SCHEDULE.transitions(Position.of(20260331, REG), ny(20260407, 10))
    assert [(s.date, s.phase) for s in steps] == [
        (20260331, AFTER), (20260331, CLOSED), (20260407, PRE), (20260407, REG),
    ]  # fmt: skip


def test_a_new_firm_starts_from_the_last_session() -> None:
    steps = SCHEDULE.transitions(NOWHERE, ny(20260404, 12))
    assert [(s.date, s.phase) for s in steps] == [(20260402, p) for p in SessionPhase]


def test_each_phase_is_a_journaled_input_for_each_core() -> None:
    pre, regular, after, closed = SCHEDULE.transitions(
        Position.of(20260331, CLOSED), ny(20260401, 21)
    )
    assert days.broker_inputs(pre) == [StartBrokerDay(20260401, pre_market=True)]
    assert days.broker_inputs(regular) == [SetSessionPhase(20260401, REG)]
    assert days.broker_inputs(closed) == [EndBrokerDay(20260401)]
    assert days.venue_inputs(after, ["A"]) == [("A", EndVenueSession(extended=False))]
    assert days.venue_inputs(closed, ["A"]) == [("A", EndVenueSession(extended=True))]
    assert [type(c).__name__ for c in days.market_data_inputs(pre, "2026-03-31")] == [
        "StartTradingDay"
    ]
    assert days.market_data_inputs(pre, "2026-04-01") == []


def test_a_simulated_clock_runs_fast_and_skips_forward_only() -> None:
    wall = [1_000]
    clock = SimClock(5_000, 10.0, lambda: wall[0])
    wall[0] += 100
    assert clock.now_ns() == 6_000
    clock.skip_to(2_000)  # never back
    assert clock.now_ns() == 6_000
    clock.skip_to(50_000)
    wall[0] += 1
    assert clock.now_ns() == 50_010
    clock.resume_at(7_000)
    assert clock.now_ns() == 7_000
    real = RealClock(lambda: wall[0])
    real.skip_to(10**18)
    assert real.now_ns() == wall[0]

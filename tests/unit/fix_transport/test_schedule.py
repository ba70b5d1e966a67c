"""Session schedules: daily windows in a time zone, overnight windows, weekdays, DST, and the
configuration text they are parsed from."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from directbroker.adapters.fix.schedule import NON_STOP_WINDOW, SessionSchedule

NY = ZoneInfo("America/New_York")


def _ns(year: int, month: int, day: int, hour: int, minute: int = 0, tz: ZoneInfo = NY) -> int:
    return int(datetime(year, month, day, hour, minute, tzinfo=tz).timestamp()) * 1_000_000_000


def test_a_day_window_opens_and_closes_at_local_times() -> None:
    schedule = SessionSchedule.parse("08:00", "17:00", "America/New_York")
    assert schedule.window_start(_ns(2026, 12, 7, 7, 59)) is None
    assert schedule.window_start(_ns(2026, 12, 7, 8, 0)) == _ns(2026, 12, 7, 8)
    assert schedule.window_start(_ns(2026, 12, 7, 16, 59)) == _ns(2026, 12, 7, 8)
    assert schedule.window_start(_ns(2026, 12, 7, 17, 0)) is None
    assert schedule.next_start(_ns(2026, 12, 7, 9)) == _ns(2026, 12, 8, 8)


def test_an_overnight_window_belongs_to_the_day_it_opened() -> None:
    schedule = SessionSchedule.parse("18:00", "06:00", "America/New_York", ["sun", "mon"])
    sunday_open = _ns(2026, 12, 6, 18)
    assert schedule.window_start(_ns(2026, 12, 7, 2)) == sunday_open  # Monday 02:00
    assert schedule.window_start(_ns(2026, 12, 7, 12)) is None
    assert schedule.window_start(_ns(2026, 12, 7, 23)) == _ns(2026, 12, 7, 18)
    assert schedule.window_start(_ns(2026, 12, 8, 5)) == _ns(2026, 12, 7, 18)  # Monday's
    assert schedule.window_start(_ns(2026, 12, 8, 19)) is None  # no Tuesday window
    assert schedule.next_start(_ns(2026, 12, 8, 19)) == _ns(2026, 12, 13, 18)  # next Sunday


def test_equal_start_and_end_is_a_day_long_window_that_rolls_over() -> None:
    schedule = SessionSchedule.parse("00:00", "00:00", "UTC")
    utc = ZoneInfo("UTC")
    monday, tuesday = _ns(2026, 12, 7, 0, tz=utc), _ns(2026, 12, 8, 0, tz=utc)
    assert schedule.window_start(_ns(2026, 12, 7, 23, 59, tz=utc)) == monday
    assert schedule.window_start(tuesday) == tuesday


def test_windows_follow_the_wall_clock_across_a_dst_change() -> None:
    schedule = SessionSchedule.parse("08:00", "17:00", "America/New_York")
    # New York springs forward on 2026-03-08: 08:00 is 13:00 UTC before and 12:00 UTC after.
    utc = ZoneInfo("UTC")
    assert schedule.window_start(_ns(2026, 3, 6, 13, tz=utc)) == _ns(2026, 3, 6, 8)
    assert schedule.window_start(_ns(2026, 3, 9, 12, tz=utc)) == _ns(2026, 3, 9, 8)
    assert schedule.window_start(_ns(2026, 3, 9, 21, 30, tz=utc)) is None  # 17:30 EDT


def test_no_times_is_a_non_stop_session() -> None:
    schedule = SessionSchedule.parse()
    assert schedule.non_stop
    assert schedule.window_start(0) == NON_STOP_WINDOW
    assert schedule.window_start(_ns(2030, 1, 1, 3)) == NON_STOP_WINDOW


@pytest.mark.parametrize(
    ("start", "end", "zone", "days", "named"),
    [
        ("08:00", "", "UTC", (), "both"),
        ("8 o'clock", "17:00", "UTC", (), "time of day"),
        ("08:00", "17:00+01:00", "UTC", (), "without zone"),
        ("08:00", "17:00", "Mars/Olympus", (), "time zone"),
        ("08:00", "17:00", "UTC", ("funday",), "unknown day"),
    ],
)
def test_bad_schedules_are_refused_by_name(
    start: str, end: str, zone: str, days: tuple[str, ...], named: str
) -> None:
    with pytest.raises(ValueError, match=named):
        SessionSchedule.parse(start, end, zone, days)

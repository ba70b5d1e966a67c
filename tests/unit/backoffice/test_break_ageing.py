"""Break ageing across days: a break opens, ages in business days on the exchange calendar,
moves through the buckets and resolves; an item break stays open while the holdings it moved
still break."""

from __future__ import annotations

from dataclasses import replace

from directbroker.adapters.calendar import XnysCalendar
from directbroker.backoffice.break_ageing import (
    BOOKED_LATE,
    BUCKETS,
    age,
    bucket_of,
    business_days_between,
)
from directbroker.backoffice.recon import Break, BreakCode
from tests.unit.backoffice.recon_fixtures import (
    activity_of,
    mirror,
    opening_close,
    rebook,
    run,
    sample_day,
)

CALENDAR = XnysCalendar(2026, 2026)


def _missing_trade_day(day_number: int) -> list[Break]:
    """A day whose O1.2 the clearing firm never booked."""
    day = sample_day()
    day.day = day_number
    day.executions = [replace(e, trade_date=day_number) for e in day.executions]
    day.movements = [replace(m, business_date=day_number) for m in day.movements]
    files = mirror(day)
    dropped = [
        replace(a, business_date=day_number) for a in files.activity if a.reference != "O1.2"
    ]
    return run(day, rebook(files, dropped, opening_close(day)))


def _holdings_only(breaks: list[Break]) -> list[Break]:
    return [b for b in breaks if not b.code.item_level]


def test_buckets_are_the_usual_ones() -> None:
    assert BUCKETS == ("0", "1-2", "3-5", "6+")
    assert [bucket_of(n) for n in (0, 1, 2, 3, 5, 6, 40)] == [
        "0",
        "1-2",
        "1-2",
        "3-5",
        "3-5",
        "6+",
        "6+",
    ]


def test_business_days_skip_weekends_and_holidays() -> None:
    assert business_days_between(CALENDAR, 20260302, 20260302) == 0
    assert business_days_between(CALENDAR, 20260306, 20260309) == 1  # Friday to Monday
    assert business_days_between(CALENDAR, 20260402, 20260406) == 1  # over Good Friday
    assert business_days_between(CALENDAR, 20260302, 20260313) == 9


def test_a_new_break_is_first_seen_today_with_age_zero() -> None:
    breaks = _missing_trade_day(20260302)
    ageing = age(20260302, breaks, (), CALENDAR)
    assert [a.brk for a in ageing.open] == breaks
    assert all(a.first_seen == 20260302 and a.age_days == 0 for a in ageing.open)
    assert ageing.resolved == ()


def test_a_break_opens_ages_and_resolves() -> None:
    day1 = _missing_trade_day(20260302)
    aged1 = age(20260302, day1, (), CALENDAR)
    # The next days compare clean items, but the holdings stay broken: the missing trade of
    # the first day is carried, and everything keeps its first day.
    holdings = _holdings_only(day1)
    previous = aged1.open
    days = (20260303, 20260304, 20260305, 20260306, 20260309, 20260310, 20260311)
    for n, today in enumerate(days, start=1):
        ageing = age(today, [replace(b) for b in holdings], previous, CALENDAR)
        assert len(ageing.open) == 3 and ageing.resolved == ()
        assert all(a.first_seen == 20260302 and a.age_days == n for a in ageing.open)
        carried = [a for a in ageing.open if a.carried]
        assert [a.brk.code.value for a in carried] == ["MISSING_AT_CLEARING"]
        previous = ageing.open
    assert {a.bucket for a in previous} == {"6+"}
    # The clearing firm books the trade late: the holdings agree again, all three resolve.
    done = age(20260312, [], previous, CALENDAR)
    assert done.open == ()
    assert sorted(a.brk.code.value for a in done.resolved) == [
        "CASH_BREAK", "MISSING_AT_CLEARING", "POSITION_BREAK",
    ]  # fmt: skip


def test_an_item_break_whose_holdings_agree_resolves_the_next_day() -> None:
    day = sample_day()
    files = mirror(day)
    wrong = [replace(a, price=a.price + 1) if a.reference == "O2.1" else a for a in files.activity]
    breaks = run(day, replace(files, activity=wrong))
    assert [b.code.value for b in breaks] == ["PRICE_MISMATCH"]
    first = age(20260302, breaks, (), CALENDAR)
    second = age(20260303, [], first.open, CALENDAR)
    assert second.open == () and [a.brk for a in second.resolved] == breaks


def test_a_holdings_break_keeps_its_causes_from_earlier_days() -> None:
    day1 = _missing_trade_day(20260302)
    first = age(20260302, day1, (), CALENDAR)
    stripped = [replace(b, caused_by=(), moved=0) for b in _holdings_only(day1)]
    second = age(20260303, stripped, first.open, CALENDAR)
    position = next(a for a in second.open if a.brk.code.value == "POSITION_BREAK")
    assert position.brk.caused_by == (day1[0].key,) and position.brk.explained


def test_a_break_that_changes_size_keeps_its_first_day() -> None:
    holdings = _holdings_only(_missing_trade_day(20260302))
    first = age(20260302, holdings, (), CALENDAR)
    grown = [replace(b, theirs=b.theirs - 1, difference=b.difference - 1) for b in holdings]
    second = age(20260303, grown, first.open, CALENDAR)
    assert all(a.first_seen == 20260302 and a.age_days == 1 for a in second.open)


def test_a_break_after_a_gap_starts_over() -> None:
    holdings = _holdings_only(_missing_trade_day(20260302))
    first = age(20260302, holdings, (), CALENDAR)
    clean = age(20260303, [], first.open, CALENDAR)
    again = age(20260304, holdings, clean.open, CALENDAR)
    assert all(a.first_seen == 20260304 and a.age_days == 0 for a in again.open)


def test_ageing_the_same_day_twice_gives_the_same_result() -> None:
    day1 = _missing_trade_day(20260302)
    previous = age(20260302, day1, (), CALENDAR).open
    once = age(20260303, _holdings_only(day1), previous, CALENDAR)
    twice = age(20260303, _holdings_only(day1), previous, CALENDAR)
    assert once == twice


def test_an_item_booked_late_by_the_clearing_firm_settles_its_missing_break() -> None:
    day1 = _missing_trade_day(20260302)
    first = age(20260302, day1, (), CALENDAR)
    still = age(20260303, _holdings_only(day1), first.open, CALENDAR)
    # The next day the clearing firm books O1.2: unknown to today's books, holdings agree.
    day = sample_day()
    day.day = 20260304
    day.executions, day.movements = [], []
    late = replace(activity_of(sample_day().executions[1]), business_date=20260304)
    files = mirror(day)
    breaks = run(day, replace(files, activity=[late]))
    assert [b.code.value for b in breaks] == ["UNKNOWN_AT_CLEARING"]
    settled = age(20260304, breaks, still.open, CALENDAR)
    assert settled.open == ()
    by_code = {a.brk.code.value: a for a in settled.resolved}
    assert set(by_code) == {"MISSING_AT_CLEARING", "POSITION_BREAK", "CASH_BREAK"}
    assert by_code["MISSING_AT_CLEARING"].note == BOOKED_LATE
    assert by_code["POSITION_BREAK"].note == ""


def test_an_unknown_item_that_moves_holdings_is_not_taken_for_a_late_booking() -> None:
    day1 = _missing_trade_day(20260302)
    first = age(20260302, day1, (), CALENDAR)
    unknown = replace(day1[0], code=BreakCode.UNKNOWN_AT_CLEARING)
    position = replace(day1[1], caused_by=(unknown.key,))
    second = age(20260303, [unknown, position], first.open, CALENDAR)
    assert unknown.key in {a.brk.key for a in second.open}
    assert all(a.note == "" for a in second.resolved)

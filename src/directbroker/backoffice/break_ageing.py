"""How long each reconciliation break has been open, from one business day to the next.

A break report is read by age: a break seen for the first time today is routine, one open a
week is an exposure someone must explain. :func:`age` takes yesterday's open breaks (as the
persisted report holds them) and today's, and gives each open break the business day it was
first seen and its age in business days on the exchange calendar; yesterday's breaks that are
gone are resolved today.

An item break (a missing trade, a wrong price) belongs to the day its item was booked, so it
does not reappear in the next day's comparison; while the holdings it moved still break, it is
still open and is carried forward (the holdings break keeps naming it), and it resolves with
them, or when the clearing firm's correction (a late booking, a cancel and rebook under the
item's reference) arrives. Ages are counted on the calendar handed in, so this module stays
free of any adapter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from directbroker.backoffice.breaks import Break, BreakCode
from directbroker.runtime.schedule import BusinessCalendar

BOOKED_LATE = "booked late by the clearing firm"
CORRECTED = "corrected by the clearing firm"

BUCKETS = ("0", "1-2", "3-5", "6+")
"""Age buckets in business days, as break reports show them."""


@dataclass(frozen=True, slots=True)
class AgedBreak:
    """An open break with its age. ``carried`` says an item break from an earlier day that is
    still open because the holdings it moved still break."""

    brk: Break
    first_seen: int
    age_days: int
    carried: bool = False
    note: str = ""
    """How a resolved break was settled, when the reconciliation knows."""

    @property
    def bucket(self) -> str:
        """The age bucket (one of :data:`BUCKETS`)."""
        return bucket_of(self.age_days)


@dataclass(frozen=True, slots=True)
class Ageing:
    """A day's breaks with their ages (oldest first, then in the reconciliation's order), and
    yesterday's breaks that are gone."""

    date: int
    open: tuple[AgedBreak, ...]
    resolved: tuple[AgedBreak, ...]


def bucket_of(age_days: int) -> str:
    """The bucket of an age in business days."""
    if age_days <= 0:
        return BUCKETS[0]
    if age_days <= 2:
        return BUCKETS[1]
    if age_days <= 5:
        return BUCKETS[2]
    return BUCKETS[3]


def business_days_between(calendar: BusinessCalendar, first: int, last: int) -> int:
    """How many sessions after ``first`` ``last`` is (0 on the same day; ``last`` on or after
    ``first``)."""
    if last <= first:
        return 0
    days = 0
    day = first
    while day < last:
        day = calendar.add_business_days(day, 1)
        days += 1
    return days


def age(
    date: int,
    today: Sequence[Break],
    previous: Sequence[AgedBreak],
    calendar: BusinessCalendar,
) -> Ageing:
    """Age today's breaks against the open breaks of the previous report.

    A break whose key was open before keeps its first day; a holdings break that was open
    before also keeps naming the item breaks that caused it. A previous item break not in
    today's comparison stays open (carried) while a holdings break still names it, and is
    resolved otherwise, like every other previous break that is gone. A clearing firm
    corrects an item on a later day (booking it late, or cancelling it and booking it again),
    which today's comparison sees as rows unknown to today's books: when they carry the
    reference of an item break still open and the holdings agree, they settle it, and it
    resolves as booked late or corrected."""
    rows, settled = _corrections(today, previous)
    before = {aged.brk.key: aged for aged in previous}
    opened: list[AgedBreak] = []
    for found in today:
        if found.key in rows:
            continue
        brk = found
        earlier = before.get(brk.key)
        first_seen = earlier.first_seen if earlier is not None and earlier.first_seen else date
        if earlier is not None and not brk.code.item_level:
            carried_causes = tuple(
                key
                for key in earlier.brk.caused_by
                if key not in brk.caused_by and key not in settled
            )
            if carried_causes:
                moved = brk.moved + earlier.brk.moved
                brk = replace(brk, caused_by=brk.caused_by + carried_causes, moved=moved)
        opened.append(AgedBreak(brk, first_seen, business_days_between(calendar, first_seen, date)))
    named = {key for aged in opened for key in aged.brk.caused_by}
    present = {aged.brk.key for aged in opened}
    resolved: list[AgedBreak] = []
    for aged in previous:
        if aged.brk.key in present:
            continue
        if aged.brk.key in settled:
            resolved.append(replace(aged, note=settled[aged.brk.key]))
        elif aged.brk.code.item_level and aged.brk.key in named:
            days = business_days_between(calendar, aged.first_seen, date)
            opened.append(AgedBreak(aged.brk, aged.first_seen, days, carried=True))
        else:
            resolved.append(aged)
    order = {id(aged): index for index, aged in enumerate(opened)}
    oldest_first = sorted(opened, key=lambda aged: (-aged.age_days, order[id(aged)]))
    return Ageing(date, tuple(oldest_first), tuple(resolved))


def _corrections(
    today: Sequence[Break], previous: Sequence[AgedBreak]
) -> tuple[set[str], dict[str, str]]:
    """Today's unknown rows that correct an earlier open item break (the same reference:
    a late booking, or a cancel and rebook), as long as they move no holdings break today
    (the correction put things right): their keys, and the earlier breaks they settle with
    how."""
    open_items: dict[str, list[AgedBreak]] = {}
    for aged in previous:
        if aged.brk.code.item_level:
            open_items.setdefault(_reference(aged.brk), []).append(aged)
    named = {key for brk in today for key in brk.caused_by}
    rows = [
        brk
        for brk in today
        if brk.code is BreakCode.UNKNOWN_AT_CLEARING
        and _reference(brk) in open_items
        and brk.key not in named
    ]
    settled = {
        aged.brk.key: BOOKED_LATE if aged.brk.code is BreakCode.MISSING_AT_CLEARING else CORRECTED
        for brk in rows
        for aged in open_items[_reference(brk)]
    }
    return {brk.key for brk in rows}, settled


def _reference(brk: Break) -> str:
    """The item's own reference (without the repeat mark that keeps keys unique)."""
    return brk.reference.partition("#")[0]

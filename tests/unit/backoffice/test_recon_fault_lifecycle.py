"""Each fault a clearing firm makes, over the days it stays open and the day it corrects it.

The clearing firm here books a day the way the simulated one does: a fault replaces the right
rows of one item with wrong ones (none, a wrong price or quantity, another account, two
copies; or an ``adjustment`` row for a cash difference), and its correction some days later
cancels each wrong row (kind ``..._cancel``, the net amount reversed) and books each right one
again. The reconciliation must show the fault's break and its holdings consequences, age them
while nothing changes, and resolve all of them on the day of the correction, with nothing new
opened by the correction rows themselves.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest

from directbroker.adapters.calendar import XnysCalendar
from directbroker.backoffice.books import AccountBalances, DayClose
from directbroker.backoffice.break_ageing import BOOKED_LATE, CORRECTED, AgedBreak, age
from directbroker.backoffice.clearing_records import ActivityRecord
from directbroker.backoffice.recon import CANCEL_SUFFIX, reconcile
from tests.unit.backoffice.recon_fixtures import (
    Files,
    mirror,
    opening_close,
    rebook,
    sample_day,
)

CALENDAR = XnysCalendar(2026, 2026)
DAYS = (20260302, 20260303, 20260304, 20260305)
"""The fault's day, two quiet days, and the day the clearing firm corrects it."""


def _fault(
    kind: str, rows: list[ActivityRecord]
) -> tuple[list[ActivityRecord], list[ActivityRecord]]:
    """The right and the wrong rows of the day's first trade (or first account's cash)."""
    first = next(r for r in rows if r.kind == "trade")
    if kind == "missing_trade":
        return [first], []
    if kind == "duplicate":
        return [first], [first, first]
    if kind == "wrong_account":
        return [first], [replace(first, account="C2")]
    if kind == "wrong_price":
        price = first.price + 100
        return [first], [replace(first, price=price, net_amount=-(first.quantity * price + 10_000))]
    if kind == "wrong_quantity":
        quantity = first.quantity + 1
        net = -(quantity * first.price + 10_000)
        return [first], [replace(first, quantity=quantity, net_amount=net)]
    assert kind == "cash_difference"
    adjustment = ActivityRecord("ADJ-C1", "C1", "adjustment", "", "", 0, 0, 1_0000, DAYS[0])
    return [], [adjustment]


def _corrections(
    right: list[ActivityRecord], wrong: list[ActivityRecord], day: int
) -> list[ActivityRecord]:
    cancels = [
        replace(r, kind=r.kind + CANCEL_SUFFIX, net_amount=-r.net_amount, business_date=day)
        for r in (Counter(wrong) - Counter(right)).elements()
    ]
    return cancels + [
        replace(r, business_date=day) for r in (Counter(right) - Counter(wrong)).elements()
    ]


EXPECTED = {
    "missing_trade": ("MISSING_AT_CLEARING", BOOKED_LATE),
    "duplicate": ("DUPLICATE_AT_CLEARING", CORRECTED),
    "wrong_account": ("ACCOUNT_MISMATCH", CORRECTED),
    "wrong_price": ("PRICE_MISMATCH", CORRECTED),
    "wrong_quantity": ("QUANTITY_MISMATCH", CORRECTED),
    "cash_difference": ("UNKNOWN_AT_CLEARING", CORRECTED),
}


def _their_books(files: Files, day: int) -> DayClose:
    """The clearing firm's holdings as a close to book the next rows on."""
    names = {p.account for p in files.positions} | {b.account for b in files.balances}
    balances = {
        name: AccountBalances(
            name,
            sum(b.cash for b in files.balances if b.account == name),
            0,
            0,
            {p.symbol: p.quantity for p in files.positions if p.account == name},
        )
        for name in names
    }
    return DayClose(day, 0, balances, {})


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_a_fault_breaks_ages_and_resolves_when_corrected(kind: str) -> None:
    code, note = EXPECTED[kind]
    day = sample_day()
    files = mirror(day)
    right, wrong = _fault(kind, files.activity)
    booked = [r for r in files.activity if r not in right] + wrong
    clearing = rebook(files, booked, opening_close(day))
    close = day.close()

    previous: tuple[AgedBreak, ...] = ()
    for n, today in enumerate(DAYS):
        executions, movements = (day.executions, day.movements) if n == 0 else ([], [])
        if n == 0:
            theirs = clearing
        elif today == DAYS[-1]:
            theirs = rebook(
                clearing, _corrections(right, wrong, today), _their_books(clearing, today)
            )
        else:
            theirs = Files(
                [],
                [replace(p, as_of=today) for p in clearing.positions],
                [replace(b, as_of=today) for b in clearing.balances],
            )
        breaks = reconcile(
            today, executions, movements, replace(close, date=today), theirs.activity,
            theirs.positions, theirs.balances,
        )  # fmt: skip
        ageing = age(today, breaks, previous, CALENDAR)
        if today != DAYS[-1]:
            opened = {a.brk.code.value for a in ageing.open}
            assert code in opened, (today, opened)
            assert all(a.first_seen == DAYS[0] and a.age_days == n for a in ageing.open)
            assert all(a.brk.explained for a in ageing.open)
            assert ageing.resolved == ()
        else:
            assert ageing.open == (), [a.brk.message for a in ageing.open]
            notes = {a.brk.code.value: a.note for a in ageing.resolved}
            assert notes[code] == note
            assert set(notes) - {code} <= {"POSITION_BREAK", "CASH_BREAK"}
        previous = ageing.open

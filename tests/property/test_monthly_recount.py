"""Differential test of the monthly activity report: for any journal of business days over
months (accounts opened, closed and reopened, the firm's average-price account, deposits,
withdrawals and journals between accounts, orders filled over several days, block allocations,
marks), every month's figures equal the brute-force recount of the same entries
(:mod:`tests.e2e.monthly_recount`, written another way)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from directbroker.backoffice.monthly_activity import month_figures
from directbroker.domain.accounts import AccountStatus, Registration
from directbroker.domain.ledger_messages import AccountStatusChanged
from directbroker.engines.ledger import chart
from tests.e2e.monthly_recount import COUNTED, recount
from tests.unit.backoffice.test_monthly_activity import DOLLAR, Journal, Sessions, ts

OPS = (
    "day", "weeks", "open", "open", "close", "reopen", "deposit", "withdraw",
    "journal", "fill", "fill", "again", "allocate", "mark",
)  # fmt: skip


def _next_day(today: int, days: int) -> int:
    day = date(today // 10_000, today // 100 % 100, today % 100) + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day.year * 10_000 + day.month * 100 + day.day


def _play(ops: list[tuple[str, int]]) -> Journal:
    j = Journal()
    today = 20250102
    j.day(today)
    j.open("FIRM-AVGPX", ts(today), Registration.AVERAGE_PRICE)  # blocks fill here
    accounts: list[str] = ["FIRM-AVGPX"]
    closed: set[str] = set()
    orders: list[tuple[str, str]] = []
    fills = 0
    for op, n in ops:
        some = accounts[n % len(accounts)] if accounts else ""
        if op in ("day", "weeks"):
            j.end(today)
            today = _next_day(today, 1 if op == "day" else 7 + n % 40)
            j.day(today)
        elif op == "open":
            accounts.append(f"C{len(accounts)}")
            j.open(accounts[-1], ts(today))
        elif op in ("close", "reopen") and some:
            now_closed = op == "close"
            if (some in closed) != now_closed:
                old, new = AccountStatus.ACTIVE, AccountStatus.CLOSED
                old, new = (old, new) if now_closed else (new, old)
                j.take(AccountStatusChanged(some, old, new, "", ts(today)), at=ts(today))
                (closed.add if now_closed else closed.discard)(some)
        elif op in ("deposit", "withdraw") and some:
            amount = (n % 50_000 + 1) * DOLLAR * (1 if op == "deposit" else -1)
            j.cash(op, today, some, amount, chart.EXTERNAL_BANK)
        elif op == "journal" and some:
            j.cash(
                "journal_cash",
                today,
                some,
                (n % 900 + 1) * DOLLAR,
                chart.customer_cash(accounts[0]),
            )
        elif op == "fill" and some:
            fills += 1
            orders.append((f"o{fills}", some))
            j.fill(f"o{fills}", some, n % 500 + 1, today, fills)
        elif op in ("again", "allocate") and orders:
            fills += 1
            order, account = orders[n % len(orders)]
            target = account if op == "again" else some
            j.fill(order, target, n % 300 + 1, today, fills, street=op == "again")
        elif op == "mark":
            j.mark("AAPL", (n % 400 + 1) * DOLLAR, today)
    j.end(today)
    return j


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 10**6)), max_size=80))
def test_every_months_figures_equal_a_recount_of_the_entries(ops: list[tuple[str, int]]) -> None:
    j = _play(ops)
    expected = recount(j.entries)
    assert expected
    for month, figures in expected.items():
        got = month_figures(j.activity, int(month[:4]), int(month[5:]), Sessions())
        assert got is not None
        assert {name: getattr(got, name) for name in COUNTED} == figures, month

"""The monthly activity report's definitions, each on a hand-built journal: accounts open at
month end and opened in the month (customers only, by calendar month), trades counted once in
the month of the first execution (a block once, its allocations not), shares at the street,
DARTs over the sessions, customer assets at the month's last close, net new assets from the
bank only; the release's rounding; "n/a" for a month before the firm."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from directbroker.backoffice.monthly_activity import (
    ActivityBooks,
    change_pct,
    display_change,
    monthly_activity,
)
from directbroker.backoffice.monthly_html import as_html
from directbroker.backoffice.monthly_render import as_csv, as_json, as_text
from directbroker.backoffice.periods import EASTERN
from directbroker.domain.accounts import CASH_ASSET, AccountStatus, AccountType, Registration
from directbroker.domain.broker_messages import BrokerDayEnded, BrokerDayStarted, ParentFilled
from directbroker.domain.ledger_messages import (
    AccountOpened,
    AccountStatusChanged,
    ExecutionRecorded,
    PostingsRecorded,
)
from directbroker.domain.marketdata_messages import TradePrinted
from directbroker.domain.messages import Event, Message
from directbroker.domain.order_status import OrdStatus
from directbroker.domain.orders import Liquidity, Side
from directbroker.engines.ledger import chart

DOLLAR = 10_000


class Sessions:
    """Weekdays as sessions (enough for counting)."""

    def sessions_between(self, start: int, end: int) -> list[int]:
        days = []
        for date in range(start, end + 1):
            try:
                moment = datetime(date // 10_000, date // 100 % 100, date % 100)
            except ValueError:
                continue
            if moment.weekday() < 5:
                days.append(date)
        return days


def ts(date: int, hour: int = 12) -> int:
    moment = datetime(date // 10_000, date // 100 % 100, date % 100, hour, tzinfo=EASTERN)
    return int(moment.timestamp()) * 1_000_000_000


class Journal:
    """Hand-made journal entries fed to the report's folds."""

    def __init__(self) -> None:
        self.activity = ActivityBooks()
        self.entry_id = 0
        self.entries: list[tuple[Message, list[Event], int]] = []

    def take(self, *events: Event, at: int, message: Message | None = None) -> None:
        self.activity.take(message or events[0], events, at)
        self.entries.append((message or events[0], list(events), at))

    def day(self, date: int) -> None:
        self.take(BrokerDayStarted(date, ts(date, 4)), at=ts(date, 4))

    def end(self, date: int) -> None:
        self.take(BrokerDayEnded(date, ts(date, 20)), at=ts(date, 20))

    def open(
        self, account: str, at: int, registration: Registration = Registration.INDIVIDUAL
    ) -> None:
        self.take(AccountOpened(account, "o", AccountType.CASH, registration, at), at=at)

    def close(self, account: str, at: int) -> None:
        old = AccountStatus.ACTIVE
        self.take(AccountStatusChanged(account, old, AccountStatus.CLOSED, "r", at), at=at)

    def postings(self, kind: str, date: int, *rows: tuple[str, str, int]) -> None:
        self.entry_id += 1
        books, assets, amounts = zip(*rows, strict=True)
        event = PostingsRecorded(
            self.entry_id, kind, "", "", date, books, assets, amounts, ts(date)
        )
        self.take(event, at=ts(date))

    def cash(self, kind: str, date: int, account: str, amount: int, other: str) -> None:
        self.postings(
            kind, date, (chart.customer_cash(account), CASH_ASSET, amount),
            (other, CASH_ASSET, -amount),
        )  # fmt: skip

    def mark(self, symbol: str, price: int, date: int) -> None:
        self.take(TradePrinted(1, symbol, "X", 1, price, 100, None, "", ts(date)), at=ts(date))

    def fill(
        self, order: str, account: str, qty: int, date: int, n: int, street: bool = True
    ) -> None:
        """An execution of ``order``: at a venue (``ParentFilled``) or booked without one."""
        execution = f"{order}.{n}"
        events: list[Event] = []
        if street:
            events.append(ParentFilled(
                order, account, "AAPL", Side.BUY, OrdStatus.NEW, OrdStatus.PARTIALLY_FILLED,
                "ARCA", f"c{n}", execution, qty, 100 * DOLLAR, qty, 0, 100 * DOLLAR,
                Liquidity.TAKER, ts(date),
            ))  # fmt: skip
        self.entry_id += 1
        events.append(PostingsRecorded(
            self.entry_id, "execution", account, execution, date,
            (chart.customer_securities(account), chart.STREET_UNSETTLED,
             chart.customer_unsettled(account), chart.STREET_UNSETTLED),
            ("AAPL", "AAPL", CASH_ASSET, CASH_ASSET),
            (qty, -qty, -qty * 100 * DOLLAR, qty * 100 * DOLLAR),
            ts(date),
        ))  # fmt: skip
        events.append(ExecutionRecorded(
            account, execution, "AAPL", Side.BUY, qty, 100 * DOLLAR, qty * 100 * DOLLAR,
            0, 0, 0, 0, 0, date, date, ts(date),
        ))  # fmt: skip
        self.take(*events, at=ts(date))


def test_the_worked_example_of_a_release() -> None:
    assert display_change(56_350_508, 36_019_838) == "56%"
    assert display_change(16_467, 14_746) == "11.7%"
    assert display_change(243_495_204, 54_738_776) == "345%"
    assert change_pct(56_350_508, 36_019_838) == Decimal("56.4")
    assert change_pct(16_467, 14_746) == Decimal("11.7")
    assert change_pct(243_495_204, 54_738_776) == Decimal("344.8")


def test_changes_round_half_up_away_from_zero_and_are_na_without_a_positive_base() -> None:
    assert change_pct(1_00005, 1_00000) == Decimal("0.0")
    assert change_pct(1_00050, 1_00000) == Decimal("0.1")  # exactly 0.05%: half up
    assert change_pct(99_950, 1_00000) == Decimal("-0.1")  # away from zero
    assert display_change(80, 100) == "-20%" and display_change(81, 100) == "-19.0%"
    for before in (None, 0, -5):
        assert change_pct(10, before) is None and display_change(10, before) == "n/a"
    assert change_pct(None, 10) is None


@given(st.integers(0, 10**12), st.integers(1, 10**12))
def test_a_change_is_the_exact_percentage_within_half_a_tenth(now: int, before: int) -> None:
    change = change_pct(now, before)
    assert change is not None
    exact = Fraction(now - before) * 100 / before
    assert abs(Fraction(change) - exact) <= Fraction(1, 20)


def _accounts_journal() -> Journal:
    j = Journal()
    j.day(20260227)
    j.open("C1", ts(20260227))
    j.end(20260227)
    j.open("C2", ts(20260301))  # a Sunday: March's, though the books are in February's last day
    j.day(20260302)
    j.open("FIRM-AVGPX", ts(20260302), Registration.AVERAGE_PRICE)
    j.open("C3", ts(20260302))
    j.close("C1", ts(20260331))
    j.end(20260331)
    j.open("C4", ts(20260401))
    return j


def test_accounts_are_customers_open_at_month_end_and_opened_in_the_month() -> None:
    j = _accounts_journal()
    march = monthly_activity(j.activity, 2026, 3, Sessions())
    assert march.current is not None and march.prior is not None
    assert (march.prior.customer_accounts, march.prior.new_accounts) == (1, 1)
    assert (march.current.customer_accounts, march.current.new_accounts) == (2, 2)
    april = monthly_activity(j.activity, 2026, 4, Sessions()).current
    assert april is not None and (april.customer_accounts, april.new_accounts) == (3, 1)


def test_a_year_earlier_without_a_firm_is_na() -> None:
    report = monthly_activity(_accounts_journal().activity, 2026, 3, Sessions())
    assert report.year_ago is None
    accounts = report.comparisons[0]
    assert accounts.name == "customer_accounts" and accounts.year_change is None
    assert accounts.month_change == Decimal("100.0")
    assert "n/a" in as_text(report)
    assert as_json(report)["year_ago"]["customer_accounts"] is None


def test_trades_count_once_in_the_month_of_the_first_execution_and_blocks_once() -> None:
    j = _accounts_journal()
    j.day(20260331)
    j.fill("o1", "C3", 100, 20260331, 1)
    j.day(20260401)
    j.fill("o1", "C3", 50, 20260401, 2)  # the same order in April: shares, not a trade
    j.fill("o2", "C3", 10, 20260401, 1)
    j.fill("b1", "FIRM-AVGPX", 300, 20260401, 1)  # a block's street fill
    j.fill("b1", "C3", 100, 20260401, 3, street=False)  # its allocations
    j.fill("b1", "C4", 200, 20260401, 4, street=False)
    march = monthly_activity(j.activity, 2026, 3, Sessions()).current
    april = monthly_activity(j.activity, 2026, 4, Sessions()).current
    assert march is not None and (march.trades, march.shares) == (1, 100)
    assert april is not None and (april.trades, april.shares) == (2, 50 + 10 + 300)
    assert april.sessions == 22 and april.darts == Decimal("0.1")  # 2 / 22 = 0.09
    assert april.darts_exact == Fraction(2, 22)


def test_customer_assets_are_cash_and_positions_at_the_months_last_close() -> None:
    j = Journal()
    j.day(20260330)
    j.open("C1", ts(20260330))
    j.open("FIRM-AVGPX", ts(20260330), Registration.AVERAGE_PRICE)
    j.cash("deposit", 20260330, "C1", 5_000 * DOLLAR, chart.EXTERNAL_BANK)
    j.postings(
        "execution", 20260330, (chart.customer_securities("C1"), "AAPL", 10),
        (chart.customer_unsettled("C1"), CASH_ASSET, -1_000 * DOLLAR),
        (chart.customer_securities("FIRM-AVGPX"), "AAPL", 500),
        (chart.customer_unsettled("FIRM-AVGPX"), CASH_ASSET, -50_000 * DOLLAR),
    )  # fmt: skip
    j.mark("AAPL", 120 * DOLLAR, 20260331)
    j.end(20260331)
    j.mark("AAPL", 999 * DOLLAR, 20260401)  # after the close: April's mark, not March's
    march = monthly_activity(j.activity, 2026, 3, Sessions()).current
    assert march is not None
    assert march.customer_assets == (5_000 - 1_000 + 10 * 120) * DOLLAR
    april = monthly_activity(j.activity, 2026, 4, Sessions()).current
    assert april is not None and april.customer_assets is None  # no April day closed yet


def test_net_new_assets_count_only_cash_that_crossed_the_bank() -> None:
    j = Journal()
    j.day(20260302)
    j.open("C1", ts(20260302))
    j.open("C2", ts(20260302))
    j.cash("deposit", 20260302, "C1", 10_000 * DOLLAR, chart.EXTERNAL_BANK)
    j.cash("withdrawal", 20260303, "C1", -2_000 * DOLLAR, chart.EXTERNAL_BANK)
    j.postings(
        "journal_cash", 20260304, (chart.customer_cash("C1"), CASH_ASSET, -500 * DOLLAR),
        (chart.customer_cash("C2"), CASH_ASSET, 500 * DOLLAR),
    )  # fmt: skip
    j.cash("deposit", 20260401, "C2", 7 * DOLLAR, chart.EXTERNAL_BANK)
    march = monthly_activity(j.activity, 2026, 3, Sessions()).current
    assert march is not None and march.net_new_assets == 8_000 * DOLLAR


def test_every_format_carries_the_figures() -> None:
    j = _accounts_journal()
    report = monthly_activity(j.activity, 2026, 3, Sessions())
    plain = json.loads(json.dumps(as_json(report)))
    assert plain["period"] == "2026-03" and plain["figures"]["customer_accounts"] == 2
    assert plain["history"][0]["period"] == "2025-03"
    assert len(plain["history"]) == 13
    rows = as_csv(report).splitlines()
    assert rows[0].startswith("period,figure,value") and len(rows) == 8
    assert "2026-03,customer_accounts,2,2025-03,n/a,n/a,2026-02,1,100.0" in rows
    page = as_html(report)
    assert (
        page.count("<svg") == 4
        and "<script" not in page
        and "http" not in page.replace("http://www.w3.org/2000/svg", "")
    )
    text = as_text(report)
    assert "Customer accounts 2, no comparison from Mar 2025, up 100% from Feb 2026." in text

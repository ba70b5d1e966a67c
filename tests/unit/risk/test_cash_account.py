"""Good-faith violations, free-riding and the 90-day restriction, with dates worked out."""

from __future__ import annotations

from directbroker.domain.order_status import CashViolation
from directbroker.engines.risk.cash_account import (
    CashRecord,
    record_buy,
    record_sell,
    record_violation,
)
from directbroker.engines.risk.money import add_days, civil_from_days, days_from_civil
from tests.unit.risk.risk_helpers import usd

MON, TUE, WED = 20260601, 20260602, 20260603


def test_calendar_arithmetic() -> None:
    assert days_from_civil(19700101) == 0
    assert civil_from_days(days_from_civil(20240229)) == 20240229
    assert add_days(20240228, 1) == 20240229
    assert add_days(MON, 90) == 20260830
    assert add_days(20261231, 1) == 20270101


def test_selling_what_unsettled_proceeds_bought_before_they_settle_is_a_gfv() -> None:
    record = CashRecord()
    # Monday: sell old shares of XYZ for $1,000 (settles Tuesday), buy ABC for $1,000 with it.
    assert record_sell(record, "XYZ", 10, 10, usd(1_000), MON, TUE) is None
    record_buy(record, "ABC", 10, usd(1_000), 0, MON, TUE)
    assert record.lots["ABC"][0].funded_until == TUE
    # Selling ABC on Monday, before the proceeds that paid for it settle: a violation.
    assert record_sell(record, "ABC", 10, 10, usd(1_050), MON, TUE) is CashViolation.GOOD_FAITH


def test_selling_after_the_proceeds_settle_is_fine() -> None:
    record = CashRecord()
    record_sell(record, "XYZ", 10, 10, usd(1_000), MON, TUE)
    record_buy(record, "ABC", 10, usd(1_000), 0, MON, TUE)
    record.roll(TUE)
    assert record_sell(record, "ABC", 10, 10, usd(1_050), TUE, WED) is None


def test_settled_cash_is_spent_first() -> None:
    record = CashRecord()
    record_sell(record, "XYZ", 10, 10, usd(1_000), MON, TUE)
    # $1,500 buy with $600 settled: $600 from settled cash, $900 from Tuesday's proceeds.
    record_buy(record, "ABC", 15, usd(1_500), usd(600), MON, TUE)
    assert record.committed == [[TUE, usd(600)]]
    assert record.proceeds == [[TUE, usd(100)]]
    # A $500 buy now has no settled cash left ($600 promised) and $100 of proceeds.
    record_buy(record, "DEF", 5, usd(500), usd(600), MON, TUE)
    assert record.lots["DEF"][0].unfunded


def test_shares_held_before_are_sold_first() -> None:
    record = CashRecord()
    record_sell(record, "XYZ", 10, 10, usd(1_000), MON, TUE)
    record_buy(record, "ABC", 10, usd(1_000), 0, MON, TUE)
    # 30 held: 20 from before and 10 just bought; selling 20 touches only the old shares.
    assert record_sell(record, "ABC", 20, 30, usd(2_000), MON, TUE) is None
    assert record_sell(record, "ABC", 1, 10, usd(100), MON, TUE) is CashViolation.GOOD_FAITH


def test_selling_what_was_never_paid_for_is_free_riding() -> None:
    record = CashRecord()
    record_buy(record, "ABC", 10, usd(1_000), 0, MON, TUE)
    assert record_sell(record, "ABC", 10, 10, usd(1_000), MON, TUE) is CashViolation.FREE_RIDING


def test_free_riding_or_the_third_gfv_in_a_year_restricts_for_90_days() -> None:
    record = CashRecord()
    assert record_violation(record, CashViolation.GOOD_FAITH, MON, 3, 90) == 1
    assert record_violation(record, CashViolation.GOOD_FAITH, TUE, 3, 90) == 2
    assert record.restricted_until == 0
    assert record_violation(record, CashViolation.GOOD_FAITH, WED, 3, 90) == 3
    assert record.restricted_until == 20260901  # 2026-06-03 + 90 days
    other = CashRecord()
    record_violation(other, CashViolation.FREE_RIDING, MON, 3, 90)
    assert other.restricted_until == 20260830
    other.roll(20260830)
    assert other.restricted_until == 0


def test_violations_age_out_after_twelve_months() -> None:
    record = CashRecord()
    record_violation(record, CashViolation.GOOD_FAITH, 20250601, 3, 90)
    record_violation(record, CashViolation.GOOD_FAITH, 20250901, 3, 90)
    record.roll(MON)  # 2025-06-01 is 365 days before 2026-06-01: it ages out
    assert record_violation(record, CashViolation.GOOD_FAITH, MON, 3, 90) == 2

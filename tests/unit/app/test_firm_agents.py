"""The simulated firm's agent customers: each kind trades its own way, deterministically."""

from __future__ import annotations

from datetime import date, timedelta

from directbroker.adapters.calendar import XnysCalendar
from directbroker.app.firm_agents import (
    MAX_ORDER_SHARES,
    Decision,
    Move,
    buy_quantity,
    decide,
    limit_cents,
    monthly_deposit_cents,
    sale,
)
from directbroker.app.firm_driver import opening_day
from directbroker.app.firm_growth import Customer, CustomerKind, growth_plan

SYMBOLS = ("AAPL", "MSFT", "SPY", "XOM")
DAYS = [date(2024, 1, 2) + timedelta(days=n) for n in range(250)]


def _decisions(kind: CustomerKind, index: int = 7) -> list[list[Decision]]:
    customer = Customer(index, kind, 0, 1_000_000)
    return [decide(customer, day, 5, SYMBOLS) for day in DAYS]


def test_decisions_depend_only_on_seed_customer_and_day() -> None:
    customer = Customer(3, CustomerKind.ACTIVE, 0, 1_000_000)
    assert decide(customer, DAYS[0], 5, SYMBOLS) == decide(customer, DAYS[0], 5, SYMBOLS)
    every = [decide(customer, day, 5, SYMBOLS) for day in DAYS]
    other_seed = [decide(customer, day, 6, SYMBOLS) for day in DAYS]
    assert every != other_seed


def test_active_traders_day_trade_most_days() -> None:
    days = _decisions(CustomerKind.ACTIVE)
    trading = [d for d in days if d]
    assert 0.55 < len(trading) / len(days) < 0.85
    moves = {decision.move for day in days for decision in day}
    assert moves == {Move.DAY_TRADE}
    assert all(len(day) <= 3 and len({d.symbol for d in day}) == len(day) for day in days)


def test_investors_trade_rarely_and_mostly_buy() -> None:
    days = _decisions(CustomerKind.INVESTOR)
    moves = [decision.move for day in days for decision in day]
    assert 5 < len(moves) < 45
    assert moves.count(Move.BUY) > moves.count(Move.SELL)
    assert Move.DAY_TRADE not in moves


def test_institutions_trade_on_some_days_both_ways() -> None:
    days = _decisions(CustomerKind.INSTITUTION)
    moves = [decision.move for day in days for decision in day]
    assert 0.2 < len(moves) / len(days) < 0.5
    assert {Move.BUY, Move.SELL} == set(moves)


def test_buy_sizes_follow_buying_power_and_stop_at_the_cap() -> None:
    assert buy_quantity(0.5, 100_000, 1_000) == 50
    assert buy_quantity(0.5, 100_000, 0) == 0
    assert buy_quantity(0.5, 0, 1_000) == 0
    assert buy_quantity(1.0, 10**12, 100) == MAX_ORDER_SHARES


def test_a_sale_picks_a_holding_and_sells_part_of_it() -> None:
    decision = Decision(Move.SELL, "", 0.5, pick=0.99)
    assert sale(decision, {"AAPL": 10, "MSFT": 3, "XOM": 0}) == ("MSFT", 1)
    assert sale(Decision(Move.SELL, "", 0.5, pick=0.0), {"AAPL": 10}) == ("AAPL", 5)
    assert sale(decision, {}) is None


def test_limits_are_marketable_through_the_price() -> None:
    assert limit_cents("buy", 10_000) == 10_100
    assert limit_cents("buy", 333) == 337  # rounded up: still through the price
    assert limit_cents("sell", 10_000) == 9_900
    assert limit_cents("sell", 0) == 1


def test_monthly_savings_by_kind() -> None:
    months = [date(2024 + n // 12, n % 12 + 1, 1) for n in range(48)]
    investor = Customer(1, CustomerKind.INVESTOR, 0, 500_000)
    saved = [monthly_deposit_cents(investor, m, 2) for m in months]
    assert 0.5 < sum(1 for s in saved if s) / len(saved) < 0.95
    assert all(s == 0 or 100 * 100 <= s < 3_000 * 100 for s in saved)
    assert saved == [monthly_deposit_cents(investor, m, 2) for m in months]


def test_a_months_openings_spread_over_its_trading_days() -> None:
    calendar = XnysCalendar()
    plan = growth_plan(date(2024, 1, 1), 2, 40, seed=1)
    for month in (0, 1):
        days = [opening_day(plan, c, calendar) for c in plan.opening_in(month)]
        assert days == sorted(days)
        assert all(plan.month_of(day) == month and day.weekday() < 5 for day in days)
        assert date(2024, 1, 1) not in days  # a holiday
        assert len(set(days)) > len(days) // 2

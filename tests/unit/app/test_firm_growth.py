"""The simulated firm's growth plan: the curve, the kinds, the months, determinism."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from directbroker.app.firm_growth import CustomerKind, cumulative_accounts, growth_plan


def test_the_curve_ends_at_the_accounts_and_grows_faster_each_year() -> None:
    curve = cumulative_accounts(1000, 24)
    assert curve[-1] == 1000
    assert curve == sorted(curve)
    new = [curve[0]] + [b - a for a, b in itertools.pairwise(curve)]
    # A growing firm: the second year opens more accounts than the first, and the accounts
    # at a month's end differ from the same month a year earlier.
    assert sum(new[12:]) > 2 * sum(new[:12])
    assert all(curve[m + 12] > curve[m] for m in range(12))


@given(st.integers(1, 5000), st.integers(1, 36))
def test_the_curve_never_falls_and_ends_exactly(accounts: int, months: int) -> None:
    curve = cumulative_accounts(accounts, months)
    assert len(curve) == months
    assert curve[0] >= 1 and curve[-1] == accounts
    assert all(a <= b for a, b in itertools.pairwise(curve))


def test_a_plan_is_the_same_for_the_same_seed_and_differs_for_another() -> None:
    first = growth_plan(date(2024, 1, 15), 24, 200, seed=3)
    assert first == growth_plan(date(2024, 1, 15), 24, 200, seed=3)
    assert first != growth_plan(date(2024, 1, 15), 24, 200, seed=4)
    assert first.start == date(2024, 1, 1)


def test_every_kind_is_there_even_in_a_small_firm_and_the_mix_follows_the_shares() -> None:
    small = growth_plan(date(2024, 1, 1), 3, 12, seed=1)
    assert {c.kind for c in small.customers} == set(CustomerKind)
    assert {c.kind for c in small.opening_in(0)} == set(CustomerKind)
    large = growth_plan(date(2024, 1, 1), 24, 2000, seed=1)
    investors = sum(1 for c in large.customers if c.kind is CustomerKind.INVESTOR)
    assert 0.7 < investors / 2000 < 0.9


def test_deposits_suit_the_kind() -> None:
    plan = growth_plan(date(2024, 1, 1), 12, 300, seed=9)
    for customer in plan.customers:
        if customer.kind is CustomerKind.ACTIVE:
            # Above the $25,000 a pattern day trader must keep.
            assert customer.deposit_cents >= 30_000 * 100
        elif customer.kind is CustomerKind.INSTITUTION:
            assert customer.deposit_cents >= 2_000_000 * 100
        else:
            assert 2_000 * 100 <= customer.deposit_cents < 25_000 * 100


def test_months_map_to_calendar_months_across_years() -> None:
    plan = growth_plan(date(2024, 11, 1), 24, 50, seed=1)
    assert plan.month_start(0) == date(2024, 11, 1)
    assert plan.month_start(2) == date(2025, 1, 1)
    assert plan.month_start(24) == date(2026, 11, 1)
    assert plan.month_of(date(2025, 1, 31)) == 2
    assert plan.month_of(date(2024, 10, 31)) == -1
    assert plan.open_by_end_of(23) == 50
    assert sum(len(plan.opening_in(m)) for m in range(24)) == 50
    assert [c.index for c in plan.customers] == list(range(50))


@pytest.mark.parametrize(("accounts", "months"), [(0, 3), (3, 0)])
def test_an_empty_plan_is_refused(accounts: int, months: int) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        cumulative_accounts(accounts, months)

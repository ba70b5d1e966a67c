"""Allocations always sum exactly to the filled quantity, never go negative, and are
deterministic; the average price is within half a unit of the exact VWAP."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from directbroker.domain.portfolio_messages import AllocationMethod
from directbroker.engines.portfolio import allocate, largest_remainder


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10**8), st.lists(st.integers(0, 10**9), min_size=1, max_size=50).filter(any))
def test_largest_remainder_is_exact_and_fair(total: int, weights: list[int]) -> None:
    shares = largest_remainder(total, weights)
    assert sum(shares) == total
    weight_sum = sum(weights)
    for share, weight in zip(shares, weights, strict=True):
        exact = total * weight / weight_sum
        assert share >= 0 and abs(share - exact) < 1  # never more than one share from pro rata
    assert largest_remainder(total, weights) == shares


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 10_000), st.integers(1, 10**7)), min_size=1, max_size=20),
    st.integers(1, 30),
    st.sampled_from(
        [AllocationMethod.EQUAL, AllocationMethod.RATIO, AllocationMethod.NET_LIQUIDATION]
    ),
    st.data(),
)
def test_block_allocations_sum_exactly(
    fills: list[tuple[int, int]], accounts: int, method: AllocationMethod, data: st.DataObject
) -> None:
    quantities = [q for q, _ in fills]
    prices = [p for _, p in fills]
    weights: tuple[int, ...] = ()
    if method is not AllocationMethod.EQUAL:
        weights = tuple(
            data.draw(
                st.lists(st.integers(0, 10**6), min_size=accounts, max_size=accounts).filter(any)
            )
        )
    average, residual, split = allocate(method, accounts, weights, quantities, prices)
    filled = sum(quantities)
    assert sum(split) == filled and min(split) >= 0
    notional = sum(q * p for q, p in fills)
    assert average * filled + residual == notional
    assert 2 * abs(residual) <= filled  # rounded to the nearest $0.0001

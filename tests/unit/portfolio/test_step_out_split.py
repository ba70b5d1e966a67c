"""The step-outs' part of a block's fills, rule by rule: exactly their shares on a full fill,
their fraction of a partial one by largest remainder (ties to the step-out named first), and
the accounts' split of the rest by the method."""

from __future__ import annotations

import pytest

from directbroker.domain.portfolio_messages import AllocationMethod
from directbroker.domain.rejects import RejectCode
from directbroker.engines.portfolio import AllocationError, allocate_block, step_out_split


def test_a_full_fill_gives_each_step_out_exactly_its_shares() -> None:
    assert step_out_split(1_000, 1_000, [250, 150]) == ([250, 150], 600)


def test_a_partial_fill_gives_each_its_fraction_and_ties_go_to_the_first_named() -> None:
    assert step_out_split(300, 1_000, [250, 150]) == ([75, 45], 180)
    # 1 share of 3 split 1:1:1: the first step-out takes the odd share.
    assert step_out_split(1, 3, [1, 1]) == ([1, 0], 0)
    assert step_out_split(0, 10, [5]) == ([0], 0)


def test_without_step_outs_the_accounts_take_everything() -> None:
    assert step_out_split(7, 10, []) == ([], 7)


@pytest.mark.parametrize(
    ("filled", "whole", "stepped"),
    [(10, 10, [11]), (10, 10, [0]), (10, 10, [6, 5]), (11, 10, [1]), (5, 10, [-1])],
)
def test_step_outs_that_do_not_fit_are_refused(filled: int, whole: int, stepped: list[int]) -> None:
    with pytest.raises(AllocationError) as refused:
        step_out_split(filled, whole, stepped)
    assert refused.value.code is RejectCode.INVALID_ALLOCATION


def test_allocate_block_splits_the_rest_by_the_method_at_one_average_price() -> None:
    average, residual, quantities, stepped = allocate_block(
        AllocationMethod.RATIO, 3, (1, 1, 2), [200, 100], [100_000, 100_003], 400, [100]
    )
    # 225 left, 1:1:2 is 56.25, 56.25, 112.5: the odd share goes to the largest remainder.
    assert stepped == [75] and quantities == [56, 56, 113]
    assert sum(quantities) + sum(stepped) == 300
    assert average == 100_001 and residual == 200 * 100_000 + 100 * 100_003 - 300 * average

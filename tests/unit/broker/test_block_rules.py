"""The block desk's rules, one by one: how an allocation instruction becomes weights lined up
with the block's accounts, how a block is split for its pre-trade risk checks, and that a
block's record survives its snapshot form."""

from __future__ import annotations

import pytest

from directbroker.domain.orders import Side
from directbroker.domain.portfolio_messages import AllocationMethod
from directbroker.domain.rejects import RejectCode
from directbroker.engines.broker.blocks import Block, Instruction, instruction, opposite, split

ACCOUNTS = ("A", "B", "C")
EQUITY = {"A": 100, "B": 300, "C": 600}


def test_named_quantities_become_shares_weights_in_group_order() -> None:
    given = instruction(ACCOUNTS, AllocationMethod.SHARES, (), ("C", "A"), (70, 30), 100)
    assert given == Instruction(AllocationMethod.SHARES, (30, 0, 70))


def test_weights_line_up_with_the_accounts() -> None:
    given = instruction(ACCOUNTS, AllocationMethod.RATIO, (1, 2, 3), (), (), 0)
    assert given == Instruction(AllocationMethod.RATIO, (1, 2, 3))
    by_equity = instruction(ACCOUNTS, AllocationMethod.NET_LIQUIDATION, (), (), (), 0)
    assert by_equity == Instruction(AllocationMethod.NET_LIQUIDATION, ())


@pytest.mark.parametrize(
    ("method", "weights", "named", "quantities", "whole", "code"),
    [
        (AllocationMethod.SHARES, (), ("A", "Z"), (1, 2), 3, RejectCode.INVALID_ALLOCATION),
        (AllocationMethod.SHARES, (), ("A", "A"), (1, 2), 3, RejectCode.INVALID_ALLOCATION),
        (AllocationMethod.SHARES, (), ("A",), (2,), 3, RejectCode.INVALID_ALLOCATION),
        (AllocationMethod.SHARES, (), ("A",), (0,), 0, RejectCode.INVALID_ALLOCATION),
        (AllocationMethod.RATIO, (), ("A",), (1,), 0, RejectCode.INVALID_ALLOCATION),
        (AllocationMethod.SHARES, (), (), (5,), 0, RejectCode.INVALID_ALLOCATION),
        (AllocationMethod.NET_LIQUIDATION, (1, 1, 1), (), (), 0, RejectCode.INVALID_ALLOCATION),
        (AllocationMethod.EQUAL, (1, 1, 1), (), (), 0, RejectCode.INVALID_ALLOCATION),
        (AllocationMethod.PERCENT, (5000, 4000, 0), (), (), 0,
         RejectCode.ALLOCATION_NOT_100_PERCENT),
        (AllocationMethod.RATIO, (1, 2), (), (), 0, RejectCode.INVALID_ALLOCATION),
        (AllocationMethod.RATIO, (0, 0, 0), (), (), 0, RejectCode.INVALID_ALLOCATION),
        (AllocationMethod.SHARES, (10, 10, 10), (), (), 100, RejectCode.INVALID_ALLOCATION),
        ("pro-rata", (), (), (), 0, RejectCode.INVALID_ALLOCATION),
        (AllocationMethod.RATIO, [1, 2, 3], (), (), 0, RejectCode.MALFORMED),
    ],
)  # fmt: skip
def test_instructions_that_do_not_fit_are_refused(
    method: object, weights: object, named: object, quantities: object, whole: int,
    code: RejectCode,
) -> None:  # fmt: skip
    refused = instruction(ACCOUNTS, method, weights, named, quantities, whole)
    assert isinstance(refused, tuple) and refused[0] is code


def test_risk_splits_by_the_instruction_or_equally_without_one() -> None:
    assert split(ACCOUNTS, None, (), 100, EQUITY.__getitem__) == [34, 33, 33]
    assert split(ACCOUNTS, AllocationMethod.RATIO, (1, 1, 2), 100, EQUITY.__getitem__) == [
        25, 25, 50,
    ]  # fmt: skip
    by_equity = split(ACCOUNTS, AllocationMethod.NET_LIQUIDATION, (), 100, EQUITY.__getitem__)
    assert by_equity == [10, 30, 60]
    broke = split(ACCOUNTS, AllocationMethod.NET_LIQUIDATION, (), 100, lambda _: -5)
    assert isinstance(broke, tuple) and broke[0] is RejectCode.INVALID_ALLOCATION


def test_the_average_price_account_takes_the_other_side() -> None:
    assert opposite(Side.BUY) is Side.SELL
    assert opposite(Side.SELL) is Side.BUY
    assert opposite(Side.SELL_SHORT) is Side.BUY


def test_a_block_survives_its_snapshot_form() -> None:
    block = Block("B", "G", ACCOUNTS, "AAPL", Side.BUY, 100, "pm", 7, AllocationMethod.RATIO,
                  (1, 2, 3), [60, 40], [2_000_000, 2_000_100], 0, False)  # fmt: skip
    assert Block.from_plain(block.to_plain()) == block
    waiting = Block("W", "G", ACCOUNTS, "AAPL", Side.SELL, 10, "pm", 8, None, ())
    assert Block.from_plain(waiting.to_plain()) == waiting

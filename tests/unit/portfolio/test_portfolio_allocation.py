"""Worked examples: a partially filled block allocated across three accounts by each method,
with the remainder rule, the block's average price, and the refusals."""

from __future__ import annotations

import pytest

from directbroker.domain.orders import Side
from directbroker.domain.portfolio_messages import (
    AllocateBlock,
    AllocationMethod,
    BlockAllocated,
    CreateAccountGroup,
    PortfolioRejected,
)
from directbroker.domain.rejects import RejectCode
from directbroker.engines.portfolio import PortfolioCore, average_price, largest_remainder

# A 1,000-share block partially filled: 400 at $10.00 and 300 at $10.01 (700 shares).
FILLS = (400, 300)
PRICES = (100_000, 100_100)


@pytest.fixture
def core() -> PortfolioCore:
    portfolio = PortfolioCore()
    events = portfolio.handle(CreateAccountGroup("G", ("A", "B", "C"), "Growth"), 1)
    assert not isinstance(events[0], PortfolioRejected)
    return portfolio


def allocate(
    core: PortfolioCore, method: AllocationMethod, weights: tuple[int, ...]
) -> BlockAllocated:
    (event,) = core.handle(
        AllocateBlock(
            f"alloc-{method.value}-{weights}", "G", "XYZ", Side.BUY, FILLS, PRICES, method, weights
        ),
        2,
    )
    assert isinstance(event, BlockAllocated), event
    assert sum(event.quantities) == 700
    return event


def test_average_price_and_residual() -> None:
    # Notional 400 x 10.00 + 300 x 10.01 = 7,003.00; / 700 = 10.004285... -> 10.0043.
    average, residual = average_price(FILLS, PRICES)
    assert average == 100_043
    # 10.0043 x 700 = 7,003.01: the firm's average-price account absorbs -$0.01.
    assert residual == -100


def test_equal_split_gives_the_remainder_to_the_first_listed(core: PortfolioCore) -> None:
    # 700 / 3 = 233 r 1 each; one share left over, to A (first listed) -> 234/233/233.
    event = allocate(core, AllocationMethod.EQUAL, ())
    assert event.quantities == (234, 233, 233)
    assert {a.price for a in event.allocations} == {100_043}


def test_percent(core: PortfolioCore) -> None:
    assert allocate(core, AllocationMethod.PERCENT, (5_000, 3_000, 2_000)).quantities == (
        350,
        210,
        140,
    )
    # 33.33/33.33/33.34%: 233.31, 233.31, 233.38 -> the left-over share goes to C's .38.
    assert allocate(core, AllocationMethod.PERCENT, (3_333, 3_333, 3_334)).quantities == (
        233,
        233,
        234,
    )


def test_ratio_shares_and_net_liquidation(core: PortfolioCore) -> None:
    assert allocate(core, AllocationMethod.RATIO, (1, 2, 4)).quantities == (100, 200, 400)
    # Shares of the whole 1,000-share block, pro rata to the 700 filled.
    assert allocate(core, AllocationMethod.SHARES, (500, 300, 200)).quantities == (350, 210, 140)
    # 334/333/333 of 1,000 -> 233.8, 233.1, 233.1 -> A gets the left-over share.
    assert allocate(core, AllocationMethod.SHARES, (334, 333, 333)).quantities == (234, 233, 233)
    # Net liquidation values $50,000 / $30,000 / $20,000.
    nlv = (500_000_000, 300_000_000, 200_000_000)
    assert allocate(core, AllocationMethod.NET_LIQUIDATION, nlv).quantities == (350, 210, 140)


def test_percentages_not_summing_to_100_are_refused_and_change_nothing(core: PortfolioCore) -> None:
    before = core.state_hash()
    (event,) = core.handle(
        AllocateBlock(
            "a1",
            "G",
            "XYZ",
            Side.BUY,
            FILLS,
            PRICES,
            AllocationMethod.PERCENT,
            (5_000, 3_000, 1_000),
        ),
        3,
    )
    assert isinstance(event, PortfolioRejected)
    assert event.code is RejectCode.ALLOCATION_NOT_100_PERCENT
    assert core.state_hash() == before


@pytest.mark.parametrize(
    ("command", "code"),
    [
        (
            AllocateBlock("a1", "nope", "XYZ", Side.BUY, FILLS, PRICES, AllocationMethod.EQUAL),
            RejectCode.UNKNOWN_GROUP,
        ),
        (
            AllocateBlock(
                "a1", "G", "XYZ", Side.BUY, FILLS, PRICES, AllocationMethod.RATIO, (1, 2)
            ),
            RejectCode.INVALID_ALLOCATION,
        ),
        (
            AllocateBlock(
                "a1", "G", "XYZ", Side.BUY, FILLS, PRICES, AllocationMethod.SHARES, (100, 100, 100)
            ),
            RejectCode.INVALID_ALLOCATION,
        ),
        (
            AllocateBlock(
                "a1", "G", "XYZ", Side.BUY, FILLS, PRICES, AllocationMethod.RATIO, (1, -1, 3)
            ),
            RejectCode.INVALID_ALLOCATION,
        ),
        (
            AllocateBlock("a1", "G", "XYZ", Side.BUY, (), (), AllocationMethod.EQUAL),
            RejectCode.INVALID_ALLOCATION,
        ),
        (
            AllocateBlock("a1", "G", "XYZ", Side.BUY, (0,), (1,), AllocationMethod.EQUAL),
            RejectCode.QUANTITY_NOT_POSITIVE,
        ),
        (
            AllocateBlock("a1", "G", "XYZ", Side.BUY, (1,), ("x",), AllocationMethod.EQUAL),  # type: ignore[arg-type]
            RejectCode.INVALID_ALLOCATION,
        ),
        (CreateAccountGroup("G", ("D",)), RejectCode.DUPLICATE_GROUP),
        (CreateAccountGroup("H", ("D", "D")), RejectCode.MALFORMED),
    ],
)
def test_refusals(core: PortfolioCore, command: AllocateBlock, code: RejectCode) -> None:
    before = core.state_hash()
    (event,) = core.handle(command, 3)
    assert isinstance(event, PortfolioRejected) and event.code is code
    assert core.state_hash() == before


def test_duplicate_allocation_and_snapshot_round_trip(core: PortfolioCore) -> None:
    allocate(core, AllocationMethod.EQUAL, ())
    (again,) = core.handle(
        AllocateBlock(
            "alloc-equal-()", "G", "XYZ", Side.BUY, FILLS, PRICES, AllocationMethod.EQUAL
        ),
        4,
    )
    assert isinstance(again, PortfolioRejected) and again.code is RejectCode.DUPLICATE_ALLOCATION
    restored = PortfolioCore()
    restored.restore(core.snapshot())
    assert restored.state_hash() == core.state_hash()
    assert restored.allocation("alloc-equal-()") == core.allocation("alloc-equal-()")


def test_largest_remainder_ties_go_to_the_first_listed() -> None:
    assert largest_remainder(2, [1, 1, 1]) == [1, 1, 0]
    assert largest_remainder(0, [1, 2]) == [0, 0]
    with pytest.raises(ValueError):
        largest_remainder(5, [0, 0])

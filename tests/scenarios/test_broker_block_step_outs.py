"""Step-outs through the broker core: part of a block given up to another broker-dealer is
booked from the average-price account to that broker's give-up account at the average price,
without charges; the group's accounts split the rest; shares and cash are exact; the books
balance; a replay and a snapshot give the same state."""

from __future__ import annotations

import pytest

from directbroker.domain.accounts import Registration
from directbroker.domain.block_messages import (
    AVERAGE_PRICE_ACCOUNT,
    BlockAllocationInstructed,
    BlockFinished,
    BlockOrderPlaced,
    BlockRejected,
    InstructBlockAllocation,
    step_out_account,
)
from directbroker.domain.broker_messages import (
    BrokerCommandRejected,
    CancelCustomerOrder,
    CustomerOrderRejected,
    PlaceOrder,
)
from directbroker.domain.ledger_messages import ExecutionRecorded, PostingsRecorded
from directbroker.domain.orders import OrderType, Side
from directbroker.domain.portfolio_messages import (
    AllocationMethod,
    BlockAllocated,
    ChangeAccountGroup,
)
from directbroker.domain.rejects import RejectCode
from directbroker.engines.ledger.fees import CommissionSchedule, FeeSchedule, principal_of
from tests.scenarios.test_broker_blocks import ACCOUNTS, block, firm, position

GIVE_UP = step_out_account("GSCO")


def test_a_pre_allocated_step_out_is_given_up_and_the_accounts_split_the_rest() -> None:
    fees = FeeSchedule(commission=CommissionSchedule(per_order=100_00))
    h = firm(fees=fees)
    cash_before = {a: h.broker.ledger.account_values(a).cash for a in ACCOUNTS}
    events = h.send(block(method=AllocationMethod.EQUAL, step_out_brokers=("GSCO",),
                          step_out_quantities=(100,)))  # fmt: skip
    (placed,) = h.of_type(BlockOrderPlaced, events)
    # Pre-trade risk checks each account's part of the 600 the step-out leaves.
    assert placed.shares == (200, 200, 200)
    assert placed.step_out_brokers == ("GSCO",) and placed.step_out_quantities == (100,)
    (allocated,) = h.of_type(BlockAllocated, events)
    assert allocated.step_out_brokers == ("GSCO",) and allocated.step_out_quantities == (100,)
    assert allocated.quantities == (200, 200, 200)
    average = allocated.average_price
    assert h.broker.ledger.registration(GIVE_UP) is Registration.STEP_OUT
    assert position(h, GIVE_UP) == (100, 100 * average)
    given = [e for e in h.of_type(ExecutionRecorded, events) if e.account == GIVE_UP]
    assert [(e.quantity, e.principal, e.commission, e.sec_fee, e.taf_fee) for e in given] == [
        (100, principal_of(100, average), 0, 0, 0)
    ]
    assert h.broker.ledger.account_values(GIVE_UP).cash == -principal_of(100, average)
    for account in ACCOUNTS:
        assert position(h, account) == (200, 200 * average)
        assert h.broker.ledger.account_values(account).cash == (
            cash_before[account] - principal_of(200, average) - 100_00
        )
    assert position(h, AVERAGE_PRICE_ACCOUNT) == (0, 0)
    assert h.of_type(BlockFinished, events)[-1].allocated == 700
    assert all(amount == 0 for amount in h.broker.ledger.trial_balance().values())
    for entry in h.of_type(PostingsRecorded):
        assert sum(entry.amounts) == 0 or len(set(entry.assets)) > 1
    assert h.replay().state_hash() == h.broker.state_hash()
    restored = h.new_core()
    restored.restore(h.broker.snapshot())
    assert restored.state_hash() == h.broker.state_hash()


def test_a_step_out_instructed_after_a_partial_fill_takes_its_fraction() -> None:
    h = firm()
    # Limit $200.01: only NSDQ's 300 fill of 1,000; the rest rests and is canceled.
    h.send(block(quantity=1_000, order_type=OrderType.LIMIT, limit_price=2_000_100))
    h.send(CancelCustomerOrder("B1", AVERAGE_PRICE_ACCOUNT))
    events = h.send(InstructBlockAllocation("B1", "pm:pat", AllocationMethod.RATIO, (1, 1, 2),
                                            step_out_brokers=("GSCO", "MLCO"),
                                            step_out_quantities=(250, 150)))  # fmt: skip
    (instructed,) = h.of_type(BlockAllocationInstructed, events)
    assert instructed.step_out_quantities == (250, 150)
    (allocated,) = h.of_type(BlockAllocated, events)
    # 300 filled of 1,000: the step-outs take 25% and 15% of it (75, 45), the accounts 180.
    assert allocated.step_out_quantities == (75, 45)
    assert allocated.quantities == (45, 45, 90)
    assert position(h, GIVE_UP)[0] == 75
    assert position(h, step_out_account("MLCO"))[0] == 45
    assert position(h, AVERAGE_PRICE_ACCOUNT) == (0, 0)


def test_a_sell_block_steps_out_shares_the_give_up_account_never_held() -> None:
    h = firm()
    for account in ACCOUNTS:
        h.send(PlaceOrder(f"o-{account}", f"c-{account}", account, "AAPL", Side.BUY,
                          OrderType.MARKET, 100))  # fmt: skip
    events = h.send(block(side=Side.SELL, quantity=400, method=AllocationMethod.EQUAL,
                          step_out_brokers=("GSCO",), step_out_quantities=(100,)))  # fmt: skip
    (allocated,) = h.of_type(BlockAllocated, events)
    assert allocated.quantities == (100, 100, 100)
    assert position(h, GIVE_UP)[0] == -100
    assert h.broker.ledger.account_values(GIVE_UP).cash == principal_of(
        100, allocated.average_price
    )
    assert h.replay().state_hash() == h.broker.state_hash()


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"step_out_brokers": ("gs co",), "step_out_quantities": (10,)},
         RejectCode.INVALID_STEP_OUT),
        ({"step_out_brokers": ("GSCO", "GSCO"), "step_out_quantities": (10, 10)},
         RejectCode.INVALID_STEP_OUT),
        ({"step_out_brokers": ("GSCO",), "step_out_quantities": (0,)},
         RejectCode.INVALID_STEP_OUT),
        ({"step_out_brokers": ("GSCO",), "step_out_quantities": (10, 5)},
         RejectCode.INVALID_STEP_OUT),
        ({"step_out_brokers": ("GSCO",), "step_out_quantities": (701,)},
         RejectCode.INVALID_STEP_OUT),
        ({"step_out_brokers": ("GSCO",), "step_out_quantities": (100,)},
         RejectCode.INVALID_STEP_OUT),  # no method for the rest
        ({"step_out_brokers": ["GSCO"], "step_out_quantities": [1],
          "method": AllocationMethod.EQUAL}, RejectCode.MALFORMED),
        ({"step_out_brokers": ("GSCO",), "step_out_quantities": (100,),
          "accounts": ("A1",), "quantities": (700,)}, RejectCode.INVALID_ALLOCATION),
        ({"step_out_brokers": ("GSCO",), "step_out_quantities": (700,),
          "accounts": ("A1",), "quantities": (1,)}, RejectCode.INVALID_ALLOCATION),
    ],
)  # fmt: skip
def test_step_outs_that_do_not_fit_are_refused_and_change_nothing(
    fields: dict[str, object], code: RejectCode
) -> None:
    h = firm()
    before = h.broker.state_hash()
    fields.setdefault("method", None)
    events = h.send(block(**fields))  # type: ignore[arg-type]
    (rejected,) = h.of_type(BlockRejected, events)
    assert rejected.code is code
    assert h.broker.state_hash() == before


def test_the_whole_block_may_step_out() -> None:
    h = firm()
    events = h.send(block(method=AllocationMethod.EQUAL, step_out_brokers=("GSCO",),
                          step_out_quantities=(700,)))  # fmt: skip
    (allocated,) = h.of_type(BlockAllocated, events)
    assert allocated.quantities == (0, 0, 0) and allocated.step_out_quantities == (700,)
    assert position(h, GIVE_UP)[0] == 700


def test_customers_cannot_trade_in_a_give_up_account_nor_group_it() -> None:
    h = firm()
    h.send(block(method=AllocationMethod.EQUAL, step_out_brokers=("GSCO",),
                 step_out_quantities=(100,)))  # fmt: skip
    events = h.send(PlaceOrder("o-x", "c-x", GIVE_UP, "AAPL", Side.BUY, OrderType.MARKET, 1))
    (refused,) = h.of_type(CustomerOrderRejected, events)
    assert refused.code is RejectCode.UNKNOWN_ACCOUNT
    (group,) = h.send(ChangeAccountGroup("G1", (*ACCOUNTS, GIVE_UP), actor="ops:olga"))
    assert isinstance(group, BrokerCommandRejected)
    assert group.code is RejectCode.UNKNOWN_ACCOUNT


def test_a_customer_account_named_like_a_give_up_account_is_not_booked_into() -> None:
    h = firm()
    h.open_account(GIVE_UP, "1000.00")
    events = h.send(block(step_out_brokers=("GSCO",), step_out_quantities=(100,),
                          method=AllocationMethod.EQUAL))  # fmt: skip
    (refused,) = h.of_type(BlockRejected, events)
    assert refused.code is RejectCode.INVALID_STEP_OUT
    assert not h.of_type(BlockAllocated, events)
    assert position(h, GIVE_UP) == (0, 0)

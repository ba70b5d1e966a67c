"""Block orders through the broker core with real venues: one parent routed smart across
venues, allocated at the average price into each account's books, exactly."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from directbroker.domain.block_messages import (
    AVERAGE_PRICE_ACCOUNT,
    BlockFinished,
    BlockOrderPlaced,
    BlockRejected,
    InstructBlockAllocation,
    PlaceBlockOrder,
)
from directbroker.domain.broker_messages import (
    BrokerCommandRejected,
    CancelCustomerOrder,
    CustomerOrderRejected,
    PlaceOrder,
    ReplaceCustomerOrder,
)
from directbroker.domain.ledger_messages import PostingsRecorded
from directbroker.domain.order_status import OrdStatus
from directbroker.domain.orders import OrderType, Side
from directbroker.domain.portfolio_messages import (
    AccountGroupCreated,
    AllocationMethod,
    BlockAllocated,
    ChangeAccountGroup,
    CreateAccountGroup,
)
from directbroker.domain.rejects import RejectCode
from directbroker.engines.ledger.fees import CommissionSchedule, FeeSchedule, principal_of
from directbroker.testing.broker_harness import BrokerHarness, dollars, smart_routing

ACCOUNTS = ("A1", "A2", "A3")


def firm(**kwargs: object) -> BrokerHarness:
    h = BrokerHarness(router=smart_routing(), **kwargs)  # type: ignore[arg-type]
    for account in ACCOUNTS:
        h.open_account(account, "100000.00")
    (created,) = h.send(CreateAccountGroup("G1", ACCOUNTS, "Growth", actor="ops:olga"))
    assert isinstance(created, AccountGroupCreated)
    # 300 offered at $200.01 on NSDQ and 500 at $200.02 on ARCA: a 700 block takes both.
    h.resting("NSDQ", "AAPL", Side.SELL, "200.01", 300)
    h.resting("ARCA", "AAPL", Side.SELL, "200.02", 500)
    h.resting("NSDQ", "AAPL", Side.BUY, "199.99", 500)
    return h


def block(block_id: str = "B1", quantity: int = 700, **kwargs: object) -> PlaceBlockOrder:
    fields: dict[str, object] = {
        "block_id": block_id, "client_order_id": f"c-{block_id}", "group": "G1",
        "symbol": "AAPL", "side": Side.BUY, "order_type": OrderType.MARKET,
        "quantity": quantity, "actor": "pm:pat",
    }  # fmt: skip
    fields.update(kwargs)
    return PlaceBlockOrder(**fields)  # type: ignore[arg-type]


def position(h: BrokerHarness, account: str) -> tuple[int, int]:
    view = h.broker.ledger.position(account, "AAPL")
    return (view.quantity, view.cost_basis) if view is not None else (0, 0)


def test_a_block_fills_across_venues_and_each_account_gets_its_share_at_the_average() -> None:
    h = firm()
    cash_before = {a: h.broker.ledger.account_values(a).cash for a in ACCOUNTS}
    events = h.send(block(method=AllocationMethod.EQUAL))
    placed = h.of_type(BlockOrderPlaced, events)
    assert placed and placed[0].shares == (234, 233, 233)
    parent = h.broker.order("B1")
    assert parent is not None and parent.status is OrdStatus.FILLED
    assert {c.split(".")[0] for c in parent.children} == {"B1"}
    assert len(parent.children) >= 2  # worked at both venues
    (allocated,) = h.of_type(BlockAllocated, events)
    notional = 300 * dollars("200.01") + 400 * dollars("200.02")
    average = (2 * notional + 700) // (2 * 700)
    assert allocated.average_price == average
    assert allocated.quantities == (234, 233, 233)
    assert allocated.residual == notional - average * 700
    for account, quantity in zip(ACCOUNTS, allocated.quantities, strict=True):
        assert position(h, account) == (quantity, quantity * average)
        # Each account pays its share at the average price, to the cent.
        assert h.broker.ledger.account_values(account).cash == cash_before[account] - (
            principal_of(quantity, average)
        )
    # The average-price account is flat and keeps what rounding left: the street's principal
    # less what the accounts paid (the residual, in cents).
    assert position(h, AVERAGE_PRICE_ACCOUNT) == (0, 0)
    street = principal_of(300, dollars("200.01")) + principal_of(400, dollars("200.02"))
    paid = sum(principal_of(q, average) for q in allocated.quantities)
    assert h.broker.ledger.account_values(AVERAGE_PRICE_ACCOUNT).cash == paid - street
    assert abs(paid - street + allocated.residual) <= 3 * 50
    assert h.of_type(BlockFinished, events)[-1].allocated == 700
    for entry in h.of_type(PostingsRecorded):
        assert sum(entry.amounts) == 0 or len(set(entry.assets)) > 1
    assert h.replay().state_hash() == h.broker.state_hash()
    restored = h.new_core()
    restored.restore(h.broker.snapshot())
    assert restored.state_hash() == h.broker.state_hash()


def test_pre_allocation_by_quantities_and_commission_per_account() -> None:
    fees = FeeSchedule(commission=CommissionSchedule(per_order=dollars("1.00")))
    h = firm(fees=fees)
    events = h.send(block(accounts=("A3", "A1"), quantities=(500, 200)))
    (allocated,) = h.of_type(BlockAllocated, events)
    assert allocated.quantities == (200, 0, 500)
    average = allocated.average_price
    assert position(h, "A1") == (200, 200 * average)
    assert position(h, "A2") == (0, 0)
    cash = h.broker.ledger.account_values("A3").cash
    assert cash == dollars("100000.00") - principal_of(500, average) - dollars("1.00")
    # The average-price account pays no commission: only what rounding left stays there.
    avg_cash = h.broker.ledger.account_values(AVERAGE_PRICE_ACCOUNT).cash
    assert abs(avg_cash + allocated.residual) <= 2 * 50


def test_allocation_after_the_fills_by_percent_and_a_second_instruction_is_refused() -> None:
    h = firm()
    events = h.send(block(quantity=400, limit_price=dollars("200.02"),
                          order_type=OrderType.LIMIT))  # fmt: skip
    assert not h.of_type(BlockAllocated, events)  # waits for its instruction
    assert position(h, AVERAGE_PRICE_ACCOUNT)[0] == 400
    bad = h.send(InstructBlockAllocation("B1", "pm:pat", AllocationMethod.PERCENT, (5000, 4000, 0)))
    assert h.of_type(BlockRejected, bad)[0].code is RejectCode.ALLOCATION_NOT_100_PERCENT
    assert position(h, AVERAGE_PRICE_ACCOUNT)[0] == 400
    done = h.send(
        InstructBlockAllocation("B1", "pm:pat", AllocationMethod.PERCENT, (5000, 3000, 2000))
    )
    (allocated,) = h.of_type(BlockAllocated, done)
    assert allocated.quantities == (200, 120, 80)
    again = h.send(InstructBlockAllocation("B1", "pm:pat", AllocationMethod.EQUAL))
    assert h.of_type(BlockRejected, again)[0].code is RejectCode.BLOCK_ALREADY_ALLOCATED
    assert h.replay().state_hash() == h.broker.state_hash()


def test_a_canceled_partly_filled_block_allocates_what_filled() -> None:
    h = firm()
    events = h.send(block(quantity=1_000, limit_price=dollars("200.01"),
                          order_type=OrderType.LIMIT, method=AllocationMethod.RATIO,
                          weights=(1, 1, 2)))  # fmt: skip
    assert not h.of_type(BlockAllocated, events)
    (replace,) = h.send(ReplaceCustomerOrder("B1", AVERAGE_PRICE_ACCOUNT, 900, new_order_id="B2"))
    assert isinstance(replace, CustomerOrderRejected)
    done = h.send(CancelCustomerOrder("B1", AVERAGE_PRICE_ACCOUNT))
    (allocated,) = h.of_type(BlockAllocated, done)
    assert allocated.quantities == (75, 75, 150)
    assert allocated.average_price == dollars("200.01") and allocated.residual == 0


@pytest.mark.parametrize(
    ("command", "code"),
    [
        (block(group="nope"), RejectCode.UNKNOWN_GROUP),
        (block(actor=""), RejectCode.ACTOR_REQUIRED),
        (block(quantity=0), RejectCode.QUANTITY_NOT_POSITIVE),
        (block(accounts=("A1", "Z9"), quantities=(1, 699)), RejectCode.INVALID_ALLOCATION),
        (block(accounts=("A1",), quantities=(600,)), RejectCode.INVALID_ALLOCATION),
        (block(method=AllocationMethod.PERCENT, weights=(1, 2)), RejectCode.INVALID_ALLOCATION),
        # One account's share is more than its buying power: the whole block is refused.
        (block(quantity=1_200, accounts=("A1", "A2"), quantities=(1, 1_199)),
         RejectCode.INSUFFICIENT_BUYING_POWER),
        (block(side=Side.SELL), RejectCode.LONG_SALE_EXCEEDS_POSITION),
    ],
)  # fmt: skip
def test_refused_blocks_change_nothing(command: PlaceBlockOrder, code: RejectCode) -> None:
    h = firm()
    before = h.broker.state_hash()
    events = h.send(command)
    assert [type(e) for e in events] == [BlockRejected]
    assert events[0].code is code, events  # type: ignore[attr-defined]
    assert h.broker.state_hash() == before


def test_groups_need_known_accounts_and_an_actor_and_customers_cannot_use_the_avg_account() -> None:
    h = firm()
    (refused,) = h.send(ChangeAccountGroup("G1", ("A1", "Z9"), actor="ops:olga"))
    assert isinstance(refused, BrokerCommandRejected)
    assert refused.code is RejectCode.UNKNOWN_ACCOUNT
    (refused,) = h.send(CreateAccountGroup("G2", ("A1",)))
    assert isinstance(refused, BrokerCommandRejected)
    assert refused.code is RejectCode.ACTOR_REQUIRED
    h.send(block(method=AllocationMethod.EQUAL))
    (order,) = h.send(
        PlaceOrder("x", "c", AVERAGE_PRICE_ACCOUNT, "AAPL", Side.BUY, OrderType.MARKET, 1)
    )
    assert isinstance(order, CustomerOrderRejected)
    assert order.code is RejectCode.UNKNOWN_ACCOUNT


def test_allocation_by_equity_weighs_accounts_by_their_equity() -> None:
    h = BrokerHarness(router=smart_routing())
    for account, cash in (("A1", "10000.00"), ("A2", "30000.00"), ("A3", "60000.00")):
        h.open_account(account, cash)
    h.send(CreateAccountGroup("G1", ACCOUNTS, actor="ops:olga"))
    h.resting("NSDQ", "AAPL", Side.SELL, "200.00", 100)
    events = h.send(block(quantity=100, method=AllocationMethod.NET_LIQUIDATION))
    (allocated,) = h.of_type(BlockAllocated, events)
    assert allocated.quantities == (10, 30, 60)
    assert Decimal(allocated.average_price) == dollars("200.00")


@pytest.mark.parametrize(
    "changes",
    [
        {"block_id": 5}, {"block_id": "a:b"}, {"block_id": "x" * 49}, {"group": None},
        {"side": "buy"}, {"order_type": "market"}, {"quantity": "700"}, {"quantity": True},
        {"limit_price": -1, "order_type": OrderType.LIMIT}, {"method": "equal"},
        {"method": AllocationMethod.RATIO, "weights": "123"},
        {"method": AllocationMethod.RATIO, "weights": (1, "2", 3)},
        {"accounts": ("A1",), "quantities": ("700",)}, {"accounts": [1], "quantities": [700]},
        {"time_in_force": None}, {"route": 7}, {"client_order_id": "\x00"}, {"actor": 9},
    ],
)  # fmt: skip
def test_malformed_blocks_are_refused_with_a_code_and_change_nothing(
    changes: dict[str, Any],
) -> None:
    h = firm()
    before = h.broker.state_hash()
    events = h.send(block(**changes))
    assert [type(e) for e in events] == [BlockRejected], events
    assert h.broker.state_hash() == before
    (refused,) = h.send(InstructBlockAllocation("nope", "pm:pat", AllocationMethod.EQUAL))
    assert isinstance(refused, BlockRejected) and refused.code is RejectCode.UNKNOWN_BLOCK

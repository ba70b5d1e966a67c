"""A block's shares reserve their accounts' buying power while the block works: an account
cannot spend on its own orders what its share of a working block holds; the reservation
shrinks to the share of what filled once the parent is done, and ends when the share is
booked or the block finishes with nothing filled. Replay and snapshot give the same state."""

from __future__ import annotations

from directbroker.domain.block_messages import (
    AVERAGE_PRICE_ACCOUNT,
    BlockFinished,
    BlockOrderPlaced,
    BlockRejected,
    InstructBlockAllocation,
)
from directbroker.domain.broker_messages import (
    CancelCustomerOrder,
    CustomerOrderRejected,
    PlaceOrder,
)
from directbroker.domain.orders import OrderType, Side
from directbroker.domain.portfolio_messages import AllocationMethod, BlockAllocated
from directbroker.domain.rejects import RejectCode
from directbroker.engines.broker import account_buying_power
from directbroker.testing.broker_harness import BrokerHarness, dollars
from tests.scenarios.test_broker_blocks import block, firm

LIMIT = dollars("150.00")
"""Below every offer: the block rests and works."""


def power(h: BrokerHarness, account: str) -> int:
    core = h.broker
    values = core.ledger.account_values(account)
    return account_buying_power(
        core.ledger, core.risk, values, core.oms.book.open_orders(account),
        core.blocks.reserved(account),
    ).buying_power  # fmt: skip


def own_order(h: BrokerHarness, order_id: str, quantity: int) -> list[object]:
    return list(h.send(PlaceOrder(order_id, f"c-{order_id}", "A1", "AAPL", Side.BUY,
                                  OrderType.LIMIT, quantity, LIMIT)))  # fmt: skip


def test_a_working_blocks_shares_hold_buying_power_until_it_finishes() -> None:
    h = firm()
    free = power(h, "A1")
    events = h.send(block(quantity=900, order_type=OrderType.LIMIT, limit_price=LIMIT,
                          method=AllocationMethod.EQUAL))  # fmt: skip
    (placed,) = h.of_type(BlockOrderPlaced, events)
    assert placed.shares == (300, 300, 300)
    held = h.broker.blocks.reserved("A1")
    assert held == 300 * LIMIT
    assert power(h, "A1") == free - held
    # What the share holds is not A1's to spend: an order for the rest plus one share is refused.
    fits = (free - held) // LIMIT
    refused = own_order(h, "too-much", fits + 1)
    assert [e.code for e in refused if isinstance(e, CustomerOrderRejected)] == [
        RejectCode.INSUFFICIENT_BUYING_POWER
    ]
    assert h.replay().state_hash() == h.broker.state_hash()
    restored = h.new_core()
    restored.restore(h.broker.snapshot())
    assert restored.state_hash() == h.broker.state_hash()
    assert restored.blocks.reserved("A1") == held
    # The block is canceled with nothing filled: the reservation ends, the order now fits.
    done = h.send(CancelCustomerOrder("B1", AVERAGE_PRICE_ACCOUNT))
    assert h.of_type(BlockFinished, done)
    assert h.broker.blocks.reserved("A1") == 0
    assert power(h, "A1") == free
    accepted = own_order(h, "fits-now", fits + 1)
    assert not [e for e in accepted if isinstance(e, CustomerOrderRejected)]
    assert h.broker.order("fits-now") is not None


def test_a_second_block_is_checked_against_what_the_first_holds() -> None:
    h = firm()
    free = power(h, "A1")
    h.send(block(quantity=900, order_type=OrderType.LIMIT, limit_price=LIMIT,
                 method=AllocationMethod.EQUAL))  # fmt: skip
    left = free - 300 * LIMIT
    # A second block whose A1 share is one share more than A1 has left is refused whole.
    share = left // LIMIT + 1
    events = h.send(block("B2", quantity=3 * share, order_type=OrderType.LIMIT,
                          limit_price=LIMIT, method=AllocationMethod.EQUAL))  # fmt: skip
    (rejected,) = h.of_type(BlockRejected, events)
    assert rejected.code is RejectCode.INSUFFICIENT_BUYING_POWER
    assert h.broker.blocks.reserved("A1") == 300 * LIMIT


def test_once_done_a_share_holds_its_part_of_the_fills_until_it_is_booked() -> None:
    h = firm()
    # 1,000 at $200.01: NSDQ's 300 fill, the rest is canceled; no instruction yet.
    h.send(block(quantity=1_000, order_type=OrderType.LIMIT, limit_price=dollars("200.01")))
    working = h.broker.blocks.reserved("A3")
    h.send(CancelCustomerOrder("B1", AVERAGE_PRICE_ACCOUNT))
    # A3's share is 333 of 1,000; of the 300 filled it holds 333 x 300 // 1,000 = 99 shares.
    price = working // 333
    assert h.broker.blocks.reserved("A3") == 99 * price
    # A restored core knows the parent is done (not waiting): it holds the same.
    restored = h.new_core()
    restored.restore(h.broker.snapshot())
    assert restored.blocks.reserved("A3") == 99 * price
    assert restored.state_hash() == h.broker.state_hash()
    events = h.send(InstructBlockAllocation("B1", "pm:pat", AllocationMethod.EQUAL))
    assert h.of_type(BlockAllocated, events)
    assert all(h.broker.blocks.reserved(a) == 0 for a in ("A1", "A2", "A3"))
    assert h.replay().state_hash() == h.broker.state_hash()

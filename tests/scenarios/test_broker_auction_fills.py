"""Two of the broker's orders filled in the same opening cross share the venue's trade id;
each is booked once, with its own execution id, and the core keeps running."""

from __future__ import annotations

from directbroker.domain.broker_messages import ParentFilled, PlaceOrder
from directbroker.domain.ledger_messages import ExecutionRecorded
from directbroker.domain.orders import AuctionKind, OrderType, Side, TimeInForce
from directbroker.domain.venue_messages import RunAuction
from directbroker.testing.broker_harness import BrokerHarness, dollars


def test_two_children_filled_in_one_cross_are_both_booked() -> None:
    harness = BrokerHarness()
    harness.open_account("A", "100000.00")
    harness.open_account("B", "100000.00")
    for account in ("A", "B"):
        harness.send(
            PlaceOrder(
                f"loo-{account}", f"c-{account}", account, "AAPL", Side.BUY,
                OrderType.LIMIT_ON_OPEN, 100, limit_price=dollars("201.00"),
                time_in_force=TimeInForce.OPG,
            )
        )  # fmt: skip
    harness.resting("NSDQ", "AAPL", Side.SELL, "200.00", 300, participant="SELLER")
    harness.venue("NSDQ", RunAuction("AAPL", AuctionKind.OPEN, dollars("200.00")))

    fills = harness.of_type(ParentFilled)
    assert sorted(f.order_id for f in fills) == ["loo-A", "loo-B"]
    assert all(f.last_quantity == 100 and f.last_price == dollars("200.00") for f in fills)
    assert len({f.execution_id for f in fills}) == 2
    booked = harness.of_type(ExecutionRecorded)
    assert sorted(e.account for e in booked) == ["A", "B"]
    for account in ("A", "B"):
        position = harness.broker.ledger.position(account, "AAPL")
        assert position is not None and position.quantity == 100
    assert harness.replay().state_hash() == harness.broker.state_hash()

"""The broker core wired to real in-process venues and market data: orders from the ticket to
the ledger, stops off the tape, cancels racing fills, the kill switch, and exact replay."""

from __future__ import annotations

from directbroker.domain.accounts import AccountType
from directbroker.domain.broker_messages import (
    CancelCustomerOrder,
    ChildCancelSent,
    CustomerOrderRejected,
    OrderReceived,
    OrderStatusChanged,
    OrderTriggered,
    ParentFilled,
    PlaceOrder,
    SetKillSwitch,
    VenueReportIgnored,
)
from directbroker.domain.ledger_messages import ExecutionRecorded
from directbroker.domain.order_status import KillSwitchScope, OrdStatus
from directbroker.domain.orders import OrderType, Side
from directbroker.domain.rejects import RejectCode
from directbroker.engines.ledger import CommissionSchedule, FeeSchedule
from directbroker.engines.router import SmartRouting
from directbroker.testing.broker_harness import BrokerHarness, dollars


def buy(
    order_id: str,
    quantity: int = 100,
    limit: str | None = None,
    account: str = "A1",
    side: Side = Side.BUY,
    order_type: OrderType | None = None,
    stop_price: int | None = None,
) -> PlaceOrder:
    """A customer order for AAPL (market unless a limit is given)."""
    if order_type is None:
        order_type = OrderType.LIMIT if limit is not None else OrderType.MARKET
    return PlaceOrder(
        order_id,
        "c-" + order_id,
        account,
        "AAPL",
        side,
        order_type,
        quantity,
        dollars(limit) if limit is not None else None,
        stop_price,
    )


def status(h: BrokerHarness, order_id: str) -> OrdStatus:
    order = h.broker.order(order_id)
    assert order is not None
    return order.status


def test_a_market_buy_fills_against_resting_liquidity_and_posts_to_the_ledger() -> None:
    fees = FeeSchedule(commission=CommissionSchedule(per_order=dollars("1.00")))
    h = BrokerHarness(fees=fees)
    h.open_account("A1", "50000.00")
    h.quote("AAPL", "199.99", "200.01")
    events = h.send(buy("o1"))
    fill = h.of_type(ParentFilled, events)
    assert [(f.last_quantity, f.last_price, f.status) for f in fill] == [
        (100, dollars("200.01"), OrdStatus.FILLED)
    ]
    booked = h.of_type(ExecutionRecorded, events)[0]
    assert isinstance(booked, ExecutionRecorded)
    assert (booked.principal, booked.commission) == (dollars("20001.00"), dollars("1.00"))
    ledger = h.broker.ledger
    position = ledger.position("A1", "AAPL")
    assert position is not None and position.quantity == 100
    values = ledger.account_values("A1")
    assert values.cash == dollars("50000.00") - dollars("20002.00")
    assert status(h, "o1") is OrdStatus.FILLED


def test_a_rejection_leaves_no_trace_but_the_rejection() -> None:
    h = BrokerHarness()
    h.open_account("A1", "9870.55", AccountType.CASH)
    h.quote("AAPL", "124.29", "124.30")
    before = h.broker.state_hash()
    events = h.send(buy("big", 100, "124.30"))
    assert len(events) == 1
    rejected = events[0]
    assert isinstance(rejected, CustomerOrderRejected)
    assert rejected.code is RejectCode.INSUFFICIENT_BUYING_POWER
    assert rejected.message == (
        "Insufficient buying power: order needs $12,430.00, available $9,870.55"
    )
    assert h.broker.state_hash() == before
    assert h.broker.order("big") is None


def test_a_stop_triggers_off_the_tape_and_sells_the_position() -> None:
    h = BrokerHarness()
    h.open_account("A1", "50000.00")
    h.quote("AAPL", "199.99", "200.01")
    h.send(buy("entry"))
    stop = buy("stop", side=Side.SELL, order_type=OrderType.STOP, stop_price=dollars("195.00"))
    assert h.of_type(OrderReceived, h.send(stop))[0].status is OrdStatus.NEW
    h.print_trade("ARCA", "AAPL", "196.00")
    assert status(h, "stop") is OrdStatus.NEW
    events = h.print_trade("ARCA", "AAPL", "195.00")
    triggered = h.of_type(OrderTriggered, events)
    assert [(t.order_id, t.trigger_price) for t in triggered] == [("stop", dollars("195.00"))]
    assert status(h, "stop") is OrdStatus.FILLED
    position = h.broker.ledger.position("A1", "AAPL")
    assert position is not None and position.quantity == 0


def test_a_cancel_in_flight_that_loses_the_race_ends_filled() -> None:
    h = BrokerHarness(auto_flush=False)
    h.open_account("A1", "50000.00")
    h.send(buy("rest", 100, "199.50"))
    h.flush()
    cancel = h.send(CancelCustomerOrder("rest", "A1"))
    assert [type(e) for e in cancel] == [OrderStatusChanged, ChildCancelSent]
    assert status(h, "rest") is OrdStatus.PENDING_CANCEL
    h.resting("NSDQ", "AAPL", Side.SELL, "199.50", 100, "SELLER")  # fills us before the cancel
    assert status(h, "rest") is OrdStatus.FILLED
    late = h.flush()
    assert [type(e) for e in late] == [VenueReportIgnored]
    assert status(h, "rest") is OrdStatus.FILLED
    assert h.broker.ledger.position("A1", "AAPL").quantity == 100  # type: ignore[union-attr]


def test_the_kill_switch_cancels_working_orders_and_blocks_new_ones() -> None:
    h = BrokerHarness()
    h.open_account("A1", "50000.00")
    h.open_account("B2", "50000.00")
    h.send(buy("a1", 10, "150.00"))
    h.send(buy("a2", 10, "151.00"))
    h.send(buy("b1", 10, "152.00", account="B2"))
    events = h.send(SetKillSwitch(KillSwitchScope.ACCOUNT, "A1", True, "runaway algo"))
    final = {e.order_id: e.status for e in h.of_type(OrderStatusChanged, events)}
    assert final == {"a1": OrdStatus.CANCELED, "a2": OrdStatus.CANCELED}
    assert status(h, "b1") is OrdStatus.NEW
    refused = h.send(buy("a3", 10, "150.00"))
    assert isinstance(refused[0], CustomerOrderRejected)
    assert refused[0].code is RejectCode.KILL_SWITCH
    h.send(SetKillSwitch(KillSwitchScope.FIRM, "", True, "market-wide event"))
    assert status(h, "b1") is OrdStatus.CANCELED


def test_replaying_the_inputs_reproduces_the_state_hash() -> None:
    h = BrokerHarness()
    h.open_account("A1", "50000.00")
    h.quote("AAPL", "199.99", "200.01")
    h.send(buy("m1", 50))
    h.send(buy("l1", 100, "199.00"))
    h.send(buy("s1", 50, side=Side.SELL, order_type=OrderType.STOP, stop_price=dollars("190")))
    h.send(CancelCustomerOrder("l1", "A1"))
    h.print_trade("ARCA", "AAPL", "200.50")
    live = h.broker.state_hash()
    assert h.replay().state_hash() == live
    restored = h.new_core()
    restored.restore(h.broker.snapshot())
    assert restored.state_hash() == live


def test_the_smart_router_plugs_in_through_the_routing_protocol() -> None:
    h = BrokerHarness(router=lambda venues, _listings: SmartRouting(venues))
    h.open_account("A1", "100000.00")
    h.quote("AAPL", "199.99", "200.01", size=200, venue="NSDQ")
    h.quote("AAPL", "199.98", "200.02", size=1_000, venue="ARCA")
    events = h.send(buy("sweep", 300))
    fills = [(f.venue, f.last_quantity, f.last_price) for f in h.of_type(ParentFilled, events)]
    assert fills == [("NSDQ", 200, dollars("200.01")), ("ARCA", 100, dollars("200.02"))]
    assert status(h, "sweep") is OrdStatus.FILLED
    assert h.replay().state_hash() == h.broker.state_hash()

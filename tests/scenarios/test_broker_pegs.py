"""Customer pegged orders through the broker core, the smart router and real venues: a
midpoint peg rests hidden, reserves buying power, fills at the midpoint when flow arrives,
cancels, is replaced in place, and replays to the same state."""

from __future__ import annotations

from directbroker.domain.broker_messages import (
    CancelCustomerOrder,
    ChildOrderSent,
    ChildReplaceSent,
    CustomerOrderRejected,
    OrderReplacedBy,
    ParentFilled,
    PlaceOrder,
    ReplaceCustomerOrder,
)
from directbroker.domain.order_status import OrdStatus
from directbroker.domain.orders import OrderType, Side, TimeInForce
from directbroker.domain.rejects import RejectCode
from directbroker.engines.broker.exposure import reserved_by
from directbroker.testing.broker_harness import BrokerHarness, dollars, smart_routing


def peg(
    order_id: str,
    quantity: int = 100,
    cap: str | None = None,
    side: Side = Side.BUY,
    kind: OrderType = OrderType.PEG_MIDPOINT,
    route: str = "SMART",
    tif: TimeInForce = TimeInForce.DAY,
) -> PlaceOrder:
    """A customer peg for AAPL in account A1."""
    return PlaceOrder(
        order_id,
        "c-" + order_id,
        "A1",
        "AAPL",
        side,
        kind,
        quantity,
        dollars(cap) if cap is not None else None,
        time_in_force=tif,
        route=route,
    )


def market() -> BrokerHarness:
    """NSDQ quotes 199.98 / 200.02 (midpoint 200.00), ARCA only bids; A1 has $100,000."""
    h = BrokerHarness(router=smart_routing())
    h.open_account("A1", "100000.00")
    h.quote("AAPL", "199.98", "200.02", venue="NSDQ")
    h.resting("ARCA", "AAPL", Side.BUY, "199.97", 500)
    return h


def status(h: BrokerHarness, order_id: str) -> OrdStatus:
    order = h.broker.order(order_id)
    assert order is not None
    return order.status


def test_a_midpoint_peg_rests_and_is_filled_by_incoming_flow_at_the_midpoint() -> None:
    h = market()
    events = h.send(peg("p1", 300))
    (child,) = h.of_type(ChildOrderSent, events)
    # Only NSDQ shows a two-sided quote, so the whole peg goes there.
    assert (child.venue, child.quantity, child.order_type) == ("NSDQ", 300, OrderType.PEG_MIDPOINT)
    assert status(h, "p1") is OrdStatus.NEW
    order = h.broker.order("p1")
    assert order is not None
    # Uncapped: reserved at the offer plus the firm's 5% market buffer, as a market buy.
    assert order.reserve_price == dollars("200.02") * 10_500 // 10_000
    assert reserved_by(h.broker.open_orders("A1")) == order.reserve_price * 300

    # A seller hits the bid at NSDQ with 200 shares: the peg at 200.00 is better than the
    # displayed 199.98 bid, so it trades first, at the midpoint.
    h.resting("NSDQ", "AAPL", Side.SELL, "199.98", 200, participant="FLOW")
    fills = h.of_type(ParentFilled)
    assert [(f.last_quantity, f.last_price) for f in fills] == [(200, dollars("200.00"))]
    assert status(h, "p1") is OrdStatus.PARTIALLY_FILLED
    position = h.broker.ledger.position("A1", "AAPL")
    assert position is not None and position.quantity == 200
    assert reserved_by(h.broker.open_orders("A1")) == order.reserve_price * 100

    h.resting("NSDQ", "AAPL", Side.SELL, "199.98", 100, participant="FLOW")
    assert status(h, "p1") is OrdStatus.FILLED
    assert reserved_by(h.broker.open_orders("A1")) == 0
    assert h.replay().state_hash() == h.broker.state_hash()


def test_a_capped_peg_reserves_its_cap_and_never_pays_above_it() -> None:
    h = market()
    h.send(peg("p1", 100, cap="199.99"))
    order = h.broker.order("p1")
    assert order is not None and order.reserve_price == dollars("199.99")
    h.resting("NSDQ", "AAPL", Side.SELL, "199.98", 100, participant="FLOW")
    fills = h.of_type(ParentFilled)
    assert [(f.last_quantity, f.last_price) for f in fills] == [(100, dollars("199.99"))]


def test_a_resting_peg_cancels_and_releases_its_reserve() -> None:
    h = market()
    h.send(peg("p1", 100, tif=TimeInForce.GTC))
    assert reserved_by(h.broker.open_orders("A1")) > 0
    h.send(CancelCustomerOrder("p1", "A1"))
    assert status(h, "p1") is OrdStatus.CANCELED
    assert reserved_by(h.broker.open_orders("A1")) == 0
    assert h.replay().state_hash() == h.broker.state_hash()


def test_a_peg_s_quantity_is_replaced_in_place_at_the_venue() -> None:
    h = market()
    h.send(peg("p1", 100))
    events = h.send(ReplaceCustomerOrder("p1", "A1", 250, new_order_id="p2"))
    (change,) = h.of_type(ChildReplaceSent, events)
    assert (change.venue, change.quantity, change.limit_price) == ("NSDQ", 250, None)
    assert h.of_type(OrderReplacedBy, events)[0].new_order_id == "p2"
    assert (status(h, "p1"), status(h, "p2")) == (OrdStatus.REPLACED, OrdStatus.NEW)
    h.resting("NSDQ", "AAPL", Side.SELL, "199.98", 250, participant="FLOW")
    fills = h.of_type(ParentFilled)
    assert [(f.order_id, f.last_quantity, f.last_price) for f in fills] == [
        ("p2", 250, dollars("200.00"))
    ]
    assert h.replay().state_hash() == h.broker.state_hash()


def test_pegs_no_venue_carries_are_refused_and_change_nothing() -> None:
    h = market()
    before = h.broker.state_hash()
    for kind, route in ((OrderType.PEG_PRIMARY, "SMART"), (OrderType.PEG_MARKET, "ARCA")):
        events = h.send(peg("x-" + kind.value, kind=kind, route=route))
        (refused,) = h.of_type(CustomerOrderRejected, events)
        assert refused.code is RejectCode.ROUTE_PEG_UNSUPPORTED
        assert h.broker.order("x-" + kind.value) is None
    assert h.of_type(ChildOrderSent) == []
    assert h.broker.state_hash() == before

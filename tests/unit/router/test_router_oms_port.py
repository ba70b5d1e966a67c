"""The smart router behind the OMS's routing port: plan, observe, child ended, snapshots."""

from __future__ import annotations

from directbroker.domain.marketdata_messages import DepthUpdated, TradePrinted
from directbroker.domain.orders import BookSide, Side
from directbroker.domain.rejects import RejectCode
from directbroker.domain.routing import ChildPurpose
from directbroker.engines.oms import RoutingPolicy as OmsRoutingPort
from directbroker.engines.router import SmartRouting
from tests.unit.router.router_helpers import SYMBOL, THREE, request, usd


def depth(venue: str, price: str, quantity: int) -> DepthUpdated:
    return DepthUpdated(venue, SYMBOL, BookSide.ASK, usd(price), quantity, 1, 1)


def test_smart_routing_fits_the_oms_port_and_reroutes_a_rejected_child() -> None:
    port: OmsRoutingPort = SmartRouting(THREE)
    for event in (depth("ARCA", "10.00", 100), depth("BATS", "10.00", 200)):
        port.observe(event)
    port.observe(TradePrinted(1, SYMBOL, "ARCA", 1, usd("10.00"), 5, None, "", 1))  # ignored
    plan = port.plan(request(Side.BUY, 300, "10.00"), 10)
    assert not isinstance(plan, RejectCode)
    assert [(c.venue, c.quantity, c.purpose) for c in plan] == [
        ("BATS", 200, ChildPurpose.SWEEP),
        ("ARCA", 100, ChildPurpose.SWEEP),
    ]
    assert port.child_ended("P1", "BATS", 200, 0, None, 20) == []
    again = port.child_ended("P1", "ARCA", 0, 100, RejectCode.SYMBOL_HALTED, 30)
    # ARCA refused: its 100 go elsewhere; nothing displayed is left, so they rest at BATS.
    assert [(c.venue, c.quantity, c.purpose) for c in again] == [
        ("BATS", 100, ChildPurpose.REROUTE)
    ]
    copy = SmartRouting(THREE)
    copy.restore(port.snapshot())
    assert copy.snapshot() == port.snapshot()
    stats = copy.engine.venue_statistics()
    assert stats["BATS"].shares_filled == 200 and stats["ARCA"].shares_filled == 0


def test_refusals_come_back_as_codes() -> None:
    port = SmartRouting(THREE)
    assert port.plan(request(Side.BUY, 100, "10.00", route="NYSE"), 1) == (
        RejectCode.ROUTE_UNKNOWN_VENUE
    )

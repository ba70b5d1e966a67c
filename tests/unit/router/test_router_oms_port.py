"""The smart router behind the OMS's routing port: plan, children sent under the OMS's ids,
their reports, child ended, snapshots."""

from __future__ import annotations

from directbroker.domain.marketdata_messages import DepthUpdated, QuoteUpdated, TradePrinted
from directbroker.domain.orders import BookSide, Liquidity, OrderType, Side, TimeInForce
from directbroker.domain.rejects import RejectCode
from directbroker.domain.routing import ChildInstruction, ChildPurpose
from directbroker.domain.venue_messages import OrderAccepted, OrderFilled, OrderReplaced
from directbroker.engines.oms import RoutingPolicy as OmsRoutingPort
from directbroker.engines.router import SmartRouting
from tests.unit.router.router_helpers import BROKER, SYMBOL, THREE, request, usd


def depth(venue: str, price: str, quantity: int) -> DepthUpdated:
    return DepthUpdated(venue, SYMBOL, BookSide.ASK, usd(price), quantity, 1, 1)


def quote(bid: str, ask: str) -> QuoteUpdated:
    return QuoteUpdated(SYMBOL, usd(bid), 500, "ARCA", usd(ask), 300, "BATS", 1)


def fill(
    venue: str, child_id: str, price: str, quantity: int, leaves: int, fee: int
) -> OrderFilled:
    return OrderFilled(
        venue, child_id, BROKER, SYMBOL, Side.BUY, 7, usd(price), quantity, leaves, quantity,
        Liquidity.TAKER, fee, 0,
    )  # fmt: skip


def swept_market() -> SmartRouting:
    port = SmartRouting(THREE)
    for event in (depth("ARCA", "10.00", 100), depth("BATS", "10.00", 200), quote("9.99", "10.00")):
        port.observe(event)
    port.observe(TradePrinted(1, SYMBOL, "ARCA", 1, usd("10.00"), 5, None, "", 1))  # ignored
    return port


def send_all(port: SmartRouting, plan: list[ChildInstruction], first: int, ts: int) -> list[str]:
    """What the OMS does with a plan: send every child under its own id."""
    ids = [f"P1.{first + n}" for n in range(len(plan))]
    for child_id, instruction in zip(ids, plan, strict=True):
        port.child_sent("P1", child_id, instruction, ts)
    return ids


def test_smart_routing_fits_the_oms_port_and_reroutes_a_rejected_child() -> None:
    port: OmsRoutingPort = swept_market()
    plan = port.plan(request(Side.BUY, 300, "10.00"), 10)
    assert not isinstance(plan, RejectCode)
    assert [(c.venue, c.quantity, c.purpose) for c in plan] == [
        ("BATS", 200, ChildPurpose.SWEEP),
        ("ARCA", 100, ChildPurpose.SWEEP),
    ]
    assert isinstance(port, SmartRouting)
    send_all(port, plan, 1, 11)
    port.child_report(fill("BATS", "P1.1", "10.00", 200, 0, 200 * 2_800), 20)
    assert port.child_ended("P1", "P1.1", "BATS", 200, 0, None, True, 20) == []
    again = port.child_ended("P1", "P1.2", "ARCA", 0, 100, RejectCode.SYMBOL_HALTED, True, 30)
    # ARCA refused: its 100 go elsewhere; nothing displayed is left, so they rest at BATS.
    assert [(c.venue, c.quantity, c.purpose) for c in again] == [
        ("BATS", 100, ChildPurpose.REROUTE)
    ]
    send_all(port, again, 3, 31)
    copy = SmartRouting(THREE)
    copy.restore(port.snapshot())
    assert copy.snapshot() == port.snapshot()
    stats = copy.venue_statistics()
    assert (stats["BATS"].orders, stats["BATS"].shares_routed, stats["BATS"].shares_filled) == (
        2,
        300,
        200,
    )
    assert stats["BATS"].fees == 560_000 and stats["ARCA"].shares_filled == 0
    view = copy.parent("P1")
    assert view is not None
    assert [(c.child_id, c.venue, c.status) for c in view.children] == [
        ("P1.1", "BATS", "filled"),
        ("P1.2", "ARCA", "rejected"),
        ("P1.3", "BATS", "sent"),
    ]
    assert (view.filled, view.working, view.unfilled) == (200, 100, 0)


def test_a_reroute_the_oms_does_not_want_is_never_planned_or_counted() -> None:
    port = swept_market()
    plan = port.plan(request(Side.BUY, 300, "10.00"), 10)
    assert not isinstance(plan, RejectCode)
    send_all(port, plan, 1, 11)
    # The customer cancelled meanwhile: the OMS does not want the rejected child's shares.
    assert port.child_ended("P1", "P1.2", "ARCA", 0, 100, RejectCode.SYMBOL_HALTED, False, 20) == []
    view = port.parent("P1")
    assert view is not None and [c.child_id for c in view.children] == ["P1.1", "P1.2"]
    assert (view.working, view.unfilled) == (200, 100)
    assert port.engine.venue_statistics()["ARCA"].orders == 1


def test_only_children_the_oms_sent_count_as_routed() -> None:
    port = swept_market()
    plan = port.plan(request(Side.BUY, 300, "10.00"), 10)
    assert not isinstance(plan, RejectCode)
    assert port.venue_statistics() == {} and port.route_statistics() == {}
    port.child_sent("P1", "P1.1", plan[0], 11)
    assert {k: v.orders for k, v in port.venue_statistics().items()} == {"BATS": 1}
    assert port.route_statistics()["SMART"].orders == 1


def test_reports_measure_fills_and_follow_a_replace() -> None:
    port = swept_market()
    plan = port.plan(request(Side.BUY, 300, "10.00"), 10)
    assert not isinstance(plan, RejectCode)
    send_all(port, plan, 1, 11)
    accepted = OrderAccepted(
        "ARCA", "P1.2", BROKER, SYMBOL, Side.BUY, OrderType.LIMIT, 100, usd("10.00"),
        TimeInForce.IOC, 15,
    )  # fmt: skip
    port.child_report(accepted, 15)
    port.child_report(
        OrderReplaced("ARCA", "P1.2", BROKER, SYMBOL, 60, 60, usd("10.00"), True, 16), 16
    )
    port.child_report(fill("ARCA", "P1.2", "10.00", 60, 0, 60 * 3_000), 21)
    port.child_report(fill("ARCA", "P9.9", "10.00", 60, 0, 1), 22)  # not ours: nothing
    arca = port.venue_statistics()["ARCA"]
    assert (arca.shares_routed, arca.shares_filled, arca.fees) == (60, 60, 180_000)
    assert arca.average_fill_ns == 10  # sent at 11, filled at 21
    # Bought at the arrival offer: no improvement, an effective spread of one tick (2x half).
    assert arca.price_improvement == 0 and arca.effective_spread == usd("0.01")
    view = port.parent("P1")
    assert view is not None and view.quantity == 260
    assert view.children[1].accepted_ns == 15 and view.children[1].fills[0].fee == 180_000


def test_refusals_come_back_as_codes() -> None:
    port = SmartRouting(THREE)
    assert port.plan(request(Side.BUY, 100, "10.00", route="NYSE"), 1) == (
        RejectCode.ROUTE_UNKNOWN_VENUE
    )
    assert port.parent("P1") is None

"""The router as a Core: snapshots, replay determinism, bad input, journaled messages."""

from __future__ import annotations

from typing import Any

import pytest

from directbroker.domain.marketdata_messages import DepthUpdated, QuoteUpdated
from directbroker.domain.messages import Command, Event, Message
from directbroker.domain.orders import BookSide, Liquidity, OrderType, PostOnly, Side, TimeInForce
from directbroker.domain.rejects import RejectCode
from directbroker.domain.routing import ChildInstruction, ChildPurpose
from directbroker.domain.routing_messages import (
    ChildRouted,
    MarkVenueDown,
    RouteOrder,
    RoutingInputRejected,
    RoutingTimerTick,
    StopRouting,
)
from directbroker.domain.venue_messages import CancelOrder, OrderAccepted, OrderFilled
from directbroker.engines.router import RouterEngine
from directbroker.protocols.codec import decode, encode
from tests.unit.router.router_helpers import BROKER, SYMBOL, THREE, Market, of_type, request, usd

BAD: Any = [1]
"""A value of the wrong type, as a hostile or buggy client might send."""


def busy_market() -> Market:
    m = Market()
    m.rest("ARCA", Side.SELL, 100, "10.00")
    m.rest("BATS", Side.SELL, 300, "10.01")
    m.rest("IEX", Side.BUY, 100, "9.99")
    t = m.ts()
    m.router.handle(QuoteUpdated(SYMBOL, usd("9.99"), 100, "IEX", usd("10.00"), 100, "ARCA", t), t)
    m.route(request(Side.BUY, 250, "10.01"))
    m.route(request(Side.BUY, 500, "9.98", parent_id="P2"))
    m.router.handle(MarkVenueDown("IEX", "test"), m.ts())
    return m


def test_snapshot_restore_round_trips_and_the_hash_follows_the_state() -> None:
    m = busy_market()
    data, digest = m.router.snapshot(), m.router.state_hash()
    copy = RouterEngine(THREE)
    copy.restore(data)
    assert copy.snapshot() == data and copy.state_hash() == digest
    assert copy.parent("P1") == m.router.parent("P1")
    assert copy.venue_statistics() == m.router.venue_statistics()
    # The same next input gives the same events and the same state on both.
    tick = RoutingTimerTick()
    assert copy.handle(tick, m.now + 10**10) == m.router.handle(tick, m.now + 10**10)
    assert copy.state_hash() == m.router.state_hash() != digest


def test_replaying_the_journaled_inputs_rebuilds_the_same_state() -> None:
    log: list[tuple[Message, int]] = []
    m = Market()
    original = m.router.handle

    def recording(command: Message, ts_ns: int) -> list[Event]:
        log.append((command, ts_ns))
        events: list[Event] = original(command, ts_ns)
        return events

    m.router.handle = recording  # type: ignore[method-assign]
    m.rest("ARCA", Side.SELL, 100, "10.00")
    m.play(m.router.handle(RouteOrder.from_request(request(Side.BUY, 300, "10.00")), m.ts()))
    m.play(m.router.handle(StopRouting("P1"), m.ts()))
    replayed = RouterEngine(THREE)
    for command, ts in log:
        replayed.handle(decode(encode(command)), ts)
    assert replayed.state_hash() == m.router.state_hash()


@pytest.mark.parametrize(
    "bad",
    [
        RouteOrder("P", SYMBOL, "buy", 100, 1, TimeInForce.DAY),  # type: ignore[arg-type]
        RouteOrder("P", SYMBOL, Side.BUY, -5, 100_000, TimeInForce.DAY),
        RouteOrder("P", SYMBOL, Side.BUY, 100, 1.5, TimeInForce.DAY),  # type: ignore[arg-type]
        RouteOrder("", SYMBOL, Side.BUY, 100, 100_000, TimeInForce.DAY),
        RouteOrder("P", SYMBOL, Side.BUY, 100, None, TimeInForce.DAY, order_type=OrderType.LIMIT),
        RouteOrder("P", SYMBOL, Side.BUY, 100, 100_000, TimeInForce.DAY, allowed_venues=BAD),
        RouteOrder("P", SYMBOL, Side.BUY, 100, 100_000, TimeInForce.DAY, post_only="x"),  # type: ignore[arg-type]
        StopRouting("nobody"),
        MarkVenueDown("NYSE"),
        DepthUpdated("ARCA", SYMBOL, BookSide.ASK, "10", 5, 1, 0),  # type: ignore[arg-type]
        OrderAccepted(
            "ARCA", "R99", BROKER, SYMBOL, Side.BUY, OrderType.LIMIT, 1, 1, TimeInForce.DAY, 0
        ),
        OrderAccepted(
            "ARCA", BAD, BROKER, SYMBOL, Side.BUY, OrderType.LIMIT, 1, 1, TimeInForce.DAY, 0
        ),
        CancelOrder("R1", BROKER),
    ],
)
def test_bad_input_is_refused_with_a_code_and_changes_nothing(bad: Command) -> None:
    m = busy_market()
    before = m.router.state_hash()
    events = m.router.handle(bad, m.ts())
    assert len(events) == 1
    assert isinstance(events[0], RoutingInputRejected) or events[0].code.stage.value in (  # type: ignore[attr-defined]
        "validation",
        "routing",
    )
    assert m.router.state_hash() == before


def test_a_report_for_a_child_of_another_venue_is_refused() -> None:
    m = busy_market()
    fill = OrderFilled("IEX", "R1", BROKER, SYMBOL, Side.BUY, 1, 1, 1, 0, 1, Liquidity.TAKER, 0, 0)
    (event,) = m.router.handle(fill, m.ts())
    assert isinstance(event, RoutingInputRejected) and event.code is RejectCode.ROUTE_UNKNOWN_CHILD


def test_routing_messages_survive_the_journal_codec() -> None:
    m = busy_market()
    for event in m.router_events:
        assert decode(encode(event)) == event
    order = RouteOrder.from_request(request(Side.SELL, 10, "10.00", allowed_venues=("ARCA",)))
    assert decode(encode(order)) == order and order.request.allowed_venues == ("ARCA",)


def test_children_with_oms_ids_are_tracked_like_the_routers_own() -> None:
    m = Market()
    m.rest("ARCA", Side.SELL, 100, "10.00")
    req = request(Side.BUY, 100, "10.00", parent_id="OMS1")
    (instruction,) = m.router.plan(req)  # type: ignore[misc]
    assert isinstance(instruction, ChildInstruction) and instruction.venue == "ARCA"
    m.router.child_sent(req, "OMS1-1", instruction, m.ts())
    routed = ChildRouted(
        "OMS1", "OMS1-1", SYMBOL, Side.BUY, "ARCA", 100, OrderType.LIMIT, usd("10.00"),
        TimeInForce.IOC, ChildPurpose.SWEEP, None, False, PostOnly.NO, m.ts(),
    )  # fmt: skip
    events = m.play([routed])
    assert [e.filled_quantity for e in events if hasattr(e, "filled_quantity")] == [100]
    view = m.router.parent("OMS1")
    assert view is not None and view.filled == 100 and view.completed
    assert of_type(m.router_events, ChildRouted) == [routed]

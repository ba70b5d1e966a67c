"""Directed routing: the trader's venue as it is, or a reject code saying why not."""

from __future__ import annotations

import pytest

from directbroker.domain.marketdata_messages import TradingStatusChanged
from directbroker.domain.orders import Side, TimeInForce
from directbroker.domain.rejects import RejectCode
from directbroker.domain.routing import ChildPurpose
from directbroker.domain.routing_messages import (
    ChildRouted,
    MarkVenueDown,
    MarkVenueUp,
    RouteRejected,
    VenueMarkedDown,
    VenueMarkedUp,
)
from tests.unit.router.router_helpers import SYMBOL, Market, of_type, request, usd


def test_directed_order_goes_to_the_chosen_venue_as_it_is() -> None:
    m = Market()
    m.rest("ARCA", Side.SELL, 100, "10.00")
    m.rest("BATS", Side.SELL, 100, "10.05")
    events = m.route(request(Side.BUY, 300, "10.05", route="BATS", tif=TimeInForce.GTC))
    (child,) = of_type(events, ChildRouted)
    assert (child.venue, child.quantity, child.limit_price, child.time_in_force) == (
        "BATS",
        300,
        usd("10.05"),
        TimeInForce.GTC,
    )
    assert child.purpose is ChildPurpose.DIRECTED
    # As it is: the trader's choice, even though ARCA offered better (the venue answers for
    # Rule 611 on a directed order, see ADR 0005).
    assert [(f.venue, f.quantity) for f in m.executions] == [("BATS", 100)]


@pytest.mark.parametrize(
    ("route", "allowed", "code"),
    [
        ("NYSE", (), RejectCode.ROUTE_UNKNOWN_VENUE),
        ("IEX", ("ARCA", "BATS"), RejectCode.ROUTE_NOT_ALLOWED),
    ],
)
def test_unknown_or_not_allowed_routes_are_rejected(
    route: str, allowed: tuple[str, ...], code: RejectCode
) -> None:
    m = Market()
    events = m.route(request(Side.BUY, 100, "10.00", route=route, allowed_venues=allowed))
    assert [(r.parent_id, r.code) for r in of_type(events, RouteRejected)] == [("P1", code)]
    assert m.router.parent("P1") is None


def test_a_down_venue_is_rejected_until_it_is_up_again() -> None:
    m = Market()
    down = m.router.handle(MarkVenueDown("ARCA", "session lost"), m.ts())
    assert [type(e) for e in down] == [VenueMarkedDown]
    assert m.router.handle(MarkVenueDown("ARCA", "again"), m.ts()) == []
    events = m.route(request(Side.BUY, 100, "10.00", route="ARCA"))
    (reject,) = of_type(events, RouteRejected)
    assert reject.code is RejectCode.ROUTE_VENUE_DOWN and "session lost" in reject.detail
    assert [type(e) for e in m.router.handle(MarkVenueUp("ARCA"), m.ts())] == [VenueMarkedUp]
    again = m.route(request(Side.BUY, 100, "10.00", route="ARCA", parent_id="P2"))
    assert [c.venue for c in of_type(again, ChildRouted)] == ["ARCA"]


def test_a_halted_venue_is_rejected_when_directed_and_skipped_when_smart() -> None:
    m = Market()
    m.rest("ARCA", Side.SELL, 100, "10.00")
    m.rest("BATS", Side.SELL, 100, "10.01")
    halt = TradingStatusChanged(SYMBOL, ("ARCA",), False, "LULD", m.ts())
    assert m.router.handle(halt, m.ts()) == []
    directed = m.route(request(Side.BUY, 100, "10.01", route="ARCA"))
    assert [r.code for r in of_type(directed, RouteRejected)] == [RejectCode.ROUTE_VENUE_HALTED]
    smart = m.route(request(Side.BUY, 100, "10.01", parent_id="P2"))
    # ARCA's halted quote is neither accessible nor protected: BATS at 10.01 is fine.
    assert [(c.venue, c.limit_price) for c in of_type(smart, ChildRouted)] == [
        ("BATS", usd("10.01"))
    ]


def test_smart_with_no_usable_venue_and_unknown_symbols_are_rejected() -> None:
    m = Market()
    for name in ("ARCA", "BATS", "IEX"):
        m.router.handle(MarkVenueDown(name), m.ts())
    events = m.route(request(Side.BUY, 100, "10.00"))
    assert [r.code for r in of_type(events, RouteRejected)] == [RejectCode.ROUTE_NO_VENUE]
    from dataclasses import replace

    unknown = replace(request(Side.BUY, 100, "10.00", parent_id="P9"), symbol="NOPE")
    events = m.router.route(unknown, m.ts())
    assert [r.code for r in of_type(events, RouteRejected)] == [RejectCode.UNKNOWN_SYMBOL]

"""Customer pegs through the router: one venue that carries the peg, directed or smart."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pytest

from directbroker.domain.messages import Event
from directbroker.domain.orders import OrderType, Side, TimeInForce
from directbroker.domain.rejects import RejectCode
from directbroker.domain.routing import ChildPurpose, RouteRequest
from directbroker.domain.routing_messages import ChildRouted, RouteRejected
from tests.unit.router.router_helpers import THREE, Market, of_type, request, usd, venue


def peg(
    side: Side,
    quantity: int,
    cap: str | None = None,
    *,
    kind: OrderType = OrderType.PEG_MIDPOINT,
    route: str = "SMART",
    tif: TimeInForce = TimeInForce.DAY,
    parent_id: str = "P1",
) -> RouteRequest:
    """A pegged parent, capped at ``cap`` dollars when given."""
    base = request(side, quantity, cap, route=route, tif=tif, parent_id=parent_id)
    return replace(base, order_type=kind)


def only_child(events: Sequence[Event]) -> ChildRouted:
    (child,) = of_type(events, ChildRouted)
    return child


def test_a_directed_midpoint_peg_goes_whole_to_its_venue_and_rests() -> None:
    m = Market()
    m.rest("ARCA", Side.BUY, 100, "10.00")
    m.rest("ARCA", Side.SELL, 100, "10.10")
    child = only_child(m.route(peg(Side.BUY, 300, route="ARCA")))
    assert (child.venue, child.quantity, child.order_type, child.limit_price) == (
        "ARCA",
        300,
        OrderType.PEG_MIDPOINT,
        None,
    )
    assert child.purpose is ChildPurpose.DIRECTED
    assert m.executions == []  # nothing at the midpoint yet: it rests, hidden


@pytest.mark.parametrize("kind", [OrderType.PEG_PRIMARY, OrderType.PEG_MARKET])
def test_a_peg_no_venue_carries_is_refused_directed_or_smart(kind: OrderType) -> None:
    m = Market()
    for route in ("ARCA", "SMART"):
        events = m.route(peg(Side.BUY, 100, route=route, kind=kind))
        (refused,) = of_type(events, RouteRejected)
        assert refused.code is RejectCode.ROUTE_PEG_UNSUPPORTED
        assert kind.value in refused.detail


def test_a_venue_without_pegs_is_refused_directed_and_skipped_by_smart() -> None:
    bare = replace(venue("IEX", maker=-9_000), peg_types=frozenset())
    m = Market((THREE[0], THREE[1], bare))
    (refused,) = of_type(m.route(peg(Side.BUY, 100, route="IEX")), RouteRejected)
    assert refused.code is RejectCode.ROUTE_PEG_UNSUPPORTED
    # IEX pays the best rebate but takes no pegs: smart goes to the best rebate among the rest.
    child = only_child(m.route(peg(Side.BUY, 100, parent_id="P2")))
    assert child.venue == "BATS"


def test_smart_picks_the_venue_with_the_best_own_midpoint_never_splitting() -> None:
    m = Market()
    m.rest("ARCA", Side.BUY, 100, "10.00")
    m.rest("ARCA", Side.SELL, 100, "10.10")  # midpoint 10.05
    m.rest("IEX", Side.BUY, 100, "10.00")
    m.rest("IEX", Side.SELL, 100, "10.06")  # midpoint 10.03: best for a buyer
    m.rest("BATS", Side.BUY, 100, "10.01")  # one-sided: the peg could not trade there
    child = only_child(m.route(peg(Side.BUY, 500, cap="10.04")))
    assert (child.venue, child.quantity, child.limit_price, child.purpose) == (
        "IEX",
        500,
        usd("10.04"),
        ChildPurpose.POST,
    )
    sell = only_child(m.route(peg(Side.SELL, 200, parent_id="P2")))
    assert sell.venue == "ARCA"  # the highest midpoint for a seller


def test_smart_without_two_sided_quotes_takes_the_best_rebate() -> None:
    child = only_child(Market().route(peg(Side.BUY, 100, tif=TimeInForce.IOC)))
    assert (child.venue, child.time_in_force) == ("BATS", TimeInForce.IOC)

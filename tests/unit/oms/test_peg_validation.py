"""Customer pegs at the OMS: admitted with an optional cap and DAY/GTC/IOC; what a limit order
alone may carry (display size, hidden, post-only, groups, extended hours) is refused."""

from __future__ import annotations

from typing import Any

import pytest

from directbroker.domain.order_status import OrderClass
from directbroker.domain.orders import OrderType, PostOnly, TimeInForce
from directbroker.domain.rejects import RejectCode
from directbroker.engines.oms import check_place
from tests.unit.oms.oms_helpers import USD, order

PEGS = (OrderType.PEG_MIDPOINT, OrderType.PEG_PRIMARY, OrderType.PEG_MARKET)


@pytest.mark.parametrize("kind", PEGS)
@pytest.mark.parametrize("tif", [TimeInForce.DAY, TimeInForce.GTC, TimeInForce.IOC])
@pytest.mark.parametrize("cap", [None, 101 * USD])
def test_pegs_are_admitted_with_or_without_a_cap(
    kind: OrderType, tif: TimeInForce, cap: int | None
) -> None:
    assert check_place(order(order_type=kind, time_in_force=tif, limit_price=cap)) is None


@pytest.mark.parametrize(
    ("fields", "code", "words"),
    [
        ({"time_in_force": TimeInForce.FOK}, RejectCode.INVALID_TIME_IN_FORCE, "day, gtc, ioc"),
        ({"time_in_force": TimeInForce.OPG}, RejectCode.INVALID_TIME_IN_FORCE, "peg_midpoint"),
        ({"limit_price": 100 * USD + 1}, RejectCode.PRICE_OFF_TICK, "limit price"),
        ({"stop_price": 99 * USD}, RejectCode.PRICE_NOT_ALLOWED, "stop price"),
        ({"display_quantity": 10}, RejectCode.INVALID_ATTRIBUTES, "Reserve"),
        ({"post_only": PostOnly.REJECT}, RejectCode.INVALID_ATTRIBUTES, "Post-only"),
        ({"extended_hours": True}, RejectCode.INVALID_ATTRIBUTES, "Extended-hours"),
        (
            {
                "order_class": OrderClass.BRACKET,
                "take_profit_price": 110 * USD,
                "stop_loss_price": 95 * USD,
            },
            RejectCode.INVALID_ATTRIBUTES,
            "bracket",
        ),
    ],
)
def test_what_a_peg_cannot_carry_is_refused(
    fields: dict[str, Any], code: RejectCode, words: str
) -> None:
    refusal = check_place(order(**{"order_type": OrderType.PEG_MIDPOINT, **fields}))
    assert refusal is not None
    assert refusal[0] is code
    assert words in refusal[1]

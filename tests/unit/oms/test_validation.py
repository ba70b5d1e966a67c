"""Field checks on new orders: every refusal names what to change."""

from __future__ import annotations

from typing import Any

import pytest

from directbroker.domain.order_status import OrderClass
from directbroker.domain.orders import OrderType, PostOnly, Side, TimeInForce
from directbroker.domain.rejects import RejectCode
from directbroker.engines.oms import check_place
from tests.unit.oms.oms_helpers import USD, order


@pytest.mark.parametrize(
    ("fields", "code", "words"),
    [
        ({"order_id": ""}, RejectCode.INVALID_ID, "order id"),
        ({"order_id": "a:b"}, RejectCode.INVALID_ID, "':'"),
        ({"symbol": "aapl"}, RejectCode.UNKNOWN_SYMBOL, "aapl"),
        ({"side": "buy"}, RejectCode.MALFORMED, "Side"),
        ({"quantity": 0}, RejectCode.QUANTITY_NOT_POSITIVE, "at least 1"),
        ({"quantity": 1.5}, RejectCode.QUANTITY_NOT_INTEGRAL, "whole number"),
        ({"limit_price": 100 * USD + 1}, RejectCode.PRICE_OFF_TICK, "$100.0001"),
        ({"limit_price": None}, RejectCode.PRICE_REQUIRED, "limit price"),
        ({"order_type": OrderType.MARKET}, RejectCode.PRICE_NOT_ALLOWED, "no limit"),
        (
            {"order_type": OrderType.STOP, "limit_price": None},
            RejectCode.PRICE_REQUIRED,
            "stop price",
        ),
        (
            {"order_type": OrderType.TRAILING_STOP, "limit_price": None},
            RejectCode.PRICE_REQUIRED,
            "trail",
        ),
        (
            {"order_type": OrderType.MARKET, "limit_price": None, "time_in_force": TimeInForce.GTC},
            RejectCode.INVALID_TIME_IN_FORCE,
            "day, fok, ioc",
        ),
        (
            {"order_type": OrderType.PEG_MIDPOINT, "time_in_force": TimeInForce.FOK},
            RejectCode.INVALID_TIME_IN_FORCE,
            "day, gtc, ioc",
        ),
        (
            {"order_type": OrderType.PEG_MIDPOINT, "hidden": True},
            RejectCode.INVALID_ATTRIBUTES,
            "hidden",
        ),
        (
            {"order_type": OrderType.MARKET, "limit_price": None, "extended_hours": True},
            RejectCode.INVALID_ATTRIBUTES,
            "Extended-hours",
        ),
        ({"display_quantity": 100}, RejectCode.INVALID_DISPLAY_QUANTITY, "below"),
        (
            {"post_only": PostOnly.REJECT, "time_in_force": TimeInForce.IOC},
            RejectCode.INVALID_ATTRIBUTES,
            "Post-only",
        ),
        ({"take_profit_price": 110 * USD}, RejectCode.INVALID_ATTRIBUTES, "bracket"),
        (
            {"order_class": OrderClass.BRACKET, "take_profit_price": 110 * USD},
            RejectCode.PRICE_REQUIRED,
            "stop-loss",
        ),
        (
            {
                "order_class": OrderClass.BRACKET,
                "take_profit_price": 90 * USD,
                "stop_loss_price": 95 * USD,
            },
            RejectCode.INVALID_ATTRIBUTES,
            "$90.00 must be above the stop-loss $95.00",
        ),
        (
            {
                "order_class": OrderClass.BRACKET,
                "side": Side.SELL,
                "take_profit_price": 90 * USD,
                "stop_loss_price": 95 * USD,
            },
            RejectCode.INVALID_ATTRIBUTES,
            "buy or sell short",
        ),
        (
            {
                "order_class": OrderClass.OTO,
                "take_profit_price": 110 * USD,
                "stop_loss_price": 95 * USD,
            },
            RejectCode.INVALID_ATTRIBUTES,
            "exactly one",
        ),
    ],
)
def test_bad_orders_are_refused_with_a_reason(
    fields: dict[str, Any], code: RejectCode, words: str
) -> None:
    refusal = check_place(order(**fields))
    assert refusal is not None
    assert refusal[0] is code
    assert words in refusal[1]


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"order_type": OrderType.MARKET, "limit_price": None, "time_in_force": TimeInForce.IOC},
        {"extended_hours": True, "time_in_force": TimeInForce.DAY_PLUS},
        {"order_type": OrderType.STOP_LIMIT, "stop_price": 99 * USD},
        {
            "order_type": OrderType.MARKET_ON_CLOSE,
            "limit_price": None,
            "time_in_force": TimeInForce.CLS,
        },
        {
            "order_class": OrderClass.BRACKET,
            "take_profit_price": 110 * USD,
            "stop_loss_price": 95 * USD,
            "stop_loss_limit_price": 94 * USD,
        },
    ],
)
def test_good_orders_pass(fields: dict[str, Any]) -> None:
    assert check_place(order(**fields)) is None

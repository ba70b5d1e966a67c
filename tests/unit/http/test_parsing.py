"""Request parsing: numbers as strings or numbers, and everything odd refused."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from directbroker.adapters.http.commands import (
    place_order_command,
    replace_order_command,
    trail_bps_of,
)
from directbroker.adapters.http.errors import ApiError
from directbroker.adapters.http.schemas import OrderBody, ReplaceBody, to_decimal
from directbroker.domain.order_status import OrderClass
from directbroker.domain.orders import OrderType, Side, TimeInForce
from directbroker.domain.rejects import RejectCode

BASE: dict[str, Any] = {
    "symbol": "AAPL",
    "qty": "10",
    "side": "buy",
    "type": "market",
    "time_in_force": "day",
}


def command(position: int = 0, **changes: Any) -> Any:
    body = OrderBody.model_validate(BASE | changes)
    return place_order_command(body, "oid", "A1", position, known_symbol=True)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("10", Decimal(10)),
        (10, Decimal(10)),
        (10.0, Decimal("10.0")),
        (231.01, Decimal("231.01")),
        (" 1.5 ", Decimal("1.5")),
        (Decimal("2"), Decimal(2)),
        ("1e3", Decimal("1e3")),
    ],
)
def test_numbers_as_strings_or_numbers(value: object, expected: Decimal) -> None:
    assert to_decimal(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        True,
        None,
        "NaN",
        "nan",
        "inf",
        "-Infinity",
        float("nan"),
        float("inf"),
        "abc",
        "",
        "1e20",
        10**20,
        "1" * 41,
        [1],
        {"a": 1},
    ],
)
def test_odd_numbers_are_refused(value: object) -> None:
    with pytest.raises(ValueError):
        to_decimal(value)


def test_market_and_limit_orders_become_commands() -> None:
    market = command()
    assert (market.order_type, market.quantity, market.limit_price) == (OrderType.MARKET, 10, None)
    assert market.client_order_id == "oid" and market.route == "SMART"
    limit = command(type="limit", limit_price=231.05, client_order_id="c1", route="arca")
    assert (limit.limit_price, limit.client_order_id, limit.route) == (2_310_500, "c1", "ARCA")


def test_opg_and_cls_become_auction_orders() -> None:
    assert command(time_in_force="opg").order_type is OrderType.MARKET_ON_OPEN
    closing = command(type="limit", limit_price="5", time_in_force="cls")
    assert (closing.order_type, closing.time_in_force) == (
        OrderType.LIMIT_ON_CLOSE,
        TimeInForce.CLS,
    )


def test_sells_are_marked_long_or_short_from_the_position() -> None:
    assert command(side="sell", position=100).side is Side.SELL
    assert command(side="sell", position=0).side is Side.SELL_SHORT
    assert command(side="sell", position=-5).side is Side.SELL_SHORT
    assert command(side="sell_short", position=100).side is Side.SELL_SHORT
    with pytest.raises(ApiError) as partial:
        command(side="sell", position=4)
    assert partial.value.code % 100_000 == RejectCode.LONG_SALE_EXCEEDS_POSITION.number


def test_order_classes() -> None:
    bracket = command(
        order_class="bracket",
        take_profit={"limit_price": "250"},
        stop_loss={"stop_price": "220", "limit_price": "219.5"},
    )
    assert (
        bracket.order_class,
        bracket.take_profit_price,
        bracket.stop_loss_price,
        bracket.stop_loss_limit_price,
    ) == (OrderClass.BRACKET, 2_500_000, 2_200_000, 2_195_000)
    oco = command(
        side="sell",
        position=10,
        type="limit",
        order_class="oco",
        take_profit={"limit_price": "250"},
        stop_loss={"stop_price": "220"},
    )
    assert (oco.limit_price, oco.take_profit_price, oco.stop_loss_price) == (
        2_500_000,
        None,
        2_200_000,
    )
    with pytest.raises(ApiError, match="exactly one"):
        command(order_class="oto")


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"type": "limit"}, RejectCode.PRICE_REQUIRED),
        ({"limit_price": "5"}, RejectCode.PRICE_NOT_ALLOWED),
        ({"type": "stop"}, RejectCode.PRICE_REQUIRED),
        ({"type": "limit", "limit_price": "5.001"}, RejectCode.PRICE_OFF_TICK),
        ({"type": "limit", "limit_price": "0"}, RejectCode.PRICE_OUT_OF_RANGE),
        ({"qty": "0"}, RejectCode.QUANTITY_NOT_POSITIVE),
        ({"qty": "2.5"}, RejectCode.WHOLE_SHARES_ONLY),
        ({"qty": "100000001"}, RejectCode.QUANTITY_TOO_LARGE),
        ({"type": "trailing_stop"}, RejectCode.PRICE_REQUIRED),
        ({"type": "trailing_stop", "trail_percent": "0.001"}, RejectCode.PRICE_OUT_OF_RANGE),
        (
            {"type": "stop", "stop_price": "1", "time_in_force": "opg"},
            RejectCode.INVALID_TIME_IN_FORCE,
        ),
        ({"qty": None, "notional": "100"}, RejectCode.WHOLE_SHARES_ONLY),
    ],
)
def test_bad_orders_get_the_right_code(changes: dict[str, Any], code: RejectCode) -> None:
    with pytest.raises(ApiError) as refused:
        command(**changes)
    assert refused.value.status == 422 and refused.value.code == 42_200_000 + code.number


def test_unknown_fields_and_symbols_are_refused() -> None:
    with pytest.raises(ValidationError):
        OrderBody.model_validate(BASE | {"limit_prce": "1"})
    body = OrderBody.model_validate(BASE)
    with pytest.raises(ApiError, match="not found"):
        place_order_command(body, "oid", "A1", 0, known_symbol=False)


def test_replace_keeps_what_is_not_given() -> None:
    replace = replace_order_command(ReplaceBody(limit_price=Decimal("5.5")), "o", "A1", 7, False)
    assert (replace.quantity, replace.limit_price, replace.stop_price) == (7, 55_000, None)
    trail = replace_order_command(ReplaceBody(trail=Decimal("1.25")), "o", "A1", 7, True)
    assert trail.trail_percent_bps == 125 and trail.trail_amount is None
    assert trail_bps_of(Decimal("50")) == 5_000

"""The pegged-order extension of POST /v2/orders: ``"type": "peg"`` with ``peg_type``; the
OpenAPI document lists it, and rendered orders stay readable by Alpaca's SDK while
``peg_type`` says what they follow."""

from __future__ import annotations

import warnings
from typing import Any

import pytest

from directbroker.adapters.http.commands import place_order_command
from directbroker.adapters.http.errors import ApiError
from directbroker.adapters.http.schemas import OrderBody
from directbroker.adapters.http.shapes import render_order
from directbroker.domain.orders import OrderType, TimeInForce
from directbroker.domain.rejects import RejectCode
from tests.unit.http.test_shapes_and_ids import view

with warnings.catch_warnings():
    # alpaca-py's package imports websockets.legacy, which warns that it is deprecated.
    warnings.simplefilter("ignore", DeprecationWarning)
    from alpaca.trading.enums import OrderType as AlpacaOrderType
    from alpaca.trading.models import Order

PEG: dict[str, Any] = {
    "symbol": "AAPL",
    "qty": "10",
    "side": "buy",
    "type": "peg",
    "peg_type": "midpoint",
    "time_in_force": "day",
}


def command(**changes: Any) -> Any:
    body = OrderBody.model_validate(PEG | changes)
    return place_order_command(body, "oid", "A1", 0, known_symbol=True)


@pytest.mark.parametrize(
    ("peg_type", "kind"),
    [
        ("midpoint", OrderType.PEG_MIDPOINT),
        ("primary", OrderType.PEG_PRIMARY),
        ("market", OrderType.PEG_MARKET),
    ],
)
def test_each_peg_type_becomes_its_order_type(peg_type: str, kind: OrderType) -> None:
    cmd = command(peg_type=peg_type, time_in_force="ioc", route="arca")
    assert (cmd.order_type, cmd.time_in_force, cmd.limit_price, cmd.route) == (
        kind,
        TimeInForce.IOC,
        None,
        "ARCA",
    )


def test_a_limit_price_is_the_peg_s_cap() -> None:
    assert command(limit_price="200.01").limit_price == 2_000_100


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"peg_type": None}, RejectCode.UNSUPPORTED_ORDER_TYPE),
        ({"type": "market", "peg_type": "midpoint"}, RejectCode.INVALID_ATTRIBUTES),
        ({"time_in_force": "opg"}, RejectCode.INVALID_TIME_IN_FORCE),
        ({"stop_price": "5"}, RejectCode.PRICE_NOT_ALLOWED),
        ({"limit_price": "200.001"}, RejectCode.PRICE_OFF_TICK),
    ],
)
def test_malformed_pegs_get_the_right_code(changes: dict[str, Any], code: RejectCode) -> None:
    with pytest.raises(ApiError) as refused:
        command(**changes)
    assert refused.value.status == 422 and refused.value.code == 42_200_000 + code.number


def test_a_peg_renders_as_the_alpaca_type_it_is_closest_to_with_its_peg_type() -> None:
    uncapped = render_order(view(order_type=OrderType.PEG_MIDPOINT, limit_price=None))
    assert (uncapped["type"], uncapped["order_type"], uncapped["peg_type"]) == (
        "market",
        "market",
        "midpoint",
    )
    capped = render_order(view(order_type=OrderType.PEG_MIDPOINT, limit_price=2_000_100))
    assert (capped["type"], capped["limit_price"], capped["peg_type"]) == (
        "limit",
        "200.01",
        "midpoint",
    )
    assert render_order(view())["peg_type"] is None
    # The unmodified SDK reads it (it knows no "peg" type).
    assert Order(**uncapped).type is AlpacaOrderType.MARKET


def test_the_openapi_document_lists_the_peg_variant() -> None:
    schema = OrderBody.model_json_schema()
    (peg,) = [v for v in schema["oneOf"] if v["properties"]["type"] == {"const": "peg"}]
    assert "peg_type" in peg["required"]
    assert peg["properties"]["peg_type"]["enum"] == ["midpoint", "primary", "market"]
    assert "extension" in peg["properties"]["peg_type"]["description"]
    others = [v for v in schema["oneOf"] if v is not peg]
    assert len(others) == 5
    assert all(v["properties"]["peg_type"] == {"type": "null"} for v in others)

"""Malformed requests get 422 with a clear message, change nothing, and the server keeps
serving."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from directbroker.adapters.http import ApiServer
from tests.e2e.conftest import ApiPlatform

pytestmark = pytest.mark.timeout(60)

GOOD = {
    "symbol": "AAPL",
    "qty": "1",
    "side": "buy",
    "type": "limit",
    "time_in_force": "day",
    "limit_price": "100.00",
}


def order(**changes: Any) -> bytes:
    body = {k: v for k, v in (GOOD | changes).items() if v is not ...}
    return json.dumps(body).encode()


BAD_ORDERS: dict[str, bytes] = {
    "not json": b"{bad",
    "empty body": b"",
    "a list": b"[1, 2]",
    "null": b"null",
    "unknown field": order(colour="blue"),
    "qty of the wrong type": order(qty={"a": 1}),
    "side of the wrong type": order(side=5),
    "symbol of the wrong type": order(symbol=123),
    "unknown side": order(side="borrow"),
    "unknown type": order(type="iceberg"),
    "negative qty": order(qty="-5"),
    "negative qty number": order(qty=-5),
    "zero qty": order(qty=0),
    "fractional qty": order(qty="1.5"),
    "boolean qty": order(qty=True),
    "qty NaN text": order(qty="NaN"),
    "qty NaN literal": order(qty=None).replace(b"null", b"NaN"),
    "qty Infinity literal": order(qty=None).replace(b"null", b"Infinity"),
    "qty inf text": order(qty="-inf"),
    "qty overflowing float": order(qty=None).replace(b"null", b"1e999"),
    "huge qty": order(qty="1e30"),
    "qty with 5000 digits": order(qty=None).replace(b"null", b"9" * 5_000),
    "huge price": order(limit_price="1e400"),
    "negative price": order(limit_price="-1"),
    "price off tick": order(limit_price="100.001"),
    "price not a number": order(limit_price="12abc"),
    "unknown symbol": order(symbol="ZZZZZ"),
    "limit without a price": order(limit_price=...),
    "market with a price": order(type="market"),
    "stop without a stop price": order(type="stop", limit_price=...),
    "bracket without a stop loss": order(order_class="bracket", take_profit={"limit_price": 120}),
    "take profit on a simple order": order(take_profit={"limit_price": 120}),
    "trailing stop without a trail": order(type="trailing_stop", limit_price=...),
    "notional order": order(qty=..., notional="100", type="market", limit_price=...),
    "opg stop order": order(type="stop", time_in_force="opg", stop_price="1", limit_price=...),
    "overlong client order id": order(client_order_id="x" * 200),
}


@pytest.fixture(scope="module")
def client(server: ApiServer, platform: ApiPlatform) -> Iterator[httpx.Client]:
    key, secret = platform.keys["alice"]
    headers = {"APCA-API-KEY-ID": key, "APCA-API-SECRET-KEY": secret}
    with httpx.Client(base_url=server.url, headers=headers, timeout=10) as http:
        yield http


def _state(client: httpx.Client) -> tuple[Any, Any, Any]:
    orders = client.get("/v2/orders", params={"status": "all", "limit": 500}).json()
    account = client.get("/v2/account").json()
    return orders, account["cash"], client.get("/v2/positions").json()


def _assert_clear_422(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"code", "message"}
    assert isinstance(body["code"], int) and body["code"] // 100_000 == 422
    assert isinstance(body["message"], str) and len(body["message"]) > 5
    return body


def test_every_malformed_order_is_refused_and_changes_nothing(client: httpx.Client) -> None:
    before = _state(client)
    messages = {}
    for name, body in BAD_ORDERS.items():
        response = client.post(
            "/v2/orders", content=body, headers={"content-type": "application/json"}
        )
        messages[name] = _assert_clear_422(response)["message"]
    assert _state(client) == before
    assert client.get("/v2/account").status_code == 200
    assert "limit_price" in messages["limit without a price"]
    assert "ZZZZZ" in messages["unknown symbol"]
    assert "colour" in messages["unknown field"]
    assert "finite" in messages["qty NaN text"]


def test_a_form_body_is_refused(client: httpx.Client) -> None:
    _assert_clear_422(client.post("/v2/orders", data={"symbol": "AAPL"}))


@pytest.mark.parametrize(
    ("method", "path", "params", "body"),
    [
        ("GET", "/v2/orders", {"limit": "-1"}, None),
        ("GET", "/v2/orders", {"status": "bogus"}, None),
        ("GET", "/v2/orders", {"after": "yesterday"}, None),
        ("GET", "/v2/account/activities", {"activity_types": "NOPE"}, None),
        ("GET", "/v2/account/portfolio/history", {"period": "1X"}, None),
        ("GET", "/v2/stocks/bars", {"symbols": "AAPL", "timeframe": "7Min"}, None),
        ("GET", "/v2/stocks/bars", {"symbols": "NOPE", "timeframe": "1Min"}, None),
        ("GET", "/v2/stocks/trades", {"symbols": "AAPL", "page_token": "!!"}, None),
        ("GET", "/v2/calendar", {"start": "soon"}, None),
        ("POST", "/v2/watchlists", None, {"name": "x", "symbols": ["NOPE"]}),
        ("PATCH", "/v2/account/configurations", None, {"no_shorting": "perhaps"}),
        ("DELETE", "/v2/positions/AAPL", {"qty": "NaN"}, None),
    ],
)
def test_malformed_parameters_get_422(
    client: httpx.Client, method: str, path: str, params: Any, body: Any
) -> None:
    _assert_clear_422(client.request(method, path, params=params, json=body))


def test_malformed_replace_changes_nothing(client: httpx.Client) -> None:
    placed = client.post(
        "/v2/orders", content=order(qty="2"), headers={"content-type": "application/json"}
    ).json()
    for bad in (
        {"qty": "-1"},
        {"qty": "NaN"},
        {"limit_price": "0"},
        {"colour": "red"},
        {"time_in_force": "gtc"},
    ):
        _assert_clear_422(client.patch(f"/v2/orders/{placed['id']}", json=bad))
    after = client.get(f"/v2/orders/{placed['id']}").json()
    assert (after["qty"], after["limit_price"], after["status"]) == ("2", "100.00", "new")
    assert client.delete(f"/v2/orders/{placed['id']}").status_code == 204


def test_unknown_order_ids_get_404_not_500(client: httpx.Client) -> None:
    for order_id in ("not-a-uuid", "0" * 500, "00000000-0000-4000-8000-000000000000"):
        response = client.get(f"/v2/orders/{order_id}")
        assert response.status_code == 404 and response.json()["message"]

"""Authorisation matrix: no key gets in, and no customer reaches another's account through any
endpoint or stream; traders, portfolio managers and operations reach exactly their accounts."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import httpx
import msgpack
import pytest
from websockets.asyncio.client import connect

from directbroker.adapters.http import ApiServer, RateLimit, create_app
from tests.e2e.conftest import ApiPlatform

pytestmark = pytest.mark.timeout(60)

ACCOUNT_HEADER = "DirectBroker-Account"

ACCOUNT_ENDPOINTS: list[tuple[str, str, Any]] = [
    ("GET", "/v2/account", None),
    ("GET", "/v2/account/configurations", None),
    ("PATCH", "/v2/account/configurations", {"no_shorting": True}),
    ("GET", "/v2/account/activities", None),
    ("GET", "/v2/account/activities/FILL", None),
    ("GET", "/v2/account/portfolio/history", None),
    ("GET", "/v2/orders", None),
    (
        "POST",
        "/v2/orders",
        {"symbol": "AAPL", "qty": 1, "side": "buy", "type": "market", "time_in_force": "day"},
    ),
    ("DELETE", "/v2/orders", None),
    ("GET", "/v2/orders:by_client_order_id?client_order_id=alice-1", None),
    ("GET", "/v2/positions", None),
    ("GET", "/v2/positions/AAPL", None),
    ("DELETE", "/v2/positions/AAPL", None),
    ("DELETE", "/v2/positions", None),
    ("GET", "/v2/watchlists", None),
    ("POST", "/v2/watchlists", {"name": "mine", "symbols": ["AAPL"]}),
]
PUBLIC_ENDPOINTS: list[tuple[str, str, Any]] = [
    ("GET", "/v2/assets", None),
    ("GET", "/v2/assets/AAPL", None),
    ("GET", "/v2/clock", None),
    ("GET", "/v2/calendar?start=2026-01-01&end=2026-01-09", None),
    ("GET", "/v2/stocks/bars?symbols=AAPL&timeframe=1Min", None),
    ("GET", "/v2/stocks/quotes/latest?symbols=AAPL", None),
    ("GET", "/v2/stocks/snapshots?symbols=AAPL", None),
    ("GET", "/v2/stocks/AAPL/level2", None),
    ("GET", "/v2/stocks/AAPL/timesales", None),
]


def headers(platform: ApiPlatform, who: str, account: str | None = None) -> dict[str, str]:
    key, secret = platform.keys[who]
    found = {"APCA-API-KEY-ID": key, "APCA-API-SECRET-KEY": secret}
    return found | ({ACCOUNT_HEADER: account} if account else {})


@pytest.fixture(scope="module")
def http(server: ApiServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        yield client


@pytest.fixture(scope="module")
def alice_orders(http: httpx.Client, platform: ApiPlatform) -> dict[str, Any]:
    """Alice's resting limit order and a filled market order (so she holds AAPL)."""
    platform.tick("AAPL")
    mine = headers(platform, "alice")
    resting = http.post(
        "/v2/orders",
        headers=mine,
        json={
            "symbol": "MSFT",
            "qty": "3",
            "side": "buy",
            "type": "limit",
            "time_in_force": "gtc",
            "limit_price": "50.00",
            "client_order_id": "alice-1",
        },
    ).json()
    filled = http.post(
        "/v2/orders",
        headers=mine,
        json={
            "symbol": "AAPL",
            "qty": "2",
            "side": "buy",
            "type": "market",
            "time_in_force": "day",
        },
    ).json()
    assert resting["status"] == "new" and filled["status"] == "filled"
    return {"resting": resting, "filled": filled}


@pytest.mark.parametrize(("method", "path", "body"), ACCOUNT_ENDPOINTS + PUBLIC_ENDPOINTS)
@pytest.mark.parametrize("credentials", ["none", "unknown key", "wrong secret", "key only"])
def test_missing_or_wrong_keys_get_401(
    http: httpx.Client,
    platform: ApiPlatform,
    credentials: str,
    method: str,
    path: str,
    body: Any,
) -> None:
    key, secret = platform.keys["alice"]
    sent = {
        "none": {},
        "unknown key": {"APCA-API-KEY-ID": "DBNOSUCHKEY", "APCA-API-SECRET-KEY": secret},
        "wrong secret": {"APCA-API-KEY-ID": key, "APCA-API-SECRET-KEY": secret + "x"},
        "key only": {"APCA-API-KEY-ID": key},
    }[credentials]
    response = http.request(method, path, headers=sent, json=body)
    assert response.status_code == 401
    assert response.json() == {"code": 40_110_000, "message": "request is not authorized"}


@pytest.mark.parametrize(("method", "path", "body"), ACCOUNT_ENDPOINTS)
def test_customer_b_cannot_name_customer_a_account(
    http: httpx.Client,
    platform: ApiPlatform,
    alice_orders: dict[str, Any],
    method: str,
    path: str,
    body: Any,
) -> None:
    response = http.request(method, path, headers=headers(platform, "bob", "A1"), json=body)
    assert response.status_code == 403
    assert response.json()["code"] == 40_310_000


def test_customer_b_cannot_see_cancel_or_replace_a_orders(
    http: httpx.Client, platform: ApiPlatform, alice_orders: dict[str, Any]
) -> None:
    bob = headers(platform, "bob")
    for order in alice_orders.values():
        path = f"/v2/orders/{order['id']}"
        assert http.get(path, headers=bob).status_code == 404
        assert http.delete(path, headers=bob).status_code == 404
        assert http.patch(path, headers=bob, json={"qty": "1"}).status_code == 404
    found = http.get(
        "/v2/orders:by_client_order_id", headers=bob, params={"client_order_id": "alice-1"}
    )
    assert found.status_code == 404
    listed = http.get("/v2/orders", headers=bob, params={"status": "all"}).json()
    assert not {o["id"] for o in listed} & {o["id"] for o in alice_orders.values()}
    assert http.get("/v2/positions", headers=bob).json() == []
    assert http.get("/v2/positions/AAPL", headers=bob).status_code == 404
    activities = http.get("/v2/account/activities", headers=bob).json()
    assert all(a.get("order_id") not in {alice_orders["filled"]["id"]} for a in activities)
    assert http.delete("/v2/orders", headers=bob).json() == []
    # Nothing Bob did touched Alice's orders.
    alice = headers(platform, "alice")
    still = http.get(f"/v2/orders/{alice_orders['resting']['id']}", headers=alice).json()
    assert (still["status"], still["qty"]) == ("new", "3")
    assert http.get("/v2/positions/AAPL", headers=alice).json()["qty"] == "2"


def test_roles_reach_exactly_their_accounts(
    http: httpx.Client, platform: ApiPlatform, alice_orders: dict[str, Any]
) -> None:
    def status(who: str, account: str | None, path: str = "/v2/account") -> int:
        return http.get(path, headers=headers(platform, who, account)).status_code

    assert (
        http.get("/v2/account", headers=headers(platform, "trader")).json()["account_number"]
        == "T1"
    )
    assert (status("trader", "T1"), status("trader", "T2"), status("trader", "A1")) == (
        200,
        200,
        403,
    )
    assert (status("pm", "G1"), status("pm", "G2"), status("pm", "A1"), status("pm", "T1")) == (
        200,
        200,
        403,
        403,
    )
    assert (status("ops", "A1"), status("ops", "B1"), status("ops", "G2")) == (200, 200, 200)
    assert status("ops", None) == 422  # operations must say which account
    resting = f"/v2/orders/{alice_orders['resting']['id']}"
    assert status("ops", None, resting) == 200
    assert status("trader", None, resting) == status("pm", None, resting) == 404


async def _trade_stream(url: str, key: str, secret: str, got: list[Any]) -> str:
    async with connect(f"{url}/stream") as ws:
        await ws.send(
            json.dumps({"action": "authenticate", "data": {"key_id": key, "secret_key": secret}})
        )
        status: str = json.loads(await ws.recv())["data"]["status"]
        if status != "authorized":
            return status
        await ws.send(json.dumps({"action": "listen", "data": {"streams": ["trade_updates"]}}))
        assert json.loads(await ws.recv())["stream"] == "listening"
        got.append("listening")
        try:
            while True:
                got.append(json.loads(await asyncio.wait_for(ws.recv(), 1.0)))
        except TimeoutError:
            return status


def test_trade_updates_reach_only_the_owner(
    server: ApiServer, http: httpx.Client, platform: ApiPlatform, alice_orders: dict[str, Any]
) -> None:
    alice_got: list[Any] = []
    bob_got: list[Any] = []

    async def scenario() -> None:
        alice = asyncio.create_task(
            _trade_stream(server.ws_url, *platform.keys["alice"], alice_got)
        )
        bob = asyncio.create_task(_trade_stream(server.ws_url, *platform.keys["bob"], bob_got))
        while len(alice_got) + len(bob_got) < 2:
            await asyncio.sleep(0.01)
        await asyncio.to_thread(
            http.post,
            "/v2/orders",
            headers=headers(platform, "alice"),
            json={
                "symbol": "KO",
                "qty": "1",
                "side": "buy",
                "type": "market",
                "time_in_force": "day",
            },
        )
        assert await alice == await bob == "authorized"

    asyncio.run(scenario())
    # pending_new (sent to the venues, not yet acknowledged) is optional in Alpaca's stream.
    events = [u["data"]["event"] for u in alice_got[1:]]
    assert [e for e in events if e != "pending_new"] == ["new", "fill"]
    assert bob_got == ["listening"]


def test_streams_refuse_bad_keys(server: ApiServer, platform: ApiPlatform) -> None:
    key, secret = platform.keys["alice"]

    async def data_stream_auth(secret_sent: str) -> Any:
        async with connect(
            f"{server.ws_url}/v2/iex", additional_headers={"Content-Type": "application/msgpack"}
        ) as ws:
            assert msgpack.unpackb(await ws.recv())[0]["msg"] == "connected"
            await ws.send(msgpack.packb({"action": "auth", "key": key, "secret": secret_sent}))
            return msgpack.unpackb(await ws.recv())[0]

    assert asyncio.run(_trade_stream(server.ws_url, key, "wrong", [])) == "unauthorized"
    assert asyncio.run(data_stream_auth("wrong")) == {
        "T": "error",
        "code": 402,
        "msg": "auth failed",
    }
    assert asyncio.run(data_stream_auth(secret)) == {"T": "success", "msg": "authenticated"}


def test_rate_limits_answer_429(platform: ApiPlatform) -> None:
    app = create_app(platform.ports, rate_limit=RateLimit(rate_per_second=0.5, burst=3))
    with ApiServer(app) as tight, httpx.Client(base_url=tight.url) as client:
        codes = [
            client.get("/v2/assets/AAPL", headers=headers(platform, "alice")).status_code
            for _ in range(5)
        ]
        assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
        limited = client.get("/v2/assets/AAPL", headers=headers(platform, "alice"))
        assert limited.json()["message"] == "rate limit exceeded"
        assert limited.headers["retry-after"] == "1"
        # Another key has its own bucket.
        assert client.get("/v2/assets/AAPL", headers=headers(platform, "bob")).status_code == 200

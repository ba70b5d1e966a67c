"""The web session over the real app (fake platform): sign-in, the cookie, CSRF and origin
checks on every change, the APIs reached with the session's key and nothing else, streams
authenticated by the cookie, pages and their security headers."""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from websockets.sync.client import connect
from websockets.typing import Origin

from directbroker.adapters.http import ApiServer, RateLimit, create_app
from directbroker.adapters.http.broker import BrokerPorts
from directbroker.adapters.http.broker.trading_on_behalf_port import OnBehalfPorts
from directbroker.adapters.http.ports import Role
from directbroker.adapters.http.prefs import InMemoryPreferences
from directbroker.adapters.web import WebSessions, mount_web
from directbroker.adapters.web.middleware import COOKIE, CSRF_REFUSED
from directbroker.testing.fake_platform import FakePlatform, fake_platform

BASE = "https://127.0.0.1:8470"
LIMIT = {"symbol": "AAPL", "qty": "1", "side": "buy", "type": "limit", "limit_price": "1.00",
         "time_in_force": "day"}  # fmt: skip


def _app(fake: FakePlatform) -> tuple[FastAPI, WebSessions]:
    ports = fake.ports()
    broker = BrokerPorts(fake.directory,
                         trading_on_behalf=OnBehalfPorts(ports, InMemoryPreferences()))  # fmt: skip
    app = create_app(ports, rate_limit=RateLimit(rate_per_second=10_000, burst=10_000),
                     broker=broker)  # fmt: skip
    return app, mount_web(app)


Web = tuple[FakePlatform, FastAPI, WebSessions]


@pytest.fixture(scope="module")
def web() -> Web:
    """One app for the module (building one takes a second): tests use distinct keys."""
    fake = fake_platform()
    app, sessions = _app(fake)
    return fake, app, sessions


Steps = Callable[[httpx.AsyncClient], Awaitable[None]]


def _run(app: FastAPI, steps: Steps) -> None:
    async def run() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
            await steps(client)

    asyncio.run(run())


async def _sign_in(client: httpx.AsyncClient, key: str, secret: str) -> dict[str, Any]:
    answer = await client.post("/ui/login", json={"key_id": key, "secret": secret})
    assert answer.status_code == 200, answer.text
    assert COOKIE in answer.cookies
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "secure" in cookie
    session = (await client.get("/ui/session")).json()
    assert isinstance(session, dict)
    return session


def test_sign_in_reaches_the_keys_own_account_and_no_other(web: Web) -> None:
    fake, app, _ = web

    async def steps(client: httpx.AsyncClient) -> None:
        session = await _sign_in(client, *fake.keys["alice"])
        assert session["accounts"] == ["A1"] and session["home"] == "/ui/trader"
        assert "secret" not in str(session).lower()
        account = await client.get("/v2/account")
        assert account.json()["account_number"] == "A1"
        other = await client.get("/v2/account", headers={"DirectBroker-Account": "B1"})
        assert other.status_code == 403
        staff_only = await client.get("/v1/accounts")
        assert staff_only.status_code in (403, 404)

    _run(app, steps)


def test_a_change_needs_the_csrf_token_and_this_origin() -> None:
    fake = fake_platform()
    app, _ = _app(fake)

    async def steps(client: httpx.AsyncClient) -> None:
        session = await _sign_in(client, *fake.keys["alice"])
        token = session["csrf"]
        bare = await client.post("/v2/orders", json=LIMIT)
        assert bare.status_code == 403 and bare.json()["code"] == CSRF_REFUSED
        wrong = await client.post("/v2/orders", json=LIMIT, headers={"X-CSRF-Token": "x"})
        assert wrong.status_code == 403
        foreign = await client.post(
            "/v2/orders", json=LIMIT,
            headers={"X-CSRF-Token": token, "Origin": "http://evil.example"},
        )  # fmt: skip
        assert foreign.status_code == 403
        assert (await client.get("/v2/orders", params={"status": "all"})).json() == []
        good = await client.post(
            "/v2/orders", json=LIMIT, headers={"X-CSRF-Token": token, "Origin": BASE}
        )
        assert good.status_code == 200, good.text
        assert len((await client.get("/v2/orders", params={"status": "all"})).json()) == 1

    _run(app, steps)


def test_logout_needs_the_token_and_ends_the_session(web: Web) -> None:
    fake, app, _ = web

    async def steps(client: httpx.AsyncClient) -> None:
        session = await _sign_in(client, *fake.keys["alice"])
        assert (await client.post("/ui/logout")).status_code == 403
        done = await client.post("/ui/logout", headers={"X-CSRF-Token": session["csrf"]})
        assert done.status_code == 200
        assert (await client.get("/ui/session")).status_code == 401
        assert (await client.get("/v2/account")).status_code == 401

    _run(app, steps)


def test_wrong_secrets_are_refused_and_rate_limited() -> None:
    fake = fake_platform()
    ports = fake.ports()
    app = create_app(ports, rate_limit=RateLimit(rate_per_second=1, burst=10))
    mount_web(app)
    key, _ = fake.keys["alice"]

    async def steps(client: httpx.AsyncClient) -> None:
        statuses = [
            (await client.post("/ui/login", json={"key_id": key, "secret": "wrong"})).status_code
            for _ in range(4)
        ]
        assert statuses[0] == 401 and statuses[-1] == 429
        assert COOKIE not in client.cookies

    _run(app, steps)


@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [
        ("not json", {"Content-Type": "application/json"}, 422),
        ('{"key_id": "K"}', {"Content-Type": "application/json"}, 401),
        ("key_id=K&secret=S", {"Content-Type": "application/x-www-form-urlencoded"}, 415),
        ('{"key_id": "K", "secret": "S"}',
         {"Content-Type": "application/json", "Origin": "http://evil.example"}, 403),
    ],
)  # fmt: skip
def test_malformed_or_cross_site_sign_ins_are_refused(
    body: str, headers: dict[str, str], status: int, web: Web
) -> None:
    _, app, sessions = web
    before = len(sessions)

    async def steps(client: httpx.AsyncClient) -> None:
        answer = await client.post("/ui/login", content=body, headers=headers)
        assert answer.status_code == status, answer.text
        assert COOKIE not in answer.cookies

    _run(app, steps)
    assert len(sessions) == before


def test_api_credentials_win_over_a_session_cookie(web: Web) -> None:
    """A request with its own key is that key's request: the cookie adds nothing."""
    fake, app, _ = web
    bob_key, bob_secret = fake.keys["bob"]

    async def steps(client: httpx.AsyncClient) -> None:
        await _sign_in(client, *fake.keys["alice"])
        answer = await client.get(
            "/v2/account", headers={"APCA-API-KEY-ID": bob_key, "APCA-API-SECRET-KEY": bob_secret}
        )
        assert answer.json()["account_number"] == "B1"

    _run(app, steps)


def test_staff_session_reaches_the_broker_api_with_basic_credentials(web: Web) -> None:
    fake, app, _ = web
    account = str(uuid.uuid4())
    fake.trading.open_account(account)
    key, secret = fake.keys["ops"]

    async def steps(client: httpx.AsyncClient) -> None:
        session = await _sign_in(client, key, secret)
        assert session["staff"] is True and session["home"] == "/ui/ops"
        direct = base64.b64encode(f"{key}:{secret}".encode()).decode()
        expected = await client.get(
            f"/v1/trading/accounts/{account}/account", headers={"Authorization": f"Basic {direct}"}
        )
        through_session = await client.get(f"/v1/trading/accounts/{account}/account")
        assert through_session.status_code == expected.status_code == 200
        assert through_session.json() == expected.json()

    _run(app, steps)


def test_pages_redirect_to_sign_in_and_carry_security_headers(web: Web) -> None:
    fake, app, sessions = web

    async def steps(client: httpx.AsyncClient) -> None:
        away = await client.get("/ui/trader")
        assert away.status_code == 303 and away.headers["location"] == "/ui/login?next=/ui/trader"
        login = await client.get("/ui/login")
        assert "script-src 'self'" in login.headers["content-security-policy"]
        assert login.headers["x-frame-options"] == "DENY"
        await _sign_in(client, *fake.keys["pm"])
        page = await client.get("/ui/pm")
        assert page.status_code == 200 and "/ui/static/pm/main.js" in page.text
        home = await client.get("/ui")
        assert home.headers["location"] == "/ui/pm"
        assert (await client.get("/ui/nothing")).status_code == 404
        ticket = sessions.ticket(*fake.keys["alice"])
        opened = await client.get(f"/ui/ticket/{ticket}", params={"next": "https://evil.example"})
        assert opened.headers["location"] == "/ui/trader"  # never an open redirect
        assert (await client.get("/ui/ticket/unknown")).headers["location"] == "/ui/login"

    _run(app, steps)


def test_streams_accept_a_cookie_from_this_origin_only() -> None:
    fake = fake_platform()
    app, sessions = _app(fake)
    key, secret = fake.keys["alice"]
    session = sessions.open(key, secret, "alice", now_s=time.monotonic())
    cookie = {"Cookie": f"{COOKIE}={session.token}"}
    with ApiServer(app) as server:
        ws_url = server.url.replace("http://", "ws://")
        own = Origin(server.url)
        with connect(f"{ws_url}/stream", origin=own, additional_headers=cookie) as ws:
            ws.send(json.dumps({"action": "auth"}))
            assert '"authorized"' in _text(ws.recv(timeout=10))
        evil = Origin("http://evil.example")
        with connect(f"{ws_url}/stream", origin=evil, additional_headers=cookie) as ws:
            ws.send(json.dumps({"action": "auth"}))
            assert '"unauthorized"' in _text(ws.recv(timeout=10))
        with connect(f"{ws_url}/v2/iex", origin=own, additional_headers=cookie) as ws:
            assert json.loads(ws.recv(timeout=10))[0]["msg"] == "connected"
            ws.send(json.dumps({"action": "auth"}))
            assert json.loads(ws.recv(timeout=10))[0]["msg"] == "authenticated"
        with connect(f"{ws_url}/v2/iex", origin=own) as ws:
            ws.recv(timeout=10)
            ws.send(json.dumps({"action": "auth"}))
            assert json.loads(ws.recv(timeout=10))[0]["T"] == "error"


def _text(frame: str | bytes) -> str:
    return frame.decode() if isinstance(frame, bytes) else frame


def test_a_revoked_keys_session_reaches_nothing(web: Web) -> None:
    fake, app, _ = web
    key, secret = fake.directory.issue("carol", Role.CUSTOMER, ["A1"])

    async def steps(client: httpx.AsyncClient) -> None:
        await _sign_in(client, key, secret)
        assert (await client.get("/v2/account")).status_code == 200
        fake.directory.revoke(key)
        assert (await client.get("/v2/account")).status_code == 401
        assert (await client.get("/ui/session")).status_code == 401
        assert (await client.get("/ui/trader")).status_code == 303  # back to sign-in

    _run(app, steps)

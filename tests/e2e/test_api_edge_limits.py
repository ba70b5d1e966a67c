"""Limits of the real server, probed over real sockets: out-of-range times, strict bodies,
client ids, whole shares, the body limit, idle and slow (slowloris) connections, unknown
stream symbols, and WebSocket clients that never read.

Each probe is a regression test for something that once answered 500, reset the connection,
was silently accepted or held a connection forever. The server runs with short deadlines so
the tests stay quick; the assertions wait for an outcome, they do not time anything.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import socket
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect

from directbroker.adapters.http import ApiServer, RateLimit, create_app
from directbroker.domain.rejects import RejectCode
from tests.e2e.conftest import PLATFORMS, ApiPlatform, wait_for

pytestmark = pytest.mark.timeout(120)

STREAM_BUFFER = 32


@pytest.fixture(scope="module")
def platform() -> Iterator[ApiPlatform]:
    """The fake platform is enough: these are the edge's own limits."""
    built = PLATFORMS["fake"]()
    try:
        yield built
    finally:
        built.close()


@pytest.fixture(scope="module")
def server(platform: ApiPlatform) -> Iterator[ApiServer]:
    app = create_app(
        platform.ports,
        rate_limit=RateLimit(rate_per_second=10_000, burst=10_000),
        stream_buffer=STREAM_BUFFER,
    )
    with ApiServer(app, keep_alive_s=1, request_timeout_s=1.0) as running:
        yield running


@pytest.fixture(scope="module")
def headers(platform: ApiPlatform) -> dict[str, str]:
    key, secret = platform.keys["alice"]
    return {"APCA-API-KEY-ID": key, "APCA-API-SECRET-KEY": secret}


@pytest.fixture(scope="module")
def client(server: ApiServer, headers: dict[str, str]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, headers=headers, timeout=10) as http:
        yield http


def _code(response: httpx.Response, status: int, code: RejectCode) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == status * 100_000 + code.number, body
    message: str = body["message"]
    return message


ORDER = {"symbol": "AAPL", "qty": "1", "side": "buy", "type": "limit", "time_in_force": "day",
         "limit_price": "100.00"}  # fmt: skip
OUT_OF_RANGE = ["1969-12-31", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2262-04-12",
                "5000-01-01T00:00:00+14:00"]  # fmt: skip


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v2/stocks/bars", {"symbols": "AAPL", "timeframe": "1Min"}),
        ("/v2/stocks/trades", {"symbols": "AAPL"}),
        ("/v2/stocks/quotes", {"symbols": "AAPL"}),
        ("/v2/stocks/AAPL/bars", {"timeframe": "1Min"}),
        ("/v2/stocks/AAPL/trades", {}),
        ("/v2/stocks/AAPL/quotes", {}),
        ("/v2/account/portfolio/history", {}),
        ("/v2/orders", {"status": "all"}),
    ],
)
def test_out_of_range_times_are_422_and_the_connection_stays_usable(
    client: httpx.Client, path: str, params: dict[str, str]
) -> None:
    names = ("after", "until") if path == "/v2/orders" else ("start", "end")
    for text in OUT_OF_RANGE:
        for name in names:
            response = client.get(path, params=params | {name: text})
            assert name in _code(response, 422, RejectCode.TIME_OUT_OF_RANGE)
    # The same connection answers the next request (nothing was reset).
    assert client.get(path, params=params).status_code == 200


def test_history_page_tokens_beyond_int64_are_422(client: httpx.Client) -> None:
    for index, cursor in ((0, "99999999999999999999:1"), (0, "1:99999999999999999999"),
                          (0, "9" * 30), (0, "x:y")):  # fmt: skip
        token = base64.urlsafe_b64encode(json.dumps([index, cursor]).encode()).decode()
        for path in ("/v2/stocks/trades", "/v2/stocks/quotes"):
            response = client.get(path, params={"symbols": "AAPL", "page_token": token})
            _code(response, 422, RejectCode.MALFORMED)
        bars = client.get("/v2/stocks/bars", params={"symbols": "AAPL", "timeframe": "1Min",
                                                    "page_token": token})  # fmt: skip
        _code(bars, 422, RejectCode.MALFORMED)


def test_per_symbol_history_has_alpacas_shape(client: httpx.Client) -> None:
    bars = client.get(
        "/v2/stocks/AAPL/bars", params={"timeframe": "1Min", "start": "2026-01-05", "limit": 5}
    ).json()
    assert bars["symbol"] == "AAPL" and len(bars["bars"]) == 5 and bars["next_page_token"]
    following = client.get(
        "/v2/stocks/AAPL/bars",
        params={"timeframe": "1Min", "start": "2026-01-05", "page_token": bars["next_page_token"]},
    ).json()
    assert following["bars"][0]["t"] > bars["bars"][-1]["t"]
    _code(client.get("/v2/stocks/NOPE/trades"), 422, RejectCode.UNKNOWN_SYMBOL)


@pytest.mark.parametrize(
    ("path", "method", "body"),
    [
        ("/v2/orders", "POST", ORDER | {"extended_hours": "yes"}),
        ("/v2/orders", "POST", ORDER | {"extended_hours": 1}),
        ("/v2/orders", "POST", ORDER | {"hidden": "false"}),
        ("/v2/account/configurations", "PATCH", {"no_shorting": "yes"}),
        ("/v2/account/configurations", "PATCH", {"suspend_trade": 0}),
        ("/v2/account/configurations", "PATCH", {"max_options_trading_level": "2"}),
    ],
)
def test_wrong_json_types_are_422_not_coerced(
    client: httpx.Client, path: str, method: str, body: dict[str, Any]
) -> None:
    before = client.get("/v2/orders", params={"status": "all", "limit": 500}).json()
    _code(client.request(method, path, json=body), 422, RejectCode.MALFORMED)
    assert client.get("/v2/orders", params={"status": "all", "limit": 500}).json() == before
    assert client.get("/v2/account/configurations").json()["no_shorting"] is False


@pytest.mark.parametrize(
    "bad", ["a\x00b", "a\r\nSet-Cookie: x", "\u202eevil", "x\u2066y", "tab\t", "x" * 129]
)
def test_client_ids_and_names_refuse_control_characters(client: httpx.Client, bad: str) -> None:
    _code(client.post("/v2/orders", json=ORDER | {"client_order_id": bad}), 422,
          RejectCode.INVALID_CLIENT_TEXT)  # fmt: skip
    _code(client.post("/v2/watchlists", json={"name": bad}), 422, RejectCode.INVALID_CLIENT_TEXT)
    assert all(bad != o["client_order_id"] for o in client.get("/v2/orders").json())


def test_a_128_character_client_id_is_kept_and_found(client: httpx.Client) -> None:
    client_id = "ü-" + "c" * 126
    placed = client.post("/v2/orders", json=ORDER | {"client_order_id": client_id})
    assert placed.status_code == 200, placed.text
    assert placed.json()["client_order_id"] == client_id
    found = client.get("/v2/orders:by_client_order_id", params={"client_order_id": client_id})
    assert found.status_code == 200 and found.json()["id"] == placed.json()["id"]
    assert client.delete(f"/v2/orders/{placed.json()['id']}").status_code == 204


@pytest.mark.parametrize(
    "changes",
    [{"qty": "0.5"}, {"qty": 2.5}, {"qty": None, "notional": "250"},
     {"qty": None, "notional": 10, "type": "market", "limit_price": None}],
)  # fmt: skip
def test_fractional_and_notional_orders_are_refused_clearly(
    client: httpx.Client, changes: dict[str, Any]
) -> None:
    body = {k: v for k, v in (ORDER | changes).items() if v is not None}
    message = _code(client.post("/v2/orders", json=body), 422, RejectCode.WHOLE_SHARES_ONLY)
    assert "whole" in message


# --- raw sockets -------------------------------------------------------------------------


def _connect(server: ApiServer, rcvbuf: int | None = None) -> socket.socket:
    raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf is not None:
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    raw.settimeout(10)
    raw.connect((server.host, server.port))
    return raw


def _read_until_closed(raw: socket.socket) -> bytes:
    """Everything the server sends until it closes (a reset counts as closed)."""
    received = b""
    try:
        while chunk := raw.recv(65_536):
            received += chunk
    except ConnectionResetError:
        pass
    return received


def _request(path: str, headers: dict[str, str], extra: str = "") -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: test"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n" + extra + "\r\n").encode()


def test_a_declared_oversized_body_is_413_before_it_is_read(
    server: ApiServer, headers: dict[str, str]
) -> None:
    with _connect(server) as raw:
        raw.sendall(_request("/v2/orders", headers, "Content-Type: application/json\r\n"
                                                    "Content-Length: 31457280\r\n"))  # fmt: skip
        raw.sendall(b"{" + b" " * 65_536)  # a start: the other 30 MB are never sent
        answer = _read_until_closed(raw)
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    body = json.loads(answer.split(b"\r\n\r\n", 1)[1])
    assert body["code"] == 413 * 100_000 + RejectCode.BODY_TOO_LARGE.number


def test_a_chunked_body_is_cut_off_at_the_limit(server: ApiServer, headers: dict[str, str]) -> None:
    chunk = b" " * 65_536
    framed = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    with _connect(server) as raw:
        raw.sendall(_request("/v2/orders", headers, "Content-Type: application/json\r\n"
                                                    "Transfer-Encoding: chunked\r\n"))  # fmt: skip
        sent = 0
        try:
            for _ in range(30 * 16):  # up to 30 MB, unless the server stops us first
                raw.sendall(framed)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = _read_until_closed(raw)
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert sent < 30 * 1_048_576  # the server stopped reading long before the end


def test_a_body_at_the_limit_is_parsed(client: httpx.Client) -> None:
    padded = json.dumps(ORDER).encode()[:-1] + b" " * (1_048_576 - len(json.dumps(ORDER))) + b"}"
    assert len(padded) == 1_048_576
    response = client.post("/v2/orders", content=padded,
                           headers={"content-type": "application/json"})  # fmt: skip
    assert response.status_code == 200, response.text[:200]
    assert client.delete(f"/v2/orders/{response.json()['id']}").status_code == 204


def test_an_idle_keep_alive_connection_is_closed(
    server: ApiServer, headers: dict[str, str]
) -> None:
    with _connect(server) as raw:
        raw.sendall(_request("/v2/clock", headers).replace(b"POST", b"GET", 1))
        answer = _read_until_closed(raw)  # the response, then the server closes (idle)
    assert answer.startswith(b"HTTP/1.1 200 ")


def test_a_client_trickling_its_headers_is_disconnected(
    server: ApiServer, headers: dict[str, str]
) -> None:
    with _connect(server) as raw:
        raw.sendall(b"GET /v2/clock HTTP/1.1\r\nHost: test\r\n")
        closed = False
        for _ in range(200):  # a header byte every 50 ms, for at most 10 s
            try:
                raw.sendall(b"X")
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            time.sleep(0.05)
        if not closed:
            raw.settimeout(0.5)
            try:
                closed = raw.recv(1) == b""
            except ConnectionResetError:
                closed = True
            except TimeoutError:
                closed = False
    assert closed, "the server kept a slowloris connection open"


def test_other_clients_are_served_while_a_slow_one_trickles(
    server: ApiServer, client: httpx.Client
) -> None:
    with _connect(server) as raw:
        raw.sendall(b"GET /v2/clock HTTP/1.1\r\nHost: te")
        assert client.get("/v2/clock").status_code == 200


# --- streams ------------------------------------------------------------------------------


def _ws_frame(payload: dict[str, Any]) -> bytes:
    """A masked text frame, as a client sends it."""
    data = json.dumps(payload).encode()
    mask = os.urandom(4)
    size = len(data)
    header = bytes([0x81, 0x80 | size]) if size < 126 else bytes([0x81, 0xFE]) + size.to_bytes(2)
    return header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data))


def _raw_websocket(server: ApiServer, path: str, *messages: dict[str, Any]) -> socket.socket:
    """A WebSocket that sends ``messages`` and then never reads again."""
    raw = _connect(server, rcvbuf=4_096)
    key = base64.b64encode(os.urandom(16)).decode()
    raw.sendall(
        f"GET {path} HTTP/1.1\r\nHost: test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
    )
    handshake = b""
    while b"\r\n\r\n" not in handshake:
        handshake += raw.recv(1)
    assert handshake.startswith(b"HTTP/1.1 101"), handshake
    for message in messages:
        raw.sendall(_ws_frame(message))
    return raw


@contextlib.contextmanager
def _data_stream(server: ApiServer, headers: dict[str, str]) -> Iterator[ClientConnection]:
    with connect(f"{server.ws_url}/v2/iex", open_timeout=10) as stream:
        assert json.loads(stream.recv(10))[0]["msg"] == "connected"
        key, secret = headers["APCA-API-KEY-ID"], headers["APCA-API-SECRET-KEY"]
        stream.send(json.dumps({"action": "auth", "key": key, "secret": secret}))
        assert json.loads(stream.recv(10))[0]["msg"] == "authenticated"
        yield stream


def test_unknown_stream_symbols_are_refused_and_change_nothing(
    server: ApiServer, headers: dict[str, str]
) -> None:
    with _data_stream(server, headers) as stream:
        stream.send(json.dumps({"action": "subscribe", "trades": ["AAPL"]}))
        assert json.loads(stream.recv(10))[0]["trades"] == ["AAPL"]
        stream.send(json.dumps({"action": "subscribe", "trades": ["MSFT", "ZZZZ"],
                                "quotes": ["NOPE1"]}))  # fmt: skip
        error = json.loads(stream.recv(10))[0]
        assert (error["T"], error["code"]) == ("error", 400)
        assert "NOPE1" in error["msg"] and "ZZZZ" in error["msg"] and "MSFT" not in error["msg"]
        stream.send(json.dumps({"action": "subscribe", "quotes": ["MSFT"]}))
        ack = json.loads(stream.recv(10))[0]
        assert (ack["trades"], ack["quotes"]) == (["AAPL"], ["MSFT"])


def _subscribers(platform: ApiPlatform) -> int:
    count: int = platform.ports.market_data.fanout().subscriber_count()
    return count


def _dropped(server: ApiServer) -> int:
    count: int = server.app.state.context.dropped_streams
    return count


def test_a_data_stream_client_that_never_reads_is_dropped_and_others_keep_receiving(
    server: ApiServer, platform: ApiPlatform, headers: dict[str, str]
) -> None:
    key, secret = headers["APCA-API-KEY-ID"], headers["APCA-API-SECRET-KEY"]
    before = _dropped(server)
    with _data_stream(server, headers) as reader:
        reader.send(json.dumps({"action": "subscribe", "trades": ["AAPL"]}))
        assert json.loads(reader.recv(10))[0]["T"] == "subscription"
        silent = _raw_websocket(
            server, "/v2/iex",
            {"action": "auth", "key": key, "secret": secret},
            {"action": "subscribe", "trades": ["*"], "quotes": ["*"], "bars": ["*"]},
        )  # fmt: skip
        wait_for(lambda: _subscribers(platform) == 2, what="the silent client's subscription")
        received = 0
        with silent:
            for _ in range(100_000):  # about 400 bytes a tick: a few MB at most
                platform.tick("AAPL")
                received += len(json.loads(reader.recv(10)))
                if _dropped(server) > before:
                    break
            assert _dropped(server) == before + 1, "the silent client was never dropped"
            _read_until_closed(silent)  # the server closed it (reset or end of stream)
        for _ in range(5):  # the reader is still served
            platform.tick("AAPL")
            assert json.loads(reader.recv(10))[0]["T"] == "t"
    assert received > STREAM_BUFFER


def test_a_trade_updates_client_that_never_reads_is_dropped_and_others_keep_receiving(
    server: ApiServer, client: httpx.Client, headers: dict[str, str]
) -> None:
    key, secret = headers["APCA-API-KEY-ID"], headers["APCA-API-SECRET-KEY"]
    before = _dropped(server)
    with connect(f"{server.ws_url}/stream", open_timeout=10) as reader:
        reader.send(json.dumps({"action": "auth", "key": key, "secret": secret}))
        assert json.loads(reader.recv(10))["data"]["status"] == "authorized"
        reader.send(json.dumps({"action": "listen", "data": {"streams": ["trade_updates"]}}))
        assert json.loads(reader.recv(10))["stream"] == "listening"
        silent = _raw_websocket(
            server, "/stream",
            {"action": "auth", "key": key, "secret": secret},
            {"action": "listen", "data": {"streams": ["trade_updates"]}},
        )  # fmt: skip
        wait_for(lambda: server.app.state.context.trade_listeners == 2, what="the listener")
        with silent:
            for _ in range(20_000):  # about 1 KB an order: 20 MB at most
                response = client.post("/v2/orders", json=ORDER | {"limit_price": "1.00"})
                update = json.loads(reader.recv(10))
                assert update["data"]["order"]["id"] == response.json()["id"]
                if _dropped(server) > before:
                    break
            assert _dropped(server) == before + 1, "the silent client was never dropped"
            _read_until_closed(silent)
        client.post("/v2/orders", json=ORDER | {"limit_price": "1.00"})
        assert json.loads(reader.recv(10))["data"]["event"] == "new"
    client.delete("/v2/orders")

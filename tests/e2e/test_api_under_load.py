"""The API never stalls: ``directbroker demo`` at its default rate, durable journals, with
CPU-burning processes occupying both cores beside it, while clients use every kind of request.
Every request is answered within the bound, with its result or an explicit busy answer."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from pathlib import Path

import httpx
from websockets.sync.client import connect

from tests.e2e.running import RunningFirm, cpu_burners, demo_args, stop_all

BOUND_S = 2.5
"""Longest any request may take to be answered (the platform promises busy answers within
about 2 s; the rest is slack for a machine whose cores are both taken)."""
RUN_S = 20.0
CLIENTS = 4
BUSY = (429, 503)


@dataclass
class Tally:
    """Every answer seen: status counts and the slowest, per request kind."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: dict[str, dict[int, int]] = field(default_factory=dict)
    slowest: dict[str, float] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def note(self, kind: str, status: int, seconds: float) -> None:
        with self.lock:
            counts = self.statuses.setdefault(kind, {})
            counts[status] = counts.get(status, 0) + 1
            self.slowest[kind] = max(self.slowest.get(kind, 0.0), seconds)

    def fail(self, text: str) -> None:
        with self.lock:
            self.failures.append(text)


def _timed(tally: Tally, kind: str, call: Callable[[], httpx.Response], ok: set[int]) -> None:
    started = time.monotonic()
    try:
        answer = call()
    except httpx.TimeoutException:
        tally.fail(f"{kind}: no answer within {BOUND_S} s")
        return
    seconds = time.monotonic() - started
    tally.note(kind, answer.status_code, seconds)
    if answer.status_code in BUSY:
        if "retry-after" not in answer.headers:
            tally.fail(f"{kind}: busy answer without Retry-After")
    elif answer.status_code not in ok:
        tally.fail(f"{kind}: unexpected {answer.status_code} {answer.text[:200]}")


def _client_loop(firm: RunningFirm, tally: Tally, number: int, until: float) -> None:
    headers = firm.headers("DEMO-1")
    with httpx.Client(base_url=firm.url, headers=headers, timeout=BOUND_S) as client:
        step = 0
        while time.monotonic() < until:
            step += 1
            price = Decimal("100.00") + Decimal(step % 400) / 100 + number
            order = {"symbol": "AAPL", "qty": "1", "side": "buy", "type": "limit",
                     "limit_price": str(price), "time_in_force": "day"}  # fmt: skip
            placed: list[str] = []

            def place(body: dict[str, str] = order, placed: list[str] = placed) -> httpx.Response:
                answer = client.post("/v2/orders", json=body)
                if answer.status_code == 200:
                    placed.append(answer.json()["id"])
                return answer

            _timed(tally, "clock", lambda: client.get("/v2/clock"), {200})
            _timed(tally, "account", lambda: client.get("/v2/account"), {200})
            _timed(tally, "orders", lambda: client.get("/v2/orders"), {200})
            _timed(tally, "positions", lambda: client.get("/v2/positions"), {200})
            _timed(tally, "asset", lambda: client.get("/v2/assets/AAPL"), {200})
            _timed(
                tally,
                "snapshots",
                lambda: client.get("/v2/stocks/snapshots", params={"symbols": "AAPL,MSFT"}),
                {200},
            )
            _timed(
                tally,
                "bars",
                lambda: client.get(
                    "/v2/stocks/bars", params={"symbols": "AAPL", "timeframe": "1Min"}
                ),
                {200},
            )
            _timed(tally, "level2", lambda: client.get("/v2/stocks/AAPL/level2"), {200})
            # A limit far under the market rests; risk may refuse some (403/422) by design.
            _timed(tally, "place", place, {200, 403, 422})
            for order_id in placed:
                path = f"/v2/orders/{order_id}"
                _timed(tally, "cancel", partial(client.delete, path), {204, 422})
            _timed(tally, "openapi", lambda: client.get("/openapi.json"), {200})


def _stream_loop(firm: RunningFirm, tally: Tally, until: float) -> None:
    key, secret = firm.keys["DEMO-2"]  # its own rate limit: the REST clients use DEMO-1's
    ws_url = firm.url.replace("http://", "ws://") + "/stream"
    while time.monotonic() < until:
        started = time.monotonic()
        try:
            with connect(ws_url, open_timeout=BOUND_S, close_timeout=1) as socket:
                socket.send(json.dumps({"action": "auth", "key": key, "secret": secret}))
                authorised = json.loads(socket.recv(timeout=BOUND_S))
                socket.send(json.dumps({"action": "listen",
                                        "data": {"streams": ["trade_updates"]}}))  # fmt: skip
                listening = json.loads(socket.recv(timeout=BOUND_S))
        except TimeoutError:
            tally.fail(f"stream: no answer within {BOUND_S} s")
            continue
        tally.note("stream", 200, time.monotonic() - started)
        if authorised["data"]["status"] != "authorized" or listening["stream"] != "listening":
            tally.fail(f"stream: {authorised} {listening}")
        time.sleep(0.2)


def test_every_request_is_answered_within_the_bound_on_a_loaded_machine(tmp_path: Path) -> None:
    # Limits high enough that the requests reach the platform rather than the rate limiter.
    config = tmp_path / "firm.toml"
    config.write_text("[api]\nrate_per_second = 2000\nburst = 2000\n", encoding="utf-8")
    args = demo_args(tmp_path / "firm", "--config", str(config))
    burners = cpu_burners(2)
    try:
        with RunningFirm(args, tmp_path).start(wait_for_keys=2) as firm:
            tally = Tally()
            until = time.monotonic() + RUN_S
            threads = [
                threading.Thread(target=_client_loop, args=(firm, tally, n, until))
                for n in range(CLIENTS)
            ]
            threads.append(threading.Thread(target=_stream_loop, args=(firm, tally, until)))
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(RUN_S + 30)
            assert firm.terminate() == 0, firm.output[-2000:]
    finally:
        stop_all(burners)
    print(tally.statuses, tally.slowest)
    assert not tally.failures, tally.failures[:10]
    answered = sum(sum(counts.values()) for counts in tally.statuses.values())
    assert answered > 100, tally.statuses
    for kind, counts in tally.statuses.items():
        assert counts.get(200, 0) + counts.get(204, 0) > 0, f"{kind} never succeeded: {counts}"
    assert max(tally.slowest.values()) < BOUND_S, tally.slowest

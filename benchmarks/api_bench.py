"""Client API benchmarks: orders per second and latency through HTTP, and trade-update delivery
latency over the WebSocket, on loopback.

Run: ``python benchmarks/api_bench.py [--quick] [--platform real]``.

The server (the client API over the in-memory fake platform, uvicorn on its own process so the
load generator does not share its interpreter lock) is this script started with ``--serve``.
The load generator runs ``--connections`` concurrent keep-alive httpx clients, each posting
resting limit orders as fast as answers come back, and reports throughput and latency
percentiles. Then one client listens on ``/stream`` while another places marketable orders one
at a time; delivery latency is the client's receive time minus the update's ``timestamp``
(stamped by the platform when it published the update; same host, same clock).

The numbers measure the edge (parsing, authentication, rendering, HTTP and WebSocket) with a
platform that answers instantly; the real platform adds the sequencer's durable commit.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import httpx
from websockets.asyncio.client import connect


def serve() -> None:
    """Child process: serve the fake platform until stdin closes."""
    from directbroker.adapters.http import ApiServer, RateLimit, create_app
    from directbroker.testing.fake_platform import fake_platform

    platform = fake_platform()
    app = create_app(platform.ports(), rate_limit=RateLimit(rate_per_second=1e9, burst=10**9))
    with ApiServer(app) as server:
        key, secret = platform.keys["alice"]
        print(json.dumps({"url": server.url, "ws": server.ws_url, "key": key, "secret": secret}))
        sys.stdout.flush()
        sys.stdin.read()
    platform.close()


def serve_real() -> None:
    """Child process: serve the embedded platform (durable SQLite journals, live simulated
    market) until stdin closes."""
    import tempfile
    from pathlib import Path

    from directbroker.adapters.history import open_sqlite
    from directbroker.adapters.http import ApiServer, RateLimit, create_app
    from directbroker.adapters.http.history import ThreadedHistory
    from directbroker.app.api import PlatformApi
    from directbroker.app.journals import SqliteJournals
    from directbroker.app.platform import DemoAccount, Platform
    from directbroker.domain.accounts import AccountType
    from directbroker.sim.simulation import SimulationConfig

    with tempfile.TemporaryDirectory() as scratch:
        journals = SqliteJournals(Path(scratch))
        history = open_sqlite(str(Path(scratch) / "history.db"))
        account = DemoAccount("BENCH", "bench", AccountType.MARGIN, 100_000_000 * 10_000)
        platform = Platform(
            journals,
            SimulationConfig(events_per_second=100),
            time.time_ns(),
            accounts=[account],
            history=history,
        )
        api = PlatformApi(platform, ThreadedHistory(lambda: history))
        key = api.issue_key("bench", ["BENCH"])
        app = create_app(api.ports, rate_limit=RateLimit(rate_per_second=1e9, burst=10**9))
        platform.start()
        deadline = time.monotonic() + 60
        while platform.market.counts.trades == 0 and time.monotonic() < deadline:
            time.sleep(0.1)  # orders need a market: wait for the opening cross and quotes
        with ApiServer(app) as server:
            info = {"url": server.url, "ws": server.ws_url, "key": key.key_id}
            print(json.dumps({**info, "secret": key.secret}))
            sys.stdout.flush()
            sys.stdin.read()
        platform.stop()
        history.close()
        journals.close()


_ORDER_NUMBERS = itertools.count(1)


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50/p90/p99/max in microseconds."""
    ordered = sorted(samples)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1e6, 1)

    return {"p50_us": at(0.50), "p90_us": at(0.90), "p99_us": at(0.99), "max_us": at(1.0)}


async def order_load(
    url: str, headers: dict[str, str], connections: int, per_connection: int
) -> dict[str, Any]:
    """Concurrent POST /v2/orders: throughput and latency."""
    latencies: list[float] = []

    def body() -> dict[str, str]:
        # Every order differs (across runs too), or pre-trade risk rightly refuses it as a
        # duplicate of one placed within its window.
        sent = next(_ORDER_NUMBERS)
        return {
            "symbol": "AAPL",
            "qty": str(1 + sent % 97),
            "side": "buy",
            "type": "limit",
            "time_in_force": "day",
            "limit_price": f"{50 + sent % 5_000 / 100:.2f}",
        }

    async def worker(client: httpx.AsyncClient) -> None:
        for _ in range(per_connection):
            started = time.perf_counter()
            response = await client.post("/v2/orders", json=body())
            latencies.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise RuntimeError(response.text)

    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    clients = [
        httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=30)
        for _ in range(connections)
    ]
    try:
        for client in clients:  # warm up: connect and authenticate once
            await client.get("/v2/account")
        started = time.perf_counter()
        await asyncio.gather(*(worker(c) for c in clients))
        elapsed = time.perf_counter() - started
    finally:
        for client in clients:
            await client.aclose()
    return {
        "connections": connections,
        "orders": len(latencies),
        "orders_per_second": round(len(latencies) / elapsed),
        "mean_us": round(statistics.fmean(latencies) * 1e6, 1),
        **percentiles(latencies),
    }


def _stamp_ns(text: str) -> int:
    seconds, _, fraction = text.rstrip("Z").partition(".")
    whole = datetime.fromisoformat(seconds + "+00:00").timestamp()
    return int(whole) * 1_000_000_000 + int(fraction.ljust(9, "0")[:9])


async def update_latency(
    url: str, ws_url: str, headers: dict[str, str], count: int
) -> dict[str, Any]:
    """Trade-update delivery latency over /stream."""
    delays: list[float] = []
    async with (
        connect(f"{ws_url}/stream") as ws,
        httpx.AsyncClient(base_url=url, headers=headers) as client,
    ):
        await ws.send(
            json.dumps(
                {
                    "action": "authenticate",
                    "data": {
                        "key_id": headers["APCA-API-KEY-ID"],
                        "secret_key": headers["APCA-API-SECRET-KEY"],
                    },
                }
            )
        )
        await ws.recv()
        await ws.send(json.dumps({"action": "listen", "data": {"streams": ["trade_updates"]}}))
        await ws.recv()
        for number in range(count):
            # Distinct sizes: identical orders within the duplicate window are refused.
            body = {
                "symbol": "AAPL",
                "qty": str(1 + number),
                "side": "buy",
                "type": "market",
                "time_in_force": "day",
            }
            placed = await client.post("/v2/orders", json=body)
            if placed.status_code != 200:
                raise RuntimeError(placed.text)
            order_id = placed.json()["id"]
            while True:  # every update of this order, up to its fill
                message = json.loads(await ws.recv())
                received = time.time_ns()
                delays.append((received - _stamp_ns(message["data"]["timestamp"])) / 1e9)
                data = message["data"]
                if data["order"]["id"] == order_id and data["event"] == "fill":
                    break
    return {"updates": len(delays), **percentiles(delays)}


def main(argv: Sequence[str] | None = None) -> None:
    """Start the server process, load it, print a JSON report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller run (seconds)")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--platform",
        choices=("fake", "real"),
        default="fake",
        help="fake: the edge alone; real: the embedded platform with durable journals",
    )
    parser.add_argument("--connections", type=int, nargs="*", default=None)
    args = parser.parse_args(argv)
    if args.serve:
        serve_real() if args.platform == "real" else serve()
        return
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve", "--platform", args.platform],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None and child.stdin is not None
    try:
        info = json.loads(child.stdout.readline())
        headers = {"APCA-API-KEY-ID": info["key"], "APCA-API-SECRET-KEY": info["secret"]}
        per = 200 if args.quick else 2_000
        report: dict[str, Any] = {"orders": []}
        for connections in args.connections or ((1, 8) if args.quick else (1, 8, 32)):
            result = asyncio.run(
                order_load(info["url"], headers, connections, max(per // connections, 20))
            )
            report["orders"].append(result)
        report["trade_updates"] = asyncio.run(
            update_latency(info["url"], info["ws"], headers, 100 if args.quick else 1_000)
        )
        print(json.dumps(report, indent=2))
    finally:
        child.stdin.close()
        child.wait(30)


if __name__ == "__main__":
    main()

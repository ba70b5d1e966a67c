"""Client API benchmark: the real platform as a user runs it, beside the bare HTTP stack it is
built on, in one run on one machine.

Run: ``python benchmarks/api_bench.py [--quick] [--json] [--profile FILE]``.

Targets, each its own process, started and stopped by this script:

* ``platform``: ``directbroker demo --no-live`` on a temporary data directory: durable SQLite
  journals, the simulated market at its default rate, the demo's funded margin customer. The
  per-key rate limit is raised (a configuration file) so the requests reach the platform; its
  admission queue and answer timeout keep their defaults.
* ``bare``: a FastAPI app on uvicorn configured as the platform's server is, doing the same JSON
  request and response work with nothing behind it (``bare_api.py fastapi``): the ceiling of
  this stack.
* ``client``: a raw asyncio server with a fixed answer (``bare_api.py canned``): the load
  generator's own ceiling. A figure near it measures the client, not the server.

The load generator speaks HTTP/1.1 over raw asyncio keep-alive connections (an httpx client
tops out below the bare endpoint on this machine). Phases:

1. Closed loop at 1, 8, 32 and 128 connections: each connection places a resting limit buy far
   under the market (``POST /v2/orders``) and cancels it (``DELETE /v2/orders/{id}``), again and
   again, for a fixed time. Orders/s counts acknowledged placements; latency is the placement's.
2. Open loop at 10x the platform's best closed-loop rate: placements arrive at a fixed rate
   whatever the answers do. Latency runs from each request's scheduled time (so a stalled
   server is not hidden by a stalled client); the share answered 429/503 is reported, and
   requests with no answer within the client's timeout are counted apart (they must be zero).
3. Trade-update delivery: one client listens on ``/stream`` while another places marketable
   orders one at a time. Reported: the time from the order's acknowledgement to its fill's
   ``trade_updates`` message reaching the client (negative when the message wins the race), and
   from the fill's own timestamp (stamped by the platform) to the message's arrival.

The machine is shared and noisy: the figures that mean something are the ratios between targets
measured in the same run; absolute figures are reported for the record, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import operator
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from websockets.asyncio.client import connect

HERE = Path(__file__).resolve().parent
TIMEOUT_S = 15.0
"""A request with no answer after this long is counted as a timeout (a hang). It is above the
platform's longest promised answer (its 10 s answer timeout), so only a real hang counts."""
BUSY = (429, 503)
IDLE_S = 3.0
"""Longest a connection is reused after its last answer (the server keeps idle ones 5 s)."""
_PLATFORM_CONFIG = "[api]\nrate_per_second = 1000000.0\nburst = 1000000\n"


# -- the HTTP client ------------------------------------------------------------------------


class Connection:
    """One HTTP/1.1 keep-alive connection: one request at a time, as a browser or SDK does."""

    def __init__(self, host: str, port: int, headers: dict[str, str]) -> None:
        self.host, self.port = host, port
        self._head = "".join(f"{k}: {v}\r\n" for k, v in headers.items()).encode()
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._idle_since = 0.0

    async def open(self) -> Connection:
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        self._idle_since = time.perf_counter()
        return self

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        """Send one request and read its whole answer: (status, body). A connection idle for
        nearly the server's keep-alive time is replaced first, as HTTP clients do: the server
        may be closing it as the request goes out."""
        if self._writer is not None and time.perf_counter() - self._idle_since > IDLE_S:
            self.close()
        if self._writer is None:
            await self.open()
        assert self._reader is not None and self._writer is not None
        lines = f"{method} {path} HTTP/1.1\r\nhost: {self.host}\r\n".encode() + self._head
        if body:
            lines += b"content-type: application/json\r\n"
        self._writer.write(lines + b"content-length: %d\r\n\r\n" % len(body) + body)
        head = await self._reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        closing = False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            lowered = name.lower()
            if lowered == b"content-length":
                length = int(value)
            elif lowered == b"connection":
                closing = value.strip().lower() == b"close"
            elif lowered == b"transfer-encoding":
                raise RuntimeError("chunked answers are not expected here")
        answer = await self._reader.readexactly(length) if length else b""
        self._idle_since = time.perf_counter()
        if closing:  # the server said so: the next request opens a new connection
            self.close()
        return status, answer

    @property
    def connected(self) -> bool:
        """Whether the TCP connection is established (a timeout may strike before)."""
        return self._writer is not None

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None


@dataclass(frozen=True, slots=True)
class Target:
    """A running server to load."""

    name: str
    url: str
    key: str
    secret: str

    @property
    def address(self) -> tuple[str, int]:
        host, _, port = self.url.removeprefix("http://").partition(":")
        return host, int(port)

    def connection(self) -> Connection:
        headers = {"APCA-API-KEY-ID": self.key, "APCA-API-SECRET-KEY": self.secret}
        return Connection(*self.address, headers)


class Orders:
    """Order bodies that all differ (pre-trade risk refuses an identical order placed within a
    second), rest far under AAPL's simulated price (about $230) so none fills, and cost little
    ($1 to $51, one or two shares) so the demo customer's buying power covers the thousands in
    flight at once under overload."""

    def __init__(self) -> None:
        self.sent = 0

    def resting_buy(self) -> bytes:
        self.sent += 1
        number = self.sent
        price = f"{1 + number % 5_000 / 100:.2f}"
        qty = 1 + (number // 5_000) % 2
        return (
            b'{"symbol":"AAPL","qty":"%d","side":"buy","type":"limit","time_in_force":"day",'
            b'"limit_price":"%s"}' % (qty, price.encode())
        )


def order_id(body: bytes) -> str:
    """The ``id`` an order object starts with (both servers render it first)."""
    if body.startswith(b'{"id":"'):
        return body[7:43].decode()
    return str(json.loads(body)["id"])


def percentiles(samples: Sequence[float]) -> dict[str, float | None]:
    """p50/p90/p99/max in milliseconds (``None`` without samples)."""
    ordered = sorted(samples)

    def at(q: float) -> float | None:
        if not ordered:
            return None
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1e3, 2)

    return {"p50_ms": at(0.50), "p90_ms": at(0.90), "p99_ms": at(0.99), "max_ms": at(1.0)}


# -- phase 1: closed loop -------------------------------------------------------------------


@dataclass
class Tally:
    """What one load phase saw."""

    latencies: list[float] = field(default_factory=list)
    cancel_latencies: list[float] = field(default_factory=list)
    from_sent: list[float] = field(default_factory=list)
    """Open loop: latency from the moment the request was written (the server's share)."""
    statuses: dict[int, int] = field(default_factory=dict)
    samples: dict[int, str] = field(default_factory=dict)
    """The first answer's body for each status other than 200 (what a refusal said)."""
    timeouts: int = 0
    connect_timeouts: int = 0
    """Of the timeouts, those that struck before the connection was even accepted."""
    errors: int = 0

    def note(self, status: int, body: bytes) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if status != 200 and status not in self.samples:
            self.samples[status] = body[:200].decode(errors="replace")


async def _timed(call: Awaitable[tuple[int, bytes]]) -> tuple[int, bytes] | None:
    try:
        return await asyncio.wait_for(call, TIMEOUT_S)
    except TimeoutError:
        return None


async def closed_loop(
    target: Target, connections: int, seconds: float, orders: Orders
) -> dict[str, Any]:
    """``connections`` clients each placing and cancelling as fast as answers come back."""
    tally = Tally()
    pool = [await target.connection().open() for _ in range(connections)]
    stop_at = 0.0

    async def worker(conn: Connection) -> None:
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            answer = await _timed(conn.request("POST", "/v2/orders", orders.resting_buy()))
            if answer is None:
                tally.timeouts += 1
                conn.close()
                continue
            tally.latencies.append(time.perf_counter() - started)
            tally.note(*answer)
            if answer[0] != 200:
                if answer[0] in BUSY:
                    await asyncio.sleep(0.01)
                continue
            started = time.perf_counter()
            cancelled = await _timed(conn.request("DELETE", f"/v2/orders/{order_id(answer[1])}"))
            if cancelled is None:
                tally.timeouts += 1
                conn.close()
                continue
            tally.cancel_latencies.append(time.perf_counter() - started)
            if cancelled[0] != 204:
                tally.errors += 1

    started = time.perf_counter()
    stop_at = started + seconds
    try:
        await asyncio.gather(*(worker(conn) for conn in pool))
    finally:
        for conn in pool:
            conn.close()
    elapsed = time.perf_counter() - started
    placed = tally.statuses.get(200, 0)
    return {
        "target": target.name,
        "connections": connections,
        "orders": placed,
        "orders_per_s": round(placed / elapsed, 1),
        **percentiles(tally.latencies),
        "cancel_p50_ms": percentiles(tally.cancel_latencies)["p50_ms"],
        "statuses": {str(k): v for k, v in sorted(tally.statuses.items())},
        "refusals": {str(k): v for k, v in sorted(tally.samples.items())},
        "timeouts": tally.timeouts,
        "cancel_errors": tally.errors,
    }


# -- phase 2: open loop ---------------------------------------------------------------------


async def open_loop(
    target: Target, rate: float, seconds: float, orders: Orders, max_connections: int = 5_000
) -> dict[str, Any]:
    """Placements arriving at ``rate`` per second for ``seconds``, whatever the answers."""
    tally = Tally()
    idle: list[Connection] = [await target.connection().open() for _ in range(64)]
    opened = len(idle)
    freed = asyncio.Condition()

    cancel_failures = 0

    async def one(scheduled: float) -> None:
        nonlocal opened, cancel_failures
        async with freed:
            while not idle and opened >= max_connections:
                await freed.wait()
            if idle:
                conn = idle.pop()
            else:
                opened += 1
                conn = target.connection()
        answer = None
        sent = time.perf_counter()
        try:
            answer = await _timed(conn.request("POST", "/v2/orders", orders.resting_buy()))
            if answer is None:
                tally.timeouts += 1
                tally.connect_timeouts += not conn.connected
        except (OSError, asyncio.IncompleteReadError):
            tally.errors += 1
        if answer is None:
            conn.close()
        else:
            tally.note(*answer)
            if answer[0] == 200:
                tally.latencies.append(time.perf_counter() - scheduled)
                tally.from_sent.append(time.perf_counter() - sent)
                cancel = conn.request("DELETE", f"/v2/orders/{order_id(answer[1])}")
                try:  # at once, as in the closed loop: buying power stays free
                    cancelled = await _timed(cancel)
                except (OSError, asyncio.IncompleteReadError):
                    cancelled = None
                if cancelled is None:
                    cancel_failures += 1
                    conn.close()
                elif cancelled[0] != 204:
                    cancel_failures += 1
        async with freed:
            idle.append(conn)
            freed.notify()

    total = int(rate * seconds)
    tasks: list[asyncio.Task[None]] = []
    started = time.perf_counter()
    for number in range(total):
        scheduled = started + number / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(scheduled)))
    sent_over = time.perf_counter() - started
    await asyncio.gather(*tasks)
    for conn in idle:
        conn.close()
    answered = sum(tally.statuses.values())
    busy = sum(tally.statuses.get(code, 0) for code in BUSY)
    return {
        "target": target.name,
        "offered_per_s": round(rate, 1),
        "sent_per_s": round(total / sent_over, 1),
        "requests": total,
        "admitted": tally.statuses.get(200, 0),
        "busy_share": round(busy / answered, 4) if answered else None,
        "statuses": {str(k): v for k, v in sorted(tally.statuses.items())},
        "refusals": {str(k): v for k, v in sorted(tally.samples.items())},
        "timeouts": tally.timeouts,
        "connect_timeouts": tally.connect_timeouts,
        "errors": tally.errors,
        "cancel_failures": cancel_failures,
        "connections_used": opened,
        **percentiles(tally.latencies),
        "from_sent": percentiles(tally.from_sent),
    }


# -- phase 3: trade-update delivery ---------------------------------------------------------


def _stamp_ns(text: str) -> int:
    seconds, _, fraction = text.rstrip("Z").partition(".")
    whole = datetime.fromisoformat(seconds + "+00:00").timestamp()
    return int(whole) * 1_000_000_000 + int(fraction.ljust(9, "0")[:9])


async def trade_updates(target: Target, count: int) -> dict[str, Any]:
    """Marketable orders one at a time; each one's first execution message, timed."""
    arrivals: dict[str, tuple[float, int, int]] = {}
    """order id -> (perf_counter at arrival, wall ns at arrival, the execution's stamp)."""
    position = [0]
    arrived = asyncio.Condition()
    ws_url = target.url.replace("http://", "ws://") + "/stream"
    conn = await target.connection().open()
    async with connect(ws_url, max_queue=None) as ws:
        await ws.send(json.dumps({"action": "auth", "key": target.key, "secret": target.secret}))
        await ws.recv()
        await ws.send(json.dumps({"action": "listen", "data": {"streams": ["trade_updates"]}}))
        await ws.recv()

        async def read() -> None:
            async for message in ws:
                now, wall = time.perf_counter(), time.time_ns()
                data = json.loads(message)["data"]
                if data.get("event") in ("fill", "partial_fill"):
                    async with arrived:
                        placed = data["order"]["id"]
                        if placed not in arrivals:
                            arrivals[placed] = (now, wall, _stamp_ns(data["timestamp"]))
                        position[0] = int(data.get("position_qty", position[0]))
                        arrived.notify_all()

        reader = asyncio.create_task(read())
        from_ack: list[float] = []
        from_fill: list[float] = []
        from_send: list[float] = []
        refusals: dict[int, str] = {}
        missing = 0
        last_sent: dict[tuple[str, int], float] = {}
        try:
            for number in range(count):
                # Flat again after each pair; sizes vary and an identical order waits out the
                # platform's one-second duplicate window (it would be refused, rightly).
                held = position[0]
                side, qty = ("sell", held) if held > 0 else ("buy", 1 + number // 2 % 20)
                wait = last_sent.get((side, qty), -9.0) + 1.05 - time.perf_counter()
                if wait > 0:
                    await asyncio.sleep(wait)
                last_sent[side, qty] = time.perf_counter()
                body = (
                    b'{"symbol":"AAPL","qty":"%d","side":"%s","type":"market",'
                    % (
                        qty,
                        side.encode(),
                    )
                    + b'"time_in_force":"day"}'
                )
                sent = time.perf_counter()
                status, answer = await conn.request("POST", "/v2/orders", body)
                acked = time.perf_counter()
                if status != 200:
                    refusals.setdefault(status, answer[:200].decode(errors="replace"))
                    missing += 1
                    await asyncio.sleep(0.05)
                    continue
                placed = order_id(answer)
                async with arrived:
                    try:
                        await asyncio.wait_for(
                            arrived.wait_for(partial(operator.contains, arrivals, placed)), 5.0
                        )
                    except TimeoutError:
                        missing += 1
                        continue
                now, wall, stamp = arrivals.pop(placed)
                from_ack.append(now - acked)
                from_send.append(now - sent)
                from_fill.append((wall - stamp) / 1e9)
        finally:
            reader.cancel()
            conn.close()
    before = sum(1 for delay in from_ack if delay < 0)
    return {
        "target": target.name,
        "fills": len(from_ack),
        "missing": missing,
        "ack_to_update": percentiles(from_ack),
        "update_before_ack_share": round(before / len(from_ack), 3) if from_ack else None,
        "fill_to_update": percentiles(from_fill),
        "send_to_update": percentiles(from_send),
        "refusals": {str(k): v for k, v in sorted(refusals.items())},
    }


# -- the targets ----------------------------------------------------------------------------


_URL = re.compile(r"(http://127\.0\.0\.1:\d+)")
_KEY = re.compile(r"APCA-API-KEY-ID=(\S+)\s+APCA-API-SECRET-KEY=(\S+)\s+\(account (\S+?)[,)]")


class Process:
    """A target's process; its output is collected on a thread so it never blocks on a pipe."""

    def __init__(self, args: list[str], env: dict[str, str] | None = None) -> None:
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            args,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "COLUMNS": "200", "TERM": "dumb", **(env or {})},
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    def wait_for(self, found: Callable[[str], bool], timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while not found("".join(self.lines)):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the target did not start:\n" + "".join(self.lines)[-3000:])
            time.sleep(0.05)

    def stop(self) -> None:
        """SIGTERM (the platform stops cleanly on it), closing stdin (the peers stop on it)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            assert self.process.stdin is not None
            self.process.stdin.close()
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self._reader.join(5)


def start_peer(kind: str) -> tuple[Process, Target]:
    """``bare_api.py fastapi`` or ``bare_api.py canned``."""
    process = Process([sys.executable, str(HERE / "bare_api.py"), kind])
    process.wait_for(lambda text: text.startswith("{") and text.endswith("\n"), 30)
    info = json.loads(process.lines[0])
    name = "bare" if kind == "fastapi" else "client"
    return process, Target(name, info["url"], info["key"], info["secret"])


def start_platform(data: Path, profile: Path | None) -> tuple[Process, Target]:
    """``directbroker demo --no-live`` on ``data`` (under the profiler when ``profile``)."""
    config = data / "bench.toml"
    config.write_text(_PLATFORM_CONFIG, encoding="utf-8")
    args = ["demo", "--no-live", "--data-dir", str(data / "firm"), "--api-port", "0"]
    args += ["--config", str(config)]
    if profile is None:
        command = [sys.executable, "-m", "directbroker.app.cli", *args]
        env = None
    else:
        command = [sys.executable, str(HERE / "profile_child.py"), *args]
        env = {"DIRECTBROKER_PROFILE": str(profile)}
    process = Process(command, env)
    process.wait_for(lambda text: _URL.search(text) is not None and "DEMO-1" in text)
    text = "".join(process.lines)
    url = _URL.search(text)
    keys = {found.group(3): (found.group(1), found.group(2)) for found in _KEY.finditer(text)}
    assert url is not None
    key, secret = keys["DEMO-1"]
    return process, Target("platform", url.group(1), key, secret)


async def wait_for_market(target: Target, timeout: float = 90.0) -> None:
    """Orders need a market: wait until AAPL has traded and quotes (the opening cross has
    run), then a moment for the broker core's own view of it (pre-trade risk prices market
    orders from it)."""
    conn = await target.connection().open()
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            status, body = await conn.request("GET", "/v2/stocks/snapshots?symbols=AAPL")
            snapshot = json.loads(body).get("AAPL") or {} if status == 200 else {}
            if snapshot.get("latestQuote") and snapshot.get("latestTrade"):
                await asyncio.sleep(1.0)
                return
            await asyncio.sleep(0.2)
    finally:
        conn.close()
    raise RuntimeError("the simulated market never quoted AAPL")


# -- the run --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Plan:
    """How long each phase runs."""

    levels: tuple[int, ...]
    seconds: float
    warmup: float
    overload_seconds: float
    fills: int

    @classmethod
    def of(cls, quick: bool) -> Plan:
        if quick:
            return cls((1, 8, 32, 128), 0.4, 0.2, 0.5, 10)
        return cls((1, 8, 32, 128), 5.0, 1.0, 5.0, 300)


async def load_levels(target: Target, plan: Plan, orders: Orders) -> list[dict[str, Any]]:
    rows = []
    for connections in plan.levels:
        await closed_loop(target, min(connections, 8), plan.warmup, orders)
        rows.append(await closed_loop(target, connections, plan.seconds, orders))
    return rows


def run(plan: Plan) -> dict[str, Any]:
    """Every phase against every target; the peers first, each alone on the machine."""
    orders = Orders()
    report: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "load_average_at_start": os.getloadavg()},
        "closed_loop": [],
    }
    for kind in ("canned", "fastapi"):
        process, target = start_peer(kind)
        try:
            report["closed_loop"] += asyncio.run(load_levels(target, plan, orders))
        finally:
            process.stop()
    with tempfile.TemporaryDirectory() as scratch:
        process, platform = start_platform(Path(scratch), None)
        try:
            asyncio.run(wait_for_market(platform))
            rows = asyncio.run(load_levels(platform, plan, orders))
            report["closed_loop"] += rows
            report["trade_updates"] = asyncio.run(trade_updates(platform, plan.fills))
            sustainable = max(row["orders_per_s"] for row in rows)
            report["overload"] = asyncio.run(  # last: it leaves the platform a backlog
                open_loop(platform, 10 * max(sustainable, 10.0), plan.overload_seconds, orders)
            )
        finally:
            process.stop()
    if "overload" in report:  # the same arrivals against the canned server: the client keeps up?
        process, target = start_peer("canned")
        try:
            rate, seconds = report["overload"]["offered_per_s"], plan.overload_seconds
            report["overload_client"] = asyncio.run(open_loop(target, rate, seconds, orders))
        finally:
            process.stop()
    report["ratios"] = ratios(report["closed_loop"])
    report["goals"] = goals(report)
    return report


def ratios(rows: list[dict[str, Any]]) -> dict[str, float | None]:
    """Platform orders/s over the bare endpoint's, per connection count."""
    by = {(row["target"], row["connections"]): row["orders_per_s"] for row in rows}
    return {
        str(level): round(by[("platform", level)] / by[("bare", level)], 3)
        if by.get(("bare", level))
        else None
        for (name, level) in by
        if name == "platform"
    }


def goals(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's goals beside what this run measured."""
    at32 = next(
        (r for r in report["closed_loop"] if r["target"] == "platform" and r["connections"] == 32),
        None,
    )
    updates = report.get("trade_updates", {}).get("ack_to_update", {})
    checks = [
        ("orders/s at 32 connections >= 2000", at32 and at32["orders_per_s"], 2000, ">="),
        ("p99 at 32 connections < 25 ms", at32 and at32["p99_ms"], 25, "<"),
        ("platform/bare at 32 connections >= 0.5", report["ratios"].get("32"), 0.5, ">="),
        ("trade-update p50 (from the ack) < 5 ms", updates.get("p50_ms"), 5, "<"),
        ("overload: timeouts == 0", report.get("overload", {}).get("timeouts"), 0, "=="),
    ]
    out = []
    for name, value, bound, sense in checks:
        met = None
        if value is not None:
            met = {">=": value >= bound, "<": value < bound, "==": value == bound}[sense]
        out.append({"goal": name, "measured": value, "met": met})
    return out


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def table(report: dict[str, Any]) -> str:
    """The report as text."""
    lines = [
        "Closed loop: each connection places a resting limit order and cancels it, repeatedly.",
        "orders/s counts acknowledged placements; latency is the placement's (ms).",
        f"{'conns':>5} {'target':<9} {'orders/s':>9} {'p50':>7} {'p90':>7} {'p99':>7} "
        f"{'max':>8} {'cancel p50':>10} {'vs bare':>8}  other answers",
    ]
    for row in sorted(report["closed_loop"], key=lambda r: (r["connections"], r["target"])):
        ratio = None
        if row["target"] == "platform":
            ratio = report["ratios"].get(str(row["connections"]))
        others = {k: v for k, v in row["statuses"].items() if k != "200"}
        if row["timeouts"]:
            others["timeout"] = row["timeouts"]
        lines.append(
            f"{row['connections']:>5} {row['target']:<9} {row['orders_per_s']:>9.0f} "
            f"{_ms(row['p50_ms']):>7} {_ms(row['p90_ms']):>7} {_ms(row['p99_ms']):>7} "
            f"{_ms(row['max_ms']):>8} {_ms(row['cancel_p50_ms']):>10} "
            f"{'-' if ratio is None else f'{ratio:.2f}':>8}  {others or ''}"
        )
    if over := report.get("overload"):
        sent = over["from_sent"]
        lines += [
            "",
            f"Overload (open loop, platform): offered {over['offered_per_s']:.0f}/s "
            f"(10x its best closed-loop rate; the client sent {over['sent_per_s']:.0f}/s), "
            f"{over['requests']} requests over {over['connections_used']} connections.",
            f"  admitted {over['admitted']}: p50 {_ms(over['p50_ms'])} p90 {_ms(over['p90_ms'])} "
            f"p99 {_ms(over['p99_ms'])} max {_ms(over['max_ms'])} ms (from the scheduled time)",
            f"  the same from when each was sent: p50 {_ms(sent['p50_ms'])} p90 "
            f"{_ms(sent['p90_ms'])} p99 {_ms(sent['p99_ms'])} max {_ms(sent['max_ms'])} ms",
            f"  answered busy (429/503): {100 * (over['busy_share'] or 0):.1f}%  "
            f"statuses {over['statuses']}  timeouts {over['timeouts']} "
            f"({over['connect_timeouts']} before the connection was accepted)  "
            f"other errors {over['errors']}  failed cancels {over['cancel_failures']}",
        ]
    if ref := report.get("overload_client"):
        lines.append(
            f"  the same arrivals against the canned server (the client's check): sent "
            f"{ref['sent_per_s']:.0f}/s, p50 {_ms(ref['p50_ms'])} p99 {_ms(ref['p99_ms'])} ms, "
            f"timeouts {ref['timeouts']}"
        )
    if updates := report.get("trade_updates"):
        ack, fill = updates["ack_to_update"], updates["fill_to_update"]
        send = updates["send_to_update"]
        lines += [
            "",
            f"Trade updates ({updates['fills']} marketable orders timed, {updates['missing']} "
            "refused or without an execution message):",
            f"  acknowledgement -> fill message: p50 {_ms(ack['p50_ms'])} p99 "
            f"{_ms(ack['p99_ms'])} ms (message first in "
            f"{100 * (updates['update_before_ack_share'] or 0):.0f}% of orders)",
            f"  fill's stamp -> fill message:    p50 {_ms(fill['p50_ms'])} p99 "
            f"{_ms(fill['p99_ms'])} ms",
            f"  order sent -> fill message:      p50 {_ms(send['p50_ms'])} p99 "
            f"{_ms(send['p99_ms'])} ms",
            "  (the stamp is the market's clock, which may run behind the wall clock when the",
            "  simulation lags; the other two are the client's own clock)",
        ]
    refusals = {
        f"{phase} {status}": text
        for phase, rows in (
            ("closed loop", report["closed_loop"]),
            ("overload", [report.get("overload") or {}]),
            ("trade updates", [report.get("trade_updates") or {}]),
        )
        for row in rows
        for status, text in row.get("refusals", {}).items()
    }
    if refusals:
        lines += ["", "First refusal of each kind:"]
        lines += [f"  {where}: {text}" for where, text in refusals.items()]
    lines += ["", "Goals (issue 12):"]
    for goal in report["goals"]:
        verdict = {True: "met", False: "NOT met", None: "not measured"}[goal["met"]]
        lines.append(f"  {goal['goal']:<42} measured {goal['measured']!s:<10} {verdict}")
    return "\n".join(lines)


def profile(seconds: float, out: Path, top: int) -> str:
    """The platform under the 32-connection load, profiled; the top functions by own time."""
    import pstats
    from io import StringIO

    with tempfile.TemporaryDirectory() as scratch:
        process, platform = start_platform(Path(scratch), out)
        try:
            asyncio.run(wait_for_market(platform))
            row = asyncio.run(closed_loop(platform, 32, seconds, Orders()))
        finally:
            process.stop()
    text = StringIO()
    stats = pstats.Stats(str(out), stream=text)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return f"{json.dumps(row)}\n{text.getvalue()}"


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark and print its table (and write the JSON report when asked)."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short run (seconds, not minutes)")
    parser.add_argument("--json", type=Path, default=None, help="also write the report here")
    parser.add_argument(
        "--profile",
        type=Path,
        default=None,
        help="instead: profile the platform under 32 connections into this pstats file",
    )
    parser.add_argument("--profile-seconds", type=float, default=20.0)
    parser.add_argument("--top", type=int, default=25, help="functions listed with --profile")
    args = parser.parse_args(argv)
    if args.profile is not None:
        print(profile(args.profile_seconds, args.profile.resolve(), args.top))
        return
    report = run(Plan.of(args.quick))
    report["quick"] = args.quick
    print(table(report))
    if args.json is not None:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

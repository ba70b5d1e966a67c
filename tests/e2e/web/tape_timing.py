"""Timing the time & sales panel: from a venue's trade to its row on the trader screen.

Shared by ``test_web_tape_latency.py`` (the mechanism works, figures printed) and
``benchmarks/web_tape_latency.py`` (the figures against the goal).

**When did the venue trade, on the wall clock?** The demo runs a simulated clock: a trade's
``t`` is simulated time. At speed 1 the simulated clock is the wall clock plus a fixed offset
(``SimClock.now_ns`` is ``start + (wall - wall_at_start)``; it moves only by ``skip_to``, which
the platform calls outside the regular session, and by a restart). The platform executes the
simulation's instant ``t`` when its thread finds its clock at or past ``t``: the venue's
execution happens at wall ``t - offset`` or later, never before. No wall-clock stamp of the
execution exists in the event path (every core, journal and message is stamped with simulated
time), so the trade's wall moment is taken as ``t - offset``. What that means for the figure:

* the offset comes from ``/v2/clock`` (the firm's clock, microseconds): each request bounds it
  between ``stamp - wall_after`` and ``stamp - wall_before``; the bounds of many requests are
  intersected, so its error is half the width left (reported, typically well under 1 ms). The
  offset is measured again after the window and the two must agree, or the run is void (the
  simulated clock moved);
* when the simulation falls behind its clock, the venue executes later than ``t - offset``
  and that lag is counted in the latency (at most ``market.max_lag_seconds``, 0.2 s, after which
  the simulation sheds flow): the figure is the latency from when the trade was due, an upper
  bound on the latency from when it executed. The plain WebSocket peer measured beside the
  browser carries the same lag, so the browser's own share (browser minus peer, trade by trade)
  is free of it.

**When did the row appear?** A ``MutationObserver`` installed before the page's scripts run
stamps every ``<tr>`` added to ``#time-sales tbody`` with ``performance.timeOrigin +
performance.now()``, the wall clock in milliseconds (the browser and the server share this
machine's clock). Rows from the panel's initial history load are left out by counting only
trades due after the window opens; a trade's first row counts.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import httpx
from websockets.sync.client import connect

if TYPE_CHECKING:
    from playwright.sync_api import Page

OBSERVER = """
(() => {
  const rows = [];
  window.__tapeRows = rows;
  const stamp = (node) => {
    if (node.nodeName === "TR" && node.dataset && node.dataset.i !== undefined) {
      rows.push([node.dataset.i, node.dataset.t, performance.timeOrigin + performance.now()]);
    }
  };
  const watch = (body) => {
    new MutationObserver((records) => {
      const now = performance.timeOrigin + performance.now();
      for (const record of records) {
        for (const node of record.addedNodes) {
          if (node.nodeName === "TR" && node.dataset && node.dataset.i !== undefined) {
            rows.push([node.dataset.i, node.dataset.t, now]);
          }
        }
      }
    }).observe(body, { childList: true });
    for (const row of body.rows) stamp(row);
  };
  // The panel is built by the page's module after this runs: watch the document until the
  // table's body exists, then the body alone (cheap: one callback per batch of rows).
  // Long tasks (50 ms or more on the page's main thread) hold every row up behind them.
  const longTasks = [];
  window.__longTasks = longTasks;
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        longTasks.push([performance.timeOrigin + entry.startTime, entry.duration]);
      }
    }).observe({ type: "longtask" });
  } catch {
    // A browser without long task timing: nothing to report.
  }
  const find = () => document.querySelector("#time-sales tbody");
  const early = new MutationObserver(() => {
    const body = find();
    if (body) {
      early.disconnect();
      watch(body);
    }
  });
  early.observe(document, { childList: true, subtree: true });
})();
"""
"""Installed with ``page.add_init_script`` (before the page's own scripts)."""

TAKE_ROWS = "() => window.__tapeRows.splice(0)"
TAKE_LONG_TASKS = "() => window.__longTasks.splice(0)"
"""Hands over the rows stamped so far (and forgets them: the page keeps no growing list)."""


def rfc3339_ns(text: str) -> int:
    """Nanoseconds since the epoch of an RFC 3339 time with up to nine fractional digits."""
    head, _, rest = text.partition(".")
    if not rest:
        return int(datetime.fromisoformat(text).timestamp()) * 1_000_000_000
    digits = ""
    for char in rest:
        if not char.isdigit():
            break
        digits += char
    zone = rest[len(digits) :]
    whole = datetime.fromisoformat(head + (zone if zone != "Z" else "+00:00"))
    return int(whole.timestamp()) * 1_000_000_000 + int(digits.ljust(9, "0")[:9])


@dataclass(frozen=True)
class Offset:
    """The firm's simulated clock minus the wall clock, in nanoseconds, within +-``error_ns``."""

    low_ns: int
    high_ns: int

    @property
    def ns(self) -> int:
        """The middle of the bounds."""
        return (self.low_ns + self.high_ns) // 2

    @property
    def error_ns(self) -> int:
        """Half the width of the bounds."""
        return (self.high_ns - self.low_ns + 1) // 2

    def agrees(self, other: Offset) -> bool:
        """Whether both measure the same offset (their bounds overlap)."""
        return self.low_ns <= other.high_ns and other.low_ns <= self.high_ns


SLACK_NS = 1_000
"""``/v2/clock`` writes microseconds (rounded from a float): its stamp is within 1 us."""


def clock_offset(url: str, key: tuple[str, str], samples: int = 40) -> Offset:
    """Bound the firm's clock offset from the wall by ``samples`` requests to ``/v2/clock``
    (with a customer's ``key``: id, secret)."""
    low, high = -(2**63), 2**63
    headers = {"APCA-API-KEY-ID": key[0], "APCA-API-SECRET-KEY": key[1]}
    with httpx.Client(base_url=url, headers=headers, timeout=5.0) as client:
        client.get("/v2/clock")  # the connection is open before the timed requests
        for _ in range(samples):
            before = time.time_ns()
            answer = client.get("/v2/clock")
            after = time.time_ns()
            answer.raise_for_status()
            stamp = rfc3339_ns(answer.json()["timestamp"])
            low = max(low, stamp - after - SLACK_NS)
            high = min(high, stamp - before + SLACK_NS)
    if low > high:
        raise AssertionError("the firm's clock moved against the wall while it was measured")
    return Offset(low, high)


@dataclass
class Peer:
    """A plain WebSocket client of ``/v2/iex`` (JSON) on a thread, stamping each trade's
    arrival with the wall clock: the server's share of the latency, beside the browser's.
    Started before the page, it is offered each trade before the page is: the difference
    (browser minus peer) is the page's share plus the server writing one more socket."""

    url: str
    key: tuple[str, str]
    symbols: Sequence[str]
    channels: Sequence[str] = ("trades",)
    """What it subscribes to (only trades are timed; more channels make a heavier client)."""
    arrivals: dict[tuple[str, str], tuple[str, int]] = field(default_factory=dict)
    """(trade id, time as sent) -> (symbol, wall ns of arrival)."""
    errors: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _ready: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> Peer:
        """Connect, authenticate, subscribe, and listen on a thread."""
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        if not self._ready.wait(20):
            raise AssertionError(f"the peer did not subscribe: {self.errors}")
        return self

    def stop(self) -> None:
        """Stop listening (within a second)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)

    def _symbols(self) -> list[str]:
        """The symbols to subscribe. ``*`` stands for every listed symbol *by name*: the
        fan-out serves a symbol's named subscribers before the subscribers of everything, so a
        peer subscribed to ``*`` would be served after the page and time the page unfairly."""
        if list(self.symbols) != ["*"]:
            return list(self.symbols)
        headers = {"APCA-API-KEY-ID": self.key[0], "APCA-API-SECRET-KEY": self.key[1]}
        assets = httpx.get(f"{self.url}/v2/assets", headers=headers, timeout=10.0)
        assets.raise_for_status()
        return [asset["symbol"] for asset in assets.json()]

    def _run(self) -> None:
        ws_url = self.url.replace("http://", "ws://") + "/v2/iex"
        try:
            symbols = self._symbols()
            with connect(ws_url, open_timeout=10, close_timeout=1, max_size=None) as socket:
                socket.recv(timeout=10)
                socket.send(json.dumps({"action": "auth", "key": self.key[0],
                                        "secret": self.key[1]}))  # fmt: skip
                socket.recv(timeout=10)
                wanted = dict.fromkeys(self.channels, symbols)
                socket.send(json.dumps({"action": "subscribe", **wanted}))
                socket.recv(timeout=10)
                self._ready.set()
                while not self._stop.is_set():
                    try:
                        frame = socket.recv(timeout=1)
                    except TimeoutError:
                        continue
                    now = time.time_ns()
                    for message in json.loads(frame):
                        if message.get("T") == "t":
                            key = (str(message["i"]), message["t"])
                            self.arrivals.setdefault(key, (message["S"], now))
                        elif message.get("T") == "error":
                            self.errors.append(str(message))
        except Exception as exc:  # the test reports it; the thread must not die silently
            self.errors.append(repr(exc))
            self._ready.set()


def take_rows(page: Page) -> list[tuple[str, str, float]]:
    """The rows the observer stamped since the last call: (trade id, time, wall ms)."""
    rows: list[list[Any]] = page.evaluate(TAKE_ROWS)
    return [(str(i), str(t), float(wall)) for i, t, wall in rows]


@dataclass
class Tally:
    """Rows seen in the browser, and the latencies of those due inside the window."""

    opened_ns: int
    offset: Offset
    first_seen: dict[tuple[str, str], float] = field(default_factory=dict)
    """(trade id, time) -> wall ms of its first row."""

    def add(self, rows: Sequence[tuple[str, str, float]]) -> None:
        """Take rows in (a trade's first row counts)."""
        for i, t, wall_ms in rows:
            self.first_seen.setdefault((i, t), wall_ms)

    def due_ns(self, t: str) -> int:
        """The wall moment the trade stamped ``t`` was due at the venue."""
        return rfc3339_ns(t) - self.offset.ns

    def in_window(self, closed_ns: int) -> dict[tuple[str, str], float]:
        """Rows of trades due inside the window, with their latency in ms."""
        found: dict[tuple[str, str], float] = {}
        for (i, t), wall_ms in self.first_seen.items():
            due = self.due_ns(t)
            if self.opened_ns <= due < closed_ns:
                found[(i, t)] = wall_ms - due / 1e6
        return found


def percentiles(values: Sequence[float]) -> dict[str, float]:
    """count, p50, p95, p99 and max (nearest rank), in the values' unit."""
    if not values:
        return {"count": 0, "p50": math.nan, "p95": math.nan, "p99": math.nan, "max": math.nan}
    ordered = sorted(values)

    def rank(q: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]

    return {"count": len(ordered), "p50": rank(0.50), "p95": rank(0.95), "p99": rank(0.99),
            "max": ordered[-1]}  # fmt: skip


def describe(name: str, figures: dict[str, float]) -> str:
    """One line of figures in ms."""
    return (f"{name}: {int(figures['count'])} rows, p50 {figures['p50']:.1f} ms, "
            f"p95 {figures['p95']:.1f} ms, p99 {figures['p99']:.1f} ms, "
            f"max {figures['max']:.1f} ms")  # fmt: skip


def open_tape(page: Page, link: str, timeout_s: float = 60.0) -> None:
    """Open the trader screen with its one-click link, the observer installed first, and wait
    until time & sales shows rows and its history load has settled."""
    page.add_init_script(OBSERVER)
    page.goto(link)
    page.wait_for_selector("#time-sales tbody tr", timeout=timeout_s * 1000)
    page.wait_for_timeout(2000)


@dataclass
class Measured:
    """One window's figures."""

    symbol: str
    seconds: float
    offset: Offset
    browser: dict[tuple[str, str], float]
    """Latency in ms of each trade's row (trades due inside the window)."""
    peer: dict[tuple[str, str], float]
    """Latency in ms of the same symbol's trades at the plain WebSocket client."""
    long_tasks: list[float] = field(default_factory=list)
    """Durations (ms) of the page's long tasks during the window."""

    @property
    def share(self) -> list[float]:
        """Browser minus peer, trade by trade: the page's own part (ms)."""
        return [ms - self.peer[key] for key, ms in self.browser.items() if key in self.peer]

    @property
    def missed(self) -> int:
        """Trades the peer got inside the window that never got a row."""
        return len(set(self.peer) - set(self.browser))

    def report(self, name: str) -> list[str]:
        """Lines for a human: browser, peer, the page's share, and the method's error."""
        return [
            f"{name}: {self.symbol} over {self.seconds:.0f} s, clock offset known within "
            f"+-{self.offset.error_ns / 1e6:.2f} ms, {self.missed} trades without a row",
            "  " + describe("browser row   ", percentiles(list(self.browser.values()))),
            "  " + describe("plain ws peer ", percentiles(list(self.peer.values()))),
            "  " + describe("browser - peer", percentiles(self.share)),
            f"  page long tasks (50 ms or more): {len(self.long_tasks)}, "
            f"{sum(self.long_tasks):.0f} ms in all, "
            f"longest {max(self.long_tasks, default=0):.0f} ms",
        ]


def measure(page: Page, peer: Peer, seconds: float, grace_s: float = 2.0) -> Measured:
    """Collect rows for ``seconds`` (the page open and live, the peer listening), then wait
    ``grace_s`` for rows of trades due at the end; the clock offset is measured before and
    after and must not have moved."""
    before = clock_offset(peer.url, peer.key)
    take_rows(page)  # rows so far are the history load and earlier trades
    page.evaluate(TAKE_LONG_TASKS)
    tally = Tally(time.time_ns(), before)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(0.5)
        tally.add(take_rows(page))
    closed = time.time_ns()
    time.sleep(grace_s)
    tally.add(take_rows(page))
    long_tasks = [float(duration) for _, duration in page.evaluate(TAKE_LONG_TASKS)]
    after = clock_offset(peer.url, peer.key)
    if not before.agrees(after):
        raise AssertionError(f"the firm's clock moved during the window: {before} {after}")
    offset = Offset(max(before.low_ns, after.low_ns), min(before.high_ns, after.high_ns))
    tally.offset = offset
    browser = tally.in_window(closed)
    symbols = {peer.arrivals[key][0] for key in browser if key in peer.arrivals}
    symbol = symbols.pop() if len(symbols) == 1 else ",".join(sorted(symbols))
    peer_ms: dict[tuple[str, str], float] = {}
    for key, (name, arrived_ns) in list(peer.arrivals.items()):
        due = tally.due_ns(key[1])
        if name == symbol and tally.opened_ns <= due < closed:
            peer_ms[key] = (arrived_ns - due) / 1e6
    return Measured(symbol, seconds, offset, browser, peer_ms, long_tasks)


def select_busiest(page: Page, peer: Peer, sample_s: float = 5.0) -> str | None:
    """Click the watchlist row (``tr[data-symbol]``) of the symbol that traded most in the
    next ``sample_s`` (0: since the peer started), by the peer's count, so a window times more
    trades; None if none has a row (the page keeps its default symbol)."""
    since = time.time_ns() if sample_s else 0
    time.sleep(sample_s)
    counts: dict[str, int] = {}
    for symbol, arrived in list(peer.arrivals.values()):
        if arrived >= since:
            counts[symbol] = counts.get(symbol, 0) + 1
    for symbol in sorted(counts, key=lambda name: -counts[name]):
        row = page.locator(f'tr[data-symbol="{symbol}"]')
        if row.count():
            row.first.click()
            page.wait_for_timeout(2000)
            return symbol
    return None

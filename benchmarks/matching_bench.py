"""Benchmark of the venue matching engine (run directly; not collected by pytest).

    python benchmarks/matching_bench.py [--quick] [--orders N] [--commands N] [--compiled PATH]

Two order mixes, commands pre-generated with a seeded ``random.Random``:

* ``exchange-core``: modelled on exchange-core's test mix: about 9% GTC limit, 3% IOC, 6% cancel
  and 82% cancel/replace moves, about 1,000 resting orders over about 750 price levels, and about
  6% of commands trading.
* ``cancel-heavy``: adds and cancels, over 90% of orders cancelled before they trade.

It prints throughput (commands per second) and per-command latency percentiles of the engine
alone (``perf_counter_ns`` around each ``handle``), memory per resting order (``tracemalloc`` over
a book of ``--orders`` resting non-crossing orders, default one million), and, when
``nautilus_trader`` is importable, the same L3 add/modify/delete stream (the engine's own
order-level feed) applied to NautilusTrader's ``OrderBook`` (L3_MBO), side by side.

``--compiled PATH`` also measures the mypyc-compiled engine (docs/adr/0009) and prints it beside
pure Python. PATH is a directory holding a compiled ``directbroker`` package, for example one made
with ``DIRECTBROKER_COMPILE=1 pip install --no-deps --target PATH .``; a process can import only
one ``directbroker``, so the compiled engine is measured in a subprocess.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from directbroker.domain.instruments import Instrument
from directbroker.domain.messages import Command, Event
from directbroker.domain.orders import OrderType, Side, TimeInForce
from directbroker.domain.venue_config import VenueConfig
from directbroker.domain.venue_messages import (
    BookOrderAdded,
    BookOrderDeleted,
    BookOrderExecuted,
    BookOrderReduced,
    BookOrderReplaced,
    CancelOrder,
    OrderCancelled,
    OrderFilled,
    ReplaceOrder,
    SubmitOrder,
    TradeReported,
)
from directbroker.engines.matching import VenueEngine, fastevents

CONFIG = VenueConfig("BENCH", "XBEN", instruments=(Instrument("XYZ"),))
MID = 1_000_000  # $100.00
TICK = 100
HALF_LEVELS = 700  # about 750 distinct price levels hold the ~1,000 resting orders
TARGET_RESTING = 1_000
_ENGINE = "compiled" if fastevents.COMPILED else "pure"


class _Generator:
    """Builds a command stream against a shadow engine, so every cancel and move names a live
    order and the book keeps its size; the stream is then replayed on a fresh engine."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.shadow = VenueEngine(CONFIG)
        self.live: list[str] = []
        self.where: dict[str, int] = {}
        self.price: dict[str, tuple[bool, int, int]] = {}
        self.next_id = 0
        self.ts = 0

    def _apply(self, cmd: Command) -> None:
        self.ts += 1
        for event in self.shadow.handle(cmd, self.ts):
            if isinstance(event, OrderFilled | OrderCancelled):
                done = isinstance(event, OrderCancelled) or event.leaves_quantity == 0
                if done and event.order_id in self.where:
                    self._forget(event.order_id)

    def _forget(self, order_id: str) -> None:
        index = self.where.pop(order_id)
        last = self.live.pop()
        if last != order_id:
            self.live[index] = last
            self.where[last] = index
        self.price.pop(order_id, None)

    def _passive_price(self, buy: bool) -> int:
        offset = self.rng.randint(1, HALF_LEVELS)
        return MID - offset * TICK if buy else MID + offset * TICK

    def add(self, tif: TimeInForce = TimeInForce.GTC, crossing: bool = False) -> Command:
        rng = self.rng
        buy = rng.random() < 0.5
        price = self._passive_price(buy)
        if crossing:
            price = MID + (buy * 2 - 1) * rng.randint(20, 60) * TICK
        order_id = f"o{self.next_id}"
        self.next_id += 1
        side = Side.BUY if buy else Side.SELL
        quantity = rng.randint(1, 10) * 10
        cmd = SubmitOrder(order_id, "p1", "XYZ", side, OrderType.LIMIT, quantity, price, tif)
        self._apply(cmd)
        if tif is not TimeInForce.IOC and self.shadow.order(order_id) is not None:
            self.where[order_id] = len(self.live)
            self.live.append(order_id)
            self.price[order_id] = (buy, price, quantity)
        return cmd

    def cancel(self) -> Command:
        order_id = self.rng.choice(self.live)
        cmd = CancelOrder(order_id, "p1")
        self._apply(cmd)
        return cmd

    def move(self, crossing: bool) -> Command:
        order_id = self.rng.choice(self.live)
        buy, price, quantity = self.price[order_id]
        new_price = price + self.rng.choice((-2, -1, 1, 2)) * TICK
        if crossing:
            new_price = MID + (buy * 2 - 1) * self.rng.randint(5, 20) * TICK
        elif (buy and new_price >= MID) or (not buy and new_price <= MID) or new_price <= 0:
            new_price = self._passive_price(buy)
        cmd = ReplaceOrder(order_id, "p1", quantity, new_price)
        self._apply(cmd)
        if order_id in self.price:
            self.price[order_id] = (buy, new_price, quantity)
        return cmd


Mix = tuple[list[Command], list[Command]]
"""The commands that build the starting book (untimed), then the measured commands."""


def _prefill(gen: _Generator) -> list[Command]:
    prefill: list[Command] = []
    while len(gen.live) < TARGET_RESTING:
        prefill.append(gen.add())
    return prefill


def exchange_core_mix(count: int, seed: int = 1) -> Mix:
    """9% GTC, 3% IOC, 6% cancel, 82% move; trading kept near 6% of commands."""
    gen = _Generator(seed)
    prefill = _prefill(gen)
    commands: list[Command] = []
    rng = gen.rng
    for _ in range(count):
        r = rng.random()
        short = len(gen.live) < TARGET_RESTING
        if r < 0.09:
            commands.append(gen.add(crossing=rng.random() < 0.1))
        elif r < 0.12:
            commands.append(gen.add(TimeInForce.IOC, crossing=True))
        elif r < 0.18 and not short:
            commands.append(gen.cancel())
        elif r < 0.18:
            commands.append(gen.add())
        else:
            commands.append(gen.move(crossing=rng.random() < 0.075))
    return prefill, commands


def cancel_heavy_mix(count: int, seed: int = 2) -> Mix:
    """Adds and cancels around a stable book; almost every order is cancelled, not traded."""
    gen = _Generator(seed)
    prefill = _prefill(gen)
    commands: list[Command] = []
    rng = gen.rng
    for _ in range(count):
        r = rng.random()
        if r < 0.02:
            commands.append(gen.add(TimeInForce.IOC, crossing=True))
        elif r < 0.51 or len(gen.live) < TARGET_RESTING // 2:
            commands.append(gen.add())
        else:
            commands.append(gen.cancel())
    return prefill, commands


def _percentile(sorted_ns: list[int], q: float) -> float:
    index = min(len(sorted_ns) - 1, int(q * len(sorted_ns)))
    return sorted_ns[index] / 1_000


def run_mix(name: str, mix: Callable[[int], Mix], count: int) -> tuple[float, list[Any]]:
    """Time one mix; returns commands/s and the whole feed (for the Nautilus comparison)."""
    prefill, commands = mix(count)
    feed: list[Event] = []

    def fresh() -> VenueEngine:
        engine = VenueEngine(CONFIG)
        feed.clear()
        for i, cmd in enumerate(prefill):
            feed.extend(e for e in engine.handle(cmd, i) if type(e) in _FEED_TYPES)
        return engine

    engine = fresh()
    handle = engine.handle
    gc.collect()
    start = time.perf_counter()
    for ts, cmd in enumerate(commands):
        handle(cmd, ts)
    elapsed = time.perf_counter() - start
    throughput = len(commands) / elapsed

    engine = fresh()
    handle = engine.handle
    clock = time.perf_counter_ns
    latencies: list[int] = []
    record = latencies.append
    trading = 0
    for ts, cmd in enumerate(commands):
        t0 = clock()
        events = handle(cmd, ts)
        record(clock() - t0)
        feed.extend(e for e in events if type(e) in _FEED_TYPES)
        trading += any(type(e) is TradeReported for e in events)
    latencies.sort()
    resting = len(engine._orders)
    levels = len(engine._books["XYZ"].bids.levels) + len(engine._books["XYZ"].asks.levels)
    print(
        f"{name:>14}: {_ENGINE:>8}: {len(commands):,} commands, {throughput:,.0f} commands/s; "
        f"latency us p50 {_percentile(latencies, 0.5):.2f}  "
        f"p99 {_percentile(latencies, 0.99):.2f}  p99.9 {_percentile(latencies, 0.999):.2f}; "
        f"trading {trading / len(commands):.1%}; "
        f"book {resting:,} orders over {levels:,} levels"
    )
    return throughput, feed


_FEED_TYPES = {
    BookOrderAdded,
    BookOrderDeleted,
    BookOrderExecuted,
    BookOrderReduced,
    BookOrderReplaced,
}


def run_nautilus(name: str, feed: list[Any], ours: dict[str, float], commands: int) -> None:
    """Apply the engine's order-level feed to NautilusTrader's L3 OrderBook and compare
    (``ours`` is our commands/s by engine: pure, and compiled when measured)."""
    try:
        from nautilus_trader.model.book import OrderBook
        from nautilus_trader.model.data import BookOrder
        from nautilus_trader.model.enums import BookType, OrderSide
        from nautilus_trader.model.identifiers import InstrumentId
        from nautilus_trader.model.objects import Price, Quantity
    except ImportError:
        print(f"{name:>14}: nautilus_trader not installed; comparison skipped")
        return
    book = OrderBook(InstrumentId.from_str("XYZ.BENCH"), BookType.L3_MBO)
    resting: dict[int, tuple[Any, int, int]] = {}
    ops: list[tuple[Callable[..., None], Any]] = []
    prices: dict[int, Any] = {}

    def order(side: Any, price: int, quantity: int, ref: int) -> Any:
        px = prices.get(price)
        if px is None:
            px = prices[price] = Price.from_str(f"{price / 10_000:.2f}")
        return BookOrder(side, px, Quantity.from_int(quantity), ref)

    for e in feed:
        if type(e) is BookOrderAdded:
            side = OrderSide.BUY if e.side.value == "bid" else OrderSide.SELL
            resting[e.book_ref] = (side, e.price, e.quantity)
            ops.append((book.add, order(side, e.price, e.quantity, e.book_ref)))
        elif type(e) is BookOrderReplaced:
            side, price, quantity = resting.pop(e.old_book_ref)
            ops.append((book.delete, order(side, price, quantity, e.old_book_ref)))
            resting[e.new_book_ref] = (side, e.price, e.quantity)
            ops.append((book.add, order(side, e.price, e.quantity, e.new_book_ref)))
        elif type(e) is BookOrderDeleted:
            side, price, quantity = resting.pop(e.book_ref)
            ops.append((book.delete, order(side, price, quantity, e.book_ref)))
        else:  # executed or reduced: modify, or delete when nothing is left
            side, price, quantity = resting[e.book_ref]
            left = quantity - e.quantity
            if left:
                resting[e.book_ref] = (side, price, left)
                ops.append((book.update, order(side, price, left, e.book_ref)))
            else:
                del resting[e.book_ref]
                ops.append((book.delete, order(side, price, quantity, e.book_ref)))
    gc.collect()
    start = time.perf_counter()
    for ts, (apply, book_order) in enumerate(ops):
        apply(book_order, ts)
    elapsed = time.perf_counter() - start
    nautilus_cmds = commands / elapsed
    ratios = ", ".join(f"{engine} {rate / nautilus_cmds:.2f}" for engine, rate in ours.items())
    print(
        f"{name:>14}: NautilusTrader OrderBook L3_MBO applied the same {len(ops):,} L3 "
        f"add/modify/delete operations at {len(ops) / elapsed:,.0f} ops/s "
        f"({nautilus_cmds:,.0f} of our commands/s); ours / nautilus: {ratios}"
    )


def memory_per_order(count: int) -> None:
    """Memory the engine holds per resting order (ids are allocated outside the measurement)."""
    rng = random.Random(3)
    commands = []
    for i in range(count):
        buy = i % 2 == 0
        offset = rng.randint(1, 5_000) * TICK
        price = MID - offset if buy else MID + offset
        side = Side.BUY if buy else Side.SELL
        quantity = rng.randint(1, 10) * 100
        commands.append(SubmitOrder(f"m{i}", "p1", "XYZ", side, OrderType.LIMIT, quantity, price))
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    engine = VenueEngine(CONFIG)
    for ts, cmd in enumerate(commands):
        engine.handle(cmd, ts)
    gc.collect()
    used = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    assert len(engine._orders) == count
    print(
        f"memory: {_ENGINE}: {used / count:,.0f} bytes per resting order over {count:,} orders "
        f"(about 10,000 price levels; order id strings excluded, allocated by the caller)"
    )


MIXES: dict[str, Callable[[int], Mix]] = {
    "exchange-core": exchange_core_mix,
    "cancel-heavy": cancel_heavy_mix,
}


def run_compiled(path: str, count: int, orders: int) -> dict[str, float]:
    """Measure the compiled engine found under ``path`` in a subprocess; its commands/s by mix."""
    paths = [path, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    argv = [sys.executable, __file__, "--engine-only", f"--commands={count}", f"--orders={orders}"]
    child = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if child.returncode != 0:
        sys.exit(f"compiled engine run failed:\n{child.stdout}{child.stderr}")
    *lines, result = child.stdout.rstrip().splitlines()
    print("\n".join(lines))
    rates: dict[str, float] = json.loads(result)
    return rates


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--quick", action="store_true", help="small run for a smoke test")
    parser.add_argument("--orders", type=int, default=None, help="resting orders for memory")
    parser.add_argument("--commands", type=int, default=None, help="commands per mix")
    parser.add_argument(
        "--compiled", metavar="PATH", help="also measure the compiled engine found under PATH"
    )
    parser.add_argument("--engine-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    count = args.commands or (20_000 if args.quick else 300_000)
    orders = args.orders or (50_000 if args.quick else 1_000_000)
    if args.engine_only:
        # The child of --compiled: this engine's lines, then its rates as JSON.
        if not fastevents.COMPILED:
            sys.exit("no compiled engine on PYTHONPATH: see --compiled in the module docstring")
        rates = {name: run_mix(name, mix, count)[0] for name, mix in MIXES.items()}
        memory_per_order(orders)
        print(json.dumps(rates))
        return
    print(f"python {sys.version.split()[0]}; {count:,} commands per mix")
    ours: dict[str, dict[str, float]] = {}
    feeds: dict[str, list[Any]] = {}
    for name, mix in MIXES.items():
        throughput, feeds[name] = run_mix(name, mix, count)
        ours[name] = {_ENGINE: throughput}
    memory_per_order(orders)
    if args.compiled:
        for name, rate in run_compiled(args.compiled, count, orders).items():
            ours[name]["compiled"] = rate
    for name in MIXES:
        run_nautilus(name, feeds[name], ours[name], count)


if __name__ == "__main__":
    main()

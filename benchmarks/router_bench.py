"""Router benchmarks: smart-routing decisions per second for marketable orders, and how the
cost grows with the number of venues and the number of price levels each shows.

Run: ``python benchmarks/router_bench.py [--quick]``.

Each case builds a ``RouterEngine`` whose consolidated book has ``levels`` ask levels at every
one of ``venues`` venues (one cent apart, staggered across venues so prices interleave and some
tie), then times two things for a marketable buy that sweeps about half the displayed shares:

- ``plan``: the pure decision (``RouterEngine.plan``), what a pre-trade "where would it go"
  costs;
- ``route``: ``RouterEngine.route`` for 100-share marketable buys (one or two levels each):
  decision plus recording the parent and its children and claiming the swept size; the
  per-order cost inside the broker core. The book is restored from a snapshot every 20
  orders (outside the timing) so it never runs dry.

Orders are pre-built; the clock is read only around the loop.
"""

from __future__ import annotations

import argparse
import json
import time

from directbroker.domain.instruments import Instrument
from directbroker.domain.marketdata_messages import DepthUpdated
from directbroker.domain.orders import BookSide, OrderType, Side, TimeInForce
from directbroker.domain.routing import SMART, RouteRequest
from directbroker.domain.venue_config import FeeSchedule, VenueConfig
from directbroker.engines.router import RouterEngine

SYMBOL = "XYZ"
DAY = TimeInForce.DAY
BASE = 1_000_000  # $100.00


def build(venues: int, levels: int) -> tuple[RouterEngine, list[VenueConfig], int]:
    configs = [
        VenueConfig(
            f"V{i:02d}",
            f"V{i:02d}",
            FeeSchedule(maker=-2_000 - 100 * (i % 4), taker=3_000 - 100 * (i % 3)),
            (Instrument(SYMBOL),),
        )
        for i in range(venues)
    ]
    router = RouterEngine(configs)
    displayed = 0
    for i, config in enumerate(configs):
        for level in range(levels):
            price = BASE + 100 * (level + i % 3)
            size = 100 + 37 * ((i + level) % 5)
            displayed += size
            router.handle(DepthUpdated(config.name, SYMBOL, BookSide.ASK, price, size, 1, 0), 0)
            bid = BASE - 100 * (level + 1 + i % 3)
            router.handle(DepthUpdated(config.name, SYMBOL, BookSide.BID, bid, size, 1, 0), 0)
    return router, configs, displayed


def bench(venues: int, levels: int, seconds: float) -> dict[str, float | int]:
    router, configs, displayed = build(venues, levels)
    quantity = max(displayed // 2, 1)
    limit = BASE + 100 * (levels + 3)
    request = RouteRequest(
        "P", SYMBOL, Side.BUY, quantity, limit, TimeInForce.DAY, SMART, order_type=OrderType.LIMIT
    )
    children = router.plan(request)
    assert isinstance(children, list)
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for _ in range(100):
            router.plan(request)
        count += 100
    plan_rate = count / (time.perf_counter() - start)

    # route() claims the swept size, so each order gets a fresh router copy of the book state.
    snapshot = router.snapshot()
    n, ts, total = 0, 1, 0.0
    fresh = RouterEngine(configs)
    while total < seconds:
        fresh.restore(snapshot)
        t0 = time.perf_counter()
        for i in range(20):
            fresh.route(RouteRequest(f"P{n}-{i}", SYMBOL, Side.BUY, 100, limit, DAY, SMART), ts)
            ts += 1
        total += time.perf_counter() - t0
        n += 1
    routed = (n * 20) / total
    return {
        "venues": venues,
        "levels_per_venue": levels,
        "children": len(children),
        "plan_per_s": round(plan_rate),
        "route_per_s": round(routed),
        "plan_us": round(1e6 / plan_rate, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short runs (smoke test)")
    args = parser.parse_args()
    seconds = 0.2 if args.quick else 1.5
    cases = [(3, 1), (3, 5), (3, 20), (5, 5), (10, 1), (10, 5), (10, 20), (20, 5)]
    results = [bench(v, lv, seconds) for v, lv in cases]
    header = ("venues", "levels", "children", "plan/s", "us/plan", "route/s")
    print("{:>6} {:>6} {:>8} {:>10} {:>8} {:>10}".format(*header))
    for r in results:
        print(
            f"{r['venues']:>6} {r['levels_per_venue']:>6} {r['children']:>8} "
            f"{r['plan_per_s']:>10} {r['plan_us']:>8} {r['route_per_s']:>10}"
        )
    print(json.dumps(results))


if __name__ == "__main__":
    main()

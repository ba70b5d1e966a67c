"""``directbroker ARGS`` with wall-clock stamps along each trade's way out, for
``web_tape_latency.py --stages``.

Run: ``DIRECTBROKER_TAPE_STAMPS=OUT python benchmarks/tape_stamps_child.py demo --no-live ...``.

The platform stamps everything with simulated time, so where a trade's latency goes cannot be
seen from outside. This wraps four methods, without changing what they do, and records for each
printed trade, keyed by (trade id, trade time in ns):

* ``lag``: how far the simulation was behind its clock when the venue got the instant's
  orders (``SimClock.now_ns() - t``; at speed 1 that is wall time);
* ``executed``: the wall time the venues and market data had applied the instant;
* ``committed``: the end of the platform commit that made it durable (nothing leaves before);
* ``published``: the wall time the API's event loop offered it to the market data fan-out.

The stamps are written to ``OUT`` (JSON) every two seconds and when the command returns
(SIGTERM stops it cleanly).
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from typing import Any

from directbroker.adapters.marketdata.fanout import MarketDataFanout
from directbroker.app.market import EmbeddedMarket, StepResult
from directbroker.app.platform import Platform
from directbroker.domain.marketdata_messages import TradePrinted
from directbroker.domain.messages import Command, Event
from directbroker.runtime.clocks import SimClock

_clocks: list[SimClock] = []
_stamps: dict[tuple[int, int], dict[str, int]] = {}
_uncommitted: list[tuple[int, int]] = []
_lock = threading.Lock()


def _trades(events: Iterable[Event]) -> list[tuple[int, int]]:
    return [(e.trade_id, e.ts_ns) for e in events if isinstance(e, TradePrinted)]


def _install() -> None:
    clock_init = SimClock.__init__
    send = EmbeddedMarket.send
    commit = Platform.commit
    publish = MarketDataFanout.publish

    def init(self: SimClock, *args: Any, **kwargs: Any) -> None:
        clock_init(self, *args, **kwargs)
        _clocks.append(self)

    def stamped_send(
        self: EmbeddedMarket,
        commands: Sequence[tuple[str, Command]],
        ts_ns: int,
        client_ids: Sequence[str | None] | None = None,
    ) -> StepResult:
        lag = _clocks[-1].now_ns() - ts_ns if _clocks else 0
        result = send(self, commands, ts_ns, client_ids)
        executed = time.time_ns()
        keys = _trades(result.market_data)
        with _lock:
            for key in keys:
                _stamps[key] = {"lag": lag, "executed": executed}
            _uncommitted.extend(keys)
        return result

    def stamped_commit(self: Platform) -> None:
        with _lock:
            keys = list(_uncommitted)
            _uncommitted.clear()
        commit(self)
        committed = time.time_ns()
        with _lock:
            for key in keys:
                _stamps[key]["committed"] = committed

    def stamped_publish(self: MarketDataFanout, events: Iterable[Event]) -> None:
        batch = list(events)
        published = time.time_ns()
        with _lock:
            for key in _trades(batch):
                if key in _stamps:
                    _stamps[key]["published"] = published
        publish(self, batch)

    SimClock.__init__ = init  # type: ignore[method-assign]
    EmbeddedMarket.send = stamped_send  # type: ignore[method-assign]
    Platform.commit = stamped_commit  # type: ignore[method-assign]
    MarketDataFanout.publish = stamped_publish  # type: ignore[method-assign]


def _dump(path: str) -> None:
    with _lock:
        rows = [[trade_id, ts_ns, stamps] for (trade_id, ts_ns), stamps in _stamps.items()]
    temporary = path + ".tmp"
    with open(temporary, "w", encoding="utf-8") as out:
        json.dump(rows, out)
    os.replace(temporary, path)


def main() -> int:
    out = os.environ["DIRECTBROKER_TAPE_STAMPS"]
    _install()

    def keep_dumping() -> None:
        while True:
            time.sleep(2)
            _dump(out)

    threading.Thread(target=keep_dumping, daemon=True).start()
    from directbroker.app.cli import main as cli

    try:
        return cli(sys.argv[1:])
    finally:
        _dump(out)


if __name__ == "__main__":
    sys.exit(main())

"""Client API end-to-end fixtures: a platform behind the ports, served on loopback.

``platform`` is parametrised by :data:`PLATFORMS`: each entry builds an :class:`ApiPlatform`
(ports, API keys for the roles the tests use, a way to make market data flow). The fake is
here; binding the real embedded platform is one more entry.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from directbroker.adapters.calendar import SessionCalendar
from directbroker.adapters.http import ApiServer, Ports, RateLimit, create_app
from directbroker.testing.fake_platform import fake_platform, minute_bars

HISTORY_START_NS = 1_767_623_400_000_000_000
"""2026-01-05 14:30 UTC (the open): where the seeded minute bars start."""
HISTORY_BARS = 30


@dataclass
class ApiPlatform:
    """What the API tests need from a platform.

    ``keys`` holds (key id, secret) for ``alice`` and ``bob`` (customers with accounts A1 and
    B1), ``trader`` (T1, T2), ``pm`` (group G: G1, G2) and ``ops``. ``tick(symbol)`` makes a
    quote, a trade and a minute bar reach the market data fan-out.
    """

    ports: Ports
    keys: dict[str, tuple[str, str]]
    tick: Callable[[str], None]
    close: Callable[[], None]


def _fake() -> ApiPlatform:
    fake = fake_platform(minute_bars("AAPL", HISTORY_START_NS, HISTORY_BARS, 2_310_000))

    def tick(symbol: str) -> None:
        fake.market_data.publish_tick(symbol, fake.trading.prices[symbol], time.time_ns())

    return ApiPlatform(fake.ports(), fake.keys, tick, fake.close)


REAL_ACCOUNTS = ("A1", "B1", "T1", "T2", "G1", "G2")
SPEED = 15.0
"""The real platform's market runs this many times faster than the wall clock, so a minute
bar closes every four seconds."""


def _real() -> ApiPlatform:
    """The embedded platform itself: broker core, venues, simulated flow and market data,
    journaled in memory, with its market running on its own thread."""
    from directbroker.adapters.history import open_sqlite
    from directbroker.adapters.http.history import ThreadedHistory
    from directbroker.adapters.http.ports import Role
    from directbroker.app.api import PlatformApi
    from directbroker.app.journals import MemoryJournals
    from directbroker.app.platform import DemoAccount, Platform, accelerated_clock
    from directbroker.domain.accounts import AccountType
    from directbroker.sim.session import DaySchedule
    from directbroker.sim.simulation import SimulationConfig

    clock = accelerated_clock(SPEED)
    config = SimulationConfig(
        seed=11,
        schedule=DaySchedule(
            pre_open_seconds=0.5, continuous_seconds=23_400, closing_window_seconds=60
        ),
        events_per_second=25,
    )
    accounts = [
        DemoAccount(number, number.lower(), AccountType.MARGIN, 100_000 * 10_000)
        for number in REAL_ACCOUNTS
    ]
    history = open_sqlite(":memory:")
    history.add_bars(minute_bars("AAPL", HISTORY_START_NS, HISTORY_BARS, 2_310_000))
    platform = Platform(MemoryJournals(), config, clock(), accounts=accounts, history=history)
    api = PlatformApi(platform, ThreadedHistory(lambda: history))
    api.keys.set_group("G", ("G1", "G2"))
    keys = {
        "alice": api.keys.issue("alice", Role.CUSTOMER, ["A1"]),
        "bob": api.keys.issue("bob", Role.CUSTOMER, ["B1"]),
        "trader": api.keys.issue("tess", Role.TRADER, ["T1", "T2"]),
        "pm": api.keys.issue("pat", Role.PORTFOLIO_MANAGER, groups=["G"]),
        "ops": api.keys.issue("olga", Role.OPERATIONS),
    }
    platform.start(clock)
    wait_for(lambda: platform.market.counts.trades > 0, timeout=30, what="the market to trade")

    def tick(symbol: str) -> None:
        time.sleep(0.05)  # the simulated market trades on its own; let it move

    def close() -> None:
        platform.stop()
        history.close()
        if platform.failure is not None:
            raise platform.failure

    return ApiPlatform(api.ports, keys, tick, close)


PLATFORMS: dict[str, Callable[[], ApiPlatform]] = {"fake": _fake, "real": _real}


def _calendar() -> SessionCalendar:
    from directbroker.adapters.calendar import XnysCalendar

    return XnysCalendar(2025, 2027)


@pytest.fixture(scope="module", params=sorted(PLATFORMS))
def platform(request: pytest.FixtureRequest) -> Iterator[ApiPlatform]:
    """A platform behind the client API's ports."""
    built = PLATFORMS[request.param]()
    try:
        yield built
    finally:
        built.close()


@pytest.fixture(scope="module")
def server(platform: ApiPlatform) -> Iterator[ApiServer]:
    """The client API on a free loopback port (generous rate limits: tests are bursty)."""
    app = create_app(
        platform.ports, rate_limit=RateLimit(rate_per_second=1_000, burst=1_000), calendar=_calendar
    )
    with ApiServer(app) as running:
        yield running


def wait_for(condition: Callable[[], bool], timeout: float = 10.0, what: str = "") -> None:
    """Poll until ``condition`` holds or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what or condition}")
        time.sleep(0.02)


class StreamRunner:
    """Runs an alpaca-py stream (``run()`` blocks) in a thread and stops it promptly.

    alpaca-py's ``stop()`` is only noticed when a message arrives or after five idle seconds;
    closing the socket from the stream's own loop as well makes it notice at once.
    """

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.thread = threading.Thread(target=stream.run, name="sdk-stream", daemon=True)

    def __enter__(self) -> StreamRunner:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        loop = getattr(self.stream, "_loop", None)
        if loop is not None and loop.is_running():
            self.stream.stop()
            asyncio.run_coroutine_threadsafe(self.stream.close(), loop).result(5)
        self.thread.join(10)
        assert not self.thread.is_alive(), "the SDK stream did not stop"

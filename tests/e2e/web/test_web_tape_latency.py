"""The trader screen stays live with the market at the demo's default rate: every trade of the
selected symbol reaches time & sales, alone and beside two processes burning a core each, with
no console errors.

The time from each venue trade to its row is measured and printed (p50, p95, p99, max), beside
a plain WebSocket client of ``/v2/iex`` in the same run, for the symbol that has traded most
since the page opened (a click on its watchlist row). The trade's wall-clock moment is its
simulated time ``t`` minus the simulated clock's offset from the wall, bounded through
``/v2/clock`` to within about a millisecond: no wall-clock stamp of the execution exists in the
event path, and at speed 1 the offset is fixed during the session. A trade executes at that
moment or later (when the simulation lags its clock), so the figure is the latency from when
the trade was due, an upper bound on the latency from its execution; the details and the error
are in :mod:`.tape_timing`. Speed goals (p95 under 250 ms) belong to
``benchmarks/web_tape_latency.py``: this test asserts only that the mechanism works and nothing
hangs (rows arrive, no trade goes missing, p95 under 5 s).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.e2e.running import RunningFirm, cpu_burners, demo_args, stop_all
from tests.e2e.web.browser import DESKTOP, PHONE, WatchedPage, screenshot, tickets
from tests.e2e.web.tape_timing import Peer, measure, open_tape, percentiles, select_busiest

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.timeout(240)

WINDOW_S = 15.0
HANG_MS = 5_000.0
"""A bound only a hang or a runaway backlog breaks (the goal is 250 ms)."""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningFirm]:
    """The demo at its default rate on durable journals, as a newcomer starts it."""
    data_dir = tmp_path_factory.mktemp("web-tape")
    with RunningFirm(demo_args(data_dir / "firm"), Path.cwd()).start(wait_for_keys=1) as firm:
        yield firm
        firm.terminate()


@pytest.fixture(params=[0, 2], ids=["idle", "two-cpu-burners"])
def load(request: pytest.FixtureRequest) -> Iterator[int]:
    """An idle machine, or two processes burning a core each beside the demo and browser."""
    burners = cpu_burners(request.param)
    try:
        yield request.param
    finally:
        stop_all(burners)


def test_time_and_sales_shows_every_trade_as_it_happens(
    demo: RunningFirm, browser: Browser, load: int
) -> None:
    watched = WatchedPage.open(browser, DESKTOP)
    peer = Peer(demo.url, demo.keys["DEMO-1"], ["*"]).start()
    try:
        open_tape(watched.page, tickets(demo.output)["Trader screen, DEMO-1"])
        select_busiest(watched.page, peer, sample_s=0)
        measured = measure(watched.page, peer, WINDOW_S)
        name = "idle" if not load else f"{load} cpu burners"
        screenshot(watched.page, f"tape-latency-{'idle' if not load else 'loaded'}-desktop")
        if not load:
            watched.page.set_viewport_size(PHONE)
            screenshot(watched.page, "tape-latency-idle-phone")
    finally:
        peer.stop()
        watched.close()
    print("\n" + "\n".join(measured.report(f"time & sales latency, {name}")))
    assert watched.errors == []
    assert peer.errors == []
    figures = percentiles(list(measured.browser.values()))
    assert figures["count"] >= 3, measured.report(name)
    assert measured.missed <= max(2, len(measured.peer) // 10), measured.report(name)
    assert figures["p95"] < HANG_MS, measured.report(name)

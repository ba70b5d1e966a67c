"""A venue's public feed over TCP: from the journal, then live, and again from where a
subscriber left off, with nothing missed or repeated."""

from __future__ import annotations

import asyncio
from pathlib import Path

from directbroker.adapters.venues.feed_stream import FeedClient, FeedServer
from directbroker.adapters.venues.fix_venue import VenueApplication
from directbroker.adapters.venues.venue_worker import VenueWorker
from directbroker.app.journals import SqliteJournals
from directbroker.domain.instruments import Instrument
from directbroker.domain.messages import Event
from directbroker.domain.orders import OrderType, Side
from directbroker.domain.venue_config import VenueConfig
from directbroker.domain.venue_messages import BookOrderAdded, SubmitOrder, TradeReported
from directbroker.engines.matching import VenueEngine
from directbroker.runtime import ManualClock
from directbroker.runtime.stepped import SteppedCore

CONFIG = VenueConfig("ARCA", "ARCA", instruments=(Instrument("XYZ"),))


def order(oid: str, side: Side, qty: int, px: int) -> SubmitOrder:
    return SubmitOrder(oid, "MM", "XYZ", side, OrderType.LIMIT, qty, px)


async def wait_for(condition: object, seconds: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():  # type: ignore[operator]
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.01)


def test_the_feed_catches_up_goes_live_and_resumes_without_gaps(tmp_path: Path) -> None:
    journals = SqliteJournals(tmp_path)
    journal, snapshots = journals("ARCA")
    core = SteppedCore(lambda: VenueEngine(CONFIG), journal, snapshots)
    app = VenueApplication("ARCA", core, lambda s: None, ManualClock(step_ns=1).now_ns)
    worker = VenueWorker(app)
    worker.start()
    app_orders = [order(f"s{i}", Side.SELL, 10, 100_000 + i * 100) for i in range(5)]

    def submit(command: SubmitOrder) -> None:
        worker.call(lambda: app.submit_unkeyed([command]))

    async def scenario() -> tuple[list[tuple[str, Event]], list[tuple[str, Event]]]:
        for command in app_orders[:3]:  # before anyone subscribes: from the journal
            submit(command)
        server = FeedServer(worker)
        port = await server.start()
        first: list[tuple[str, Event]] = []
        client = FeedClient(
            "ARCA", "127.0.0.1", port, lambda v, q, t, es: first.extend((v, e) for e in es)
        )
        client.start()
        await wait_for(lambda: len(first) == 3)
        submit(app_orders[3])  # live
        await wait_for(lambda: len(first) == 4)
        await client.stop()
        submit(app_orders[4])  # while away
        submit(order("b1", Side.BUY, 15, 100_100))  # trades through two levels
        client = FeedClient(
            "ARCA",
            "127.0.0.1",
            port,
            lambda v, q, t, es: first.extend((v, e) for e in es),
            client.last_seq,
        )
        client.start()
        late: list[tuple[str, Event]] = []
        other = FeedClient(
            "ARCA", "127.0.0.1", port, lambda v, q, t, es: late.extend((v, e) for e in es)
        )
        other.start()
        await wait_for(
            lambda: len(late) == len(first) and any(isinstance(e, TradeReported) for _, e in first)
        )
        await client.stop()
        await other.stop()
        await server.close()
        return first, late

    try:
        first, late = asyncio.run(scenario())
    finally:
        worker.stop()
        journals.close()
    assert first == late  # resumed == from scratch: nothing missed, nothing twice
    added = [e for _, e in first if isinstance(e, BookOrderAdded)]
    assert [a.price for a in added] == [100_000, 100_100, 100_200, 100_300, 100_400]
    trades = [e for _, e in first if isinstance(e, TradeReported)]
    assert [(t.price, t.quantity) for t in trades] == [(100_000, 10), (100_100, 5)]
    assert worker.failure is None

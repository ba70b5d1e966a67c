"""The firm's platform with one venue as its own process, reached over FIX: an order directed
there trades with resting liquidity of another participant, the fill reaches the ledger, and
the venue's book reaches market data through its feed."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from directbroker.adapters.venues.fix_bridge import LinkLoop
from directbroker.adapters.venues.fix_link import FixVenueLink, VenueEndpoint
from directbroker.app.config import VenueLinkSection
from directbroker.app.journals import SqliteJournals
from directbroker.app.platform import Platform
from directbroker.app.remote_links import connect_remote_venues
from directbroker.domain.broker_messages import ParentFilled, PlaceOrder
from directbroker.domain.messages import Event, Message
from directbroker.domain.orders import OrderType, Side, TimeInForce
from directbroker.domain.venue_messages import OrderAccepted, SubmitOrder
from directbroker.engines.broker import BrokerConfig
from directbroker.sim.session import DaySchedule
from directbroker.sim.simulation import SimulationConfig
from directbroker.sim.universe import LISTINGS, default_venues
from tests.e2e.test_venue_process_fix import VenueProcess, free_port

START_NS = 1_780_300_800_000_000_000
CONFIG = SimulationConfig(
    seed=4,
    schedule=DaySchedule(pre_open_seconds=1, continuous_seconds=6, closing_window_seconds=2),
    events_per_second=300,
)
LISTED = LISTINGS[:4]
SECOND = 1_000_000_000
VENUE = "ARCA"


def until(condition: Callable[[], bool], step: Callable[[], None], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "no progress"
        step()
        time.sleep(0.01)


def test_a_directed_order_trades_at_a_venue_in_another_process(tmp_path: Path) -> None:
    symbol = LISTED[0].symbol
    venue = VenueProcess(tmp_path / "venue", free_port(), feed_port=free_port())
    venue.start()
    maker_loop = LinkLoop()
    heard: list[Message] = []
    maker = FixVenueLink(
        [VenueEndpoint(VENUE, "127.0.0.1", venue.port, "MM", VENUE)],
        "MM",
        heard.append,
        maker_loop.connect,
    )
    assert venue.feed_port is not None
    link = VenueLinkSection(
        VENUE, "fix", "127.0.0.1", venue.port, venue.feed_port, "BRKR", VENUE, 30
    )
    remote = connect_remote_venues([link], default_venues(LISTED), "BRKR", tmp_path / "fix.db")
    journals = SqliteJournals(tmp_path / "firm")
    try:
        platform = Platform(
            journals,
            CONFIG,
            START_NS,
            listings=LISTED,
            remote=remote,
            broker_config=BrokerConfig(participant="BRKR"),
        )
        assert platform.participant == "BRKR"
        seen: list[Event] = []
        platform.on_customer_events(seen.extend)
        now = START_NS + 2 * SECOND
        platform.step(now)
        offer = SubmitOrder("mm-1", "MM", symbol, Side.SELL, OrderType.LIMIT, 500, 1_000)
        maker.send(VENUE, offer)
        clock = iter(range(now + 1, now + 10**9))

        def step() -> None:
            platform.step(next(clock))

        until(lambda: any(isinstance(m, OrderAccepted) for m in heard), step)

        def offered() -> bool:
            quote = platform.market.market_data.nbbo(symbol)
            return quote is not None and quote.ask_price == 1_000

        until(offered, step)
        future = platform.submit(
            PlaceOrder(
                "ord-f",
                "cli-f",
                "DEMO-1",
                symbol,
                Side.BUY,
                OrderType.LIMIT,
                200,
                limit_price=1_000,
                time_in_force=TimeInForce.DAY,
                route=VENUE,
            )
        )
        step()
        future.result(timeout=5)

        def filled() -> int:
            fills = [e for e in seen if isinstance(e, ParentFilled) and e.order_id == "ord-f"]
            return sum(f.last_quantity for f in fills)

        until(lambda: filled() == 200, step)
        position = platform.broker.ledger.position("DEMO-1", symbol)
        assert position is not None and position.quantity == 200
    finally:
        remote.close()
        maker.close()
        maker_loop.close()
        journals.close()
        assert venue.stop() == 0

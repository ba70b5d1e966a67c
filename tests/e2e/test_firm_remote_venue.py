"""``serve`` with a venue as its own process: the firm configured with ``[[venues.links]]``
routes a directed order to the venue process over FIX, the fill reaches the customer's
account, and the venue's offer reached market data through its feed."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from directbroker.adapters.venues.fix_bridge import LinkLoop
from directbroker.adapters.venues.fix_link import FixVenueLink, VenueEndpoint
from directbroker.app.config import (
    ClockSection,
    FirmConfig,
    FirmSection,
    MarketSection,
    VenueLinkSection,
    VenuesSection,
)
from directbroker.app.firm import open_firm
from directbroker.app.platform import DemoAccount
from directbroker.domain.accounts import AccountType
from directbroker.domain.broker_messages import CustomerOrderRejected, PlaceOrder
from directbroker.domain.messages import Message
from directbroker.domain.orders import OrderType, Side, TimeInForce
from directbroker.domain.venue_messages import OrderFilled, SubmitOrder
from tests.e2e.test_venue_process_fix import VenueProcess, free_port

VENUE = "ARCA"
SYMBOL = "AAPL"


def until(condition: Callable[[], bool], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "no progress"
        time.sleep(0.02)


def test_serve_routes_to_a_venue_in_another_process(tmp_path: Path) -> None:
    venue = VenueProcess(tmp_path / "venue", free_port(), feed_port=free_port())
    venue.start()
    assert venue.feed_port is not None
    config = FirmConfig(
        firm=FirmSection(participant="BRKR"),
        market=MarketSection(simulate=False, symbols=(SYMBOL,)),
        clock=ClockSection(mode="sim", speed=1.0, start="2026-06-02T10:00:00-04:00"),
        venues=VenuesSection(
            (VenueLinkSection(VENUE, "fix", "127.0.0.1", venue.port, venue.feed_port),)
        ),
    ).check()
    account = DemoAccount("ACC-1", "alice", AccountType.MARGIN, 100_000 * 10_000)
    maker_loop = LinkLoop()
    heard: list[Message] = []
    maker = FixVenueLink(
        [VenueEndpoint(VENUE, "127.0.0.1", venue.port, "MM", VENUE)],
        "MM",
        heard.append,
        maker_loop.connect,
    )
    firm = open_firm(tmp_path / "firm", config, accounts=(account,))
    try:
        assert firm.remote is not None and VENUE not in firm.platform.market.venues
        firm.start(serve_api=False)
        maker.send(VENUE, SubmitOrder("mm-1", "MM", SYMBOL, Side.SELL, OrderType.LIMIT, 500, 1_000))

        def offered() -> bool:
            quote = firm.platform.market.market_data.nbbo(SYMBOL)
            return quote is not None and quote.ask_price == 1_000

        until(offered)
        order = PlaceOrder(
            "ord-1",
            "cli-1",
            "ACC-1",
            SYMBOL,
            Side.BUY,
            OrderType.LIMIT,
            200,
            limit_price=1_000,
            time_in_force=TimeInForce.DAY,
            route=VENUE,
        )
        answer = firm.platform.submit(order).result(timeout=10)
        assert not any(isinstance(e, CustomerOrderRejected) for e in answer), answer
        until(lambda: any(isinstance(m, OrderFilled) for m in heard))

        def bought() -> bool:
            position = firm.platform.broker.ledger.position("ACC-1", SYMBOL)
            return position is not None and position.quantity == 200

        until(bought)
    finally:
        firm.stop()
        maker.close()
        maker_loop.close()
        assert venue.stop() == 0


def test_a_child_journaled_while_the_venue_was_away_goes_there_after_a_firm_restart(
    tmp_path: Path,
) -> None:
    venue = VenueProcess(tmp_path / "venue", free_port(), feed_port=free_port())
    assert venue.feed_port is not None
    config = FirmConfig(
        firm=FirmSection(participant="BRKR"),
        market=MarketSection(simulate=False, symbols=(SYMBOL,)),
        clock=ClockSection(mode="sim", speed=1.0, start="2026-06-02T10:00:00-04:00"),
        venues=VenuesSection(
            (VenueLinkSection(VENUE, "fix", "127.0.0.1", venue.port, venue.feed_port),)
        ),
    ).check()
    account = DemoAccount("ACC-1", "alice", AccountType.MARGIN, 100_000 * 10_000)
    order = PlaceOrder(
        "ord-2",
        "cli-2",
        "ACC-1",
        SYMBOL,
        Side.BUY,
        OrderType.LIMIT,
        100,
        limit_price=1_000,
        time_in_force=TimeInForce.DAY,
        route=VENUE,
    )
    # The venue is not running: the firm journals the child and the link holds it; the firm
    # stops, and what the link held is gone with it.
    firm = open_firm(tmp_path / "firm", config, accounts=(account,))
    try:
        firm.start(serve_api=False)
        answer = firm.platform.submit(order).result(timeout=10)
        assert not any(isinstance(e, CustomerOrderRejected) for e in answer), answer
    finally:
        firm.stop()
    venue.start()
    maker_loop = LinkLoop()
    heard: list[Message] = []
    maker = FixVenueLink(
        [VenueEndpoint(VENUE, "127.0.0.1", venue.port, "MM", VENUE)],
        "MM",
        heard.append,
        maker_loop.connect,
    )
    try:
        maker.send(VENUE, SubmitOrder("mm-2", "MM", SYMBOL, Side.SELL, OrderType.LIMIT, 300, 1_000))
        until(lambda: len(heard) >= 1)
        firm = open_firm(tmp_path / "firm", config)
        try:
            assert firm.platform.remote_resent == 1
            firm.start(serve_api=False)

            def bought() -> bool:
                position = firm.platform.broker.ledger.position("ACC-1", SYMBOL)
                return position is not None and position.quantity == 100

            until(bought)
        finally:
            firm.stop()
        assert sum(isinstance(m, OrderFilled) for m in heard) == 1
    finally:
        maker.close()
        maker_loop.close()
        assert venue.stop() == 0

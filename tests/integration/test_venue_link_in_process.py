"""The in-process venue link: venues behind their own sequencers, replies back as inputs."""

from __future__ import annotations

import time
from collections.abc import Sequence

from directbroker.adapters.venues import InProcessVenueLink
from directbroker.domain.instruments import Instrument
from directbroker.domain.marketdata_messages import DepthUpdated, QuoteUpdated, TradingStatusChanged
from directbroker.domain.messages import Event, Message
from directbroker.domain.orders import OrderType, Side, TimeInForce
from directbroker.domain.rejects import RejectCode
from directbroker.domain.routing import SMART, RouteRequest
from directbroker.domain.routing_messages import (
    ChildCancelRequested,
    ChildRouted,
    MarkVenueDown,
    MarkVenueUp,
    RouteCompleted,
    RoutingTimerTick,
    VenueMarkedDown,
)
from directbroker.domain.venue_config import FeeSchedule, VenueConfig
from directbroker.domain.venue_messages import OrderFilled, OrderRejected, SubmitOrder
from directbroker.engines.marketdata import MarketDataEngine
from directbroker.engines.matching import VenueEngine
from directbroker.engines.router import RouterEngine
from directbroker.runtime import InMemoryJournal, ManualClock

SYMBOL = "XYZ"
CONFIGS = tuple(
    VenueConfig(name, name, FeeSchedule(maker=maker, taker=taker), (Instrument(SYMBOL),))
    for name, maker, taker in (("ARCA", -2_000, 3_000), ("BATS", -2_500, 2_800), ("IEX", 0, 900))
)


class Broker:
    """The smallest broker loop: router decisions out through the link, replies back in."""

    def __init__(self, configs: Sequence[VenueConfig] = CONFIGS) -> None:
        self.clock = ManualClock(step_ns=1_000)
        self.replies: list[Message] = []
        self.market_data = MarketDataEngine()
        self.router = RouterEngine(configs)
        self.journals = {c.name: InMemoryJournal() for c in configs}
        self.link = InProcessVenueLink(
            {c.name: VenueEngine(c) for c in configs},
            "BRKR",
            self.replies.append,
            self.clock,
            on_feed=self.feed,
            journals=self.journals,
        )
        self.events: list[Event] = []

    def feed(self, venue: str, event: Event, ts_ns: int) -> None:
        for output in self.market_data.handle(event, ts_ns):
            if isinstance(output, DepthUpdated | QuoteUpdated | TradingStatusChanged):
                self.router.handle(output, ts_ns)

    def maker(self, venue: str, order_id: str, side: Side, quantity: int, price: int) -> None:
        command = SubmitOrder(order_id, "mm", SYMBOL, side, OrderType.LIMIT, quantity, price)
        self.link.submit_external(venue, command)
        self.settle([])

    def settle(self, events: list[Event]) -> list[Event]:
        """Act on router events, pump the venues, feed replies back, until quiet."""
        seen: list[Event] = []
        while True:
            for event in events:
                if isinstance(event, ChildRouted):
                    self.link.send(event.venue, event.to_submit("BRKR"))
                elif isinstance(event, ChildCancelRequested):
                    self.link.send(event.venue, event.to_cancel("BRKR"))
            seen.extend(events)
            self.link.pump()
            if not self.replies:
                self.events.extend(seen)
                return seen
            replies, self.replies[:] = list(self.replies), []
            events = []
            for reply in replies:
                events.extend(self.router.handle(reply, self.clock.now_ns()))

    def route(self, quantity: int, price: int | None, parent_id: str = "P1") -> list[Event]:
        kind = OrderType.LIMIT if price is not None else OrderType.MARKET
        request = RouteRequest(
            parent_id, SYMBOL, Side.BUY, quantity, price, TimeInForce.DAY, SMART, order_type=kind
        )
        return self.settle(self.router.route(request, self.clock.now_ns()))


def test_a_smart_order_sweeps_through_the_link_and_every_venue_journals_its_inputs() -> None:
    broker = Broker()
    broker.maker("ARCA", "m1", Side.SELL, 100, 100_000)
    broker.maker("BATS", "m2", Side.SELL, 100, 100_100)
    events = broker.route(150, 100_100)
    done = [e for e in events if isinstance(e, RouteCompleted)]
    assert [(d.filled_quantity, d.unfilled_quantity) for d in done] == [(150, 0)]
    assert broker.journals["ARCA"].entries and broker.journals["BATS"].entries
    view = broker.router.parent("P1")
    assert view is not None and [c.venue for c in view.children] == ["ARCA", "BATS"]
    # Market data heard the venues' feeds: the router's NBBO moved to what is left.
    quote = broker.market_data.nbbo(SYMBOL)
    assert quote is not None and quote.ask_price == 100_100


def test_a_resting_child_filled_by_someone_elses_order_reports_back() -> None:
    broker = Broker()
    broker.maker("ARCA", "m1", Side.SELL, 100, 101_000)
    broker.route(100, 100_000)  # rests at BATS (best rebate)
    fills_before = [r for r in broker.events if isinstance(r, RouteCompleted)]
    assert fills_before == []
    broker.link.submit_external(
        "BATS", SubmitOrder("t1", "taker", SYMBOL, Side.SELL, OrderType.LIMIT, 100, 100_000)
    )
    events = broker.settle([])
    assert [
        (d.filled_quantity, d.unfilled_quantity) for d in events if isinstance(d, RouteCompleted)
    ] == [(100, 0)]
    stats = broker.router.venue_statistics()["BATS"]
    assert stats.shares_filled == 100 and stats.fees == -100 * 2_500  # the maker rebate


def test_a_dropped_session_reports_the_venue_down_and_holds_traffic_until_reconnect() -> None:
    broker = Broker()
    broker.route(100, 100_000)  # rests at BATS
    broker.link.disconnect("BATS")
    assert [type(r) for r in broker.replies] == [MarkVenueDown]
    events = broker.settle([])
    assert any(isinstance(e, VenueMarkedDown) for e in events)
    # The cancel request is held with the session; nothing is re-routed unconfirmed.
    assert not [e for e in events if isinstance(e, ChildRouted)]
    broker.link.reconnect("BATS")
    assert isinstance(broker.replies[0], MarkVenueUp)
    after = broker.settle([])
    rerouted = [e for e in after if isinstance(e, ChildRouted)]
    assert [(c.venue, c.quantity) for c in rerouted] == [("BATS", 100)]  # BATS is up again


def test_a_silent_venue_is_found_out_by_the_routers_timeout() -> None:
    broker = Broker()
    broker.maker("IEX", "m1", Side.SELL, 100, 100_000)
    broker.link.disconnect("IEX", notify=False)
    broker.route(100, 100_000)
    assert broker.replies == []
    broker.clock.advance(2_000_000_000)
    events = broker.settle(broker.router.handle(RoutingTimerTick(), broker.clock.now_ns()))
    assert [e.venue for e in events if isinstance(e, VenueMarkedDown)] == ["IEX"]


def test_an_unknown_venue_answers_with_a_reject() -> None:
    broker = Broker()
    broker.link.send(
        "NYSE", SubmitOrder("x", "BRKR", SYMBOL, Side.BUY, OrderType.LIMIT, 1, 100_000)
    )
    (reply,) = broker.replies
    assert isinstance(reply, OrderRejected) and reply.code is RejectCode.ROUTE_UNKNOWN_VENUE


def test_live_mode_runs_each_venue_on_its_own_thread() -> None:
    broker = Broker()
    broker.link.start()
    try:
        broker.link.send(
            "ARCA", SubmitOrder("x1", "BRKR", SYMBOL, Side.BUY, OrderType.LIMIT, 10, 100_000)
        )
        deadline = time.monotonic() + 5
        while not broker.replies and time.monotonic() < deadline:
            time.sleep(0.005)
    finally:
        broker.link.close()
    assert [type(r).__name__ for r in broker.replies] == ["OrderAccepted"]
    assert not any(isinstance(r, OrderFilled) for r in broker.replies)

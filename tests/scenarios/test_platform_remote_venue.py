"""The platform with one venue in another process: its child orders leave through the venue
link, its reports come back as broker inputs, and its public feed reaches market data.

The link here is the in-process one standing in for FIX (the FIX link has its own tests):
what is under test is the platform's side, the same whatever carries the messages."""

from __future__ import annotations

from pathlib import Path

from directbroker.adapters.venues import InProcessVenueLink
from directbroker.app.journals import SqliteJournals
from directbroker.app.platform import Platform
from directbroker.app.remote_venues import RemoteVenues
from directbroker.domain.broker_messages import ChildOrderSent, ParentFilled, PlaceOrder
from directbroker.domain.messages import Event
from directbroker.domain.orders import OrderType, Side, TimeInForce
from directbroker.domain.venue_messages import SubmitOrder
from directbroker.engines.matching import VenueEngine
from directbroker.runtime import ManualClock
from directbroker.sim.session import DaySchedule
from directbroker.sim.simulation import SimulationConfig
from directbroker.sim.universe import LISTINGS, default_venues

START_NS = 1_780_300_800_000_000_000
CONFIG = SimulationConfig(
    seed=4,
    schedule=DaySchedule(pre_open_seconds=1, continuous_seconds=6, closing_window_seconds=2),
    events_per_second=300,
)
LISTED = LISTINGS[:4]
SECOND = 1_000_000_000
REMOTE = "IEX"


def test_an_order_directed_to_a_remote_venue_trades_there_and_its_book_reaches_market_data(
    tmp_path: Path,
) -> None:
    (iex,) = [v for v in default_venues(LISTED) if v.name == REMOTE]
    remote = RemoteVenues([iex])
    seq = iter(range(1, 1_000_000))

    def feed(venue: str, event: Event, ts_ns: int) -> None:
        remote.on_feed(venue, next(seq), ts_ns, [event])

    journals = SqliteJournals(tmp_path)
    try:
        link = InProcessVenueLink(
            {REMOTE: VenueEngine(iex)},
            "DBRK",
            remote.on_reply,
            ManualClock(START_NS, step_ns=1_000),
            on_feed=feed,
        )
        remote.sender = lambda venue, command, request_id: link.send(venue, command)
        platform = Platform(journals, CONFIG, START_NS, listings=LISTED, remote=remote)
        assert platform.participant == "DBRK" and platform.remote_resent == 0
        assert REMOTE not in platform.market.venues  # not in process
        seen: list[Event] = []
        platform.on_customer_events(seen.extend)
        platform.step(START_NS + 2 * SECOND)
        symbol = LISTED[0].symbol
        # Someone else's offer at the remote venue, below everyone's: the NBBO moves there.
        link.submit_external(
            REMOTE, SubmitOrder("ext-1", "MM", symbol, Side.SELL, OrderType.LIMIT, 500, 1_000)
        )
        link.pump()
        platform.step(START_NS + 2 * SECOND + 1)
        quote = platform.market.market_data.nbbo(symbol)
        assert quote is not None and quote.ask_price == 1_000
        future = platform.submit(
            PlaceOrder(
                "ord-r",
                "cli-r",
                "DEMO-1",
                symbol,
                Side.BUY,
                OrderType.LIMIT,
                200,
                limit_price=1_000,
                time_in_force=TimeInForce.DAY,
                route=REMOTE,
            )
        )
        platform.step(START_NS + 2 * SECOND + 2)
        future.result(timeout=5)
        children = [e for e in seen if isinstance(e, ChildOrderSent) and e.parent_id == "ord-r"]
        assert [c.venue for c in children] == [REMOTE]
        assert not [e for e in seen if isinstance(e, ParentFilled)]  # nothing back yet
        link.pump()  # the venue answers on its own time
        platform.step(START_NS + 2 * SECOND + 3)
        fills = [e for e in seen if isinstance(e, ParentFilled) and e.order_id == "ord-r"]
        assert sum(f.last_quantity for f in fills) == 200
        position = platform.broker.ledger.position("DEMO-1", symbol)
        assert position is not None and position.quantity == 200
        after = platform.market.market_data.nbbo(symbol)
        assert after is not None and after.ask_price == 1_000  # 300 left at the remote venue
    finally:
        journals.close()


def test_the_broker_journal_says_how_far_each_remote_venue_was_applied(tmp_path: Path) -> None:
    from directbroker.app.remote_venues import applied_positions
    from directbroker.domain.venue_messages import OrderAccepted

    (iex,) = [v for v in default_venues(LISTED) if v.name == REMOTE]
    remote = RemoteVenues([iex])
    remote.sender = lambda venue, command, request_id: None
    journals = SqliteJournals(tmp_path)
    try:
        platform = Platform(journals, CONFIG, START_NS, listings=LISTED, remote=remote)
        journal = platform.broker_core.journal
        assert applied_positions(journal, remote.names) == {REMOTE: 0}
        symbol = LISTED[0].symbol
        for seq in (7, 3):
            accepted = OrderAccepted(
                REMOTE,
                f"x{seq}",
                "DBRK",
                symbol,
                Side.BUY,
                OrderType.LIMIT,
                1,
                1,
                TimeInForce.DAY,
                0,
            )
            remote.on_keyed_reply(accepted, f"{REMOTE}:{seq}:0")
            platform.step(START_NS + seq)
        assert applied_positions(journal, remote.names) == {REMOTE: 7}
    finally:
        journals.close()

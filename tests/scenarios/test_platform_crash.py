"""The platform crash test: the whole embedded platform (broker core, venues, market data) runs
in a child process on SQLite journals with customers trading, is SIGKILLed at random moments,
restarted each time, and after a last clean run every core must agree with every other.

Each core is durable on its own; what this proves is delivery BETWEEN them (ADR 0010): the
broker's child commands all reached their venues, every fill a venue made for the broker
reached the broker exactly once, market data's view of each venue's book is that book, the
ledger balances, and every journal replays from scratch to the state the child ended with.
Without start-up reconciliation these checks fail: a kill between two cores' commits loses a
message for good.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

from directbroker.adapters.calendar import XnysCalendar
from directbroker.app.journals import MemoryJournals, SqliteJournals
from directbroker.app.market import MARKET_DATA
from directbroker.app.platform import BROKER, Platform
from directbroker.app.platform_child import LISTED
from directbroker.domain.broker_messages import (
    ChildCancelSent,
    ChildOrderSent,
    ChildReplaceSent,
    PlaceOrder,
)
from directbroker.domain.marketdata_messages import MarketDataInputRejected
from directbroker.domain.messages import Message
from directbroker.domain.orders import OrderType, Side
from directbroker.domain.venue_messages import OrderFilled, SubmitOrder
from directbroker.engines.broker import BrokerConfig, BrokerCore
from directbroker.engines.ledger import LedgerCore
from directbroker.engines.marketdata import MarketDataEngine
from directbroker.engines.matching import VenueEngine
from directbroker.engines.router import SmartRouting
from directbroker.protocols import codec
from directbroker.runtime.journal import Journal, reading
from directbroker.runtime.recovery import recover
from directbroker.sim.session import DaySchedule
from directbroker.sim.simulation import SimulationConfig
from directbroker.sim.universe import default_venues

KILLS = 22
FINAL_STEPS = 150
LEVELS = 10_000


def _spawn(directory: Path, *extra: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "directbroker.app.platform_child", str(directory)]
    with (directory.parent / "child.err").open("ab") as errors:
        return subprocess.Popen([*command, *extra], stdout=subprocess.PIPE, stderr=errors)


def _errors(directory: Path) -> str:
    return (directory.parent / "child.err").read_text()[-3000:]


def _line(proc: subprocess.Popen[bytes], kind: str) -> dict[str, Any] | None:
    assert proc.stdout is not None
    raw = proc.stdout.readline().decode()
    if not raw.startswith(kind + " "):
        return None
    loaded: dict[str, Any] = json.loads(raw[len(kind) + 1 :])
    return loaded


def _crash_rounds(directory: Path, rng: random.Random) -> dict[str, int]:
    """Start, run a moment, SIGKILL; a quarter of the kills land during start-up (while the
    previous crash is being reconciled). Returns what start-ups re-delivered, per pair."""
    delivered: Counter[str] = Counter()
    for round_ in range(KILLS):
        proc = _spawn(directory)
        if round_ % 4 == 3:
            time.sleep(rng.uniform(1.0, 1.6))  # about when imports end and recovery runs
        else:
            ready = _line(proc, "READY")
            assert ready is not None, f"round {round_}: no start:\n{_errors(directory)}"
            delivered.update(ready["applied"])
            time.sleep(rng.uniform(0.05, 0.6))
        assert proc.poll() is None, f"round {round_}: child stopped:\n{_errors(directory)}"
        proc.kill()
        proc.wait()
        assert proc.stdout is not None
        proc.stdout.close()
    return dict(delivered)


def _entries(journal: Journal) -> Iterator[tuple[int, Message, list[Message]]]:
    with reading(journal) as entries:
        for entry in entries:
            yield entry.seq, codec.decode(entry.command), codec.decode_many(entry.events)


def test_cores_agree_after_repeated_sigkill_of_the_platform(tmp_path: Path) -> None:
    started = time.perf_counter()
    directory = tmp_path / "platform"
    delivered = _crash_rounds(directory, random.Random(2026))
    final = _spawn(directory, "--steps", str(FINAL_STEPS))
    ready, bye = _line(final, "READY"), _line(final, "BYE")
    assert final.wait(timeout=60) == 0 and ready is not None and bye is not None, _errors(directory)
    assert final.stdout is not None
    final.stdout.close()
    delivered = dict(Counter(delivered) + Counter(ready["applied"]))

    venue_configs = {venue.name: venue for venue in default_venues(LISTED)}
    settings = BrokerConfig()
    journals = SqliteJournals(directory)
    try:
        # Every journal replays from scratch (no snapshots) to the state the child ended with.
        venues: dict[str, VenueEngine] = {}
        for name, config in venue_configs.items():
            venues[name], info = recover(partial(VenueEngine, config), journals(name)[0], None)
            assert info.state_hash == bye[name], name
        market_data, info = recover(MarketDataEngine, journals(MARKET_DATA)[0], None)
        assert info.state_hash == bye["marketdata"]

        def new_broker() -> BrokerCore:
            routing = SmartRouting(tuple(venue_configs.values()))
            return BrokerCore(LedgerCore(XnysCalendar()), routing, settings)

        broker_journal = journals(BROKER)[0]
        broker, info = recover(new_broker, broker_journal, None)
        assert info.state_hash == bye["broker"]

        # Broker -> venues: every child command the broker journaled reached its venue, once.
        sent: dict[str, list[str]] = {name: [] for name in venue_configs}
        recorded_fills: Counter[tuple[str, str, int, int, int]] = Counter()
        for seq, command, events in _entries(broker_journal):
            if isinstance(command, OrderFilled):
                recorded_fills[_fill_key(command)] += 1
            for index, event in enumerate(events):
                if isinstance(event, ChildOrderSent | ChildCancelSent | ChildReplaceSent):
                    sent[event.venue].append(f"{BROKER}:{seq}:{index}")
                if isinstance(event, ChildOrderSent):
                    assert venues[event.venue].id_used(event.child_id), event
        assert sum(len(ids) for ids in sent.values()) > 0
        for name, ids in sent.items():
            found = journals(name)[0].find_client_ids(ids)
            assert set(found) == set(ids), f"{name} never got {sorted(set(ids) - set(found))}"

        # Venues -> broker: the fills the broker recorded are exactly the venues' fills of its
        # children (each once).
        venue_fills: Counter[tuple[str, str, int, int, int]] = Counter()
        for name in venue_configs:
            for _, _, events in _entries(journals(name)[0]):
                for event in events:
                    if isinstance(event, OrderFilled) and event.participant == settings.participant:
                        venue_fills[_fill_key(event)] += 1
        assert venue_fills, "the customers never traded"
        assert recorded_fills == venue_fills

        # Venues -> market data: market data sees each venue's book as the venue has it, and
        # never met a feed gap.
        for listing in LISTED:
            montage = market_data.montage(listing.symbol, LEVELS)
            seen = {
                row.venue: (
                    tuple((level.price, level.quantity) for level in row.bids),
                    tuple((level.price, level.quantity) for level in row.asks),
                )
                for row in montage.venues
            }
            for name, venue in venues.items():
                depth = venue.depth(listing.symbol, LEVELS)
                own = (depth.bids, depth.asks)
                assert seen.get(name, ((), ())) == own, (name, listing.symbol)
        gaps = [
            event
            for _, _, events in _entries(journals(MARKET_DATA)[0])
            for event in events
            if isinstance(event, MarketDataInputRejected)
        ]
        assert not gaps, gaps[:3]

        # The books balance in every asset.
        assert all(total == 0 for total in broker.ledger.trial_balance().values())
    finally:
        journals.close()
    # The kills did land between two cores' commits: start-ups had messages to deliver, on
    # every kind of path (what each pair got varies with the kill moments).
    assert sum(delivered.values()) > 0, delivered
    assert time.perf_counter() - started < 120


def _fill_key(fill: OrderFilled) -> tuple[str, str, int, int, int]:
    return fill.venue, fill.order_id, fill.trade_id, fill.quantity, fill.price


# --- each path, deterministically: a commit whose delivery "the crash" skipped --------------

START_NS = 1_780_300_800_000_000_000
SECOND = 1_000_000_000
CONFIG = SimulationConfig(
    seed=4,
    schedule=DaySchedule(pre_open_seconds=1, continuous_seconds=60, closing_window_seconds=2),
    events_per_second=300,
)


def _montage_is_depth(platform: Platform, symbol: str, venue: str) -> bool:
    rows = {row.venue: row for row in platform.market.market_data.montage(symbol, LEVELS).venues}
    depth = platform.market.venues[venue].depth(symbol, LEVELS)
    row = rows.get(venue)
    seen = (
        ((), ())
        if row is None
        else (
            tuple((level.price, level.quantity) for level in row.bids),
            tuple((level.price, level.quantity) for level in row.asks),
        )
    )
    return seen == (depth.bids, depth.asks)


def test_a_clean_restart_has_nothing_to_deliver() -> None:
    journals = MemoryJournals()
    Platform(journals, CONFIG, START_NS, listings=LISTED).step(START_NS + 2 * SECOND)
    again = Platform(journals, CONFIG, START_NS + 3 * SECOND, listings=LISTED)
    assert again.reconciled.total_applied == 0
    assert again.reconciled.resent == {}


def test_a_venue_commit_whose_feed_was_lost_reaches_market_data_on_restart() -> None:
    journals = MemoryJournals()
    platform = Platform(journals, CONFIG, START_NS, listings=LISTED)
    platform.step(START_NS + 2 * SECOND)
    symbol = LISTED[0].symbol
    bid = platform.market.venues["ARCA"].best_bid_offer(symbol).bid_price
    assert bid is not None
    order = SubmitOrder("lost-1", "MM", symbol, Side.BUY, OrderType.LIMIT, 700, bid)
    platform.market.venue_cores["ARCA"].apply([order], START_NS + 2 * SECOND)  # then "crash"
    assert not _montage_is_depth(platform, symbol, "ARCA")

    again = Platform(journals, CONFIG, START_NS + 3 * SECOND, listings=LISTED)
    # Both events of the entry (the private accept, the public add) go to market data, and
    # the depth change it makes goes on to the broker.
    assert again.reconciled.applied == {"ARCA->marketdata": 2, "marketdata->broker": 1}
    assert _montage_is_depth(again, symbol, "ARCA")


def test_child_orders_the_broker_journaled_but_never_sent_reach_the_venue_and_fill() -> None:
    journals = MemoryJournals()
    platform = Platform(journals, CONFIG, START_NS, listings=LISTED)
    platform.step(START_NS + 2 * SECOND)
    symbol = LISTED[0].symbol
    order = PlaceOrder("ord-1", "cli-1", "DEMO-1", symbol, Side.BUY, OrderType.MARKET, 300)
    [events] = platform.broker_core.apply([order], START_NS + 2 * SECOND)  # then "crash"
    children = [e for e in events if isinstance(e, ChildOrderSent)]
    assert children and not any(
        platform.market.venues[c.venue].id_used(c.child_id) for c in children
    )

    again = Platform(journals, CONFIG, START_NS + 3 * SECOND, listings=LISTED)
    assert all(again.market.venues[c.venue].id_used(c.child_id) for c in children)
    applied = again.reconciled.applied
    assert all(applied.get(f"broker->{c.venue}", 0) > 0 for c in children), applied
    # The venues' answers to the re-sent children went on to the broker in a later pass.
    assert any(pair.endswith("->broker") for pair in applied) and again.reconciled.passes >= 2
    position = again.broker.ledger.position("DEMO-1", symbol)
    assert position is not None and position.quantity == 300
    assert all(_montage_is_depth(again, symbol, venue) for venue in again.market.venues)


def test_fills_a_venue_journaled_but_never_reported_reach_the_broker_once() -> None:
    journals = MemoryJournals()
    platform = Platform(journals, CONFIG, START_NS, listings=LISTED)
    platform.step(START_NS + 2 * SECOND)
    symbol = LISTED[0].symbol
    ts = START_NS + 2 * SECOND
    order = PlaceOrder("ord-2", "cli-2", "DEMO-1", symbol, Side.BUY, OrderType.MARKET, 200)
    outcomes = platform.broker_core.apply_outcomes([order], ts)
    # The venues get the children and fill them; "the crash" comes before the broker hears.
    for index, event in enumerate(outcomes[0].events):
        if isinstance(event, ChildOrderSent):
            client_id = f"{BROKER}:{outcomes[0].seq}:{index}"
            platform.market.venue_cores[event.venue].apply([event.to_submit()], ts, [client_id])
    assert platform.broker.ledger.position("DEMO-1", symbol) is None

    again = Platform(journals, CONFIG, START_NS + 3 * SECOND, listings=LISTED)
    assert not any(pair.startswith("broker->") for pair in again.reconciled.applied)
    position = again.broker.ledger.position("DEMO-1", symbol)
    assert position is not None and position.quantity == 200
    third = Platform(journals, CONFIG, START_NS + 4 * SECOND, listings=LISTED)
    assert third.reconciled.total_applied == 0
    assert third.broker.state_hash() == again.broker.state_hash()

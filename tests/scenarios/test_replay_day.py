"""A stored day replays: every core of the embedded market rebuilt from its SQLite journal
reaches the same state, the same final books and the same bars as the live run, and the bars
recorded in the historical data store are the ones replay rebuilds."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from directbroker.adapters.history import open_sqlite
from directbroker.app.journals import SqliteJournals
from directbroker.app.market import MARKET_DATA, EmbeddedMarket
from directbroker.domain.marketdata_messages import Timeframe
from directbroker.engines.marketdata import MarketDataEngine
from directbroker.engines.matching import VenueEngine
from directbroker.runtime.recovery import recover
from directbroker.sim.session import DaySchedule
from directbroker.sim.simulation import SimulationConfig
from directbroker.sim.universe import LISTINGS

START_NS = 1_780_000_000_000_000_000
LISTED = LISTINGS[:5]


def test_a_stored_day_replays_to_the_same_books_and_bars(tmp_path: Path) -> None:
    config = SimulationConfig(
        seed=21,
        schedule=DaySchedule(pre_open_seconds=1, continuous_seconds=6, closing_window_seconds=2),
        events_per_second=300,
    )
    journals = SqliteJournals(tmp_path / "day")
    history = open_sqlite(str(tmp_path / "history.db"))
    try:
        market = EmbeddedMarket(
            config,
            START_NS,
            "2026-06-01",
            journals,
            listings=LISTED,
            history=history,
            snapshot_every=2_000,
        )
        market.run_to_end()
        live_venues = {name: engine.state_hash() for name, engine in market.venues.items()}
        live_depth = {
            (name, listing.symbol): engine.depth(listing.symbol, 50)
            for name, engine in market.venues.items()
            for listing in LISTED
        }
        live_market_data = market.market_data.state_hash()
        live_bars = {
            listing.symbol: market.market_data.bars(listing.symbol, Timeframe.SECOND, False)
            for listing in LISTED
        }
        venue_configs = {config.name: config for config in market.venue_configs}
    finally:
        journals.close()

    replayed = SqliteJournals(tmp_path / "day")
    try:
        for name, venue_config in venue_configs.items():
            journal, snapshots = replayed(name)
            engine, info = recover(partial(VenueEngine, venue_config), journal, snapshots)
            assert info.state_hash == live_venues[name]
            for listing in LISTED:
                assert engine.depth(listing.symbol, 50) == live_depth[(name, listing.symbol)]
        journal, snapshots = replayed(MARKET_DATA)
        # Without snapshots: the whole day is rebuilt from the venues' feed events alone.
        market_data, info = recover(MarketDataEngine, journal, None)
        assert info.snapshot_seq == 0
        assert market_data.state_hash() == live_market_data
        for listing in LISTED:
            rebuilt = market_data.bars(listing.symbol, Timeframe.SECOND, False)
            assert rebuilt == live_bars[listing.symbol]
            stored = history.bars(listing.symbol, Timeframe.SECOND, 0, 2**62, limit=100_000)
            assert stored.items == rebuilt
            assert rebuilt, f"{listing.symbol} traded all day without a single bar"
    finally:
        replayed.close()
        history.close()

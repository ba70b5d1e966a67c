"""The embedded market as the demo wires it: venues, flow and consolidated market data agree."""

from __future__ import annotations

from directbroker.app.journals import MemoryJournals
from directbroker.app.market import EmbeddedMarket
from directbroker.sim.session import DaySchedule
from directbroker.sim.simulation import SimulationConfig
from directbroker.sim.universe import LISTINGS

START_NS = 1_780_000_000_000_000_000


def test_consolidated_quote_matches_the_venues_after_a_short_day() -> None:
    config = SimulationConfig(
        seed=3,
        schedule=DaySchedule(pre_open_seconds=1, continuous_seconds=8, closing_window_seconds=2),
        events_per_second=300,
    )
    market = EmbeddedMarket(config, START_NS, "2026-06-01", MemoryJournals(), listings=LISTINGS[:6])
    market.run_to_end()
    assert market.simulation.finished
    assert market.counts.trades > 0
    for listing in market.listings:
        quote = market.market_data.nbbo(listing.symbol)
        tops = [engine.best_bid_offer(listing.symbol) for engine in market.venues.values()]
        bids = [top.bid_price for top in tops if top.bid_price is not None]
        asks = [top.ask_price for top in tops if top.ask_price is not None]
        assert quote is not None
        assert quote.bid_price == (max(bids) if bids else None)
        assert quote.ask_price == (min(asks) if asks else None)
    # Every print on the consolidated tape is a venue trade, and they add up.
    assert sum(trade.quantity for trade in market.tape) <= market.counts.shares


def test_the_day_is_reproducible() -> None:
    config = SimulationConfig(
        seed=9,
        schedule=DaySchedule(pre_open_seconds=1, continuous_seconds=3, closing_window_seconds=1),
        events_per_second=200,
    )
    hashes = []
    for _ in range(2):
        market = EmbeddedMarket(
            config, START_NS, "2026-06-01", MemoryJournals(), listings=LISTINGS[:4]
        )
        market.run_to_end()
        hashes.append(
            (
                market.market_data.state_hash(),
                tuple(engine.state_hash() for engine in market.venues.values()),
            )
        )
    assert hashes[0] == hashes[1]

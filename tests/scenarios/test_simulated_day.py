"""A simulated day across five venues and twenty symbols, checked against stated targets.

Targets: most resting orders are cancelled (over 90%, as in US equities); the national spread
stays near the market makers' quoted spread; every symbol trades; both crosses run on every
listing exchange; a locked or crossed national market never outlasts the routing delay; and the
same seed gives the same day.
"""

from __future__ import annotations

import pytest

from directbroker.domain.orders import AuctionKind
from directbroker.engines.matching import VenueEngine
from directbroker.sim.local import VenuesView, run_day
from directbroker.sim.session import DaySchedule
from directbroker.sim.simulation import MarketSimulation, SimulationConfig
from directbroker.sim.universe import LISTINGS, default_venues

START_NS = 1_780_000_000_000_000_000
CONFIG = SimulationConfig(
    seed=42,
    schedule=DaySchedule(pre_open_seconds=2, continuous_seconds=60, closing_window_seconds=10),
    events_per_second=500,
)


def simulate(config: SimulationConfig) -> tuple[MarketSimulation, dict[str, VenueEngine]]:
    venues = default_venues()
    engines = {venue.name: VenueEngine(venue) for venue in venues}
    simulation = MarketSimulation(config, venues, LISTINGS, VenuesView(engines), START_NS)
    run_day(simulation, engines)
    return simulation, engines


@pytest.fixture(scope="module")
def day() -> tuple[MarketSimulation, dict[str, VenueEngine]]:
    return simulate(CONFIG)


def test_most_resting_orders_are_cancelled(
    day: tuple[MarketSimulation, dict[str, VenueEngine]],
) -> None:
    outcomes = day[0].outcomes
    assert outcomes.rested > 5_000
    assert outcomes.cancelled / outcomes.rested > 0.9


def test_spread_stays_near_the_market_makers_quote(
    day: tuple[MarketSimulation, dict[str, VenueEngine]],
) -> None:
    # Resting flow inside the makers' quotes narrows the spread; sweeps widen it briefly.
    for listing in LISTINGS:
        spread = day[0].stats.mean_spread_ticks(listing.symbol)
        assert 1.0 <= spread <= listing.spread_ticks + 2, listing.symbol


def test_every_symbol_trades(day: tuple[MarketSimulation, dict[str, VenueEngine]]) -> None:
    trades = day[0].stats.trades_by_symbol
    assert set(trades) == {listing.symbol for listing in LISTINGS}
    assert min(trades.values()) >= 10


def test_both_crosses_run_for_every_listing(
    day: tuple[MarketSimulation, dict[str, VenueEngine]],
) -> None:
    auctions = day[0].stats.auctions
    for kind in (AuctionKind.OPEN, AuctionKind.CLOSE):
        crossed = {a.symbol for a in auctions if a.kind is kind}
        assert crossed == {listing.symbol for listing in LISTINGS}
    assert any(a.matched_quantity > 0 for a in auctions if a.kind is AuctionKind.OPEN)
    assert any(a.matched_quantity > 0 for a in auctions if a.kind is AuctionKind.CLOSE)


def test_no_crossed_market_outlasts_the_routing_delay(
    day: tuple[MarketSimulation, dict[str, VenueEngine]],
) -> None:
    simulation = day[0]
    # The arbitrageur reacts one routing delay after a crossing appears and takes every stale
    # offer at once, so no crossing outlives that delay.
    limit = simulation.config.routing_delay_ns
    too_long = [d for d in simulation.stats.crossed_durations_ns if d > limit]
    assert too_long == []


def test_same_seed_same_day(day: tuple[MarketSimulation, dict[str, VenueEngine]]) -> None:
    short = SimulationConfig(
        seed=5,
        schedule=DaySchedule(pre_open_seconds=1, continuous_seconds=5, closing_window_seconds=2),
        events_per_second=300,
    )
    first = simulate(short)[1]
    second = simulate(short)[1]
    assert {n: e.state_hash() for n, e in first.items()} == {
        n: e.state_hash() for n, e in second.items()
    }

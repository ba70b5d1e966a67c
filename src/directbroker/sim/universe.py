"""The demo universe: venues with their real-world identities and fee schedules, and a list of
liquid US equities with reference prices. Reference data only; nothing here moves."""

from __future__ import annotations

from dataclasses import dataclass

from directbroker.domain.instruments import Instrument
from directbroker.domain.venue_config import FeeSchedule, VenueConfig


@dataclass(frozen=True, slots=True)
class Listing:
    """A symbol the simulation trades: its reference price (units of $0.0001), the exchange that
    lists it (runs its crosses) and a typical spread in ticks."""

    symbol: str
    name: str
    reference_price: int
    primary_venue: str
    spread_ticks: int = 1


LISTINGS: tuple[Listing, ...] = (
    Listing("AAPL", "Apple Inc.", 2_310_000, "NSDQ"),
    Listing("MSFT", "Microsoft Corp.", 4_255_000, "NSDQ"),
    Listing("NVDA", "NVIDIA Corp.", 1_382_000, "NSDQ"),
    Listing("AMZN", "Amazon.com Inc.", 2_015_000, "NSDQ"),
    Listing("TSLA", "Tesla Inc.", 3_398_000, "NSDQ", spread_ticks=2),
    Listing("SPY", "SPDR S&P 500 ETF", 5_932_000, "ARCA"),
    Listing("JPM", "JPMorgan Chase & Co.", 2_408_000, "ARCA"),
    Listing("KO", "Coca-Cola Co.", 621_000, "ARCA"),
)

# Per-share fees in micro-dollars (negative = rebate), in the spirit of the venues' public
# schedules: most pay makers and charge takers; IEX charges takers little and pays no rebate.
VENUE_FEES: dict[str, tuple[str, FeeSchedule, bool]] = {
    "ARCA": ("ARCX", FeeSchedule(maker=-2_000, taker=3_000, auction=1_000), True),
    "NSDQ": ("XNAS", FeeSchedule(maker=-2_950, taker=3_000, auction=1_000), True),
    "BATS": ("BATS", FeeSchedule(maker=-2_500, taker=3_000, auction=500), False),
    "EDGX": ("EDGX", FeeSchedule(maker=-2_000, taker=3_000, auction=500), False),
    "IEX": ("IEXG", FeeSchedule(maker=0, taker=900, auction=0), False),
}


def instruments(listings: tuple[Listing, ...] = LISTINGS) -> tuple[Instrument, ...]:
    """Instruments for the listings, as every venue knows them."""
    return tuple(
        Instrument(symbol=item.symbol, name=item.name, primary_venue=item.primary_venue)
        for item in listings
    )


def default_venues(listings: tuple[Listing, ...] = LISTINGS) -> tuple[VenueConfig, ...]:
    """The simulated venues, each trading every listed symbol (as US equities are)."""
    shared = instruments(listings)
    return tuple(
        VenueConfig(name=name, mic=mic, fees=fees, instruments=shared, runs_auctions=auctions)
        for name, (mic, fees, auctions) in VENUE_FEES.items()
    )

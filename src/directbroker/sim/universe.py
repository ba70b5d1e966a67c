"""The demo universe: venues with their real-world identities and fee schedules, and liquid US
equities with reference prices and typical daily volumes. Reference data only; nothing here moves.
"""

from __future__ import annotations

from dataclasses import dataclass

from directbroker.domain.instruments import Instrument
from directbroker.domain.venue_config import FeeSchedule, VenueConfig


@dataclass(frozen=True, slots=True)
class Listing:
    """A symbol the simulation trades.

    ``reference_price`` is in $0.0001 units (the prior close the day starts from);
    ``average_daily_volume`` in shares sets how busy the symbol is relative to the others;
    ``volatility_bps`` is the daily volatility of its latent price in basis points;
    ``spread_ticks`` is the market makers' typical quoted spread.
    """

    symbol: str
    name: str
    reference_price: int
    primary_venue: str
    average_daily_volume: int
    volatility_bps: int = 150
    spread_ticks: int = 1


LISTINGS: tuple[Listing, ...] = (
    Listing("AAPL", "Apple Inc.", 2_310_000, "NSDQ", 52_000_000, 140),
    Listing("MSFT", "Microsoft Corp.", 4_255_000, "NSDQ", 21_000_000, 130, 2),
    Listing("NVDA", "NVIDIA Corp.", 1_382_000, "NSDQ", 210_000_000, 300),
    Listing("AMZN", "Amazon.com Inc.", 2_015_000, "NSDQ", 40_000_000, 180),
    Listing("GOOGL", "Alphabet Inc. Class A", 1_752_000, "NSDQ", 27_000_000, 170),
    Listing("META", "Meta Platforms Inc.", 5_850_000, "NSDQ", 13_000_000, 200, 3),
    Listing("TSLA", "Tesla Inc.", 3_398_000, "NSDQ", 95_000_000, 380, 2),
    Listing("AMD", "Advanced Micro Devices", 1_405_000, "NSDQ", 45_000_000, 280),
    Listing("INTC", "Intel Corp.", 204_000, "NSDQ", 60_000_000, 250),
    Listing("QQQ", "Invesco QQQ Trust", 5_105_000, "NSDQ", 38_000_000, 110),
    Listing("SPY", "SPDR S&P 500 ETF", 5_932_000, "ARCA", 60_000_000, 90),
    Listing("IWM", "iShares Russell 2000 ETF", 2_251_000, "ARCA", 30_000_000, 130),
    Listing("JPM", "JPMorgan Chase & Co.", 2_408_000, "ARCA", 9_000_000, 120),
    Listing("BAC", "Bank of America Corp.", 462_000, "ARCA", 38_000_000, 140),
    Listing("XOM", "Exxon Mobil Corp.", 1_104_000, "ARCA", 15_000_000, 130),
    Listing("KO", "Coca-Cola Co.", 621_000, "ARCA", 14_000_000, 80),
    Listing("WMT", "Walmart Inc.", 921_000, "ARCA", 16_000_000, 110),
    Listing("F", "Ford Motor Co.", 108_000, "ARCA", 55_000_000, 200),
    Listing("T", "AT&T Inc.", 225_000, "ARCA", 33_000_000, 110),
    Listing("PLUG", "Plug Power Inc.", 9_850, "NSDQ", 48_000_000, 600, 5),
)

# Per-share fees in micro-dollars (negative = rebate), in the spirit of the venues' public
# schedules: most pay makers and charge takers; IEX charges takers little and pays no rebate.
# Listing exchanges (ARCA, NSDQ) run the opening and closing crosses.
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

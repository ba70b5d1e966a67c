"""The router's view of the market: which venues it may use and the NBBO it measures against.

Venue facts come from construction (``VenueConfig``: fees, symbols traded), the venue link
(up/down) and consolidated status (``TradingStatusChanged``: halted at which venues). The
displayed book lives in :mod:`book`; together they are everything the planner decides from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from directbroker.domain.venue_config import VenueConfig
from directbroker.engines.router.book import ConsolidatedBook


@dataclass(frozen=True, slots=True)
class Nbbo:
    """The national best bid and offer last published for a symbol (``None``: side empty)."""

    bid: int | None
    ask: int | None

    @property
    def mid2(self) -> int | None:
        """Twice the midpoint (bid + ask), kept doubled so half-ticks stay integers."""
        if self.bid is None or self.ask is None:
            return None
        return self.bid + self.ask


NO_QUOTE = Nbbo(None, None)


class MarketView:
    """Venue configurations and status, the published NBBO, and the consolidated book."""

    __slots__ = ("book", "configs", "down", "halted", "quotes")

    def __init__(self, venues: Sequence[VenueConfig]) -> None:
        self.configs: dict[str, VenueConfig] = {v.name: v for v in venues}
        self.down: dict[str, str] = {}
        """Venue -> why it is down."""
        self.halted: dict[str, frozenset[str]] = {}
        """Symbol -> venues where it is halted."""
        self.quotes: dict[str, Nbbo] = {}
        self.book = ConsolidatedBook()

    def trades(self, venue: str, symbol: str) -> bool:
        """Whether the venue lists or trades the symbol."""
        config = self.configs.get(venue)
        return config is not None and config.instrument(symbol) is not None

    def is_halted(self, venue: str, symbol: str) -> bool:
        """Whether the symbol is halted at the venue."""
        return venue in self.halted.get(symbol, frozenset())

    def is_live(self, venue: str, symbol: str) -> bool:
        """Up, trading the symbol and not halted: its displayed quote is protected (Reg NMS
        lets a router bypass a venue that does not answer, and a halted quote is not firm)."""
        return (
            venue not in self.down
            and self.trades(venue, symbol)
            and not self.is_halted(venue, symbol)
        )

    def live_venues(self, symbol: str) -> list[str]:
        """Every live venue for the symbol, by name."""
        return [name for name in sorted(self.configs) if self.is_live(name, symbol)]

    def protected_venues(self, symbol: str) -> list[str]:
        """Venues whose displayed quote we must not trade through or lock: live configured
        venues plus any venue market data shows that we do not connect to (its quote is
        protected all the same), unless halted or known to be down."""
        shown = set(self.book.venues(symbol))
        return [
            name
            for name in sorted(shown | set(self.configs))
            if (
                self.is_live(name, symbol)
                if name in self.configs
                else not self.is_halted(name, symbol)
            )
            and name not in self.down
        ]

    def nbbo(self, symbol: str) -> Nbbo:
        """The last published NBBO."""
        return self.quotes.get(symbol, NO_QUOTE)

    def taker_fee(self, venue: str) -> int:
        """Per-share taker fee in micro-dollars (negative: an inverted venue pays takers)."""
        return self.configs[venue].fees.taker

    def maker_fee(self, venue: str) -> int:
        """Per-share maker fee in micro-dollars (negative: a rebate)."""
        return self.configs[venue].fees.maker

    def primary_venue(self, symbol: str) -> str:
        """The listing venue, as any venue's instrument record names it."""
        for name in sorted(self.configs):
            instrument = self.configs[name].instrument(symbol)
            if instrument is not None and instrument.primary_venue:
                return instrument.primary_venue
        return ""

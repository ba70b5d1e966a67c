"""What the simulated traders can see of the market: each venue's top of book.

The simulation reads the market only through this narrow port, so it runs the same against
in-process venues, against the consolidated market data feed, or against a recorded day.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Top:
    """A venue's best displayed bid and offer for one symbol (None: that side is empty)."""

    bid: int | None
    bid_size: int
    ask: int | None
    ask_size: int


EMPTY_TOP = Top(None, 0, None, 0)


class MarketView(Protocol):
    """Read-only access to the venues' top of book."""

    def top(self, venue: str, symbol: str) -> Top:
        """The venue's best bid and offer for ``symbol``."""
        ...


@dataclass(frozen=True, slots=True)
class NationalTop:
    """The best bid and offer across venues, and where each is."""

    bid: int | None
    bid_venue: str | None
    ask: int | None
    ask_venue: str | None

    @property
    def crossed_or_locked(self) -> bool:
        """Whether the best bid is at or above the best offer."""
        return self.bid is not None and self.ask is not None and self.bid >= self.ask


def national_top(view: MarketView, venues: Iterable[str], symbol: str) -> NationalTop:
    """Best bid and offer over ``venues`` (ties go to the first venue listed)."""
    bid: int | None = None
    ask: int | None = None
    bid_venue: str | None = None
    ask_venue: str | None = None
    for venue in venues:
        top = view.top(venue, symbol)
        if top.bid is not None and (bid is None or top.bid > bid):
            bid, bid_venue = top.bid, venue
        if top.ask is not None and (ask is None or top.ask < ask):
            ask, ask_venue = top.ask, venue
    return NationalTop(bid, bid_venue, ask, ask_venue)

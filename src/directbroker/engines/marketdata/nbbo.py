"""The national best bid and offer of one symbol, kept over every venue's book.

A change to a venue's book only moves the NBBO if it moved that venue's top of book, so the
scan across venues (O(venues)) runs only then; every other feed message costs a dict update.
Attribution follows the SIP: among venues at the best price, the one with the largest size
(ties broken by venue name, so the answer is a pure function of the books).
"""

from __future__ import annotations

from directbroker.domain.marketdata_messages import Montage, PriceLevel, Quote, VenueDepth
from directbroker.engines.marketdata.book import Top, VenueBook

Side = tuple[int | None, int, str]
"""(price or None, size, venue) of one side of the NBBO."""

NO_SIDE: Side = (None, 0, "")


def best_side(tops: list[tuple[str, Top]], is_bid: bool) -> Side:
    """The best of the venues' tops for one side, attributed as the SIP does."""
    best: Side = NO_SIDE
    for venue, top in tops:
        if top is None:
            continue
        price, size = top
        current = best[0]
        if current is None:
            better = True
        elif price != current:
            better = price > current if is_bid else price < current
        else:
            better = size > best[1] or (size == best[1] and venue < best[2])
        if better:
            best = (price, size, venue)
    return best


class SymbolMarket:
    """All venues' books for one symbol and the NBBO derived from them."""

    __slots__ = ("ask", "bid", "quote_ts_ns", "venues")

    def __init__(self) -> None:
        self.venues: dict[str, VenueBook] = {}
        self.bid: Side = NO_SIDE
        self.ask: Side = NO_SIDE
        self.quote_ts_ns = 0

    def book(self, venue: str) -> VenueBook:
        """The venue's book, created on first sight of the venue."""
        book = self.venues.get(venue)
        if book is None:
            book = self.venues[venue] = VenueBook()
        return book

    def refresh(self, is_bid: bool, ts_ns: int) -> bool:
        """Recompute one side of the NBBO after a venue's top on that side moved; True if the
        NBBO changed."""
        side = best_side([(v, b.top(is_bid)) for v, b in self.venues.items()], is_bid)
        if is_bid:
            if side == self.bid:
                return False
            self.bid = side
        else:
            if side == self.ask:
                return False
            self.ask = side
        self.quote_ts_ns = ts_ns
        return True

    def quote(self, symbol: str) -> Quote:
        """The NBBO as a value."""
        bid, ask = self.bid, self.ask
        return Quote(symbol, bid[0], bid[1], bid[2], ask[0], ask[1], ask[2], self.quote_ts_ns)

    def montage(self, symbol: str, depth: int) -> Montage:
        """Level II: each venue with displayed interest, by name, levels best first."""
        rows = []
        for venue in sorted(self.venues):
            book = self.venues[venue]
            if book.is_empty():
                continue
            rows.append(
                VenueDepth(
                    venue,
                    tuple(PriceLevel(*level) for level in book.levels(True, depth)),
                    tuple(PriceLevel(*level) for level in book.levels(False, depth)),
                )
            )
        return Montage(symbol, tuple(rows))

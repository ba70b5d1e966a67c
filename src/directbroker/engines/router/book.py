"""The consolidated displayed book: every venue's aggregated size at every price, per symbol.

Built from ``DepthUpdated`` (Level II deltas), so the router sees exactly what market data
publishes. Each venue side keeps its prices sorted, which makes "best first" a slice rather than
a sort at routing time: the planner merges the venues' already-sorted levels lazily and stops as
soon as the order is covered.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterator

from directbroker.domain.orders import BookSide

Level = tuple[int, int]
"""(price, displayed shares)."""


class SideLevels:
    """One venue's displayed levels on one side: sorted prices plus size per price."""

    __slots__ = ("_bids", "prices", "sizes")

    def __init__(self, side: BookSide) -> None:
        self._bids = side is BookSide.BID
        self.prices: list[int] = []
        self.sizes: dict[int, int] = {}

    def set(self, price: int, quantity: int) -> None:
        """Set the displayed size at ``price`` (0 removes the level)."""
        if quantity <= 0:
            if self.sizes.pop(price, None) is not None:
                del self.prices[bisect_left(self.prices, price)]
            return
        if price not in self.sizes:
            insort(self.prices, price)
        self.sizes[price] = quantity

    def best(self) -> int | None:
        """The best price (highest bid, lowest ask), if any."""
        if not self.prices:
            return None
        return self.prices[-1] if self._bids else self.prices[0]

    def levels(self) -> Iterator[Level]:
        """Levels best first."""
        sizes = self.sizes
        prices = reversed(self.prices) if self._bids else iter(self.prices)
        for price in prices:
            yield price, sizes[price]

    def consume(self, limit: int, quantity: int) -> None:
        """Take ``quantity`` from the best levels at ``limit`` or better, as a sweep will."""
        for price, size in list(self.levels()):
            if quantity <= 0 or (price < limit if self._bids else price > limit):
                return
            taken = min(size, quantity)
            self.set(price, size - taken)
            quantity -= taken

    def remove_through(self, price: int) -> None:
        """Forget every level at ``price`` or better (it proved not to be there)."""
        if self._bids:
            cut = bisect_left(self.prices, price)
            gone, self.prices = self.prices[cut:], self.prices[:cut]
        else:
            cut = bisect_left(self.prices, price + 1)
            gone, self.prices = self.prices[:cut], self.prices[cut:]
        for level in gone:
            del self.sizes[level]


class ConsolidatedBook:
    """Venue -> side -> price -> displayed size, per symbol."""

    __slots__ = ("_symbols",)

    def __init__(self) -> None:
        self._symbols: dict[str, dict[str, tuple[SideLevels, SideLevels]]] = {}

    def set_level(self, symbol: str, venue: str, side: BookSide, price: int, qty: int) -> None:
        """Apply one Level II delta."""
        self._sides(symbol, venue)[side is BookSide.ASK].set(price, qty)

    def _sides(self, symbol: str, venue: str) -> tuple[SideLevels, SideLevels]:
        venues = self._symbols.setdefault(symbol, {})
        sides = venues.get(venue)
        if sides is None:
            sides = venues[venue] = (SideLevels(BookSide.BID), SideLevels(BookSide.ASK))
        return sides

    def side(self, symbol: str, venue: str, side: BookSide) -> SideLevels | None:
        """One venue's levels on one side, if it ever quoted the symbol."""
        sides = self._symbols.get(symbol, {}).get(venue)
        return None if sides is None else sides[side is BookSide.ASK]

    def venues(self, symbol: str) -> tuple[str, ...]:
        """Venues that have quoted the symbol, by name."""
        return tuple(sorted(self._symbols.get(symbol, {})))

    def best(self, symbol: str, venue: str, side: BookSide) -> int | None:
        """A venue's best price on a side."""
        levels = self.side(symbol, venue, side)
        return None if levels is None else levels.best()

    def size_at(self, symbol: str, venue: str, side: BookSide, price: int) -> int:
        """A venue's displayed size at one price (0 if none)."""
        levels = self.side(symbol, venue, side)
        return 0 if levels is None else levels.sizes.get(price, 0)

    def to_plain(self) -> list[object]:
        """Canonical plain form for snapshots: sorted by symbol, venue, side and price."""
        out: list[object] = []
        for symbol in sorted(self._symbols):
            for venue, (bids, asks) in sorted(self._symbols[symbol].items()):
                out.append(
                    [
                        symbol,
                        venue,
                        [[p, bids.sizes[p]] for p in bids.prices],
                        [[p, asks.sizes[p]] for p in asks.prices],
                    ]
                )
        return out

    @classmethod
    def from_plain(cls, plain: list[list[object]]) -> ConsolidatedBook:
        """Rebuild from :meth:`to_plain`."""
        book = cls()
        for symbol, venue, bids, asks in plain:
            sides = book._sides(str(symbol), str(venue))
            for levels, plain_levels in zip(sides, (bids, asks), strict=True):
                for price, qty in plain_levels:  # type: ignore[attr-defined]
                    levels.set(int(price), int(qty))
        return book

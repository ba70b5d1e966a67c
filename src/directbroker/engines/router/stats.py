"""Execution-quality statistics per venue and per route, as exact integer sums.

Definitions (SEC Rule 605 in spirit; prices in $0.0001 units, ``mid2`` = bid + ask = twice the
midpoint, so every sum stays an integer and ratios are exact fractions):

- fill rate: shares filled / shares routed;
- time to fill: share-weighted time from sending a child to each of its fills;
- effective spread: 2 x |price - midpoint at arrival| = |2 x price - mid2|, per share;
- realized spread: 2 x (price - midpoint ``markout_ns`` later) for buys, mirrored for sells;
- price improvement: against the NBBO at the parent's arrival, (ask - price) for buys and
  (price - bid) for sells, per share; negative means the order paid through it (a sweep).

Fills whose arrival NBBO had an empty side are counted but not measured.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, fields
from fractions import Fraction


@dataclass(slots=True)
class ExecutionStats:
    """Running sums for one venue or one route."""

    orders: int = 0
    shares_routed: int = 0
    shares_filled: int = 0
    fills: int = 0
    fill_time_ns_shares: int = 0
    measured_shares: int = 0
    effective_spread_shares: int = 0
    improvement_shares: int = 0
    improved_shares: int = 0
    realized_spread_shares: int = 0
    realized_shares: int = 0
    fees: int = 0
    """Micro-dollars: positive paid, negative rebates received."""

    @property
    def fill_rate(self) -> Fraction:
        """Shares filled per share routed (0 with nothing routed)."""
        return (
            Fraction(self.shares_filled, self.shares_routed) if self.shares_routed else Fraction(0)
        )

    @property
    def average_fill_ns(self) -> Fraction:
        """Share-weighted mean time from routing a child to its fills."""
        return _ratio(self.fill_time_ns_shares, self.shares_filled)

    @property
    def effective_spread(self) -> Fraction:
        """Mean effective spread per share, in price units."""
        return _ratio(self.effective_spread_shares, self.measured_shares)

    @property
    def price_improvement(self) -> Fraction:
        """Mean improvement per share against the arrival NBBO, in price units."""
        return _ratio(self.improvement_shares, self.measured_shares)

    @property
    def realized_spread(self) -> Fraction:
        """Mean realized spread per share, in price units."""
        return _ratio(self.realized_spread_shares, self.realized_shares)

    @property
    def net_payment(self) -> int:
        """Rebates received minus fees paid, micro-dollars."""
        return -self.fees

    def to_plain(self) -> list[int | str]:
        """The sums in field order (snapshots). A sum past 64 bits, which msgpack cannot carry
        as an integer (share-weighted fill times of a long-lived firm grow that far), is
        written as its decimal digits."""
        return [_packable(getattr(self, f.name)) for f in fields(self)]

    @classmethod
    def from_plain(cls, plain: list[int | str]) -> ExecutionStats:
        """Rebuild from :meth:`to_plain`."""
        return cls(*(int(value) for value in plain))


_INT64 = 1 << 63


def _packable(value: int) -> int | str:
    return value if -_INT64 <= value < _INT64 else str(value)


def _ratio(numerator: int, denominator: int) -> Fraction:
    return Fraction(numerator, denominator) if denominator else Fraction(0)


@dataclass(frozen=True, slots=True)
class Markout:
    """A fill waiting for the midpoint ``markout_ns`` after it (realized spread)."""

    due_ns: int
    sign: int
    price: int
    quantity: int
    venue: str
    route: str


class StatsBook:
    """Statistics by venue and by route, and the mark-outs still due per symbol."""

    __slots__ = ("by_route", "by_venue", "markouts", "posted")

    def __init__(self) -> None:
        self.by_venue: dict[str, ExecutionStats] = {}
        self.by_route: dict[str, ExecutionStats] = {}
        self.posted: dict[str, tuple[int, int]] = {}
        """Venue -> (shares posted, shares of those filled), over finished POST children."""
        self.markouts: dict[str, deque[Markout]] = {}

    def venue(self, name: str) -> ExecutionStats:
        """The venue's sums (created empty)."""
        stats = self.by_venue.get(name)
        if stats is None:
            stats = self.by_venue[name] = ExecutionStats()
        return stats

    def route(self, name: str) -> ExecutionStats:
        """The route's sums (created empty)."""
        stats = self.by_route.get(name)
        if stats is None:
            stats = self.by_route[name] = ExecutionStats()
        return stats

    def on_routed(self, venue: str, route: str, quantity: int, new_parent: bool) -> None:
        """A child was sent (a parent counts once per route, a child once per venue)."""
        at_venue = self.venue(venue)
        at_venue.orders += 1
        at_venue.shares_routed += quantity
        by_route = self.route(route)
        by_route.orders += int(new_parent)
        by_route.shares_routed += quantity

    def on_fill(
        self,
        venue: str,
        route: str,
        buying: bool,
        price: int,
        quantity: int,
        fee: int,
        waited_ns: int,
        arrival: tuple[int | None, int | None],
    ) -> None:
        """One execution of a child, measured against the parent's arrival NBBO."""
        bid, ask = arrival
        for stats in (self.venue(venue), self.route(route)):
            stats.shares_filled += quantity
            stats.fills += 1
            stats.fill_time_ns_shares += waited_ns * quantity
            stats.fees += fee
            if bid is None or ask is None:
                continue
            stats.measured_shares += quantity
            stats.effective_spread_shares += abs(2 * price - bid - ask) * quantity
            improvement = (ask - price) if buying else (price - bid)
            stats.improvement_shares += improvement * quantity
            if improvement > 0:
                stats.improved_shares += quantity

    def schedule_markout(self, symbol: str, markout: Markout) -> None:
        """Remember a fill until the midpoint after ``markout.due_ns`` is known."""
        self.markouts.setdefault(symbol, deque()).append(markout)

    def settle(self, symbol: str, until_ns: int, mid2: int | None) -> None:
        """Mark out every fill due at or before ``until_ns`` with the midpoint prevailing then
        (``mid2`` is the quote in force up to ``until_ns``; no quote: the fill goes unmeasured)."""
        due = self.markouts.get(symbol)
        while due and due[0].due_ns <= until_ns:
            item = due.popleft()
            if mid2 is None:
                continue
            realized = item.sign * (2 * item.price - mid2) * item.quantity
            for stats in (self.venue(item.venue), self.route(item.route)):
                stats.realized_spread_shares += realized
                stats.realized_shares += item.quantity
        if due is not None and not due:
            del self.markouts[symbol]

    def on_post_done(self, venue: str, posted: int, filled: int) -> None:
        """A resting child finished: feed the fill-rate posting policy."""
        before_posted, before_filled = self.posted.get(venue, (0, 0))
        self.posted[venue] = (before_posted + posted, before_filled + filled)

    def to_plain(self) -> list[object]:
        """Canonical plain form (sorted keys) for snapshots."""
        return [
            [[k, v.to_plain()] for k, v in sorted(self.by_venue.items())],
            [[k, v.to_plain()] for k, v in sorted(self.by_route.items())],
            [[k, list(v)] for k, v in sorted(self.posted.items())],
            [
                [symbol, [[m.due_ns, m.sign, m.price, m.quantity, m.venue, m.route] for m in q]]
                for symbol, q in sorted(self.markouts.items())
            ],
        ]

    @classmethod
    def from_plain(cls, plain: list[list[list[object]]]) -> StatsBook:
        """Rebuild from :meth:`to_plain`."""
        book = cls()
        venues, routes, posted, markouts = plain
        book.by_venue = {str(k): ExecutionStats.from_plain(v) for k, v in venues}  # type: ignore[arg-type]
        book.by_route = {str(k): ExecutionStats.from_plain(v) for k, v in routes}  # type: ignore[arg-type]
        book.posted = {str(k): (int(v[0]), int(v[1])) for k, v in posted}  # type: ignore[index]
        for symbol, items in markouts:
            book.markouts[str(symbol)] = deque(Markout(*m) for m in items)  # type: ignore[attr-defined]
        return book

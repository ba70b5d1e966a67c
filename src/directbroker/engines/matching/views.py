"""Read-only answers the engines give about their books (for market data, tests and operators)."""

from __future__ import annotations

from dataclasses import dataclass

from directbroker.domain.orders import OrderType, PostOnly, Side, TimeInForce


@dataclass(frozen=True, slots=True)
class BestBidOffer:
    """The venue's own displayed top of book; a missing side has price None and size 0."""

    bid_price: int | None
    bid_size: int
    ask_price: int | None
    ask_size: int


@dataclass(frozen=True, slots=True)
class Depth:
    """Displayed size aggregated by price, best price first, as (price, size) pairs."""

    bids: tuple[tuple[int, int], ...]
    asks: tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class OrderView:
    """A working order as the venue holds it.

    ``priority`` is the venue sequence number that orders it in its queue (lower is earlier); for a
    displayed order it is also its public ``book_ref`` on the order-level feed.
    """

    order_id: str
    participant: str
    symbol: str
    side: Side
    order_type: OrderType
    time_in_force: TimeInForce
    price: int | None
    leaves_quantity: int
    filled_quantity: int
    displayed_quantity: int
    display_quantity: int | None
    hidden: bool
    post_only: PostOnly
    priority: int

    @property
    def quantity(self) -> int:
        """The order's current total size (what a replace sets)."""
        return self.leaves_quantity + self.filled_quantity

    @property
    def book_ref(self) -> int | None:
        """The public feed reference while part of the order is displayed."""
        return self.priority if self.displayed_quantity else None

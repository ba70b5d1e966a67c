"""The reference engine's book: plain lists, re-sorted on every question. Slow and obvious.

It exists to be read and believed: every priority question is answered by sorting all the
candidates by the rule as written (price, then displayed before hidden before pegs, then time),
so the fast book can be tested against it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from directbroker.domain.orders import AuctionKind, OrderType, PostOnly, Side, TimeInForce
from directbroker.engines.matching.pricing import peg_price


@dataclass
class RefOrder:
    """A working order in the reference engine; ``seq`` is its queue priority (lower first)."""

    order_id: str
    participant: str
    symbol: str
    side: Side
    order_type: OrderType
    time_in_force: TimeInForce
    hidden: bool
    post_only: PostOnly
    display: int | None
    price: int | None
    leaves: int
    filled: int = 0
    shown: int = 0
    seq: int = 0

    @property
    def is_buy(self) -> bool:
        return self.side is Side.BUY

    @property
    def is_peg(self) -> bool:
        return self.order_type is OrderType.PEG_MIDPOINT

    @property
    def displayed(self) -> bool:
        """Whether this order (when resting) shows size on the feed."""
        return self.order_type is OrderType.LIMIT and not self.hidden

    def display_size(self) -> int:
        """What the order shows when it (re)joins its queue."""
        return min(self.display, self.leaves) if self.display is not None else self.leaves


@dataclass
class RefBook:
    """One symbol: resting continuous orders (limits and pegs) and the auction queues."""

    symbol: str
    resting: list[RefOrder] = field(default_factory=list)
    auctions: dict[AuctionKind, list[RefOrder]] = field(
        default_factory=lambda: {AuctionKind.OPEN: [], AuctionKind.CLOSE: []}
    )
    halted: bool = False

    def displayed_best(self, buy_side: bool, exclude: RefOrder | None = None) -> int | None:
        """The best displayed price on a side, optionally as if ``exclude`` were gone."""
        prices = [
            o.price
            for o in self.resting
            if o.is_buy == buy_side and o.displayed and o.shown > 0 and o is not exclude
        ]
        valid = [p for p in prices if p is not None]
        if not valid:
            return None
        return max(valid) if buy_side else min(valid)

    def candidates(
        self, buy_side: bool, exclude: RefOrder | None = None
    ) -> list[tuple[int, RefOrder]]:
        """Every order on a side that could trade now, best first, with the price it trades at."""
        bid = self.displayed_best(True, exclude)
        ask = self.displayed_best(False, exclude)
        ranked: list[tuple[tuple[int, int, int], int, RefOrder]] = []
        for o in self.resting:
            if o.is_buy != buy_side or o is exclude:
                continue
            if o.is_peg:
                px = peg_price(bid, ask, buy_side, o.price)
                if px is None:
                    continue
                rank = 2
            else:
                assert o.price is not None
                px = o.price
                rank = 0 if o.displayed else 1
            ranked.append(((-px if buy_side else px, rank, o.seq), px, o))
        ranked.sort(key=lambda item: item[0])
        return [(px, o) for _, px, o in ranked]

    def peg_price_of(self, order: RefOrder) -> int | None:
        """Where a peg works right now."""
        return peg_price(
            self.displayed_best(True), self.displayed_best(False), order.is_buy, order.price
        )

"""The fast book's structures: orders, price levels and sides, built for CPython speed and size.

An order is a ``__slots__`` object in an intrusive doubly-linked list (its level's displayed queue
or hidden queue), so joining the back of a queue and leaving from anywhere are O(1) with no
per-order container. Its unchanging attributes (side, type, time in force, hidden, post-only,
display size) live in one interned :class:`Spec` shared by every order with the same terms, which
keeps a resting order at eleven pointer fields. A side keeps its levels in a dict by sort key and a
sorted list of keys with the best price at the end, so the best level is ``keys[-1]`` and removing
it is a ``pop()``; the key is the price for bids and minus the price for asks.
"""

from __future__ import annotations

from bisect import bisect_left, insort

from directbroker.domain.orders import AuctionKind, OrderType, PostOnly, Side, TimeInForce


class Spec:
    """The fixed terms of an order, shared between orders (never mutated after creation)."""

    __slots__ = (
        "auction",
        "book_side",
        "display",
        "hidden",
        "is_buy",
        "is_market",
        "is_peg",
        "on_book",
        "order_type",
        "post_only",
        "side",
        "symbol",
        "time_in_force",
    )

    def __init__(
        self,
        symbol: str,
        side: Side,
        order_type: OrderType,
        time_in_force: TimeInForce,
        hidden: bool,
        post_only: PostOnly,
        display: int | None,
    ) -> None:
        self.symbol = symbol
        self.side = side
        self.book_side = side.book_side
        self.is_buy = side is Side.BUY
        self.order_type = order_type
        self.time_in_force = time_in_force
        self.hidden = hidden
        self.post_only = post_only
        self.display = display
        self.is_peg = order_type is OrderType.PEG_MIDPOINT
        self.is_market = order_type in (
            OrderType.MARKET,
            OrderType.MARKET_ON_OPEN,
            OrderType.MARKET_ON_CLOSE,
        )
        self.auction: AuctionKind | None = order_type.auction
        self.on_book = order_type is OrderType.LIMIT and not hidden
        """Whether the order shows size on the feed while it rests (displayed or reserve)."""


class Order:
    """A working order. ``seq`` is its queue priority and, while displayed, its book_ref."""

    __slots__ = (
        "filled",
        "leaves",
        "level",
        "next",
        "order_id",
        "participant",
        "prev",
        "price",
        "seq",
        "shown",
        "spec",
    )

    def __init__(
        self, order_id: str, participant: str, spec: Spec, price: int | None, leaves: int, seq: int
    ) -> None:
        self.order_id = order_id
        self.participant = participant
        self.spec = spec
        self.price = price
        self.leaves = leaves
        self.filled = 0
        self.shown = 0
        self.seq = seq
        self.prev: Order | None = None
        self.next: Order | None = None
        self.level: Level | None = None


class Level:
    """One price on one side: a displayed queue, then a hidden queue, each in time order."""

    __slots__ = ("half", "head", "hidden_head", "hidden_tail", "key", "price", "shown", "tail")

    def __init__(self, half: BookHalf, price: int, key: int) -> None:
        self.half = half
        self.price = price
        self.key = key
        self.head: Order | None = None
        self.tail: Order | None = None
        self.hidden_head: Order | None = None
        self.hidden_tail: Order | None = None
        self.shown = 0
        """Total displayed size at this price (what depth and the BBO report)."""

    def append(self, order: Order) -> None:
        """Put ``order`` at the back of its queue (it must carry its final ``shown``)."""
        order.level = self
        order.next = None
        if order.spec.hidden:
            tail = self.hidden_tail
            order.prev = tail
            if tail is None:
                self.hidden_head = order
            else:
                tail.next = order
            self.hidden_tail = order
        else:
            tail = self.tail
            order.prev = tail
            if tail is None:
                self.head = order
            else:
                tail.next = order
            self.tail = order
            self.shown += order.shown

    def unlink(self, order: Order) -> None:
        """Take ``order`` out of its queue (and its displayed size out of the level)."""
        prev, nxt = order.prev, order.next
        if order.spec.hidden:
            if prev is None:
                self.hidden_head = nxt
            else:
                prev.next = nxt
            if nxt is None:
                self.hidden_tail = prev
            else:
                nxt.prev = prev
        else:
            self.shown -= order.shown
            if prev is None:
                self.head = nxt
            else:
                prev.next = nxt
            if nxt is None:
                self.tail = prev
            else:
                nxt.prev = prev
        order.prev = order.next = None
        order.level = None

    def queue_leaves(self, hidden: bool) -> int:
        """All open quantity in one queue (reserve included)."""
        total = 0
        order = self.hidden_head if hidden else self.head
        while order is not None:
            total += order.leaves
            order = order.next
        return total


class BookHalf:
    """One side of one symbol's book."""

    __slots__ = ("is_bid", "keys", "levels")

    def __init__(self, is_bid: bool) -> None:
        self.is_bid = is_bid
        self.levels: dict[int, Level] = {}
        self.keys: list[int] = []

    def level_at(self, price: int) -> Level:
        """The level at ``price``, created (and indexed) if the side has none there."""
        key = price if self.is_bid else -price
        level = self.levels.get(key)
        if level is None:
            level = self.levels[key] = Level(self, price, key)
            keys = self.keys
            if not keys or key > keys[-1]:
                keys.append(key)
            else:
                insort(keys, key)
        return level

    def drop(self, level: Level) -> None:
        """Forget an empty level."""
        key = level.key
        del self.levels[key]
        keys = self.keys
        if keys[-1] == key:
            keys.pop()
        else:
            del keys[bisect_left(keys, key)]

    def best_displayed(self, exclude: Order | None = None) -> int | None:
        """The best price with displayed size, optionally as if ``exclude`` were not there."""
        levels = self.levels
        for key in reversed(self.keys):
            level = levels[key]
            shown = level.shown
            if exclude is not None and exclude.level is level and not exclude.spec.hidden:
                shown -= exclude.shown
            if shown > 0:
                return level.price
        return None

    def in_order(self) -> list[Level]:
        """Levels best first."""
        levels = self.levels
        return [levels[key] for key in reversed(self.keys)]


class Book:
    """Everything one venue holds for one symbol."""

    __slots__ = ("asks", "auctions", "bids", "buy_pegs", "halted", "sell_pegs", "symbol")

    def __init__(self, symbol: str) -> None:
        self.symbol = symbol
        self.bids = BookHalf(True)
        self.asks = BookHalf(False)
        self.buy_pegs: list[Order] = []
        self.sell_pegs: list[Order] = []
        self.auctions: dict[AuctionKind, list[Order]] = {
            AuctionKind.OPEN: [],
            AuctionKind.CLOSE: [],
        }
        self.halted = False

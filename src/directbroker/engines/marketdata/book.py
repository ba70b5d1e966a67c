"""One venue's displayed book for one symbol, rebuilt from its order-level feed.

Orders are kept by ``book_ref`` only to know where a later execute/cancel/delete lands; views
need just the aggregate per price level. Each side keeps its level prices in a sorted list keyed
so that the best level is always last (bids by price, asks by minus price): the usual changes
(a new best, the best level emptied) are then appends and pops, and the top of book is O(1).

Every mutator validates fully before changing anything and returns an error text instead of
raising, so a bad or gapped feed message is rejected without touching the book.
"""

from __future__ import annotations

from bisect import bisect_left, insort

Top = tuple[int, int] | None
"""(price, size at that price) of one side's best level, or None for an empty side."""

LevelChange = tuple[bool, int, int, int]
"""(is_bid, price, new aggregate quantity, new order count) of one level after a change."""


class VenueBook:
    """Aggregated price levels of one venue's displayed orders for one symbol."""

    __slots__ = ("ask_keys", "asks", "bid_keys", "bids", "orders")

    def __init__(self) -> None:
        self.orders: dict[int, list[int]] = {}
        """book_ref -> [is_bid (0/1), price, open quantity]."""
        self.bids: dict[int, list[int]] = {}
        """price -> [aggregate quantity, order count]."""
        self.asks: dict[int, list[int]] = {}
        self.bid_keys: list[int] = []
        """Bid prices ascending: best last."""
        self.ask_keys: list[int] = []
        """Minus ask prices ascending: best (lowest price) last."""

    # --- views ---------------------------------------------------------------------------

    def top(self, is_bid: bool) -> Top:
        """The best level of one side."""
        if is_bid:
            if not self.bid_keys:
                return None
            price = self.bid_keys[-1]
            return price, self.bids[price][0]
        if not self.ask_keys:
            return None
        price = -self.ask_keys[-1]
        return price, self.asks[price][0]

    def levels(self, is_bid: bool, depth: int) -> list[tuple[int, int, int]]:
        """Up to ``depth`` levels of one side as (price, quantity, orders), best first."""
        keys = self.bid_keys if is_bid else self.ask_keys
        table = self.bids if is_bid else self.asks
        out: list[tuple[int, int, int]] = []
        for key in reversed(keys[-depth:] if depth > 0 else []):
            price = key if is_bid else -key
            quantity, count = table[price]
            out.append((price, quantity, count))
        return out

    def is_empty(self) -> bool:
        """Whether no displayed order rests here."""
        return not self.orders

    # --- mutators (return an error text, or None when applied) ---------------------------

    def add(self, ref: int, is_bid: bool, price: int, quantity: int) -> str | LevelChange:
        """A displayed order joined the book."""
        if ref in self.orders:
            return f"book_ref {ref} is already on the book"
        if price <= 0 or quantity <= 0:
            return f"book_ref {ref}: price and quantity must be positive"
        self.orders[ref] = [int(is_bid), price, quantity]
        return self._level_add(is_bid, price, quantity, 1)

    def reduce(self, ref: int, quantity: int) -> str | LevelChange:
        """Part of an order traded or was cancelled; at zero it leaves the book (as in ITCH,
        a full execution needs no separate delete)."""
        order = self.orders.get(ref)
        if order is None:
            return f"unknown book_ref {ref}"
        if quantity <= 0 or quantity > order[2]:
            return f"book_ref {ref}: cannot take {quantity} from {order[2]}"
        order[2] -= quantity
        is_bid = bool(order[0])
        gone = order[2] == 0
        if gone:
            del self.orders[ref]
        return self._level_add(is_bid, order[1], -quantity, -1 if gone else 0)

    def delete(self, ref: int) -> str | LevelChange:
        """An order left the book."""
        order = self.orders.pop(ref, None)
        if order is None:
            return f"unknown book_ref {ref}"
        return self._level_add(bool(order[0]), order[1], -order[2], -1)

    def replace(
        self, old_ref: int, new_ref: int, price: int, quantity: int
    ) -> str | tuple[LevelChange, LevelChange]:
        """An order was replaced by a new one on the same side (new reference, back of queue)."""
        order = self.orders.get(old_ref)
        if order is None:
            return f"unknown book_ref {old_ref}"
        if new_ref != old_ref and new_ref in self.orders:
            return f"book_ref {new_ref} is already on the book"
        if price <= 0 or quantity <= 0:
            return f"book_ref {new_ref}: price and quantity must be positive"
        removed = self.delete(old_ref)
        added = self.add(new_ref, bool(order[0]), price, quantity)
        assert not isinstance(removed, str) and not isinstance(added, str)
        return removed, added

    # --- internals -----------------------------------------------------------------------

    def _level_add(self, is_bid: bool, price: int, quantity: int, count: int) -> LevelChange:
        table = self.bids if is_bid else self.asks
        keys = self.bid_keys if is_bid else self.ask_keys
        key = price if is_bid else -price
        level = table.get(price)
        if level is None:
            level = table[price] = [0, 0]
            if not keys or key > keys[-1]:
                keys.append(key)
            else:
                insort(keys, key)
        level[0] += quantity
        level[1] += count
        if level[1] == 0:
            del table[price]
            if keys[-1] == key:
                keys.pop()
            else:
                del keys[bisect_left(keys, key)]
            return is_bid, price, 0, 0
        return is_bid, price, level[0], level[1]

"""The fast engine's state as plain values: snapshots, restores and read-only views.

The snapshot format is shared with the reference engine (:mod:`state_codec`); restoring re-inserts
orders in (symbol, sequence) order, which recreates every queue exactly because queues are always
in sequence order.
"""

from __future__ import annotations

from directbroker.engines.matching.book import Book, BookHalf, Order
from directbroker.engines.matching.fast_core import FastCore
from directbroker.engines.matching.state_codec import (
    OrderRecord,
    VenueState,
    decode_state,
    encode_state,
    sorted_records,
)
from directbroker.engines.matching.views import OrderView


def snapshot(core: FastCore) -> bytes:
    """The canonical bytes of ``core``'s state."""
    records = [
        OrderRecord(
            o.spec.symbol,
            o.seq,
            o.order_id,
            o.participant,
            o.spec.side,
            o.spec.order_type,
            o.spec.time_in_force,
            o.spec.hidden,
            o.spec.post_only,
            o.spec.display,
            o.price,
            o.leaves,
            o.filled,
            o.shown,
        )
        for o in core._orders.values()
    ]
    halted = [symbol for symbol, book in core._books.items() if book.halted]
    return encode_state(
        VenueState(core._config.mic, core._seq, core._trade_id, core._done, halted, records)
    )


def restore(core: FastCore, data: bytes) -> None:
    """Replace ``core``'s state with the one in ``data``."""
    state = decode_state(data, core._config.mic)
    core._books = {i.symbol: Book(i.symbol) for i in core._config.instruments}
    core._orders = {}
    core._done = dict(state.done)
    core._seq, core._trade_id = state.seq, state.trade_id
    for symbol in state.halted:
        core._books[symbol].halted = True
    for r in sorted_records(state.orders):
        spec = core._spec(
            r.symbol, r.side, r.order_type, r.time_in_force, r.hidden, r.post_only, r.display
        )
        o = Order(r.order_id, r.participant, spec, r.price, r.leaves, r.seq)
        o.filled = r.filled
        o.shown = r.shown
        book = core._books[r.symbol]
        core._orders[r.order_id] = o
        if spec.auction is not None:
            book.auctions[spec.auction].append(o)
        elif spec.is_peg:
            (book.buy_pegs if spec.is_buy else book.sell_pegs).append(o)
        else:
            assert r.price is not None
            (book.bids if spec.is_buy else book.asks).level_at(r.price).append(o)


def displayed_levels(half: BookHalf, count: int) -> tuple[tuple[int, int], ...]:
    """Up to ``count`` (price, displayed size) pairs, best first; hidden-only levels skipped."""
    found: list[tuple[int, int]] = []
    levels = half.levels
    for key in reversed(half.keys):
        if len(found) >= count:
            break
        level = levels[key]
        if level.shown:
            found.append((level.price, level.shown))
    return tuple(found)


def view(o: Order) -> OrderView:
    """A read-only view of a working order."""
    s = o.spec
    return OrderView(
        o.order_id,
        o.participant,
        s.symbol,
        s.side,
        s.order_type,
        s.time_in_force,
        o.price,
        o.leaves,
        o.filled,
        o.shown,
        s.display,
        s.hidden,
        s.post_only,
        o.seq,
    )

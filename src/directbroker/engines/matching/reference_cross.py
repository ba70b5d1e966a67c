"""The reference engine's crosses: every participant listed, sorted, filled in order.

The price comes from the shared rule in :mod:`auction`; allocation (market first, then better
price, then time) and its feed consequences are written again here, independently of the fast
engine's :mod:`fast_cross`.
"""

from __future__ import annotations

from directbroker.domain.orders import AuctionKind, CancelReason, Liquidity, OrderType
from directbroker.domain.venue_messages import (
    AuctionCompleted,
    BookOrderExecuted,
    OrderFilled,
    RunAuction,
    TradeReported,
)
from directbroker.engines.matching.auction import clearing_price
from directbroker.engines.matching.reference_book import RefBook, RefOrder
from directbroker.engines.matching.reference_core import ReferenceCore, crosses

_MARKET_TYPES = frozenset({OrderType.MARKET_ON_OPEN, OrderType.MARKET_ON_CLOSE})


def run_reference_cross(core: ReferenceCore, book: RefBook, cmd: RunAuction) -> None:
    """Run the (validated) cross ``cmd`` on ``book``, emitting its events on ``core``."""
    queue = book.auctions[cmd.kind]
    limits = [o for o in book.resting if not o.is_peg]
    buys = [o for o in [*queue, *limits] if o.is_buy]
    sells = [o for o in [*queue, *limits] if not o.is_buy]

    def limit_of(o: RefOrder) -> int | None:
        return None if o.order_type in _MARKET_TYPES else o.price

    result = clearing_price(
        [(limit_of(o), o.leaves) for o in buys],
        [(limit_of(o), o.leaves) for o in sells],
        cmd.reference_price,
    )
    price = result.price
    trade_id = 0
    if price is not None:
        core._trade_id += 1
        trade_id = core._trade_id
        for side in (buys, sells):
            eligible = [
                o for o in side if limit_of(o) is None or crosses(o.is_buy, limit_of(o), price)
            ]
            eligible.sort(
                key=lambda o: (
                    limit_of(o) is not None,
                    -(o.price or 0) if o.is_buy else o.price or 0,
                    o.seq,
                )
            )
            left = result.matched
            for o in eligible:
                if left == 0:
                    break
                qty = min(left, o.leaves)
                left -= qty
                _cross_fill(core, book, o, price, qty, trade_id)
        condition = "open_cross" if cmd.kind is AuctionKind.OPEN else "close_cross"
        core._emit(
            TradeReported(
                core._venue,
                book.symbol,
                trade_id,
                price,
                result.matched,
                None,
                condition,
                core._ts,
            )
        )
    core._emit(
        AuctionCompleted(
            core._venue,
            book.symbol,
            cmd.kind,
            price,
            result.matched,
            result.imbalance,
            result.imbalance_side,
            core._ts,
        )
    )
    for o in queue:
        if o.leaves > 0:
            core._cancelled(o, o.leaves, CancelReason.AUCTION_UNFILLED)
        core._finish(o)
    queue.clear()
    core._settle(book)


def _cross_fill(
    core: ReferenceCore, book: RefBook, o: RefOrder, price: int, qty: int, trade_id: int
) -> None:
    o.leaves -= qty
    o.filled += qty
    fees = core._config.fees
    core._emit(
        OrderFilled(
            core._venue,
            o.order_id,
            o.participant,
            o.symbol,
            o.side,
            trade_id,
            price,
            qty,
            o.leaves,
            o.filled,
            Liquidity.AUCTION,
            fees.fee(fees.auction, qty),
            core._ts,
        )
    )
    if o.order_type.auction is not None:
        return
    if o.displayed:
        shown_part = min(qty, o.shown)
        o.shown -= shown_part
        core._emit(
            BookOrderExecuted(core._venue, book.symbol, o.seq, shown_part, trade_id, core._ts)
        )
    if o.leaves == 0:
        book.resting.remove(o)
        core._finish(o)
    elif o.displayed and o.shown == 0:
        o.seq = core._next_seq()
        o.shown = o.display_size()
        core._emit(core._added(o))

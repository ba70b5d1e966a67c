"""The fast engine's opening and closing crosses: one price, then allocation in priority.

The price comes from the shared rule in :mod:`auction`. Allocation fills eligible orders on each
side in priority (market orders first, then better price, then time) up to the matched volume.
Continuous orders that took part keep resting with what is left (a reserve order whose display
was used up refreshes to the back of its queue); auction-only orders left over are cancelled.
"""

from __future__ import annotations

from directbroker.domain.messages import Event
from directbroker.domain.orders import AuctionKind, CancelReason, Liquidity
from directbroker.domain.venue_messages import (
    AuctionCompleted,
    BookOrderAdded,
    BookOrderExecuted,
    OrderCancelled,
    OrderFilled,
    RunAuction,
    TradeReported,
)
from directbroker.engines.matching.auction import clearing_price
from directbroker.engines.matching.book import Book, BookHalf, Order
from directbroker.engines.matching.fast_core import FastCore


def _participants(queue: list[Order], half: BookHalf, is_buy: bool) -> list[Order]:
    """Auction-only orders on one side plus every resting limit order (displayed or not)."""
    found = [o for o in queue if o.spec.is_buy is is_buy]
    for level in half.in_order():
        for head in (level.head, level.hidden_head):
            o = head
            while o is not None:
                found.append(o)
                o = o.next
    return found


def _limit(o: Order) -> int | None:
    return None if o.spec.is_market else o.price


def _priority(o: Order) -> tuple[bool, int, int]:
    price = o.price or 0
    return (not o.spec.is_market, -price if o.spec.is_buy else price, o.seq)


def run_cross(core: FastCore, book: Book, cmd: RunAuction, ts: int) -> list[Event]:
    """Run the cross ``cmd`` on ``book`` (already validated) and return its events."""
    queue = book.auctions[cmd.kind]
    buys = _participants(queue, book.bids, True)
    sells = _participants(queue, book.asks, False)
    result = clearing_price(
        [(_limit(o), o.leaves) for o in buys],
        [(_limit(o), o.leaves) for o in sells],
        cmd.reference_price,
    )
    venue, symbol = core._venue, book.symbol
    events: list[Event] = []
    price = result.price
    if price is not None:
        core._trade_id = trade_id = core._trade_id + 1
        for side in (buys, sells):
            eligible = [
                o
                for o in side
                if o.spec.is_market
                or (
                    o.price is not None
                    and (o.price >= price if o.spec.is_buy else o.price <= price)
                )
            ]
            eligible.sort(key=_priority)
            left = result.matched
            for o in eligible:
                if left == 0:
                    break
                qty = min(left, o.leaves)
                left -= qty
                _cross_fill(core, book, o, price, qty, trade_id, events, ts)
        condition = "open_cross" if cmd.kind is AuctionKind.OPEN else "close_cross"
        events.append(
            TradeReported(venue, symbol, trade_id, price, result.matched, None, condition, ts)
        )
    events.append(
        AuctionCompleted(
            venue,
            symbol,
            cmd.kind,
            price,
            result.matched,
            result.imbalance,
            result.imbalance_side,
            ts,
        )
    )
    for o in queue:
        if o.leaves > 0:
            events.append(
                OrderCancelled(
                    venue,
                    o.order_id,
                    o.participant,
                    symbol,
                    o.leaves,
                    CancelReason.AUCTION_UNFILLED,
                    ts,
                )
            )
        core._finish(o)
    queue.clear()
    core._settle(book, events, ts)
    return events


def _cross_fill(
    core: FastCore,
    book: Book,
    o: Order,
    price: int,
    qty: int,
    trade_id: int,
    events: list[Event],
    ts: int,
) -> None:
    spec = o.spec
    o.leaves -= qty
    o.filled += qty
    fees = core._config.fees
    events.append(
        OrderFilled(
            core._venue,
            o.order_id,
            o.participant,
            book.symbol,
            spec.side,
            trade_id,
            price,
            qty,
            o.leaves,
            o.filled,
            Liquidity.AUCTION,
            fees.fee(fees.auction, qty),
            ts,
        )
    )
    if spec.auction is not None:
        return
    level = o.level
    assert level is not None
    if spec.on_book:
        shown_part = min(qty, o.shown)
        o.shown -= shown_part
        level.shown -= shown_part
        events.append(BookOrderExecuted(core._venue, book.symbol, o.seq, shown_part, trade_id, ts))
    if o.leaves == 0:
        core._take_out(book, o)
        core._finish(o)
    elif spec.on_book and o.shown == 0:
        level.unlink(o)
        core._seq = o.seq = core._seq + 1
        display = spec.display
        o.shown = display if display is not None and display < o.leaves else o.leaves
        level.append(o)
        events.append(
            BookOrderAdded(
                core._venue, book.symbol, o.seq, spec.book_side, level.price, o.shown, ts
            )
        )

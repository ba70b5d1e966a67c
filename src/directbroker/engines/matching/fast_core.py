"""The fast engine's state and its matching: fills, reserve refresh, pegs and fill-or-kill.

This is the hot path. It is written for CPython: locals instead of repeated attribute lookups,
no per-fill allocations besides the events themselves, pegs handled only when a book has any.
:class:`VenueEngine` (``engine.py``) adds command handling on top of it.
"""

from __future__ import annotations

from typing import Final

from directbroker.domain.messages import Event
from directbroker.domain.orders import Liquidity, OrderType, PostOnly, Side, TimeInForce
from directbroker.domain.venue_config import VenueConfig
from directbroker.domain.venue_messages import (
    BookOrderAdded,
    BookOrderExecuted,
    OrderFilled,
    TradeReported,
)
from directbroker.engines.matching.book import Book, BookHalf, Level, Order, Spec
from directbroker.engines.matching.fastevents import fast_constructor
from directbroker.engines.matching.pricing import peg_price

_filled: Final = fast_constructor(OrderFilled)
_executed: Final = fast_constructor(BookOrderExecuted)
_trade: Final = fast_constructor(TradeReported)
_added: Final = fast_constructor(BookOrderAdded)
SpecKey = tuple[str, Side, OrderType, TimeInForce, bool, PostOnly, int | None]
_MAKER: Final = Liquidity.MAKER
_TAKER: Final = Liquidity.TAKER


class FastCore:
    """Books by symbol, working orders by id, used ids, and the venue's two counters."""

    def __init__(self, config: VenueConfig) -> None:
        self._config = config
        self._venue = config.name
        self._maker_fee = config.fees.maker
        self._taker_fee = config.fees.taker
        self._books = {i.symbol: Book(i.symbol) for i in config.instruments}
        self._orders: dict[str, Order] = {}
        self._done: dict[str, str] = {}
        """Ids of finished orders and their owners: ids are never reused at a venue."""
        self._seq = 0
        self._trade_id = 0
        self._specs: dict[SpecKey, Spec] = {}
        """Interned order terms (derived, not state: rebuilt on demand after a restore)."""

    def _spec(
        self,
        symbol: str,
        side: Side,
        order_type: OrderType,
        tif: TimeInForce,
        hidden: bool,
        post_only: PostOnly,
        display: int | None,
    ) -> Spec:
        """The shared :class:`Spec` for these terms."""
        key = (symbol, side, order_type, tif, hidden, post_only, display)
        spec = self._specs.get(key)
        if spec is None:
            spec = self._specs[key] = Spec(
                symbol, side, order_type, tif, hidden, post_only, display
            )
        return spec

    # --- resting ----------------------------------------------------------------------

    def _rest(self, book: Book, o: Order, events: list[Event], ts: int) -> None:
        """Put what is left of ``o`` on the book (announcing its displayed part)."""
        spec = o.spec
        self._orders[o.order_id] = o
        if spec.is_peg:
            (book.buy_pegs if spec.is_buy else book.sell_pegs).append(o)
            return
        price = o.price
        assert price is not None
        level = (book.bids if spec.is_buy else book.asks).level_at(price)
        if spec.on_book:
            display = spec.display
            o.shown = display if display is not None and display < o.leaves else o.leaves
            level.append(o)
            events.append(
                _added(self._venue, spec.symbol, o.seq, spec.book_side, price, o.shown, ts)
            )
        else:
            level.append(o)

    def _finish(self, o: Order) -> None:
        """Retire a working order's id (it stays used)."""
        self._orders.pop(o.order_id, None)
        self._done[o.order_id] = o.participant

    def _take_out(self, book: Book, o: Order) -> None:
        """Remove a working order from whatever container holds it (no events)."""
        spec = o.spec
        level = o.level
        if level is not None:
            level.unlink(o)
            if level.head is None and level.hidden_head is None:
                level.half.drop(level)
        elif spec.auction is not None:
            book.auctions[spec.auction].remove(o)
        elif spec.is_peg:
            (book.buy_pegs if spec.is_buy else book.sell_pegs).remove(o)

    # --- matching ---------------------------------------------------------------------

    def _match(self, book: Book, taker: Order, events: list[Event], ts: int) -> None:
        """Trade ``taker`` against the contra side in priority order until it is done or the
        best contra price is beyond its limit (a market order has none, a peg its peg price)."""
        spec = taker.spec
        is_buy = spec.is_buy
        contra = book.asks if is_buy else book.bids
        contra_pegs = book.sell_pegs if is_buy else book.buy_pegs
        keys = contra.keys
        levels = contra.levels
        limit = None if spec.is_market else taker.price
        is_peg = spec.is_peg
        bid: int | None = None
        ask: int | None = None
        price = 0
        while taker.leaves:
            if is_peg or contra_pegs:
                bid = book.bids.best_displayed()
                ask = book.asks.best_displayed()
                if is_peg:
                    limit = peg_price(bid, ask, is_buy, taker.price)
                    if limit is None:
                        return
            level: Level | None = None
            if keys:
                level = levels[keys[-1]]
                price = level.price
                if limit is not None and (price > limit if is_buy else price < limit):
                    level = None
            if contra_pegs:
                peg, peg_px = _best_peg(contra_pegs, not is_buy, bid, ask)
                if (
                    peg is not None
                    and (limit is None or (peg_px <= limit if is_buy else peg_px >= limit))
                    and (level is None or (peg_px < price if is_buy else peg_px > price))
                ):
                    self._fill(book, peg, taker, peg_px, events, ts)
                    continue
            if level is None:
                return
            maker = level.head or level.hidden_head
            assert maker is not None
            self._fill(book, maker, taker, price, events, ts)

    def _fill(
        self, book: Book, maker: Order, taker: Order, price: int, events: list[Event], ts: int
    ) -> None:
        """One execution between a resting maker and a taker, with its feed consequences."""
        mspec = maker.spec
        tspec = taker.spec
        on_book = mspec.on_book
        qty = taker.leaves
        available = maker.shown if on_book else maker.leaves
        qty = min(qty, available)
        self._trade_id = trade_id = self._trade_id + 1
        maker.leaves = maker_left = maker.leaves - qty
        maker.filled += qty
        taker.leaves -= qty
        taker.filled += qty
        venue = self._venue
        symbol = book.symbol
        events.append(
            _filled(
                venue,
                maker.order_id,
                maker.participant,
                symbol,
                mspec.side,
                trade_id,
                price,
                qty,
                maker_left,
                maker.filled,
                _MAKER,
                self._maker_fee * qty,
                ts,
            )
        )
        events.append(
            _filled(
                venue,
                taker.order_id,
                taker.participant,
                symbol,
                tspec.side,
                trade_id,
                price,
                qty,
                taker.leaves,
                taker.filled,
                _TAKER,
                self._taker_fee * qty,
                ts,
            )
        )
        if on_book:
            events.append(_executed(venue, symbol, maker.seq, qty, trade_id, ts))
        events.append(_trade(venue, symbol, trade_id, price, qty, tspec.book_side, "", ts))
        if on_book:
            level = maker.level
            assert level is not None
            maker.shown -= qty
            level.shown -= qty
            if maker.shown:
                return
            if maker_left:
                # Reserve refresh: a fresh display from the reserve joins the back of the queue.
                level.unlink(maker)
                self._seq = maker.seq = self._seq + 1
                display = mspec.display
                assert display is not None
                maker.shown = display if display < maker_left else maker_left
                level.append(maker)
                events.append(
                    _added(venue, symbol, maker.seq, mspec.book_side, price, maker.shown, ts)
                )
                return
        elif maker_left:
            return
        self._take_out(book, maker)
        self._finish(maker)

    def _settle(self, book: Book, events: list[Event], ts: int) -> None:
        """Trade pegs whose price, moved by a change in the displayed BBO, now crosses resting
        interest. The peg takes (its price moved into the other order); between two pegs the
        later one takes. Limit orders never cross each other at rest."""
        if book.halted:
            return
        bids, asks = book.bids, book.asks
        while book.buy_pegs or book.sell_pegs:
            bid = bids.best_displayed()
            ask = asks.best_displayed()
            buy = _best_candidate(bids, book.buy_pegs, True, bid, ask)
            sell = _best_candidate(asks, book.sell_pegs, False, bid, ask)
            if buy is None or sell is None or buy[0] < sell[0]:
                return
            (buy_px, buyer, buy_is_peg), (sell_px, seller, sell_is_peg) = buy, sell
            if not buy_is_peg and not sell_is_peg:
                raise AssertionError(f"{book.symbol}: resting limit orders cross")
            if buy_is_peg and (not sell_is_peg or buyer.seq > seller.seq):
                taker, maker, price = buyer, seller, sell_px
            else:
                taker, maker, price = seller, buyer, buy_px
            self._fill(book, maker, taker, price, events, ts)
            if taker.leaves == 0:
                self._take_out(book, taker)
                self._finish(taker)

    def _contra_best(self, book: Book, is_buy: bool, exclude: Order | None) -> int | None:
        """The best price an order on side ``is_buy`` could trade at now (pegs included),
        as if ``exclude`` were not on the book."""
        contra = book.asks if is_buy else book.bids
        best = contra.levels[contra.keys[-1]].price if contra.keys else None
        pegs = book.sell_pegs if is_buy else book.buy_pegs
        if pegs:
            bid = book.bids.best_displayed(exclude)
            ask = book.asks.best_displayed(exclude)
            peg, px = _best_peg(pegs, not is_buy, bid, ask)
            if peg is not None and (best is None or (px < best if is_buy else px > best)):
                best = px
        return best

    def _fok_fillable(self, book: Book, taker: Order) -> bool:
        """Whether matching ``taker`` now would fill it completely, found without mutating.

        It replays the matching order at the granularity where prices can change: a level's
        displayed queue (reserve included: refreshes stay at that price) then its hidden queue,
        with contra pegs re-priced each time the contra side's displayed best moves.
        """
        spec = taker.spec
        is_buy = spec.is_buy
        limit = None if spec.is_market else taker.price
        contra = book.asks if is_buy else book.bids
        own_best = (book.bids if is_buy else book.asks).best_displayed()
        pegs = list(book.sell_pegs if is_buy else book.buy_pegs)
        order = contra.in_order()
        need = taker.leaves
        index, hidden_part = 0, False
        while need > 0:
            while index < len(order):
                level = order[index]
                if not hidden_part and level.head is not None:
                    break
                if level.hidden_head is not None and (hidden_part or level.head is None):
                    hidden_part = True
                    break
                index, hidden_part = index + 1, False
            chunk = order[index] if index < len(order) else None
            if chunk is not None and limit is not None:
                cp = chunk.price
                if cp > limit if is_buy else cp < limit:
                    chunk = None
            if pegs:
                contra_disp = _next_displayed(order, index, hidden_part)
                bid, ask = (own_best, contra_disp) if is_buy else (contra_disp, own_best)
                peg, px = _best_peg(pegs, not is_buy, bid, ask)
                if (
                    peg is not None
                    and (limit is None or (px <= limit if is_buy else px >= limit))
                    and (chunk is None or (px < chunk.price if is_buy else px > chunk.price))
                ):
                    need -= peg.leaves
                    pegs.remove(peg)
                    continue
            if chunk is None:
                return False
            need -= chunk.queue_leaves(hidden_part)
            if hidden_part or chunk.hidden_head is None:
                index, hidden_part = index + 1, False
            else:
                hidden_part = True
        return True


def _next_displayed(order: list, index: int, hidden_part: bool) -> int | None:  # type: ignore[type-arg]
    """The contra side's displayed best while a sweep stands at ``order[index]``."""
    if index < len(order) and not hidden_part and order[index].head is not None:
        price: int = order[index].price
        return price
    for level in order[index + 1 :]:
        if level.shown > 0:
            found: int = level.price
            return found
    return None


def _best_peg(
    pegs: list[Order], pegs_buy: bool, bid: int | None, ask: int | None
) -> tuple[Order | None, int]:
    """The peg (of a list in time order) with the best current price, earliest on ties."""
    best: Order | None = None
    best_px = 0
    for peg in pegs:
        px = peg_price(bid, ask, pegs_buy, peg.price)
        if px is not None and (best is None or (px > best_px if pegs_buy else px < best_px)):
            best, best_px = peg, px
    return best, best_px


def _best_candidate(
    half: BookHalf, pegs: list[Order], buy_side: bool, bid: int | None, ask: int | None
) -> tuple[int, Order, bool] | None:
    """The side's first order in priority: best price, a limit order before a peg at a tie."""
    found: tuple[int, Order, bool] | None = None
    if half.keys:
        level = half.levels[half.keys[-1]]
        maker = level.head or level.hidden_head
        assert maker is not None
        found = (level.price, maker, False)
    if pegs:
        peg, px = _best_peg(pegs, buy_side, bid, ask)
        if peg is not None and (found is None or (px > found[0] if buy_side else px < found[0])):
            found = (px, peg, True)
    return found

"""The reference engine's state and matching: naive on purpose (sort on every step).

:class:`ReferenceCore` holds the venue's books, used ids and counters, and matches one order at a
time by asking its :class:`RefBook` for every candidate sorted by the priority rule. A
fill-or-kill is tried on a deep copy of the whole engine. :mod:`reference` adds the commands.
"""

from __future__ import annotations

import copy

from directbroker.domain.messages import Event
from directbroker.domain.orders import (
    AuctionKind,
    CancelReason,
    Liquidity,
    OrderType,
    PostOnly,
)
from directbroker.domain.rejects import RejectCode
from directbroker.domain.venue_config import VenueConfig
from directbroker.domain.venue_messages import (
    BookOrderAdded,
    BookOrderExecuted,
    OrderCancelled,
    OrderFilled,
    OrderRejected,
    TradeReported,
)
from directbroker.engines.matching.pricing import slide_price
from directbroker.engines.matching.reference_book import RefBook, RefOrder


def crosses(is_buy: bool, limit: int | None, price: int) -> bool:
    """Whether a contra price is within ``limit`` (None: a market order, anything is)."""
    return limit is None or (price <= limit if is_buy else price >= limit)


class ReferenceCore:
    """Books by symbol, used ids, counters and the event list of the command being handled."""

    def __init__(self, config: VenueConfig) -> None:
        self._config = config
        self._venue = config.name
        self._books = {i.symbol: RefBook(i.symbol) for i in config.instruments}
        self._done: dict[str, str] = {}
        self._seq = 0
        self._trade_id = 0
        self._ts = 0
        self._events: list[Event] = []

    def _find(self, order_id: str) -> RefOrder | None:
        for book in self._books.values():
            for o in [*book.resting, *book.auctions[AuctionKind.OPEN]]:
                if o.order_id == order_id:
                    return o
            for o in book.auctions[AuctionKind.CLOSE]:
                if o.order_id == order_id:
                    return o
        return None

    # --- event helpers ------------------------------------------------------------------

    def _emit(self, event: Event) -> None:
        self._events.append(event)

    def _reject(
        self, order_id: object, participant: object, reject: tuple[RejectCode, str]
    ) -> None:
        self._emit(
            OrderRejected(
                self._venue,
                order_id if isinstance(order_id, str) else repr(order_id),
                participant if isinstance(participant, str) else repr(participant),
                reject[0],
                reject[1],
                self._ts,
            )
        )

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def _finish(self, o: RefOrder) -> None:
        self._done[o.order_id] = o.participant

    def _cancelled(self, o: RefOrder, quantity: int, reason: CancelReason) -> None:
        self._emit(
            OrderCancelled(
                self._venue, o.order_id, o.participant, o.symbol, quantity, reason, self._ts
            )
        )

    # --- matching -------------------------------------------------------------------------

    def _post_only_price(self, book: RefBook, o: RefOrder, exclude: RefOrder | None) -> int | None:
        """The price a post-only order may rest at, or None when it must be rejected."""
        assert o.price is not None
        contra = book.candidates(not o.is_buy, exclude)
        if not contra or not crosses(o.is_buy, o.price, contra[0][0]):
            return o.price
        if o.post_only is PostOnly.REJECT:
            return None
        return slide_price(contra[0][0], o.is_buy)

    def _fok_fills(self, book: RefBook, o: RefOrder) -> bool:
        trial = copy.deepcopy(self)
        trial_order = copy.deepcopy(o)
        trial._match(trial._books[book.symbol], trial_order)
        return trial_order.leaves == 0

    def _rest(self, book: RefBook, o: RefOrder) -> None:
        book.resting.append(o)
        if o.displayed:
            o.shown = o.display_size()
            self._emit(self._added(o))

    def _added(self, o: RefOrder) -> BookOrderAdded:
        assert o.price is not None
        return BookOrderAdded(
            self._venue, o.symbol, o.seq, o.side.book_side, o.price, o.shown, self._ts
        )

    def _match(self, book: RefBook, taker: RefOrder) -> None:
        while taker.leaves > 0:
            limit = taker.price
            if taker.is_peg:
                limit = book.peg_price_of(taker)
                if limit is None:
                    return
            elif taker.order_type is OrderType.MARKET:
                limit = None
            contra = book.candidates(not taker.is_buy)
            if not contra or not crosses(taker.is_buy, limit, contra[0][0]):
                return
            price, maker = contra[0]
            self._fill(book, maker, taker, price)

    def _fill(self, book: RefBook, maker: RefOrder, taker: RefOrder, price: int) -> None:
        available = maker.shown if maker.displayed else maker.leaves
        qty = min(taker.leaves, available)
        self._trade_id += 1
        trade_id = self._trade_id
        fees = self._config.fees
        for o, liquidity, rate in (
            (maker, Liquidity.MAKER, fees.maker),
            (taker, Liquidity.TAKER, fees.taker),
        ):
            o.leaves -= qty
            o.filled += qty
            self._emit(
                OrderFilled(
                    self._venue,
                    o.order_id,
                    o.participant,
                    o.symbol,
                    o.side,
                    trade_id,
                    price,
                    qty,
                    o.leaves,
                    o.filled,
                    liquidity,
                    fees.fee(rate, qty),
                    self._ts,
                )
            )
        if maker.displayed:
            maker.shown -= qty
            self._emit(
                BookOrderExecuted(self._venue, book.symbol, maker.seq, qty, trade_id, self._ts)
            )
        self._emit(
            TradeReported(
                self._venue, book.symbol, trade_id, price, qty, taker.side.book_side, "", self._ts
            )
        )
        if maker.leaves == 0:
            book.resting.remove(maker)
            self._finish(maker)
        elif maker.displayed and maker.shown == 0:
            maker.seq = self._next_seq()
            maker.shown = maker.display_size()
            self._emit(self._added(maker))

    def _settle(self, book: RefBook) -> None:
        """Trade pegs whose moving price now crosses resting interest (the peg takes)."""
        while not book.halted:
            bids, asks = book.candidates(True), book.candidates(False)
            if not bids or not asks or bids[0][0] < asks[0][0]:
                return
            (bid_px, bid), (ask_px, ask) = bids[0], asks[0]
            if not bid.is_peg and not ask.is_peg:
                raise AssertionError(f"{book.symbol}: resting limit orders cross")
            buy_takes = bid.is_peg and (not ask.is_peg or bid.seq > ask.seq)
            taker, maker, price = (bid, ask, ask_px) if buy_takes else (ask, bid, bid_px)
            self._fill(book, maker, taker, price)
            if taker.leaves == 0:
                book.resting.remove(taker)
                self._finish(taker)

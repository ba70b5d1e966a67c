"""ReferenceVenueEngine: the naive, obviously correct venue the fast one is tested against.

It shares with the fast engine only what is a rule rather than an implementation: validation,
the peg and reprice arithmetic, the clearing-price rule and the snapshot format. Matching,
priority, reserve refresh, fill-or-kill, replace and the cross allocation are written again here
in the plainest way (sort everything on every step; try a fill-or-kill on a deep copy).
"""

from __future__ import annotations

import copy

from directbroker.domain.messages import Event, Message
from directbroker.domain.orders import (
    AuctionKind,
    CancelReason,
    OrderType,
    PostOnly,
    TimeInForce,
)
from directbroker.domain.rejects import RejectCode
from directbroker.domain.venue_messages import (
    BookOrderDeleted,
    BookOrderReduced,
    BookOrderReplaced,
    CancelOrder,
    HaltTrading,
    OrderAccepted,
    OrderReplaced,
    ReplaceOrder,
    ResumeTrading,
    RunAuction,
    SubmitOrder,
    TradingHalted,
    TradingResumed,
)
from directbroker.engines.matching import validation
from directbroker.engines.matching.reference_book import RefBook, RefOrder
from directbroker.engines.matching.reference_core import ReferenceCore, crosses
from directbroker.engines.matching.reference_cross import run_reference_cross
from directbroker.engines.matching.state_codec import (
    OrderRecord,
    VenueState,
    decode_state,
    digest,
    encode_state,
)
from directbroker.engines.matching.views import BestBidOffer, Depth, OrderView


class ReferenceVenueEngine(ReferenceCore):
    """A venue engine with naive books; same commands, events and queries as VenueEngine."""

    # --- validation facts ---------------------------------------------------------------

    @property
    def runs_auctions(self) -> bool:
        return self._config.runs_auctions

    def trades(self, symbol: str) -> bool:
        return symbol in self._books

    def is_halted(self, symbol: str) -> bool:
        return self._books[symbol].halted

    def id_used(self, order_id: str) -> bool:
        return order_id in self._done or self._find(order_id) is not None

    # --- Core ---------------------------------------------------------------------------

    def handle(self, command: Message, ts_ns: int) -> list[Event]:
        """Apply one command and return its events."""
        self._ts = ts_ns
        self._events = []
        if isinstance(command, SubmitOrder):
            self._submit(command)
        elif isinstance(command, CancelOrder):
            self._cancel(command)
        elif isinstance(command, ReplaceOrder):
            self._replace(command)
        elif isinstance(command, HaltTrading):
            self._halt(command)
        elif isinstance(command, ResumeTrading):
            self._resume(command)
        elif isinstance(command, RunAuction):
            self._auction(command)
        else:
            self._reject("", "", (RejectCode.MALFORMED, type(command).__name__))
        return self._events

    def snapshot(self) -> bytes:
        records = [
            OrderRecord(
                o.symbol,
                o.seq,
                o.order_id,
                o.participant,
                o.side,
                o.order_type,
                o.time_in_force,
                o.hidden,
                o.post_only,
                o.display,
                o.price,
                o.leaves,
                o.filled,
                o.shown,
            )
            for book in self._books.values()
            for o in [
                *book.resting,
                *book.auctions[AuctionKind.OPEN],
                *book.auctions[AuctionKind.CLOSE],
            ]
        ]
        halted = [s for s, b in self._books.items() if b.halted]
        return encode_state(
            VenueState(self._config.mic, self._seq, self._trade_id, self._done, halted, records)
        )

    def restore(self, data: bytes) -> None:
        state = decode_state(data, self._config.mic)
        self._books = {i.symbol: RefBook(i.symbol) for i in self._config.instruments}
        self._seq, self._trade_id, self._done = state.seq, state.trade_id, dict(state.done)
        for symbol in state.halted:
            self._books[symbol].halted = True
        for r in state.orders:
            o = RefOrder(
                r.order_id,
                r.participant,
                r.symbol,
                r.side,
                r.order_type,
                r.time_in_force,
                r.hidden,
                r.post_only,
                r.display,
                r.price,
                r.leaves,
                r.filled,
                r.shown,
                r.seq,
            )
            kind = r.order_type.auction
            book = self._books[r.symbol]
            (book.auctions[kind] if kind is not None else book.resting).append(o)

    def state_hash(self) -> str:
        return digest(self.snapshot())

    # --- queries ------------------------------------------------------------------------

    @property
    def symbols(self) -> tuple[str, ...]:
        return tuple(self._books)

    def best_bid_offer(self, symbol: str) -> BestBidOffer:
        (bids, asks) = self._levels(symbol)
        bid, ask = (bids[0] if bids else (None, 0)), (asks[0] if asks else (None, 0))
        return BestBidOffer(bid[0], bid[1], ask[0], ask[1])

    def depth(self, symbol: str, levels: int) -> Depth:
        bids, asks = self._levels(symbol)
        return Depth(tuple(bids[:levels]), tuple(asks[:levels]))

    def _levels(self, symbol: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        sides: list[list[tuple[int, int]]] = []
        for buy in (True, False):
            sizes: dict[int, int] = {}
            for o in self._books[symbol].resting:
                if o.is_buy == buy and o.displayed and o.price is not None:
                    sizes[o.price] = sizes.get(o.price, 0) + o.shown
            sides.append(sorted(sizes.items(), reverse=buy))
        return sides[0], sides[1]

    def order(self, order_id: str) -> OrderView | None:
        o = self._find(order_id)
        if o is None:
            return None
        return OrderView(
            o.order_id,
            o.participant,
            o.symbol,
            o.side,
            o.order_type,
            o.time_in_force,
            o.price,
            o.leaves,
            o.filled,
            o.shown,
            o.display,
            o.hidden,
            o.post_only,
            o.seq,
        )

    # --- commands -----------------------------------------------------------------------

    def _submit(self, cmd: SubmitOrder) -> None:
        reject = validation.check_submit(cmd, self)
        if reject is not None:
            self._reject(cmd.order_id, cmd.participant, reject)
            return
        book = self._books[cmd.symbol]
        o = RefOrder(
            cmd.order_id,
            cmd.participant,
            cmd.symbol,
            cmd.side,
            cmd.order_type,
            cmd.time_in_force,
            cmd.hidden,
            cmd.post_only,
            cmd.display_quantity,
            cmd.price,
            cmd.quantity,
        )
        if cmd.post_only is not PostOnly.NO:
            price = self._post_only_price(book, o, None)
            if price is None:
                self._reject(cmd.order_id, cmd.participant, validation.WOULD_TAKE)
                return
            o.price = price
        o.seq = self._next_seq()
        self._emit(
            OrderAccepted(
                self._venue,
                o.order_id,
                o.participant,
                o.symbol,
                o.side,
                o.order_type,
                o.leaves,
                o.price,
                o.time_in_force,
                self._ts,
            )
        )
        kind = o.order_type.auction
        if kind is not None:
            book.auctions[kind].append(o)
            return
        if o.time_in_force is TimeInForce.FOK and not self._fok_fills(book, o):
            self._cancelled(o, o.leaves, CancelReason.FOK_UNFILLED)
            self._finish(o)
            return
        self._match(book, o)
        if o.leaves == 0:
            self._finish(o)
        elif o.time_in_force in validation.RESTING and o.order_type is not OrderType.MARKET:
            self._rest(book, o)
        else:
            reason = (
                CancelReason.NO_LIQUIDITY
                if o.order_type is OrderType.MARKET
                else CancelReason.IOC_REMAINDER
            )
            self._cancelled(o, o.leaves, reason)
            self._finish(o)
        self._settle(book)

    def _owned(self, order_id: object, participant: object) -> RefOrder | None:
        """The working order, or a rejection already emitted."""
        if not validation.valid_id(order_id) or not validation.valid_id(participant):
            self._reject(order_id, participant, (RejectCode.INVALID_ID, "order id and participant"))
            return None
        assert isinstance(order_id, str)
        o = self._find(order_id)
        if o is None or o.participant != participant:
            late = self._done.get(order_id) == participant
            code = RejectCode.REPLACE_TOO_LATE if late else RejectCode.UNKNOWN_ORDER
            self._reject(order_id, participant, (code, order_id))
            return None
        return o

    def _remove(self, book: RefBook, o: RefOrder) -> None:
        kind = o.order_type.auction
        (book.auctions[kind] if kind is not None else book.resting).remove(o)

    def _cancel(self, cmd: CancelOrder) -> None:
        o = self._owned(cmd.order_id, cmd.participant)
        if o is None:
            return
        book = self._books[o.symbol]
        self._remove(book, o)
        self._cancelled(o, o.leaves, CancelReason.REQUESTED)
        if o.displayed and o.shown > 0 and o.order_type.auction is None:
            self._emit(BookOrderDeleted(self._venue, o.symbol, o.seq, self._ts))
        self._finish(o)
        self._settle(book)

    def _replace(self, cmd: ReplaceOrder) -> None:
        o = self._owned(cmd.order_id, cmd.participant)
        if o is None:
            return
        book = self._books[o.symbol]
        reject = validation.check_replace_fields(cmd, o.order_type)
        if reject is None and book.halted:
            reject = (RejectCode.SYMBOL_HALTED, o.symbol)
        if reject is not None:
            self._reject(cmd.order_id, cmd.participant, reject)
            return
        resting = o.order_type.auction is None
        on_feed = resting and o.displayed and o.shown > 0
        new_leaves = cmd.quantity - o.filled
        if new_leaves <= 0:
            self._remove(book, o)
            self._replaced(o, cmd.quantity, 0, False)
            if on_feed:
                self._emit(BookOrderDeleted(self._venue, o.symbol, o.seq, self._ts))
            o.leaves = 0
            self._finish(o)
            self._settle(book)
            return
        price = o.price if cmd.price is None else cmd.price
        if price != o.price and o.post_only is not PostOnly.NO:
            trial = copy.copy(o)
            trial.price = price
            price = self._post_only_price(book, trial, o)
            if price is None:
                self._reject(cmd.order_id, cmd.participant, validation.WOULD_TAKE)
                return
        if price == o.price and cmd.quantity <= o.leaves + o.filled:
            self._reduce(book, o, new_leaves, on_feed)
            self._settle(book)
            return
        self._requeue(book, o, price, new_leaves, on_feed)

    def _replaced(self, o: RefOrder, quantity: int, leaves: int, kept: bool) -> None:
        self._emit(
            OrderReplaced(
                self._venue,
                o.order_id,
                o.participant,
                o.symbol,
                quantity,
                leaves,
                o.price,
                kept,
                self._ts,
            )
        )

    def _reduce(self, book: RefBook, o: RefOrder, new_leaves: int, on_feed: bool) -> None:
        o.leaves = new_leaves
        self._replaced(o, new_leaves + o.filled, new_leaves, True)
        if on_feed and o.shown > new_leaves:
            self._emit(
                BookOrderReduced(self._venue, o.symbol, o.seq, o.shown - new_leaves, self._ts)
            )
            o.shown = new_leaves

    def _requeue(
        self, book: RefBook, o: RefOrder, price: int | None, new_leaves: int, on_feed: bool
    ) -> None:
        """A replace that loses priority: the order re-enters as if new (and may trade)."""
        old_ref = o.seq
        self._remove(book, o)
        o.price, o.leaves, o.shown = price, new_leaves, 0
        o.seq = self._next_seq()
        self._replaced(o, new_leaves + o.filled, new_leaves, False)
        kind = o.order_type.auction
        if kind is not None:
            book.auctions[kind].append(o)
            return
        contra = book.candidates(not o.is_buy)
        limit = book.peg_price_of(o) if o.is_peg else price
        trades = bool(contra) and limit is not None and crosses(o.is_buy, limit, contra[0][0])
        if trades:
            if on_feed:
                self._emit(BookOrderDeleted(self._venue, o.symbol, old_ref, self._ts))
            self._match(book, o)
            if o.leaves == 0:
                self._finish(o)
            else:
                self._rest(book, o)
        elif on_feed:
            book.resting.append(o)
            o.shown = o.display_size()
            assert price is not None
            self._emit(
                BookOrderReplaced(self._venue, o.symbol, old_ref, o.seq, price, o.shown, self._ts)
            )
        else:
            self._rest(book, o)
        self._settle(book)

    def _halt(self, cmd: HaltTrading) -> None:
        reject = validation.check_halt(cmd, self)
        if reject is not None:
            self._reject("", "", reject)
            return
        self._books[cmd.symbol].halted = True
        self._emit(TradingHalted(self._venue, cmd.symbol, cmd.reason, self._ts))

    def _resume(self, cmd: ResumeTrading) -> None:
        reject = validation.check_resume(cmd, self)
        if reject is not None:
            self._reject("", "", reject)
            return
        book = self._books[cmd.symbol]
        book.halted = False
        self._emit(TradingResumed(self._venue, cmd.symbol, self._ts))
        self._settle(book)

    def _auction(self, cmd: RunAuction) -> None:
        reject = validation.check_auction(cmd, self)
        if reject is not None:
            self._reject("", "", reject)
            return
        run_reference_cross(self, self._books[cmd.symbol], cmd)

"""VenueEngine: the fast venue matching engine (commands in, events out, books per symbol).

Command handling lives here; the matching itself is in :mod:`fast_core`, the crosses in
:mod:`fast_cross`. Every handler validates completely before it mutates anything.
"""

from __future__ import annotations

from typing import Final

from directbroker.domain.instruments import is_on_tick
from directbroker.domain.messages import Event, Message
from directbroker.domain.numbers import MAX_QUANTITY
from directbroker.domain.orders import CancelReason, PostOnly, TimeInForce
from directbroker.domain.rejects import RejectCode
from directbroker.domain.sessions import EndVenueSession
from directbroker.domain.venue_messages import (
    BookOrderDeleted,
    BookOrderReduced,
    BookOrderReplaced,
    CancelOrder,
    HaltTrading,
    OrderAccepted,
    OrderCancelled,
    OrderRejected,
    OrderReplaced,
    ReplaceOrder,
    ResumeTrading,
    RunAuction,
    SubmitOrder,
    TradingHalted,
    TradingResumed,
)
from directbroker.engines.matching import fast_state, validation
from directbroker.engines.matching.book import Book, Order, Spec
from directbroker.engines.matching.fast_core import FastCore
from directbroker.engines.matching.fast_cross import run_cross
from directbroker.engines.matching.fastevents import fast_constructor
from directbroker.engines.matching.pricing import peg_price, slide_price
from directbroker.engines.matching.state_codec import (
    digest,
)
from directbroker.engines.matching.views import BestBidOffer, Depth, OrderView

_accepted: Final = fast_constructor(OrderAccepted)
_cancelled: Final = fast_constructor(OrderCancelled)
_replaced: Final = fast_constructor(OrderReplaced)
_deleted: Final = fast_constructor(BookOrderDeleted)
_reduced: Final = fast_constructor(BookOrderReduced)
_book_replaced: Final = fast_constructor(BookOrderReplaced)
_RESTING: Final = validation.RESTING
_FOK: Final = TimeInForce.FOK
_NO: Final = PostOnly.NO
_REGULAR_CLOSE: Final = frozenset({TimeInForce.DAY, TimeInForce.OPG, TimeInForce.CLS})
_END_OF_DAY: Final = frozenset(TimeInForce) - {TimeInForce.GTC}


class VenueEngine(FastCore):
    """The fast matching engine of one venue. Implements :class:`directbroker.engines.core.Core`."""

    # --- validation facts -------------------------------------------------------------

    @property
    def runs_auctions(self) -> bool:
        return self._config.runs_auctions

    def trades(self, symbol: str) -> bool:
        return symbol in self._books

    def is_halted(self, symbol: str) -> bool:
        return self._books[symbol].halted

    def id_used(self, order_id: str) -> bool:
        return order_id in self._orders or order_id in self._done

    # --- Core -------------------------------------------------------------------------

    def handle(self, command: Message, ts_ns: int) -> list[Event]:
        """Apply one command and return the events it caused, in order."""
        kind = type(command)
        if kind is ReplaceOrder:
            return self._replace(command, ts_ns)  # type: ignore[arg-type]
        if kind is SubmitOrder:
            return self._submit(command, ts_ns)  # type: ignore[arg-type]
        if kind is CancelOrder:
            return self._cancel(command, ts_ns)  # type: ignore[arg-type]
        if isinstance(command, HaltTrading):
            return self._halt(command, ts_ns)
        if isinstance(command, ResumeTrading):
            return self._resume(command, ts_ns)
        if kind is EndVenueSession:
            return self._end_session(command, ts_ns)  # type: ignore[arg-type]
        if isinstance(command, RunAuction):
            reject = validation.check_auction(command, self)
            if reject is not None:
                return [self._rejected("", "", reject, ts_ns)]
            return run_cross(self, self._books[command.symbol], command, ts_ns)
        return [self._rejected("", "", (RejectCode.MALFORMED, kind.__name__), ts_ns)]

    def snapshot(self) -> bytes:
        return fast_state.snapshot(self)

    def restore(self, data: bytes) -> None:
        fast_state.restore(self, data)

    def state_hash(self) -> str:
        return digest(self.snapshot())

    # --- queries ----------------------------------------------------------------------

    @property
    def symbols(self) -> tuple[str, ...]:
        """The symbols this venue trades, in configuration order."""
        return tuple(self._books)

    def best_bid_offer(self, symbol: str) -> BestBidOffer:
        """The venue's displayed top of book for ``symbol``."""
        depth = self.depth(symbol, 1)
        bid = depth.bids[0] if depth.bids else (None, 0)
        ask = depth.asks[0] if depth.asks else (None, 0)
        return BestBidOffer(bid[0], bid[1], ask[0], ask[1])

    def depth(self, symbol: str, levels: int) -> Depth:
        """Displayed size by price, best first, at most ``levels`` prices a side."""
        book = self._books[symbol]
        return Depth(
            fast_state.displayed_levels(book.bids, levels),
            fast_state.displayed_levels(book.asks, levels),
        )

    def order(self, order_id: str) -> OrderView | None:
        """A view of a working order, or None if it is not working here."""
        o = self._orders.get(order_id)
        return None if o is None else fast_state.view(o)

    # --- helpers ----------------------------------------------------------------------

    def _rejected(
        self, order_id: object, participant: object, reject: tuple[RejectCode, str], ts: int
    ) -> OrderRejected:
        return OrderRejected(
            self._venue,
            order_id if isinstance(order_id, str) else repr(order_id),
            participant if isinstance(participant, str) else repr(participant),
            reject[0],
            reject[1],
            ts,
        )

    def _post_only_price(
        self, book: Book, spec: Spec, price: int, exclude: Order | None
    ) -> int | None:
        """Where a post-only order may rest, or None when it must be rejected."""
        contra = self._contra_best(book, spec.is_buy, exclude)
        if contra is None or (price < contra if spec.is_buy else price > contra):
            return price
        if spec.post_only is PostOnly.REJECT:
            return None
        return slide_price(contra, spec.is_buy)

    def _owned(self, order_id: object, participant: object) -> Order | tuple[RejectCode, str]:
        """The working order ``order_id`` of ``participant``, or why not."""
        if type(order_id) is str:
            # Fast path: a working order's id and owner were validated when it was accepted.
            o = self._orders.get(order_id)
            if o is not None and type(participant) is str and o.participant == participant:
                return o
        if not validation.valid_id(order_id) or not validation.valid_id(participant):
            return RejectCode.INVALID_ID, "order id and participant"
        assert isinstance(order_id, str)
        o = self._orders.get(order_id)
        if o is None or o.participant != participant:
            late = self._done.get(order_id) == participant
            return (RejectCode.REPLACE_TOO_LATE if late else RejectCode.UNKNOWN_ORDER), order_id
        return o

    # --- commands ---------------------------------------------------------------------

    def _submit(self, cmd: SubmitOrder, ts: int) -> list[Event]:
        reject = validation.check_submit(cmd, self)
        if reject is not None:
            raw: validation.RawSubmit = cmd
            return [self._rejected(raw.order_id, raw.participant, reject, ts)]
        book = self._books[cmd.symbol]
        spec = self._spec(
            cmd.symbol,
            cmd.side,
            cmd.order_type,
            cmd.time_in_force,
            cmd.hidden,
            cmd.post_only,
            cmd.display_quantity,
        )
        price = cmd.price
        if spec.post_only is not _NO:
            assert price is not None
            price = self._post_only_price(book, spec, price, None)
            if price is None:
                return [self._rejected(cmd.order_id, cmd.participant, validation.WOULD_TAKE, ts)]
        self._seq = seq = self._seq + 1
        o = Order(cmd.order_id, cmd.participant, spec, price, cmd.quantity, seq)
        events: list[Event] = [
            _accepted(
                self._venue,
                o.order_id,
                o.participant,
                spec.symbol,
                spec.side,
                spec.order_type,
                o.leaves,
                price,
                spec.time_in_force,
                ts,
            )
        ]
        if spec.auction is not None:
            book.auctions[spec.auction].append(o)
            self._orders[o.order_id] = o
            return events
        tif = spec.time_in_force
        if tif is _FOK and not self._fok_fillable(book, o):
            events.append(self._cancel_event(o, CancelReason.FOK_UNFILLED, ts))
            self._finish(o)
            return events
        self._match(book, o, events, ts)
        if o.leaves == 0:
            self._finish(o)
        elif tif in _RESTING and not spec.is_market:
            self._rest(book, o, events, ts)
        else:
            reason = CancelReason.NO_LIQUIDITY if spec.is_market else CancelReason.IOC_REMAINDER
            events.append(self._cancel_event(o, reason, ts))
            self._finish(o)
        if book.buy_pegs or book.sell_pegs:
            self._settle(book, events, ts)
        return events

    def _cancel_event(self, o: Order, reason: CancelReason, ts: int) -> OrderCancelled:
        return _cancelled(
            self._venue, o.order_id, o.participant, o.spec.symbol, o.leaves, reason, ts
        )

    def _cancel(self, cmd: CancelOrder, ts: int) -> list[Event]:
        raw: validation.RawOrderRef = cmd
        o = self._owned(raw.order_id, raw.participant)
        if type(o) is tuple:
            return [self._rejected(raw.order_id, raw.participant, o, ts)]
        assert isinstance(o, Order)
        spec = o.spec
        book = self._books[spec.symbol]
        on_feed = spec.on_book and o.level is not None
        self._take_out(book, o)
        events: list[Event] = [self._cancel_event(o, CancelReason.REQUESTED, ts)]
        if on_feed:
            events.append(_deleted(self._venue, spec.symbol, o.seq, ts))
        self._finish(o)
        if book.buy_pegs or book.sell_pegs:
            self._settle(book, events, ts)
        return events

    def _end_session(self, cmd: EndVenueSession, ts: int) -> list[Event]:
        """Expire the resting orders that live only for the session that ended, oldest
        first: DAY ones at the regular close, everything but GTC at the end of the day."""
        extended: object = cmd.extended
        if type(extended) is not bool:
            return [self._rejected("", "", (RejectCode.MALFORMED, "extended"), ts)]
        expiring = _END_OF_DAY if cmd.extended else _REGULAR_CLOSE
        events: list[Event] = []
        ending = [o for o in self._orders.values() if o.spec.time_in_force in expiring]
        for o in sorted(ending, key=lambda item: item.seq):
            spec = o.spec
            book = self._books[spec.symbol]
            on_feed = spec.on_book and o.level is not None
            self._take_out(book, o)
            events.append(self._cancel_event(o, CancelReason.EXPIRED, ts))
            if on_feed:
                events.append(_deleted(self._venue, spec.symbol, o.seq, ts))
            self._finish(o)
        for book in self._books.values():
            if book.buy_pegs or book.sell_pegs:
                self._settle(book, events, ts)
        return events

    def _replace(self, cmd: ReplaceOrder, ts: int) -> list[Event]:
        raw: validation.RawReplace = cmd
        o = self._owned(raw.order_id, raw.participant)
        if type(o) is tuple:
            return [self._rejected(raw.order_id, raw.participant, o, ts)]
        assert isinstance(o, Order)
        spec = o.spec
        book = self._books[spec.symbol]
        raw_quantity = raw.quantity
        raw_price = raw.price
        if (
            type(raw_quantity) is int
            and 0 < raw_quantity <= MAX_QUANTITY
            and (raw_price is None or (type(raw_price) is int and is_on_tick(raw_price)))
            and (raw_price is None or not spec.is_market)
        ):
            reject = None  # the common, well-formed replace skips the detailed checks
        else:
            reject = validation.check_replace_fields(cmd, spec.order_type)
        if reject is None and book.halted:
            reject = (RejectCode.SYMBOL_HALTED, spec.symbol)
        if reject is not None:
            return [self._rejected(raw.order_id, raw.participant, reject, ts)]
        quantity = cmd.quantity  # checked above: the declared types hold from here on
        price = cmd.price
        venue = self._venue
        on_feed = spec.on_book and o.level is not None
        new_leaves = quantity - o.filled
        events: list[Event]
        if new_leaves <= 0:
            self._take_out(book, o)
            events = [
                _replaced(
                    venue, o.order_id, o.participant, spec.symbol, quantity, 0, o.price, False, ts
                )
            ]
            if on_feed:
                events.append(_deleted(venue, spec.symbol, o.seq, ts))
            o.leaves = 0
            self._finish(o)
            if book.buy_pegs or book.sell_pegs:
                self._settle(book, events, ts)
            return events
        if price is None:
            price = o.price
        if price != o.price and spec.post_only is not _NO:
            assert price is not None
            price = self._post_only_price(book, spec, price, o)
            if price is None:
                return [self._rejected(cmd.order_id, cmd.participant, validation.WOULD_TAKE, ts)]
        if price == o.price and quantity <= o.leaves + o.filled:
            # Smaller (or same) size at the same price keeps the order's place in the queue.
            o.leaves = new_leaves
            events = [
                _replaced(
                    venue,
                    o.order_id,
                    o.participant,
                    spec.symbol,
                    quantity,
                    new_leaves,
                    price,
                    True,
                    ts,
                )
            ]
            if on_feed and o.shown > new_leaves:
                level = o.level
                assert level is not None
                events.append(_reduced(venue, spec.symbol, o.seq, o.shown - new_leaves, ts))
                level.shown -= o.shown - new_leaves
                o.shown = new_leaves
        else:
            events = self._requeue(book, o, price, new_leaves, on_feed, ts)
        if book.buy_pegs or book.sell_pegs:
            self._settle(book, events, ts)
        return events

    def _requeue(
        self, book: Book, o: Order, price: int | None, new_leaves: int, on_feed: bool, ts: int
    ) -> list[Event]:
        """A replace that loses priority: the order re-enters as if new (and may trade)."""
        spec = o.spec
        venue = self._venue
        old_ref = o.seq
        self._take_out(book, o)
        o.price, o.leaves, o.shown = price, new_leaves, 0
        self._seq = o.seq = self._seq + 1
        events: list[Event] = [
            _replaced(
                venue,
                o.order_id,
                o.participant,
                spec.symbol,
                new_leaves + o.filled,
                new_leaves,
                price,
                False,
                ts,
            )
        ]
        if spec.auction is not None:
            book.auctions[spec.auction].append(o)
            return events
        limit = price
        if spec.is_peg:
            limit = peg_price(
                book.bids.best_displayed(), book.asks.best_displayed(), spec.is_buy, price
            )
        contra = self._contra_best(book, spec.is_buy, None)
        trades = (
            contra is not None
            and limit is not None
            and (contra <= limit if spec.is_buy else contra >= limit)
        )
        if trades:
            if on_feed:
                events.append(_deleted(venue, spec.symbol, old_ref, ts))
            self._match(book, o, events, ts)
            if o.leaves == 0:
                self._finish(o)
            else:
                self._rest(book, o, events, ts)
        elif on_feed:
            # The common move: it rests at once, announced as one replace on the feed.
            assert price is not None
            display = spec.display
            o.shown = display if display is not None and display < new_leaves else new_leaves
            (book.bids if spec.is_buy else book.asks).level_at(price).append(o)
            events.append(_book_replaced(venue, spec.symbol, old_ref, o.seq, price, o.shown, ts))
        else:
            self._rest(book, o, events, ts)
        return events

    def _halt(self, cmd: HaltTrading, ts: int) -> list[Event]:
        reject = validation.check_halt(cmd, self)
        if reject is not None:
            return [self._rejected("", "", reject, ts)]
        self._books[cmd.symbol].halted = True
        return [TradingHalted(self._venue, cmd.symbol, cmd.reason, ts)]

    def _resume(self, cmd: ResumeTrading, ts: int) -> list[Event]:
        reject = validation.check_resume(cmd, self)
        if reject is not None:
            return [self._rejected("", "", reject, ts)]
        book = self._books[cmd.symbol]
        book.halted = False
        events: list[Event] = [TradingResumed(self._venue, cmd.symbol, ts)]
        self._settle(book, events, ts)
        return events

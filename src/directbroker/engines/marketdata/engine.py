"""The market data engine: the venues' public feeds in, consolidated views and events out.

Inputs are the venue feed events themselves (``BookOrder*``, ``TradeReported``,
``TradingHalted``/``TradingResumed``, ``AuctionCompleted``) plus the calendar and reference
commands in ``marketdata_messages``. Taking feed events directly, rather than wrapped in a
command, keeps a market data journal byte-for-byte the venues' output stream, so rebuilding
every view is just replaying what the venues said. ``handle`` accepts any ``Message``, which
still satisfies :class:`~directbroker.engines.core.Core` (a wider parameter type).

Every handler validates its input fully before touching state; a bad or gapped input yields a
``MarketDataInputRejected`` event and changes nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import partial
from typing import Any

from directbroker.domain.marketdata_messages import (
    Bar,
    CloseElapsedBars,
    DepthUpdated,
    EndTradingDay,
    Montage,
    Quote,
    QuoteUpdated,
    SetPriorClose,
    StartTradingDay,
    SymbolSnapshot,
    Timeframe,
    TradePrinted,
)
from directbroker.domain.messages import Event, Message
from directbroker.domain.numbers import MAX_PRICE, MAX_QUANTITY
from directbroker.domain.orders import AuctionKind, BookSide
from directbroker.domain.rejects import RejectCode
from directbroker.domain.venue_messages import (
    EXECUTION_REPORTS,
    AuctionCompleted,
    BookOrderAdded,
    BookOrderDeleted,
    BookOrderExecuted,
    BookOrderReduced,
    BookOrderReplaced,
    TradeReported,
    TradingHalted,
    TradingResumed,
)
from directbroker.engines.marketdata import persistence, trading_day
from directbroker.engines.marketdata.bars import bar_event
from directbroker.engines.marketdata.book import LevelChange, VenueBook
from directbroker.engines.marketdata.state import EngineState, is_int, is_text, note_status, reject
from directbroker.engines.marketdata.status import (
    SSR_TRIGGER_DAYS,
    triggers_ssr,
)
from directbroker.engines.marketdata.symbol import SymbolState

_Handler = Callable[[Any, int], list[Event]]


_PRIVATE_REPORTS = EXECUTION_REPORTS
"""A venue's execution reports go to the order's owner only. They are not market data, but a
venue's whole output stream may be fed in, so they are ignored rather than refused."""


def _ignore(_: Message, __: int) -> list[Event]:
    return []


class MarketDataEngine:
    """Consolidates venue feeds into NBBO, Level II, time and sales, bars and trading status."""

    def __init__(self, *, tape_depth: int = 1_000, bar_history: int = 1_000) -> None:
        """``tape_depth`` recent prints and ``bar_history`` closed bars per timeframe are kept
        per symbol for the live views; the history service keeps everything."""
        self._state = EngineState(tape_depth, bar_history)
        self._handlers: dict[type[Message], _Handler] = {
            BookOrderAdded: self._on_added,
            BookOrderExecuted: self._on_executed,
            BookOrderReduced: self._on_reduced,
            BookOrderDeleted: self._on_deleted,
            BookOrderReplaced: self._on_replaced,
            TradeReported: self._on_trade,
            TradingHalted: self._on_halted,
            TradingResumed: self._on_resumed,
            AuctionCompleted: self._on_auction,
        }
        for private in _PRIVATE_REPORTS:
            self._handlers[private] = _ignore
        self._bind_calendar()

    # --- Core ----------------------------------------------------------------------------

    def handle(self, command: Message, ts_ns: int) -> list[Event]:
        """Apply one feed event or command and return the consolidated events it caused."""
        handler = self._handlers.get(type(command))
        if handler is None:
            return reject(command, RejectCode.MALFORMED, "not a market data input", ts_ns)
        return handler(command, ts_ns)

    def snapshot(self) -> bytes:
        """The whole state, canonical (equal states give equal bytes)."""
        return persistence.dump(self._state)

    def restore(self, data: bytes) -> None:
        """Replace the state with one taken by :meth:`snapshot`."""
        self._state = persistence.load(data)
        self._bind_calendar()

    def _bind_calendar(self) -> None:
        # The calendar handlers are plain functions of the state object, so rebind them
        # whenever the state object is replaced.
        state = self._state
        self._handlers[StartTradingDay] = partial(trading_day.start_day, state)
        self._handlers[EndTradingDay] = partial(trading_day.end_day, state)
        self._handlers[SetPriorClose] = partial(trading_day.set_prior_close, state)
        self._handlers[CloseElapsedBars] = partial(trading_day.close_elapsed, state)

    def state_hash(self) -> str:
        """sha256 of the canonical snapshot."""
        return hashlib.sha256(self.snapshot()).hexdigest()

    # --- queries -------------------------------------------------------------------------

    @property
    def trading_date(self) -> str:
        """The trading date last started ("" before the first)."""
        return self._state.trading_date

    def symbols(self) -> list[str]:
        """Every symbol seen so far, sorted."""
        return sorted(self._state.symbols)

    def nbbo(self, symbol: str) -> Quote | None:
        """The national best bid and offer, or None for a symbol never seen."""
        state = self._state.symbols.get(symbol)
        return None if state is None else state.market.quote(symbol)

    def montage(self, symbol: str, levels: int = 10) -> Montage:
        """Level II: each venue's aggregated levels, best first, at most ``levels`` a side."""
        state = self._state.symbols.get(symbol)
        if state is None:
            return Montage(symbol, ())
        return state.market.montage(symbol, levels)

    def trades(self, symbol: str, limit: int = 100) -> list[TradePrinted]:
        """The most recent prints (time and sales), oldest first."""
        state = self._state.symbols.get(symbol)
        if state is None or limit <= 0:
            return []
        tape = list(state.tape)
        return tape[-limit:]

    def bars(self, symbol: str, timeframe: Timeframe, include_forming: bool = True) -> list[Bar]:
        """Closed bars oldest first, then the one still forming (if asked and any)."""
        state = self._state.symbols.get(symbol)
        if state is None:
            return []
        out = list(state.bars.closed[timeframe])
        forming = state.bars.forming_bar(symbol, timeframe, self._state.trading_date)
        if include_forming and forming is not None:
            out.append(forming)
        return out

    def snapshot_of(self, symbol: str) -> SymbolSnapshot | None:
        """Last trade, NBBO, today's bar, prior close and status of one symbol."""
        state = self._state.symbols.get(symbol)
        if state is None:
            return None
        date = self._state.trading_date
        halted, ssr = state.status_key()
        return SymbolSnapshot(
            symbol=symbol,
            trading_date=date,
            last_trade=state.last_trade,
            quote=state.market.quote(symbol),
            today=state.bars.forming_bar(symbol, Timeframe.DAY, date),
            prior_close=state.prior_close,
            halted_venues=halted,
            short_sale_restricted=ssr,
        )

    # --- the order-level feed ------------------------------------------------------------

    def _book_change(
        self,
        event: Any,
        ts_ns: int,
        book: VenueBook,
        state: SymbolState,
        changes: tuple[LevelChange, ...],
        tops_before: tuple[object, object],
    ) -> list[Event]:
        out: list[Event] = []
        for is_bid, price, quantity, orders in changes:
            side = BookSide.BID if is_bid else BookSide.ASK
            out.append(
                DepthUpdated(event.venue, event.symbol, side, price, quantity, orders, ts_ns)
            )
        market = state.market
        moved = market.refresh(True, ts_ns) if book.top(True) != tops_before[0] else False
        if book.top(False) != tops_before[1] and market.refresh(False, ts_ns):
            moved = True
        if moved:
            bid, ask = market.bid, market.ask
            out.append(
                QuoteUpdated(event.symbol, bid[0], bid[1], bid[2], ask[0], ask[1], ask[2], ts_ns)
            )
        return out

    def _existing_book(self, event: Any, ts_ns: int) -> tuple[SymbolState, VenueBook] | list[Event]:
        if not is_text(event.venue, event.symbol):
            return reject(event, RejectCode.MALFORMED, "venue and symbol must be text", ts_ns)
        state = self._state.symbols.get(event.symbol)
        book = None if state is None else state.market.venues.get(event.venue)
        if state is None or book is None:
            return reject(
                event, RejectCode.UNKNOWN_ORDER, f"no book for {event.symbol}@{event.venue}", ts_ns
            )
        return state, book

    def _on_added(self, event: BookOrderAdded, ts_ns: int) -> list[Event]:
        if not (
            is_text(event.venue, event.symbol)
            and is_int(event.book_ref, event.price, event.quantity)
            and isinstance(event.side, BookSide)
            and 0 < event.price <= MAX_PRICE
            and 0 < event.quantity <= MAX_QUANTITY
        ):
            return reject(event, RejectCode.MALFORMED, "bad add", ts_ns)
        state = self._state.symbols.get(event.symbol)
        book = None if state is None else state.market.venues.get(event.venue)
        if book is not None and event.book_ref in book.orders:
            return reject(event, RejectCode.MALFORMED, f"duplicate {event.book_ref}", ts_ns)
        state = self._state.symbol(event.symbol)
        book = state.market.book(event.venue)
        tops = (book.top(True), book.top(False))
        change = book.add(event.book_ref, event.side is BookSide.BID, event.price, event.quantity)
        assert not isinstance(change, str), change
        return self._book_change(event, ts_ns, book, state, (change,), tops)

    def _reduce(self, event: Any, ts_ns: int) -> list[Event]:
        found = self._existing_book(event, ts_ns)
        if isinstance(found, list):
            return found
        state, book = found
        if not is_int(event.book_ref, event.quantity):
            return reject(event, RejectCode.MALFORMED, "bad reference or quantity", ts_ns)
        tops = (book.top(True), book.top(False))
        change = book.reduce(event.book_ref, event.quantity)
        if isinstance(change, str):
            return reject(event, RejectCode.UNKNOWN_ORDER, change, ts_ns)
        return self._book_change(event, ts_ns, book, state, (change,), tops)

    def _on_executed(self, event: BookOrderExecuted, ts_ns: int) -> list[Event]:
        return self._reduce(event, ts_ns)

    def _on_reduced(self, event: BookOrderReduced, ts_ns: int) -> list[Event]:
        return self._reduce(event, ts_ns)

    def _on_deleted(self, event: BookOrderDeleted, ts_ns: int) -> list[Event]:
        found = self._existing_book(event, ts_ns)
        if isinstance(found, list):
            return found
        state, book = found
        if not is_int(event.book_ref):
            return reject(event, RejectCode.MALFORMED, "bad reference", ts_ns)
        tops = (book.top(True), book.top(False))
        change = book.delete(event.book_ref)
        if isinstance(change, str):
            return reject(event, RejectCode.UNKNOWN_ORDER, change, ts_ns)
        return self._book_change(event, ts_ns, book, state, (change,), tops)

    def _on_replaced(self, event: BookOrderReplaced, ts_ns: int) -> list[Event]:
        found = self._existing_book(event, ts_ns)
        if isinstance(found, list):
            return found
        state, book = found
        if not (
            is_int(event.old_book_ref, event.new_book_ref, event.price, event.quantity)
            and 0 < event.price <= MAX_PRICE
            and 0 < event.quantity <= MAX_QUANTITY
        ):
            return reject(event, RejectCode.MALFORMED, "bad replace", ts_ns)
        tops = (book.top(True), book.top(False))
        changes = book.replace(event.old_book_ref, event.new_book_ref, event.price, event.quantity)
        if isinstance(changes, str):
            return reject(event, RejectCode.UNKNOWN_ORDER, changes, ts_ns)
        return self._book_change(event, ts_ns, book, state, changes, tops)

    # --- trades and status ---------------------------------------------------------------

    def _on_trade(self, event: TradeReported, ts_ns: int) -> list[Event]:
        if not (
            is_text(event.venue, event.symbol)
            and is_int(event.trade_id, event.price, event.quantity, event.ts_ns)
            and type(event.condition) is str
            and (event.aggressor is None or isinstance(event.aggressor, BookSide))
            and 0 < event.price <= MAX_PRICE
            and 0 < event.quantity <= MAX_QUANTITY
        ):
            return reject(event, RejectCode.MALFORMED, "bad trade", ts_ns)
        world = self._state
        state = world.symbol(event.symbol)
        world.tape_seq += 1
        printed = TradePrinted(
            world.tape_seq, event.symbol, event.venue, event.trade_id, event.price,
            event.quantity, event.aggressor, event.condition, event.ts_ns,
        )  # fmt: skip
        state.tape.append(printed)
        state.last_trade = printed
        closed = state.bars.add_trade(
            event.symbol, event.price, event.quantity, event.ts_ns,
            world.trading_date, world.day_start_ns,
        )  # fmt: skip
        out: list[Event] = [bar_event(bar, ts_ns) for bar in closed]
        out.append(printed)
        if state.ssr_days_left < SSR_TRIGGER_DAYS and triggers_ssr(event.price, state.prior_close):
            before = state.status_key()
            state.ssr_days_left = SSR_TRIGGER_DAYS
            note_status(out, event.symbol, state, before, "rule 201 triggered", ts_ns)
        return out

    def _on_halted(self, event: TradingHalted, ts_ns: int) -> list[Event]:
        if not (is_text(event.venue, event.symbol) and type(event.reason) is str):
            return reject(event, RejectCode.MALFORMED, "bad halt", ts_ns)
        state = self._state.symbol(event.symbol)
        before = state.status_key()
        state.halted_venues.add(event.venue)
        out: list[Event] = []
        note_status(out, event.symbol, state, before, event.reason or "halted", ts_ns)
        return out

    def _on_resumed(self, event: TradingResumed, ts_ns: int) -> list[Event]:
        if not is_text(event.venue, event.symbol):
            return reject(event, RejectCode.MALFORMED, "bad resume", ts_ns)
        state = self._state.symbol(event.symbol)
        before = state.status_key()
        state.halted_venues.discard(event.venue)
        out: list[Event] = []
        note_status(out, event.symbol, state, before, "resumed", ts_ns)
        return out

    def _on_auction(self, event: AuctionCompleted, ts_ns: int) -> list[Event]:
        # The cross's prints arrive as TradeReported; only the official close is kept here.
        if not (is_text(event.venue, event.symbol) and isinstance(event.kind, AuctionKind)):
            return reject(event, RejectCode.MALFORMED, "bad auction", ts_ns)
        if event.kind is AuctionKind.CLOSE and event.price is not None:
            if not (is_int(event.price) and 0 < event.price <= MAX_PRICE):
                return reject(event, RejectCode.MALFORMED, "bad auction price", ts_ns)
            self._state.symbol(event.symbol).official_close = event.price
        return []

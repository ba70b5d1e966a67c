"""NASDAQ TotalView-ITCH 5.0 messages (decoded by :mod:`directbroker.protocols.itch`) turned
into one venue's feed events. No I/O.

ITCH's executions, cancels and deletes carry only the order reference, so the translator keeps
each live order's symbol, side, price and size; it raises
:class:`~directbroker.protocols.itch.ItchFormatError` (with the message's offset) for references
it has never seen. Prices in ITCH have four implied decimals, exactly our $0.0001 price unit;
timestamps are nanoseconds since midnight, to which the translator adds the epoch nanoseconds of
that midnight, given by the caller.
"""

from __future__ import annotations

from typing import Any

from directbroker.domain.messages import Event
from directbroker.domain.orders import AuctionKind, BookSide
from directbroker.domain.venue_messages import (
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
from directbroker.protocols.itch import (
    AddOrder,
    AddOrderMpid,
    CrossTrade,
    ItchFormatError,
    ItchMessage,
    NonCrossTrade,
    OrderCancel,
    OrderDelete,
    OrderExecuted,
    OrderExecutedWithPrice,
    OrderReplace,
    StockDirectory,
    StockTradingAction,
)

_SIDES = {"B": BookSide.BID, "S": BookSide.ASK}
_CROSS_KINDS = {"O": AuctionKind.OPEN, "C": AuctionKind.CLOSE}
_HALTED_STATES = frozenset({"H", "P", "Q"})
"""Halted, paused, and quotation-only (no trading yet): all are "not trading" on the tape."""


class ItchTranslator:
    """Turns decoded ITCH messages into one venue's feed events, tracking live orders."""

    def __init__(self, venue: str, midnight_ns: int) -> None:
        self.venue = venue
        self.midnight_ns = midnight_ns
        self.orders: dict[int, list[Any]] = {}
        """order reference -> [symbol, side, price, shares]."""
        self.round_lots: dict[str, int] = {}

    def _side(self, message: ItchMessage, side: str) -> BookSide:
        found = _SIDES.get(side)
        if found is None:
            raise ItchFormatError(message.offset, f"side must be B or S, not {side!r}")
        return found

    def _order(self, message: ItchMessage, ref: int) -> list[Any]:
        order = self.orders.get(ref)
        if order is None:
            raise ItchFormatError(message.offset, f"unknown order reference {ref}")
        return order

    def _take(self, message: ItchMessage, ref: int, shares: int) -> list[Any]:
        order = self._order(message, ref)
        if not 0 < shares <= order[3]:
            raise ItchFormatError(message.offset, f"order {ref} has {order[3]}, not {shares}")
        order[3] -= shares
        if order[3] == 0:
            del self.orders[ref]
        return order

    def translate(self, m: ItchMessage) -> list[Event]:
        """The feed events one message means (none for housekeeping messages)."""
        ts = self.midnight_ns + m.timestamp
        venue = self.venue
        if isinstance(m, AddOrder | AddOrderMpid):
            side = self._side(m, m.side)
            if m.order_ref in self.orders:
                raise ItchFormatError(m.offset, f"order reference {m.order_ref} reused")
            self.orders[m.order_ref] = [m.stock, side, m.price, m.shares]
            return [BookOrderAdded(venue, m.stock, m.order_ref, side, m.price, m.shares, ts)]
        if isinstance(m, OrderExecuted | OrderExecutedWithPrice):
            symbol, side, price, _ = self._take(m, m.order_ref, m.shares)
            out: list[Event] = [
                BookOrderExecuted(venue, symbol, m.order_ref, m.shares, m.match_number, ts)
            ]
            printable = not isinstance(m, OrderExecutedWithPrice) or m.printable == "Y"
            if isinstance(m, OrderExecutedWithPrice):
                price = m.price
            if printable:
                out.append(TradeReported(venue, symbol, m.match_number, price, m.shares,
                                         side.opposite, "", ts))  # fmt: skip
            return out
        if isinstance(m, OrderCancel):
            symbol = self._take(m, m.order_ref, m.shares)[0]
            return [BookOrderReduced(venue, symbol, m.order_ref, m.shares, ts)]
        if isinstance(m, OrderDelete):
            symbol = self._order(m, m.order_ref)[0]
            del self.orders[m.order_ref]
            return [BookOrderDeleted(venue, symbol, m.order_ref, ts)]
        if isinstance(m, OrderReplace):
            symbol, side, _, _ = self._order(m, m.original_ref)
            if m.new_ref in self.orders and m.new_ref != m.original_ref:
                raise ItchFormatError(m.offset, f"order reference {m.new_ref} reused")
            del self.orders[m.original_ref]
            self.orders[m.new_ref] = [symbol, side, m.price, m.shares]
            return [BookOrderReplaced(venue, symbol, m.original_ref, m.new_ref, m.price,
                                      m.shares, ts)]  # fmt: skip
        if isinstance(m, NonCrossTrade):
            resting = self._side(m, m.side)
            return [TradeReported(venue, m.stock, m.match_number, m.price, m.shares,
                                  resting.opposite, "", ts)]  # fmt: skip
        if isinstance(m, CrossTrade):
            return self._cross(m, ts)
        if isinstance(m, StockTradingAction):
            if m.trading_state in _HALTED_STATES:
                return [TradingHalted(venue, m.stock, m.reason, ts)]
            return [TradingResumed(venue, m.stock, ts)]
        if isinstance(m, StockDirectory):
            self.round_lots[m.stock] = m.round_lot_size
        return []

    def _cross(self, m: CrossTrade, ts: int) -> list[Event]:
        out: list[Event] = []
        if m.shares > 0:
            out.append(TradeReported(self.venue, m.stock, m.match_number, m.cross_price,
                                     m.shares, None, f"cross_{m.cross_type}", ts))  # fmt: skip
        kind = _CROSS_KINDS.get(m.cross_type)
        if kind is not None:
            price = m.cross_price if m.shares > 0 else None
            out.append(AuctionCompleted(self.venue, m.stock, kind, price, m.shares, 0, None, ts))
        return out


__all__ = ["ItchTranslator"]

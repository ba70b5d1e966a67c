"""Customer order flow as the routing reports see it, folded from the broker core's journal.

A pure fold over journaled entries (the input and the events it caused, in order): no core
state is read, so the reports can be recomputed from any copy of the journal, by the CLI from a
data directory or by the API's read model from committed batches, and a test can recount the
same journal another way. It keeps:

- the NBBO per symbol (the ``QuoteUpdated`` inputs) and its midpoints over time (for realized
  spreads);
- one :class:`OrderFlowRecord` per customer order (``OrderReceived``): its terms, the NBBO at
  arrival, whether it was directed (the ``PlaceOrder`` input named a venue), the shares sent to
  each venue (``ChildOrderSent``) and every fill with its venue and liquidity (``ParentFilled``).

Fees and rebates are not in the events: a venue's net payment is worked out from its fee
schedule (``domain.venue_config.FeeSchedule``) and each fill's liquidity when a report is made.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from directbroker.domain.broker_messages import (
    ChildOrderSent,
    OrderReceived,
    ParentFilled,
    PlaceOrder,
)
from directbroker.domain.marketdata_messages import QuoteUpdated
from directbroker.domain.messages import Event, Message
from directbroker.domain.orders import Liquidity, OrderType, Side
from directbroker.domain.routing import SMART
from directbroker.domain.venue_config import FeeSchedule
from directbroker.engines.router.report606 import OrderCategory, categorize

_QUOTED = (OrderType.MARKET, OrderType.LIMIT)


@dataclass(frozen=True, slots=True)
class Fill:
    """One execution of a customer order at a venue."""

    venue: str
    quantity: int
    price: int
    ts_ns: int
    liquidity: Liquidity


@dataclass
class OrderFlowRecord:
    """One customer order: its terms, the market at arrival, where it went and what filled."""

    order_id: str
    symbol: str
    side: Side
    order_type: OrderType
    quantity: int
    limit_price: int | None
    arrival_ns: int
    bid: int | None
    ask: int | None
    directed: bool
    category: OrderCategory
    routed: dict[str, int] = field(default_factory=dict)
    """Shares sent to each venue."""
    fills: list[Fill] = field(default_factory=list)

    @property
    def arrival_mid(self) -> int | None:
        """Twice the NBBO midpoint at arrival (kept doubled so it stays an integer)."""
        if self.bid is None or self.ask is None:
            return None
        return self.bid + self.ask


def fee_of(schedule: FeeSchedule, liquidity: Liquidity, quantity: int) -> int:
    """What the venue charges for a fill (micro-dollars; negative is a rebate paid)."""
    rate = {
        Liquidity.MAKER: schedule.maker,
        Liquidity.TAKER: schedule.taker,
        Liquidity.AUCTION: schedule.auction,
    }[liquidity]
    return schedule.fee(rate, quantity)


class OrderFlow:
    """The fold: feed it every broker journal entry in order (:meth:`take`)."""

    def __init__(self) -> None:
        self.orders: dict[str, OrderFlowRecord] = {}
        self._nbbo: dict[str, tuple[int | None, int | None]] = {}
        self._mid_times: dict[str, list[int]] = {}
        self._mids: dict[str, list[int]] = {}

    def take(self, message: Message, events: Sequence[Event], ts_ns: int) -> None:
        """Fold one journal entry: the input and the events it caused."""
        if isinstance(message, QuoteUpdated):
            self._quote(message, ts_ns)
        directed = message.route != SMART if isinstance(message, PlaceOrder) else False
        placed = message.order_id if isinstance(message, PlaceOrder) else None
        for event in events:
            kind = type(event)
            if kind is OrderReceived:
                assert isinstance(event, OrderReceived)
                self._received(event, directed and event.order_id == placed)
            elif kind is ParentFilled:
                assert isinstance(event, ParentFilled)
                record = self.orders.get(event.order_id)
                if record is not None:
                    record.fills.append(
                        Fill(event.venue, event.last_quantity, event.last_price, event.ts_ns,
                             event.liquidity)
                    )  # fmt: skip
            elif kind is ChildOrderSent:
                assert isinstance(event, ChildOrderSent)
                sent = self.orders.get(event.parent_id)
                if sent is not None:
                    sent.routed[event.venue] = sent.routed.get(event.venue, 0) + event.quantity

    def _quote(self, quote: QuoteUpdated, ts_ns: int) -> None:
        self._nbbo[quote.symbol] = (quote.bid_price, quote.ask_price)
        if quote.bid_price is not None and quote.ask_price is not None:
            self._mid_times.setdefault(quote.symbol, []).append(ts_ns)
            self._mids.setdefault(quote.symbol, []).append(quote.bid_price + quote.ask_price)

    def _received(self, event: OrderReceived, directed: bool) -> None:
        bid, ask = self._nbbo.get(event.symbol, (None, None))
        order_type = event.order_type
        category = (
            categorize(order_type, event.side, event.limit_price, bid, ask)
            if order_type in _QUOTED
            else OrderCategory.OTHER
        )
        self.orders[event.order_id] = OrderFlowRecord(
            event.order_id, event.symbol, event.side, order_type, event.quantity,
            event.limit_price, event.ts_ns, bid, ask, directed, category,
        )  # fmt: skip

    def doubled_mid_at(self, symbol: str, ts_ns: int) -> int | None:
        """Twice the NBBO midpoint in force at ``ts_ns`` (the last two-sided quote then)."""
        times = self._mid_times.get(symbol)
        if not times:
            return None
        index = bisect.bisect_right(times, ts_ns) - 1
        return self._mids[symbol][index] if index >= 0 else None


def fold(entries: Iterable[tuple[Message, Sequence[Event], int]]) -> OrderFlow:
    """An :class:`OrderFlow` over ``entries`` (a whole journal, say)."""
    flow = OrderFlow()
    for message, events, ts_ns in entries:
        flow.take(message, events, ts_ns)
    return flow


def venue_payments(
    record: OrderFlowRecord, fees: Mapping[str, FeeSchedule]
) -> dict[str, tuple[int, int]]:
    """Per venue the order was sent to: (shares routed, net payment to the firm in
    micro-dollars: rebates received minus fees paid)."""
    out: dict[str, tuple[int, int]] = {}
    for venue, shares in sorted(record.routed.items()):
        schedule = fees.get(venue)
        paid = sum(
            fee_of(schedule, f.liquidity, f.quantity)
            for f in record.fills
            if f.venue == venue and schedule is not None
        )
        out[venue] = (shares, -paid)
    return out

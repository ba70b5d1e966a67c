"""Differential and invariant properties of the venue matching engines.

Random command sequences (every order type, cancels, replaces, halts, crosses, and some garbage)
run through the fast engine and the naive reference engine side by side. After every command the
two must have emitted identical events and reached the same state hash, and the fast engine's book
must satisfy the invariants: never crossed, quantity conserved per order, queues in time order, and
snapshot/restore giving the same hash and the same behaviour afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from directbroker.domain.instruments import Instrument
from directbroker.domain.messages import Command, Event
from directbroker.domain.orders import AuctionKind, OrderType, PostOnly, Side, TimeInForce
from directbroker.domain.venue_config import FeeSchedule, VenueConfig
from directbroker.domain.venue_messages import (
    CancelOrder,
    HaltTrading,
    OrderAccepted,
    OrderCancelled,
    OrderFilled,
    OrderReplaced,
    ReplaceOrder,
    ResumeTrading,
    RunAuction,
    SubmitOrder,
)
from directbroker.engines.matching import ReferenceVenueEngine, VenueEngine
from directbroker.engines.matching.book import Order
from directbroker.engines.matching.state_codec import decode_state

CONFIG = VenueConfig(
    "PROP",
    "XPRP",
    fees=FeeSchedule(maker=-2_000, taker=3_000, auction=1_000),
    instruments=(Instrument("XYZ"), Instrument("ABC")),
)
# Around $1.00, where the tick changes and midpoints can fall between $0.0001 units.
PRICES = [9_997, 9_998, 9_999, 10_000, 10_100, 10_200, 10_300]
SYMBOLS = ["XYZ"] * 6 + ["ABC", "NOPE"]
PARTICIPANTS = ["p1", "p2", "p1"]

order_types = st.sampled_from(
    [OrderType.LIMIT] * 8
    + [OrderType.MARKET, OrderType.PEG_MIDPOINT, OrderType.PEG_MIDPOINT]
    + [OrderType.MARKET_ON_OPEN, OrderType.LIMIT_ON_OPEN]
    + [OrderType.MARKET_ON_CLOSE, OrderType.LIMIT_ON_CLOSE]
)
TIFS = {
    OrderType.LIMIT: [TimeInForce.DAY] * 4 + [TimeInForce.GTC, TimeInForce.IOC, TimeInForce.FOK],
    OrderType.MARKET: [TimeInForce.DAY, TimeInForce.IOC, TimeInForce.FOK],
    OrderType.PEG_MIDPOINT: [TimeInForce.DAY, TimeInForce.DAY, TimeInForce.IOC],
    OrderType.MARKET_ON_OPEN: [TimeInForce.OPG],
    OrderType.LIMIT_ON_OPEN: [TimeInForce.OPG, TimeInForce.DAY],
    OrderType.MARKET_ON_CLOSE: [TimeInForce.CLS],
    OrderType.LIMIT_ON_CLOSE: [TimeInForce.CLS, TimeInForce.DAY],
}
GARBAGE: list[object] = [None, 0, -1, True, 1.5, "x", 10**12, 10_050, 9_999, [1], object()]


@st.composite
def valid_submits(draw: st.DrawFn, order_id: str) -> SubmitOrder:
    order_type = draw(order_types)
    price: int | None = draw(st.sampled_from(PRICES))
    display = None
    hidden = False
    post_only = PostOnly.NO
    tif = draw(st.sampled_from(TIFS[order_type]))
    if order_type in (OrderType.MARKET, OrderType.MARKET_ON_OPEN, OrderType.MARKET_ON_CLOSE):
        price = None
    elif order_type is OrderType.PEG_MIDPOINT:
        price = draw(st.sampled_from([None, None, price]))
    elif order_type is OrderType.LIMIT and tif not in (TimeInForce.IOC, TimeInForce.FOK):
        display = draw(st.sampled_from([None] * 4 + [1, 5, 20]))
        hidden = display is None and draw(st.sampled_from([False] * 4 + [True]))
        post_only = draw(st.sampled_from([PostOnly.NO] * 5 + [PostOnly.REJECT, PostOnly.REPRICE]))
    quantity = draw(st.integers(1, 60))
    if display is not None and display >= quantity:
        display = None
    return SubmitOrder(
        order_id, draw(st.sampled_from(PARTICIPANTS)), draw(st.sampled_from(SYMBOLS)),
        draw(st.sampled_from([Side.BUY, Side.BUY, Side.SELL, Side.SELL_SHORT])), order_type,
        quantity, price, tif, display, hidden, post_only,
    )  # fmt: skip


@st.composite
def submits(draw: st.DrawFn, order_id: str) -> SubmitOrder:
    """Mostly well-formed orders; now and then one field replaced by garbage."""
    cmd = draw(valid_submits(order_id))
    if draw(st.integers(0, 9)) > 0:
        return cmd
    names = [
        "order_id", "participant", "symbol", "side", "order_type", "quantity", "price",
        "time_in_force", "display_quantity", "hidden", "post_only",
    ]  # fmt: skip
    values = {name: getattr(cmd, name) for name in names}
    values[draw(st.sampled_from(names))] = draw(st.sampled_from(GARBAGE))
    return SubmitOrder(**values)


@st.composite
def commands(draw: st.DrawFn) -> list[Command]:
    count = draw(st.integers(1, 70))
    out: list[Command] = []
    for index in range(count):
        kind = draw(st.sampled_from(["submit"] * 8 + ["cancel"] * 2 + ["replace"] * 4 + ["other"]))
        target = f"o{draw(st.integers(max(index - 12, 0), max(index - 1, 0)))}"
        who = draw(st.sampled_from([*PARTICIPANTS, "p2"]))
        if kind == "submit":
            out.append(draw(submits(f"o{index}")))
        elif kind == "cancel":
            out.append(CancelOrder(target, who))
        elif kind == "replace":
            price = draw(st.sampled_from([None, None, *PRICES, 10_050]))
            out.append(ReplaceOrder(target, who, draw(st.integers(0, 70)), price))
        else:
            symbol = draw(st.sampled_from(["XYZ", "XYZ", "ABC"]))
            reference = draw(st.sampled_from(PRICES))
            out.append(
                draw(
                    st.sampled_from(
                        [
                            HaltTrading(symbol, "test"),
                            ResumeTrading(symbol),
                            ResumeTrading(symbol),
                            RunAuction(symbol, AuctionKind.OPEN, reference),
                            RunAuction(symbol, AuctionKind.CLOSE, reference),
                            RunAuction(symbol, AuctionKind.CLOSE, reference),
                        ]
                    )
                )
            )
    return out


@dataclass
class Ledger:
    """Per-order quantity bookkeeping rebuilt from the events alone."""

    open: dict[str, int] = field(default_factory=dict)
    filled: dict[str, int] = field(default_factory=dict)

    def apply(self, events: list[Event]) -> None:
        for e in events:
            if isinstance(e, OrderAccepted):
                self.open[e.order_id] = e.quantity
                self.filled[e.order_id] = 0
            elif isinstance(e, OrderFilled):
                self.open[e.order_id] -= e.quantity
                self.filled[e.order_id] += e.quantity
                assert e.leaves_quantity == self.open[e.order_id]
                assert e.cumulative_quantity == self.filled[e.order_id]
            elif isinstance(e, OrderCancelled):
                assert e.cancelled_quantity == self.open[e.order_id] > 0
                self.open[e.order_id] = 0
            elif isinstance(e, OrderReplaced):
                self.open[e.order_id] = e.leaves_quantity
                if e.leaves_quantity:
                    assert e.quantity == e.leaves_quantity + self.filled[e.order_id]


def check_invariants(engine: VenueEngine, ledger: Ledger) -> None:
    state = decode_state(engine.snapshot(), CONFIG.mic)
    working = {r.order_id: r for r in state.orders}
    for order_id, open_quantity in ledger.open.items():
        record = working.get(order_id)
        assert (record.leaves if record else 0) == open_quantity, order_id
    for symbol in ("XYZ", "ABC"):
        limits = [r for r in state.orders if r.symbol == symbol and r.order_type is OrderType.LIMIT]
        bids = [r.price for r in limits if r.side is Side.BUY and r.price is not None]
        asks = [r.price for r in limits if r.side is not Side.BUY and r.price is not None]
        if bids and asks:
            assert max(bids) < min(asks), f"{symbol} crossed"
        book = engine._books[symbol]
        for half in (book.bids, book.asks):
            assert half.keys == sorted(half.levels)
            for level in half.in_order():
                shown = 0
                for head in (level.head, level.hidden_head):
                    o: Order | None = head
                    last = 0
                    while o is not None:
                        assert o.seq > last, "queue out of time order"
                        assert o.price == level.price and o.leaves > 0
                        last = o.seq
                        shown += o.shown if head is level.head else 0
                        o = o.next
                assert shown == level.shown > 0 or (shown == 0 and level.head is None)


@settings(max_examples=700, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(commands(), st.integers(0, 70), st.integers(0, 70))
def test_fast_engine_matches_reference_and_keeps_invariants(
    cmds: list[Command], restore_at: int, cross_restore_at: int
) -> None:
    fast = VenueEngine(CONFIG)
    reference = ReferenceVenueEngine(CONFIG)
    ledger = Ledger()
    for step, cmd in enumerate(cmds):
        ts = 1_000 + step
        fast_events = fast.handle(cmd, ts)
        reference_events = reference.handle(cmd, ts)
        assert fast_events == reference_events, f"step {step}: {cmd}"
        assert fast.state_hash() == reference.state_hash(), f"step {step}: {cmd}"
        ledger.apply(fast_events)
        check_invariants(fast, ledger)
        for symbol in ("XYZ", "ABC"):
            assert fast.depth(symbol, 10) == reference.depth(symbol, 10)
            assert fast.best_bid_offer(symbol) == reference.best_bid_offer(symbol)
        if step == restore_at:
            restored = VenueEngine(CONFIG)
            restored.restore(fast.snapshot())
            assert restored.state_hash() == fast.state_hash()
            fast = restored
        if step == cross_restore_at:
            # The snapshot format is shared, so each engine can take up the other's state.
            other = ReferenceVenueEngine(CONFIG)
            other.restore(fast.snapshot())
            assert other.state_hash() == fast.state_hash()
            reference = other
    for order_id in ledger.open:
        assert fast.order(order_id) == reference.order(order_id)

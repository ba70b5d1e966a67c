"""Random order flow through real matching engines at several venues; their public feeds into the
market data engine. After every command the consolidated views equal what the venues' own books
say: each venue's montage row equals the venue's depth, and the NBBO equals the best of the
venues' own tops, attributed by size then venue name. Snapshot and restore mid-run is seamless."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from directbroker.domain.instruments import Instrument
from directbroker.domain.marketdata_messages import MarketDataInputRejected, StartTradingDay
from directbroker.domain.messages import Command
from directbroker.domain.orders import OrderType, Side, TimeInForce
from directbroker.domain.venue_config import VenueConfig
from directbroker.domain.venue_messages import (
    CancelOrder,
    HaltTrading,
    ReplaceOrder,
    ResumeTrading,
    SubmitOrder,
)
from directbroker.engines.marketdata import MarketDataEngine
from directbroker.engines.matching import VenueEngine

SYMBOLS = ("ACME", "ZETA")
VENUES = ("ARCA", "BATS", "EDGX")
BASE = 500_000
INSTRUMENTS = tuple(Instrument(s) for s in SYMBOLS)

Draw = tuple[int, int, int, int, int, int, int]


def command(draw: Draw, serial: int, issued: list[str]) -> tuple[int, Command]:
    kind, venue, symbol_index, side, ticks, qty, flavour = draw
    symbol = SYMBOLS[symbol_index]
    if kind <= 5 or not issued:
        order_id = f"o{serial}"
        issued.append(f"{venue}:{order_id}")
        is_buy = side == 0
        # Mostly passive prices; ticks near zero cross the other side and trade.
        price = BASE + (-1 if is_buy else 1) * (ticks - 2) * 100
        order_type, tif, display, hidden = OrderType.LIMIT, TimeInForce.DAY, None, False
        if flavour == 0:
            order_type, tif, price = OrderType.MARKET, TimeInForce.IOC, None  # type: ignore[assignment]
        elif flavour == 1:
            tif = TimeInForce.IOC
        elif flavour == 2 and qty > 100:
            display = 100  # reserve: the display refreshes under a new book_ref
        elif flavour == 3:
            hidden = True
        return venue, SubmitOrder(
            order_id, "P1", symbol, Side.BUY if is_buy else Side.SELL_SHORT, order_type, qty,
            price, tif, display, hidden,
        )  # fmt: skip
    target_venue, order_id = issued[(ticks * 31 + flavour) % len(issued)].split(":")
    venue_index = int(target_venue)
    if kind == 6:
        return venue_index, CancelOrder(order_id, "P1")
    if kind == 7:
        price = BASE + (-1 if side == 0 else 1) * (ticks + 1) * 100
        return venue_index, ReplaceOrder(order_id, "P1", qty, price)
    return venue, (HaltTrading(symbol, "T1") if flavour < 3 else ResumeTrading(symbol))


DRAWS = st.lists(
    st.tuples(
        st.integers(0, 8),
        st.integers(0, len(VENUES) - 1),
        st.integers(0, len(SYMBOLS) - 1),
        st.integers(0, 1),
        st.integers(0, 6),
        st.integers(1, 400),
        st.integers(0, 7),
    ),
    max_size=80,
)


def check(venues: list[VenueEngine], engine: MarketDataEngine) -> None:
    for symbol in SYMBOLS:
        rows = {row.venue: row for row in engine.montage(symbol, 50).venues}
        tops = []
        for name, venue in zip(VENUES, venues, strict=True):
            depth = venue.depth(symbol, 50)
            row = rows.get(name)
            mine_bids = () if row is None else tuple((lv.price, lv.quantity) for lv in row.bids)
            mine_asks = () if row is None else tuple((lv.price, lv.quantity) for lv in row.asks)
            assert (mine_bids, mine_asks) == (depth.bids, depth.asks), (name, symbol)
            tops.append((name, venue.best_bid_offer(symbol)))
        bids = [(t.bid_price, t.bid_size, n) for n, t in tops if t.bid_price is not None]
        asks = [(t.ask_price, t.ask_size, n) for n, t in tops if t.ask_price is not None]
        best_bid = min(bids, key=lambda b: (-b[0], -b[1], b[2]), default=(None, 0, ""))
        best_ask = min(asks, key=lambda a: (a[0], -a[1], a[2]), default=(None, 0, ""))
        quote = engine.nbbo(symbol)
        if quote is None:
            assert best_bid == (None, 0, "") and best_ask == (None, 0, "")
            continue
        assert (quote.bid_price, quote.bid_size, quote.bid_venue) == best_bid
        assert (quote.ask_price, quote.ask_size, quote.ask_venue) == best_ask


@settings(max_examples=30, deadline=None)
@given(draws=DRAWS, cut=st.integers(0, 79))
def test_consolidated_views_match_the_venues_own_books(draws: list[Draw], cut: int) -> None:
    venues = [
        VenueEngine(VenueConfig(name=n, mic=n, instruments=INSTRUMENTS, runs_auctions=False))
        for n in VENUES
    ]
    engine = MarketDataEngine()
    ts = 1_741_012_200_000_000_000
    engine.handle(StartTradingDay("2025-03-03"), ts)
    issued: list[str] = []
    printed = 0
    for serial, draw in enumerate(draws):
        ts += 1_000_000
        venue_index, cmd = command(draw, serial, issued)
        for event in venues[venue_index].handle(cmd, ts):
            out = engine.handle(event, ts)
            assert not [e for e in out if isinstance(e, MarketDataInputRejected)], (event, out)
            printed += sum(type(e).__name__ == "TradePrinted" for e in out)
        check(venues, engine)
        if serial == cut:
            copy = MarketDataEngine()
            copy.restore(engine.snapshot())
            assert copy.state_hash() == engine.state_hash()
            engine = copy
    assert printed == sum(len(engine.trades(s, 10_000)) for s in SYMBOLS)

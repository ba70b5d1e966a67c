"""The consolidated views equal a brute-force recomputation from every venue's book, after every
event of a random but valid order-level feed across several venues and symbols; and a snapshot
taken anywhere restores to the same state hash and the same views."""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import given, settings
from hypothesis import strategies as st

from directbroker.domain.marketdata_messages import (
    Montage,
    PriceLevel,
    Quote,
    QuoteUpdated,
    StartTradingDay,
    Timeframe,
    VenueDepth,
)
from directbroker.domain.messages import Event
from directbroker.domain.orders import BookSide
from directbroker.domain.venue_messages import (
    BookOrderAdded,
    BookOrderDeleted,
    BookOrderExecuted,
    BookOrderReduced,
    BookOrderReplaced,
    TradeReported,
)
from directbroker.engines.marketdata import MarketDataEngine, aggregate_bars

VENUES = ("ARCA", "BATS", "IEX", "NSDQ")
SYMBOLS = ("AAPL", "KO")
BASE = 1_000_000

Orders = dict[tuple[str, str], dict[int, list[int]]]
"""(venue, symbol) -> book_ref -> [is_bid, price, quantity]: the test's own model of books."""


def brute_quote(orders: Orders, symbol: str) -> tuple[tuple[object, ...], tuple[object, ...]]:
    """NBBO sides by exhaustive search: best price; largest venue size there; then venue name."""
    sides: list[tuple[int | None, int, str]] = []
    for is_bid in (1, 0):
        candidates = []
        for venue in VENUES:
            levels: dict[int, int] = {}
            for side, price, quantity in orders.get((venue, symbol), {}).values():
                if side == is_bid:
                    levels[price] = levels.get(price, 0) + quantity
            if levels:
                price = max(levels) if is_bid else min(levels)
                candidates.append((price, levels[price], venue))
        if not candidates:
            sides.append((None, 0, ""))
            continue
        sign = 1 if is_bid else -1
        sides.append(min(candidates, key=lambda c: (-sign * c[0], -c[1], c[2])))
    return sides[0], sides[1]


def brute_montage(orders: Orders, symbol: str, depth: int) -> Montage:
    rows = []
    for venue in sorted(VENUES):
        book = orders.get((venue, symbol), {})
        if not book:
            continue
        per_side = []
        for is_bid in (1, 0):
            levels: dict[int, list[int]] = {}
            for side, price, quantity in book.values():
                if side == is_bid:
                    level = levels.setdefault(price, [0, 0])
                    level[0] += quantity
                    level[1] += 1
            ordered = sorted(levels, reverse=bool(is_bid))[:depth]
            per_side.append(tuple(PriceLevel(p, *levels[p]) for p in ordered))
        rows.append(VenueDepth(venue, per_side[0], per_side[1]))
    return Montage(symbol, tuple(rows))


@dataclass
class FeedModel:
    """Turns random draws into a valid order-level feed, keeping its own books."""

    orders: Orders = field(default_factory=dict)
    next_ref: int = 1
    trade_id: int = 0

    def event(self, draw: tuple[int, int, int, int, int, int, int], ts: int) -> Event:
        kind, v, s, is_bid, offset, qty, pick = draw
        venue, symbol = VENUES[v], SYMBOLS[s]
        book = self.orders.setdefault((venue, symbol), {})
        if kind == 0 or not book:
            # Bids below BASE, asks above: each venue's own book never crosses.
            price = BASE - 100 * offset if is_bid else BASE + 100 * (offset + 1)
            ref = self.next_ref
            self.next_ref += 1
            book[ref] = [is_bid, price, qty]
            side = BookSide.BID if is_bid else BookSide.ASK
            return BookOrderAdded(venue, symbol, ref, side, price, qty, ts)
        ref = sorted(book)[pick % len(book)]
        order = book[ref]
        if kind in (1, 2):
            take = 1 + qty % order[2]
            order[2] -= take
            if order[2] == 0:
                del book[ref]
            if kind == 1:
                self.trade_id += 1
                return BookOrderExecuted(venue, symbol, ref, take, self.trade_id, ts)
            return BookOrderReduced(venue, symbol, ref, take, ts)
        if kind == 3:
            del book[ref]
            return BookOrderDeleted(venue, symbol, ref, ts)
        if kind == 4:
            new_ref = self.next_ref
            self.next_ref += 1
            price = BASE - 100 * offset if order[0] else BASE + 100 * (offset + 1)
            del book[ref]
            book[new_ref] = [order[0], price, qty]
            return BookOrderReplaced(venue, symbol, ref, new_ref, price, qty, ts)
        self.trade_id += 1
        return TradeReported(venue, symbol, self.trade_id, BASE + offset, qty, None, "", ts)


DRAWS = st.lists(
    st.tuples(
        st.integers(0, 5),
        st.integers(0, len(VENUES) - 1),
        st.integers(0, len(SYMBOLS) - 1),
        st.integers(0, 1),
        st.integers(0, 4),
        st.integers(1, 500),
        st.integers(0, 1_000),
    ),
    max_size=120,
)


def sides(quote: Quote | QuoteUpdated | None) -> tuple[object, ...]:
    if quote is None:
        return (None, 0, "", None, 0, "")
    q = quote
    return (q.bid_price, q.bid_size, q.bid_venue, q.ask_price, q.ask_size, q.ask_venue)


def assert_views_match(engine: MarketDataEngine, model: FeedModel) -> None:
    for symbol in SYMBOLS:
        bid, ask = brute_quote(model.orders, symbol)
        quote = engine.nbbo(symbol)
        if quote is None:
            assert bid == (None, 0, "") and ask == (None, 0, "")
        else:
            assert (quote.bid_price, quote.bid_size, quote.bid_venue) == bid
            assert (quote.ask_price, quote.ask_size, quote.ask_venue) == ask
        assert engine.montage(symbol, 3) == brute_montage(model.orders, symbol, 3)


@settings(max_examples=40, deadline=None)
@given(draws=DRAWS, cut=st.integers(0, 119))
def test_views_equal_brute_force_after_every_event(
    draws: list[tuple[int, int, int, int, int, int, int]], cut: int
) -> None:
    engine = MarketDataEngine()
    model = FeedModel()
    last = dict.fromkeys(SYMBOLS, sides(None))
    ts = 1_000
    engine.handle(StartTradingDay("2025-03-03"), ts)
    for index, draw in enumerate(draws):
        ts += 250_000_000
        events = engine.handle(model.event(draw, ts), ts)
        assert not [e for e in events if type(e).__name__ == "MarketDataInputRejected"]
        assert_views_match(engine, model)
        # A QuoteUpdated is emitted exactly when the NBBO changed, and carries the new NBBO.
        for symbol in SYMBOLS:
            now = sides(engine.nbbo(symbol))
            emitted = [e for e in events if isinstance(e, QuoteUpdated) and e.symbol == symbol]
            assert len(emitted) == (1 if now != last[symbol] else 0)
            if emitted:
                assert sides(emitted[0]) == now
            last[symbol] = now
        if index == cut:
            copy = MarketDataEngine()
            copy.restore(engine.snapshot())
            assert copy.state_hash() == engine.state_hash()
            assert_views_match(copy, model)
            engine = copy  # carry on with the restored engine: it must behave identically


@settings(max_examples=25, deadline=None)
@given(draws=DRAWS)
def test_bars_equal_a_plain_regrouping_of_the_tape(
    draws: list[tuple[int, int, int, int, int, int, int]],
) -> None:
    engine = MarketDataEngine(tape_depth=10_000)
    model = FeedModel()
    ts = 1_700_000_000_000_000_000
    for draw in draws:
        ts += 400_000_000
        engine.handle(model.event(draw, ts), ts)
    for symbol in SYMBOLS:
        prints = [(t.ts_ns, t.price, t.quantity) for t in engine.trades(symbol, 10_000)]
        for timeframe in (Timeframe.SECOND, Timeframe.MINUTE, Timeframe.FIVE_MINUTES):
            expected = aggregate_bars(prints, timeframe, symbol)
            assert engine.bars(symbol, timeframe) == expected

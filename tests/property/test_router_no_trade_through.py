"""Smart routing never trades through a protected quote and never routes more than the order.

Random books on three real venue engines (odd lots, several levels, optionally hidden size),
their feeds consolidated by the real market data engine into the router; random marketable
(and not) orders, some restricted to a subset of venues. The router's children are executed
against the venues in the order it emits them, replies fed back, until nothing is left to do.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from hypothesis import given, settings
from hypothesis import strategies as st

from directbroker.domain.instruments import Instrument
from directbroker.domain.marketdata_messages import DepthUpdated, QuoteUpdated, TradingStatusChanged
from directbroker.domain.messages import Event
from directbroker.domain.orders import OrderType, Side, TimeInForce
from directbroker.domain.routing import SMART, ChildPurpose, RouteRequest
from directbroker.domain.routing_messages import ChildCancelRequested, ChildRouted
from directbroker.domain.venue_config import FeeSchedule, VenueConfig
from directbroker.domain.venue_messages import (
    OrderAccepted,
    OrderCancelled,
    OrderFilled,
    OrderRejected,
    SubmitOrder,
)
from directbroker.engines.marketdata import MarketDataEngine
from directbroker.engines.matching import VenueEngine
from directbroker.engines.router import RouterEngine

SYMBOL = "XYZ"
NAMES = ("ARCA", "BATS", "IEX")
BASE = 100_000  # $10.00
REPORTS = (OrderAccepted, OrderRejected, OrderCancelled, OrderFilled)


@dataclass
class Played:
    """What happened: each child with every venue's displayed top of book just before it
    executed, the broker's fills by child, and the displayed depth at routing time."""

    sends: list[tuple[ChildRouted, dict[str, tuple[int | None, int | None]]]] = field(
        default_factory=list
    )
    fills: list[tuple[ChildRouted, OrderFilled]] = field(default_factory=list)
    depth: dict[str, tuple[tuple[tuple[int, int], ...], tuple[tuple[int, int], ...]]] = field(
        default_factory=dict
    )


orders = st.tuples(
    st.sampled_from(NAMES),
    st.sampled_from([Side.BUY, Side.SELL]),
    st.integers(1, 6),  # ticks away from the $10.00 centre
    st.integers(1, 350),  # odd lots included
    st.booleans(),  # hidden
)
fees = st.sampled_from([(-2_000, 3_000), (-2_500, 2_800), (0, 900), (-3_000, 3_000)])


def build(
    book: list[tuple[str, Side, int, int, bool]], fee_choice: list[tuple[int, int]]
) -> tuple[dict[str, VenueEngine], MarketDataEngine, RouterEngine, int]:
    configs = [
        VenueConfig(n, n, FeeSchedule(maker=m, taker=t), (Instrument(SYMBOL),))
        for n, (m, t) in zip(NAMES, fee_choice, strict=True)
    ]
    venues = {c.name: VenueEngine(c) for c in configs}
    market_data = MarketDataEngine()
    router = RouterEngine(configs)
    ts = 1
    for i, (venue, side, ticks, quantity, hidden) in enumerate(book):
        # Sells rest at or above $10.01, buys at or below $9.99: the book never crosses.
        price = BASE + 100 * ticks if side is Side.SELL else BASE - 100 * ticks
        command = SubmitOrder(
            f"m{i}", "mm", SYMBOL, side, OrderType.LIMIT, quantity, price, hidden=hidden
        )
        ts = feed(venues, market_data, router, venue, command, ts)[1]
    return venues, market_data, router, ts


def feed(
    venues: dict[str, VenueEngine],
    market_data: MarketDataEngine,
    router: RouterEngine,
    venue: str,
    command: SubmitOrder,
    ts: int,
) -> tuple[list[Event], int]:
    ts += 1
    events = venues[venue].handle(command, ts)
    for event in events:
        for md in market_data.handle(event, ts):
            if isinstance(md, DepthUpdated | QuoteUpdated | TradingStatusChanged):
                router.handle(md, ts)
    return events, ts


def play(
    venues: dict[str, VenueEngine],
    market_data: MarketDataEngine,
    router: RouterEngine,
    request: RouteRequest,
    ts: int,
) -> Played:
    played = Played()
    for name, engine in venues.items():
        depth = engine.depth(SYMBOL, 100)
        played.depth[name] = (depth.bids, depth.asks)
    queue: deque[Event] = deque(router.route(request, ts))
    children: dict[str, ChildRouted] = {}
    while queue:
        event = queue.popleft()
        if isinstance(event, ChildRouted):
            children[event.child_id] = event
            tops = {}
            for name, engine in venues.items():
                bbo = engine.best_bid_offer(SYMBOL)
                tops[name] = (bbo.bid_price, bbo.ask_price)
            played.sends.append((event, tops))
            command = event.to_submit("BRKR")
        elif isinstance(event, ChildCancelRequested):
            continue
        else:
            continue
        replies, ts = feed(venues, market_data, router, event.venue, command, ts)
        for reply in replies:
            if isinstance(reply, REPORTS) and reply.participant == "BRKR":
                if isinstance(reply, OrderFilled):
                    played.fills.append((children[reply.order_id], reply))
                ts += 1
                queue.extend(router.handle(reply, ts))
    return played


requests = st.tuples(
    st.sampled_from([Side.BUY, Side.SELL]),
    st.integers(1, 1_200),
    st.one_of(st.none(), st.integers(-3, 7)),
    st.sampled_from([TimeInForce.DAY, TimeInForce.IOC]),
    st.sampled_from([(), ("ARCA", "BATS"), ("BATS", "IEX"), ("IEX",)]),
)


def make_request(spec: tuple[Side, int, int | None, TimeInForce, tuple[str, ...]]) -> RouteRequest:
    side, quantity, ticks, tif, allowed = spec
    if ticks is None:
        return RouteRequest(
            "P", SYMBOL, side, quantity, None, TimeInForce.IOC, SMART, allowed,
            order_type=OrderType.MARKET,
        )  # fmt: skip
    price = BASE + 100 * ticks if side is Side.BUY else BASE - 100 * ticks
    return RouteRequest("P", SYMBOL, side, quantity, price, tif, SMART, allowed)


def worse(price: int, than: int, buying: bool) -> bool:
    return price > than if buying else price < than


def check_common(router: RouterEngine, request: RouteRequest, played: Played) -> None:
    buying = request.side is Side.BUY
    filled = sum(fill.quantity for _, fill in played.fills)
    assert filled <= request.quantity
    view = router.parent("P")
    if view is None:
        return
    assert view.filled + view.working + view.unfilled == request.quantity
    assert (
        sum(c.quantity for c in view.children if c.status != "rejected")
        - sum(c.quantity - c.filled for c in view.children if c.status == "cancelled")
        <= request.quantity
    )
    for _, fill in played.fills:
        if request.limit_price is not None:
            assert not worse(fill.price, request.limit_price, buying)


@settings(max_examples=120, deadline=None)
@given(
    book=st.lists(orders.map(lambda o: (*o[:4], False)), max_size=14),
    fee_choice=st.lists(fees, min_size=3, max_size=3),
    spec=requests,
)
def test_displayed_books_no_execution_trades_through_another_venues_quote(
    book: list[tuple[str, Side, int, int, bool]],
    fee_choice: list[tuple[int, int]],
    spec: tuple[Side, int, int | None, TimeInForce, tuple[str, ...]],
) -> None:
    venues, market_data, router, ts = build(book, fee_choice)
    request = make_request(spec)
    played = play(venues, market_data, router, request, ts)
    buying = request.side is Side.BUY
    tops_by_child = {child.child_id: tops for child, tops in played.sends}
    for child, fill in played.fills:
        tops = tops_by_child[child.child_id]
        # Every venue's quote is protected (all are up), allowed for the account or not.
        for name, (bid, ask) in tops.items():
            away = ask if buying else bid
            if name != fill.venue and away is not None:
                assert not worse(fill.price, away, buying), (name, away, fill, child)
    check_common(router, request, played)


@settings(max_examples=80, deadline=None)
@given(
    book=st.lists(orders, max_size=14),
    fee_choice=st.lists(fees, min_size=3, max_size=3),
    spec=requests,
)
def test_with_hidden_size_every_better_quote_elsewhere_was_swept_first(
    book: list[tuple[str, Side, int, int, bool]],
    fee_choice: list[tuple[int, int]],
    spec: tuple[Side, int, int | None, TimeInForce, tuple[str, ...]],
) -> None:
    """Hidden size can absorb a sweep child and leave a displayed quote standing, so the
    sequential check above does not apply; what Rule 611's sweep exception asks instead is
    that, before any execution at a price, every better displayed quote at another venue was
    sent orders for its full displayed size (an intermarket sweep)."""
    venues, market_data, router, ts = build(book, fee_choice)
    request = make_request(spec)
    played = play(venues, market_data, router, request, ts)
    buying = request.side is Side.BUY
    order = [child.child_id for child, _ in played.sends]
    for child, fill in played.fills:
        before = order[: order.index(child.child_id) + 1]
        sent_before = [c for c, _ in played.sends if c.child_id in before]
        for name, (bids, asks) in played.depth.items():
            if name == fill.venue:
                continue
            levels = asks if buying else bids
            better = sum(q for p, q in levels if worse(fill.price, p, buying))
            if not better:
                continue
            swept = sum(
                c.quantity
                for c in sent_before
                if c.venue == name and c.purpose in (ChildPurpose.SWEEP, ChildPurpose.REROUTE)
            )
            assert swept >= better, (name, better, swept, fill)
    check_common(router, request, played)

"""The simulation's parts, each on its own: ticks, the day's phases, order bookkeeping, the flow
model's shape and the market makers' respect for other venues' quotes."""

from __future__ import annotations

import random

from directbroker.domain.instruments import is_on_tick
from directbroker.domain.orders import CancelReason, Liquidity, OrderType, Side, TimeInForce
from directbroker.domain.venue_messages import (
    CancelOrder,
    OrderAccepted,
    OrderCancelled,
    OrderFilled,
    SubmitOrder,
)
from directbroker.sim.flow import AGENT as FLOW
from directbroker.sim.flow import ZeroIntelligenceFlow
from directbroker.sim.latent import LatentPrice, round_to_tick
from directbroker.sim.market_makers import MarketMakers
from directbroker.sim.own_orders import IdSource, OwnOrder, OwnOrders
from directbroker.sim.session import DaySchedule, Phase
from directbroker.sim.universe import LISTINGS, default_venues
from directbroker.sim.view import Top, national_top


class FixedView:
    """A market view with fixed tops, for agents to react to."""

    def __init__(self, tops: dict[tuple[str, str], Top]) -> None:
        self.tops = tops

    def top(self, venue: str, symbol: str) -> Top:
        return self.tops.get((venue, symbol), Top(None, 0, None, 0))


def test_round_to_tick_respects_reg_nms_increments() -> None:
    assert round_to_tick(102_537, up=False) == 102_500
    assert round_to_tick(102_537, up=True) == 102_600
    assert round_to_tick(9_999, up=True) == 9_999
    assert round_to_tick(10_050, up=False) == 10_000


def test_latent_price_is_seeded_and_moves() -> None:
    first = LatentPrice(1_000_000, 200, random.Random(3))
    second = LatentPrice(1_000_000, 200, random.Random(3))
    for _ in range(100):
        first.advance(1.0, 60.0)
        second.advance(1.0, 60.0)
    assert first.value == second.value != 1_000_000


def test_day_phases() -> None:
    schedule = DaySchedule(pre_open_seconds=5, continuous_seconds=100, closing_window_seconds=10)
    ns = 1_000_000_000
    assert schedule.phase(0) is Phase.PRE_OPEN
    assert schedule.phase(5 * ns) is Phase.CONTINUOUS
    assert schedule.phase(95 * ns) is Phase.CLOSING_WINDOW
    assert schedule.phase(105 * ns) is Phase.CLOSED


def test_own_orders_follow_execution_reports() -> None:
    orders = OwnOrders()
    orders.sent(OwnOrder("a", FLOW, "ARCA", "AAPL", Side.BUY, 1_000_000, 300))
    orders.observe(
        [
            OrderAccepted(
                "ARCA",
                "a",
                FLOW,
                "AAPL",
                Side.BUY,
                OrderType.LIMIT,
                300,
                1_000_000,
                TimeInForce.DAY,
                1,
            )
        ]
    )
    assert "a" in orders.resting("AAPL")
    orders.observe(
        [
            OrderFilled(
                "ARCA",
                "a",
                FLOW,
                "AAPL",
                Side.BUY,
                1,
                1_000_000,
                100,
                200,
                100,
                Liquidity.MAKER,
                -200,
                2,
            )
        ]
    )
    assert orders.orders["a"].leaves == 200
    orders.observe([OrderCancelled("ARCA", "a", FLOW, "AAPL", 200, CancelReason.REQUESTED, 3)])
    assert "a" not in orders.resting("AAPL")
    assert orders.outcomes.rested == 1
    assert orders.outcomes.cancelled == 1
    assert orders.outcomes.executions == 1


def test_national_top_picks_best_prices_and_venues() -> None:
    view = FixedView(
        {
            ("ARCA", "AAPL"): Top(100, 1, 105, 1),
            ("NSDQ", "AAPL"): Top(101, 2, 104, 2),
        }
    )
    top = national_top(view, ["ARCA", "NSDQ", "BATS"], "AAPL")
    assert (top.bid, top.bid_venue, top.ask, top.ask_venue) == (101, "NSDQ", 104, "NSDQ")
    assert not top.crossed_or_locked


def test_flow_limit_orders_never_lock_or_cross_the_national_market() -> None:
    rng = random.Random(11)
    orders = OwnOrders()
    flow = ZeroIntelligenceFlow(rng, {"ARCA": 1, "NSDQ": 1}, orders, IdSource())
    view = FixedView({("ARCA", "AAPL"): Top(2_300_000, 100, 2_300_100, 100)})
    market = national_top(view, ["ARCA", "NSDQ"], "AAPL")
    near_touch = 0
    for _ in range(2_000):
        for _venue, command in flow.act("AAPL", 2_300_050, market):
            if isinstance(command, SubmitOrder) and command.order_type is OrderType.LIMIT:
                assert command.price is not None and is_on_tick(command.price)
                if command.side is Side.BUY:
                    assert command.price < 2_300_100
                    near_touch += command.price >= 2_300_000
                else:
                    assert command.price > 2_300_000
                    near_touch += command.price <= 2_300_100
            else:
                assert isinstance(command, SubmitOrder | CancelOrder)
    # The power law puts the busiest arrivals at the touch.
    assert near_touch > 2_000 * 0.1


def test_market_makers_do_not_lock_other_venues() -> None:
    venues = default_venues(LISTINGS[:1])
    orders = OwnOrders()
    makers = MarketMakers(venues, orders, IdSource())
    # NSDQ shows a stale low offer at $230.95; nobody else may bid at or above it.
    view = FixedView({("NSDQ", "AAPL"): Top(2_309_000, 100, 2_309_500, 100)})
    commands = makers.requote("AAPL", 2_310_000, 1, view)
    bids = [
        c
        for venue, c in commands
        if isinstance(c, SubmitOrder) and c.side is Side.BUY and venue != "NSDQ"
    ]
    assert bids
    assert all(c.price is not None and c.price < 2_309_500 for c in bids)
    assert all(
        c.price is not None and is_on_tick(c.price)
        for _, c in commands
        if isinstance(c, SubmitOrder)
    )


def test_arbitrageur_takes_every_stale_offer_at_or_below_the_best_bid() -> None:
    from directbroker.sim.takers import Arbitrageur

    view = FixedView(
        {
            ("ARCA", "AAPL"): Top(2_310_200, 100, 2_310_400, 100),
            ("NSDQ", "AAPL"): Top(2_309_000, 100, 2_310_100, 300),  # crossed by ARCA's bid
            ("BATS", "AAPL"): Top(2_309_000, 100, 2_310_200, 100),  # locked with it
        }
    )
    venues = ["ARCA", "NSDQ", "BATS"]
    market = national_top(view, venues, "AAPL")
    assert market.crossed_or_locked
    commands = Arbitrageur(venues, OwnOrders(), IdSource()).act("AAPL", market, view)
    assert [venue for venue, _ in commands] == ["NSDQ", "BATS"]
    for _, command in commands:
        assert isinstance(command, SubmitOrder)
        assert command.time_in_force is TimeInForce.IOC
        assert command.side is Side.BUY
        assert command.price == 2_310_200


def test_arbitrageur_leaves_an_orderly_market_alone() -> None:
    from directbroker.sim.takers import Arbitrageur

    view = FixedView({("ARCA", "AAPL"): Top(2_310_000, 100, 2_310_100, 100)})
    market = national_top(view, ["ARCA"], "AAPL")
    assert Arbitrageur(["ARCA"], OwnOrders(), IdSource()).act("AAPL", market, view) == []


def test_sweeper_goes_several_ticks_through_the_touch_at_every_venue() -> None:
    from directbroker.sim.takers import Sweeper

    view = FixedView({("ARCA", "AAPL"): Top(2_310_000, 100, 2_310_100, 100)})
    market = national_top(view, ["ARCA", "NSDQ"], "AAPL")
    commands = Sweeper(random.Random(1), ["ARCA", "NSDQ"], OwnOrders(), IdSource()).act(
        "AAPL", market
    )
    assert [venue for venue, _ in commands] == ["ARCA", "NSDQ"]
    for _, command in commands:
        assert isinstance(command, SubmitOrder)
        assert command.price is not None and is_on_tick(command.price)
        assert command.quantity >= 2_000
        if command.side is Side.BUY:
            assert command.price >= 2_310_100 + 2 * 100
        else:
            assert command.price <= 2_310_000 - 2 * 100

"""Zero-intelligence order flow in the style of Cont, Stoikov and Talreja (2010).

Limit orders arrive at ``i`` ticks from the opposite best quote at a rate that falls as a power
of ``i`` (so the touch is busiest), market orders arrive at their own rate, and each resting
order is cancelled at a constant rate, so cancellations are proportional to queue size. With
the default rates most limit orders are cancelled rather than filled (over 90%, as in real US
equity markets). Prices are relative to the national best bid and offer, so this flow never
locks or crosses the market on its own.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from directbroker.domain.instruments import tick_size
from directbroker.domain.messages import Command
from directbroker.domain.orders import OrderType, Side, TimeInForce
from directbroker.domain.venue_messages import CancelOrder, SubmitOrder
from directbroker.sim.latent import round_to_tick
from directbroker.sim.own_orders import IdSource, OwnOrder, OwnOrders
from directbroker.sim.view import NationalTop

AGENT = "FLOW"
LOT_SIZES = (100, 100, 100, 100, 200, 200, 300, 500, 1_000, 50, 37, 10)


@dataclass(frozen=True, slots=True)
class FlowRates:
    """Event rates of the model (per unit of model time).

    ``limit_k`` and ``limit_alpha`` shape the limit arrival rate ``k / i**alpha`` at distance
    ``i`` ticks (CST's fitted values); ``market`` is the market order rate; ``cancel`` the
    per-order cancellation rate; ``max_distance`` the farthest a limit order lands.
    """

    limit_k: float = 1.92
    limit_alpha: float = 0.52
    market: float = 0.94
    cancel: float = 0.12
    max_distance: int = 12


class ZeroIntelligenceFlow:
    """Chooses, for one symbol at a time, a limit order, a market order or a cancel."""

    def __init__(
        self,
        rng: random.Random,
        venue_weights: dict[str, int],
        orders: OwnOrders,
        next_id: IdSource,
        rates: FlowRates = FlowRates(),
    ) -> None:
        self._rng = rng
        self._venues = list(venue_weights)
        self._venue_weights = list(venue_weights.values())
        self._orders = orders
        self._next_id = next_id
        self._rates = rates
        self._distances = list(range(1, rates.max_distance + 1))
        self._distance_weights = [rates.limit_k / i**rates.limit_alpha for i in self._distances]
        self._limit_rate = 2 * sum(self._distance_weights)

    def act(self, symbol: str, fair: int, market: NationalTop) -> list[tuple[str, Command]]:
        """One event of the model for ``symbol``."""
        mine = [o for o in self._orders.resting(symbol).values() if o.agent == AGENT]
        cancel_rate = self._rates.cancel * len(mine)
        kind = self._rng.choices(
            ("limit", "market", "cancel"), (self._limit_rate, self._rates.market, cancel_rate)
        )[0]
        if kind == "cancel" and mine:
            victim = self._rng.choice(mine)
            return [(victim.venue, CancelOrder(order_id=victim.order_id, participant=AGENT))]
        side = self._rng.choice((Side.BUY, Side.SELL))
        if kind == "market":
            return [self._market(symbol, side, market)]
        return [self._limit(symbol, side, fair, market)]

    def _limit(
        self, symbol: str, side: Side, fair: int, market: NationalTop
    ) -> tuple[str, Command]:
        distance = self._rng.choices(self._distances, self._distance_weights)[0]
        if side is Side.BUY:
            anchor = market.ask if market.ask is not None else fair + tick_size(fair)
            price = round_to_tick(anchor - distance * tick_size(anchor - 1), up=False)
        else:
            anchor = market.bid if market.bid is not None else max(1, fair - tick_size(fair))
            price = round_to_tick(anchor + distance * tick_size(anchor), up=True)
        venue = self._rng.choices(self._venues, self._venue_weights)[0]
        return venue, self._submit(venue, symbol, side, OrderType.LIMIT, price, TimeInForce.DAY)

    def _market(self, symbol: str, side: Side, market: NationalTop) -> tuple[str, Command]:
        venue = market.ask_venue if side is Side.BUY else market.bid_venue
        if venue is None:
            venue = self._rng.choices(self._venues, self._venue_weights)[0]
        return venue, self._submit(venue, symbol, side, OrderType.MARKET, None, TimeInForce.IOC)

    def _submit(
        self,
        venue: str,
        symbol: str,
        side: Side,
        order_type: OrderType,
        price: int | None,
        tif: TimeInForce,
    ) -> Command:
        order_id = self._next_id(AGENT)
        quantity = self._rng.choice(LOT_SIZES)
        self._orders.sent(OwnOrder(order_id, AGENT, venue, symbol, side, price, quantity))
        return SubmitOrder(
            order_id=order_id,
            participant=AGENT,
            symbol=symbol,
            side=side,
            order_type=order_type,
            quantity=quantity,
            price=price,
            time_in_force=tif,
        )


def venue_weights(names: Sequence[str], maker_rebates: Sequence[int]) -> dict[str, int]:
    """How often resting flow picks each venue: more where makers are paid more."""
    return {
        name: 4 + max(0, rebate) // 500 for name, rebate in zip(names, maker_rebates, strict=True)
    }

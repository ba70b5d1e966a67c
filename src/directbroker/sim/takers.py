"""Aggressive traders: occasional large orders that sweep several price levels, and an
arbitrageur that removes a locked or crossed national market by taking the stale quote."""

from __future__ import annotations

import random

from directbroker.domain.instruments import tick_size
from directbroker.domain.messages import Command
from directbroker.domain.orders import OrderType, Side, TimeInForce
from directbroker.domain.venue_messages import SubmitOrder
from directbroker.sim.latent import round_to_tick
from directbroker.sim.own_orders import IdSource, OwnOrder, OwnOrders
from directbroker.sim.view import MarketView, NationalTop

SWEEPER = "SWEEP"
ARBITRAGEUR = "ARB"
SWEEP_ALL = 1_000_000
"""An IOC this large takes everything at or better than its limit and cancels the rest."""


class Sweeper:
    """A large, impatient order: an IOC limit several ticks through the touch at every venue."""

    def __init__(
        self, rng: random.Random, venues: list[str], orders: OwnOrders, next_id: IdSource
    ) -> None:
        self._rng = rng
        self._venues = venues
        self._orders = orders
        self._next_id = next_id

    def act(self, symbol: str, market: NationalTop) -> list[tuple[str, Command]]:
        """Sweep up to a few ticks through the market on one side, at every venue."""
        side = self._rng.choice((Side.BUY, Side.SELL))
        touch = market.ask if side is Side.BUY else market.bid
        if touch is None:
            return []
        levels = self._rng.randint(2, 5)
        tick = tick_size(touch)
        if side is Side.BUY:
            limit = round_to_tick(touch + levels * tick, up=False)
        else:
            limit = round_to_tick(max(1, touch - levels * tick), up=True)
        quantity = self._rng.choice((2_000, 3_000, 5_000, 10_000))
        commands: list[tuple[str, Command]] = []
        for venue in self._venues:
            order_id = self._next_id(SWEEPER)
            self._orders.sent(OwnOrder(order_id, SWEEPER, venue, symbol, side, limit, quantity))
            commands.append((venue, _ioc(order_id, SWEEPER, symbol, side, quantity, limit)))
        return commands


class Arbitrageur:
    """When the national market is locked or crossed, buys every offer at or below the best bid,
    at every venue showing one, with IOC orders: that uncrosses the market in one reaction."""

    def __init__(self, venues: list[str], orders: OwnOrders, next_id: IdSource) -> None:
        self._venues = venues
        self._orders = orders
        self._next_id = next_id

    def act(self, symbol: str, market: NationalTop, view: MarketView) -> list[tuple[str, Command]]:
        """Commands that take the stale offers of a locked or crossed market, if any."""
        if not market.crossed_or_locked or market.bid is None:
            return []
        commands: list[tuple[str, Command]] = []
        for venue in self._venues:
            top = view.top(venue, symbol)
            if top.ask is None or top.ask > market.bid:
                continue
            order_id = self._next_id(ARBITRAGEUR)
            self._orders.sent(
                OwnOrder(order_id, ARBITRAGEUR, venue, symbol, Side.BUY, market.bid, SWEEP_ALL)
            )
            commands.append(
                (venue, _ioc(order_id, ARBITRAGEUR, symbol, Side.BUY, SWEEP_ALL, market.bid))
            )
        return commands


def _ioc(order_id: str, agent: str, symbol: str, side: Side, quantity: int, limit: int) -> Command:
    return SubmitOrder(
        order_id=order_id,
        participant=agent,
        symbol=symbol,
        side=side,
        order_type=OrderType.LIMIT,
        quantity=quantity,
        price=limit,
        time_in_force=TimeInForce.IOC,
    )

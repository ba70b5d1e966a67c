"""Seeded order flow that keeps the simulated venues' books alive.

Each symbol has a latent "fair" price following a random walk. Traders post limit orders near
it (more often near the touch), cancel resting orders (most orders are cancelled, as in real US
equity markets), occasionally cross the spread with marketable orders, and move orders with
cancel/replace. The generator is I/O-free: it is given a seeded ``random.Random`` and is told what
the venues answered, so the same seed gives the same day.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from directbroker.domain.instruments import tick_size
from directbroker.domain.messages import Command, Event
from directbroker.domain.orders import OrderType, Side, TimeInForce
from directbroker.domain.venue_messages import (
    CancelOrder,
    OrderAccepted,
    OrderCancelled,
    OrderFilled,
    OrderReplaced,
    ReplaceOrder,
    SubmitOrder,
)
from directbroker.sim.universe import Listing

LOT_SIZES = (100, 100, 100, 200, 200, 300, 500, 1_000, 37, 50)


@dataclass(slots=True)
class _Resting:
    venue: str
    symbol: str
    side: Side
    price: int
    quantity: int


@dataclass(slots=True)
class _SymbolState:
    listing: Listing
    fair: int
    resting: dict[str, _Resting] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class FlowMix:
    """How often each kind of action happens (relative weights)."""

    post: int = 50
    cancel: int = 38
    take: int = 6
    move: int = 6


class OrderFlow:
    """Generates venue commands for a universe of listings across venues."""

    def __init__(
        self,
        rng: random.Random,
        venues: Sequence[str],
        listings: Sequence[Listing],
        participant: str = "SIM",
        mix: FlowMix = FlowMix(),
    ) -> None:
        if not venues or not listings:
            raise ValueError("order flow needs at least one venue and one listing")
        self._rng = rng
        self._venues = tuple(venues)
        self._participant = participant
        self._symbols = {item.symbol: _SymbolState(item, item.reference_price) for item in listings}
        self._order_symbol: dict[str, str] = {}
        self._next_id = 0
        self._actions = ("post", "cancel", "take", "move")
        self._weights = (mix.post, mix.cancel, mix.take, mix.move)

    def fair_price(self, symbol: str) -> int:
        """The latent price the flow is centred on."""
        return self._symbols[symbol].fair

    def next_command(self) -> tuple[str, Command]:
        """The next (venue name, command) to send."""
        state = self._rng.choice(list(self._symbols.values()))
        self._walk(state)
        action = self._rng.choices(self._actions, self._weights)[0]
        if action == "cancel" and state.resting:
            return self._cancel(state)
        if action == "move" and state.resting:
            return self._move(state)
        if action == "take":
            return self._take(state)
        return self._post(state)

    def observe(self, events: Sequence[Event]) -> None:
        """Learn what the venues did with our orders (what rests, what is gone)."""
        for event in events:
            if isinstance(event, OrderAccepted) and event.participant == self._participant:
                self._on_accepted(event)
            elif isinstance(event, OrderFilled) and event.participant == self._participant:
                self._on_filled(event)
            elif isinstance(event, OrderCancelled) and event.participant == self._participant:
                self._forget(event.order_id)
            elif isinstance(event, OrderReplaced) and event.participant == self._participant:
                self._on_replaced(event)

    # --- actions -------------------------------------------------------------------------

    def _walk(self, state: _SymbolState) -> None:
        tick = tick_size(state.fair)
        step = self._rng.choice((-1, 0, 0, 0, 0, 0, 0, 1)) * tick
        state.fair = max(tick, state.fair + step)

    def _post(self, state: _SymbolState) -> tuple[str, Command]:
        side = self._rng.choice((Side.BUY, Side.SELL))
        tick = tick_size(state.fair)
        # Distance from the fair price in ticks: geometric, so the touch is busiest.
        distance = state.listing.spread_ticks
        while self._rng.random() < 0.55 and distance < 40:
            distance += 1
        offset = distance * tick
        price = state.fair - offset if side is Side.BUY else state.fair + offset
        price = max(tick, price - price % tick)
        return self._submit(state, side, OrderType.LIMIT, price, TimeInForce.DAY)

    def _take(self, state: _SymbolState) -> tuple[str, Command]:
        side = self._rng.choice((Side.BUY, Side.SELL))
        if self._rng.random() < 0.3:
            return self._submit(state, side, OrderType.MARKET, None, TimeInForce.IOC)
        tick = tick_size(state.fair)
        reach = (state.listing.spread_ticks + self._rng.randint(1, 4)) * tick
        price = state.fair + reach if side is Side.BUY else max(tick, state.fair - reach)
        price -= price % tick
        return self._submit(state, side, OrderType.LIMIT, max(tick, price), TimeInForce.IOC)

    def _cancel(self, state: _SymbolState) -> tuple[str, Command]:
        order_id = self._pick_resting(state)
        resting = state.resting[order_id]
        return resting.venue, CancelOrder(order_id=order_id, participant=self._participant)

    def _move(self, state: _SymbolState) -> tuple[str, Command]:
        order_id = self._pick_resting(state)
        resting = state.resting[order_id]
        tick = tick_size(resting.price)
        toward = 1 if resting.side is Side.BUY else -1
        price = resting.price + toward * self._rng.choice((-2, -1, 1)) * tick
        price = max(tick, price - price % tick)
        command = ReplaceOrder(
            order_id=order_id,
            participant=self._participant,
            quantity=resting.quantity,
            price=price,
        )
        return resting.venue, command

    # --- bookkeeping -----------------------------------------------------------------------

    def _submit(
        self,
        state: _SymbolState,
        side: Side,
        order_type: OrderType,
        price: int | None,
        tif: TimeInForce,
    ) -> tuple[str, Command]:
        self._next_id += 1
        order_id = f"{self._participant}-{self._next_id}"
        venue = self._rng.choice(self._venues)
        self._order_symbol[order_id] = state.listing.symbol
        command = SubmitOrder(
            order_id=order_id,
            participant=self._participant,
            symbol=state.listing.symbol,
            side=side,
            order_type=order_type,
            quantity=self._rng.choice(LOT_SIZES),
            price=price,
            time_in_force=tif,
        )
        return venue, command

    def _pick_resting(self, state: _SymbolState) -> str:
        # Orders far from the fair price are the likeliest to be cancelled or moved.
        candidates = sorted(state.resting)
        sample = [self._rng.choice(candidates) for _ in range(3)]
        return max(sample, key=lambda oid: abs(state.resting[oid].price - state.fair))

    def _on_accepted(self, event: OrderAccepted) -> None:
        symbol = self._order_symbol.get(event.order_id)
        if symbol is None or event.price is None or event.time_in_force is TimeInForce.IOC:
            return
        self._symbols[symbol].resting[event.order_id] = _Resting(
            event.venue, symbol, event.side, event.price, event.quantity
        )

    def _on_replaced(self, event: OrderReplaced) -> None:
        symbol = self._order_symbol.get(event.order_id)
        resting = None if symbol is None else self._symbols[symbol].resting.get(event.order_id)
        if resting is None:
            return
        if event.leaves_quantity == 0:
            self._forget(event.order_id)
            return
        resting.quantity = event.quantity
        if event.price is not None:
            resting.price = event.price

    def _on_filled(self, event: OrderFilled) -> None:
        if event.leaves_quantity == 0:
            self._forget(event.order_id)

    def _forget(self, order_id: str) -> None:
        symbol = self._order_symbol.pop(order_id, None)
        if symbol is not None:
            self._symbols[symbol].resting.pop(order_id, None)

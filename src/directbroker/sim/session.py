"""The shape of a simulated trading day: pre-open, the opening cross, continuous trading with a
closing window for on-close orders, and the closing cross.

Times are nanoseconds from the day's start; the simulation maps them onto the caller's clock.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import Enum

from directbroker.domain.instruments import tick_size
from directbroker.domain.messages import Command
from directbroker.domain.orders import AuctionKind, OrderType, Side, TimeInForce
from directbroker.domain.venue_messages import RunAuction, SubmitOrder
from directbroker.sim.latent import round_to_tick
from directbroker.sim.own_orders import IdSource, OwnOrder, OwnOrders
from directbroker.sim.universe import Listing

AGENT = "AUCT"
NS = 1_000_000_000


class Phase(str, Enum):
    """Where in the day the simulation is."""

    PRE_OPEN = "pre_open"
    CONTINUOUS = "continuous"
    CLOSING_WINDOW = "closing_window"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class DaySchedule:
    """Lengths of the day's parts, in simulated seconds."""

    pre_open_seconds: float = 5.0
    continuous_seconds: float = 390.0
    closing_window_seconds: float = 30.0

    @property
    def open_ns(self) -> int:
        """When the opening cross runs, from the day's start."""
        return int(self.pre_open_seconds * NS)

    @property
    def close_ns(self) -> int:
        """When the closing cross runs, from the day's start."""
        return self.open_ns + int(self.continuous_seconds * NS)

    def phase(self, offset_ns: int) -> Phase:
        """The phase at ``offset_ns`` from the day's start."""
        if offset_ns < self.open_ns:
            return Phase.PRE_OPEN
        if offset_ns >= self.close_ns:
            return Phase.CLOSED
        if offset_ns >= self.close_ns - int(self.closing_window_seconds * NS):
            return Phase.CLOSING_WINDOW
        return Phase.CONTINUOUS


class AuctionParticipants:
    """Market- and limit-on-open/close orders sent to each symbol's listing exchange."""

    def __init__(self, rng: random.Random, orders: OwnOrders, next_id: IdSource) -> None:
        self._rng = rng
        self._orders = orders
        self._next_id = next_id

    def act(self, listing: Listing, fair: int, kind: AuctionKind) -> tuple[str, Command]:
        """One on-open or on-close order for ``listing``."""
        side = self._rng.choice((Side.BUY, Side.SELL))
        priced = self._rng.random() < 0.6
        if kind is AuctionKind.OPEN:
            order_type = OrderType.LIMIT_ON_OPEN if priced else OrderType.MARKET_ON_OPEN
            tif = TimeInForce.OPG
        else:
            order_type = OrderType.LIMIT_ON_CLOSE if priced else OrderType.MARKET_ON_CLOSE
            tif = TimeInForce.CLS
        price: int | None = None
        if priced:
            offset = self._rng.randint(-5, 5) * tick_size(fair)
            price = round_to_tick(max(1, fair + offset), up=False)
        order_id = self._next_id(AGENT)
        quantity = self._rng.choice((100, 200, 500, 1_000, 2_000))
        venue = listing.primary_venue
        self._orders.sent(OwnOrder(order_id, AGENT, venue, listing.symbol, side, price, quantity))
        command = SubmitOrder(
            order_id=order_id,
            participant=AGENT,
            symbol=listing.symbol,
            side=side,
            order_type=order_type,
            quantity=quantity,
            price=price,
            time_in_force=tif,
        )
        return venue, command


def cross(listing: Listing, kind: AuctionKind, reference_price: int) -> tuple[str, Command]:
    """The listing exchange's instruction to run its cross for ``listing``."""
    command = RunAuction(symbol=listing.symbol, kind=kind, reference_price=reference_price)
    return listing.primary_venue, command

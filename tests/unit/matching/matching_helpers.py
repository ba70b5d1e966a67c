"""Helpers for the matching engine unit tests: configuration, order builders, event filters."""

from __future__ import annotations

from typing import Any, TypeVar

from directbroker.domain.instruments import Instrument
from directbroker.domain.messages import Event
from directbroker.domain.orders import OrderType, Side, TimeInForce
from directbroker.domain.venue_config import FeeSchedule, VenueConfig
from directbroker.domain.venue_messages import SubmitOrder
from directbroker.engines.matching import ReferenceVenueEngine, VenueEngine

FEES = FeeSchedule(maker=-2_000, taker=3_000, auction=1_000)
CONFIG = VenueConfig(
    "TESTX", "XTST", fees=FEES, instruments=(Instrument("XYZ"), Instrument("PENNY"))
)
Engine = VenueEngine | ReferenceVenueEngine
E = TypeVar("E", bound=Event)


def usd(dollars: str) -> int:
    """Price units from a dollar string, to keep worked examples readable."""
    whole, _, frac = dollars.partition(".")
    return int(whole) * 10_000 + int((frac + "0000")[:4])


class Clock:
    """Hands out increasing timestamps so events are easy to tell apart."""

    def __init__(self) -> None:
        self.now = 0

    def __call__(self) -> int:
        self.now += 1
        return self.now


def limit(
    order_id: str,
    side: Side,
    quantity: int,
    price: str,
    participant: str = "p1",
    symbol: str = "XYZ",
    **kwargs: Any,
) -> SubmitOrder:
    """A limit order at a dollar price (day unless told)."""
    return SubmitOrder(
        order_id, participant, symbol, side, OrderType.LIMIT, quantity, usd(price), **kwargs
    )


def order(
    order_id: str,
    side: Side,
    order_type: OrderType,
    quantity: int,
    price: str | None = None,
    tif: TimeInForce = TimeInForce.DAY,
    participant: str = "p1",
    symbol: str = "XYZ",
    **kwargs: Any,
) -> SubmitOrder:
    """Any order type at an optional dollar price."""
    return SubmitOrder(
        order_id,
        participant,
        symbol,
        side,
        order_type,
        quantity,
        None if price is None else usd(price),
        tif,
        **kwargs,
    )


def of_type(events: list[Event], kind: type[E]) -> list[E]:
    """The events of one class, in order."""
    return [e for e in events if isinstance(e, kind)]


def run(engine: Engine, *commands: Any) -> list[Event]:
    """Apply commands in order; return all their events."""
    events: list[Event] = []
    for ts, command in enumerate(commands, start=1):
        events.extend(engine.handle(command, ts))
    return events

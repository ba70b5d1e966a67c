"""A command stream for a venue, and what the in-process link answers to it: the reference
the FIX link is compared with."""

from __future__ import annotations

from collections.abc import Sequence

from directbroker.adapters.venues import InProcessVenueLink
from directbroker.domain.instruments import Instrument
from directbroker.domain.messages import Message
from directbroker.domain.orders import OrderType, PostOnly, Side, TimeInForce
from directbroker.domain.venue_config import FeeSchedule, VenueConfig
from directbroker.domain.venue_messages import CancelOrder, ReplaceOrder, SubmitOrder
from directbroker.engines.matching import VenueEngine
from directbroker.runtime import ManualClock
from directbroker.runtime.venue_link import VenueCommand

SYMBOL = "XYZ"
CONFIG = VenueConfig("ARCA", "ARCA", FeeSchedule(maker=-2_000, taker=3_000), (Instrument(SYMBOL),))
BROKER, MAKER = "BRKR", "MM"

Step = tuple[str, VenueCommand | None]
"""(who, command): who is a participant, or ``down`` / ``up`` (the broker's session drops /
comes back) or ``lost`` (the broker sends the command and the connection drops at once)."""
DOWN, UP, LOST = "down", "up", "lost"


def stream(symbol: str = SYMBOL) -> list[Step]:
    """Resting liquidity, a partial fill, a replace, a cancel, rejects, an IOC remainder,
    a reserve order and a post-only order that would take."""

    def buy(oid: str, qty: int, px: int | None, **kw: object) -> SubmitOrder:
        kind = OrderType.LIMIT if px is not None else OrderType.MARKET
        return SubmitOrder(oid, BROKER, symbol, Side.BUY, kind, qty, px, **kw)  # type: ignore[arg-type]

    def ask(oid: str, qty: int, px: int, **kw: object) -> SubmitOrder:
        return SubmitOrder(oid, MAKER, symbol, Side.SELL, OrderType.LIMIT, qty, px, **kw)  # type: ignore[arg-type]

    return [
        (MAKER, ask("m1", 100, 100_000)),
        (MAKER, ask("m2", 300, 100_500, display_quantity=100)),
        (BROKER, buy("c1", 250, 100_200)),  # takes m1 (100), rests 150 at 10.02
        (BROKER, ReplaceOrder("c1", BROKER, 200, 100_100)),  # 150 open -> 100 open, new price
        (MAKER, SubmitOrder("m3", MAKER, symbol, Side.SELL, OrderType.LIMIT, 60, 100_100)),
        (BROKER, CancelOrder("c1", BROKER)),
        (BROKER, CancelOrder("c1", BROKER)),  # already done: a reject
        (BROKER, ReplaceOrder("nope", BROKER, 10, 100_000)),  # unknown: a reject
        (BROKER, buy("c2", 500, 100_500, time_in_force=TimeInForce.IOC)),  # sweeps, IOC rest
        (BROKER, buy("c3", 100, 100_600, post_only=PostOnly.REJECT)),
        (BROKER, buy("c4", 100, 99_000, display_quantity=10, time_in_force=TimeInForce.GTC)),
        (BROKER, SubmitOrder("c5", BROKER, "NOPE", Side.SELL_SHORT, OrderType.LIMIT, 5, 1)),
        (MAKER, SubmitOrder("m4", MAKER, symbol, Side.SELL, OrderType.MARKET, 30)),
        (BROKER, buy("c1", 1, 99_000)),  # a reused order id
    ]


def in_process_replies(
    steps: Sequence[Step], config: VenueConfig = CONFIG, participant: str = BROKER
) -> list[Message]:
    """What ``participant`` hears back through the in-process link."""
    return in_process_run(steps, config, participant)[0]


def in_process_run(
    steps: Sequence[Step], config: VenueConfig = CONFIG, participant: str = BROKER
) -> tuple[list[Message], list[int]]:
    """The replies ``participant`` hears through the in-process link, and how many it has
    heard after each step."""
    replies: list[Message] = []
    counts: list[int] = []
    venue = config.name
    link = InProcessVenueLink(
        {venue: VenueEngine(config)}, participant, replies.append, ManualClock()
    )
    for who, command in steps:
        if who == DOWN:
            link.disconnect(venue)
        elif who == UP:
            link.reconnect(venue)
        elif who == LOST:
            assert command is not None
            link.send(venue, command)
            link.disconnect(venue)
        elif who == participant:
            assert command is not None
            link.send(venue, command)
        else:
            assert command is not None
            link.submit_external(venue, command)
        link.pump()
        counts.append(len(replies))
    return replies, counts

"""A tiny in-process market for router tests: real venue engines, the real market data engine
and the router, wired synchronously so every example is exact and fast.

Venue feed events go to market data; its consolidated outputs go to the router; children the
router emits are sent to the real venues in the order emitted, and the broker's own execution
reports come back to the router as inputs, exactly as the broker core will do it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from typing import TypeVar

from directbroker.domain.instruments import Instrument
from directbroker.domain.marketdata_messages import DepthUpdated, QuoteUpdated, TradingStatusChanged
from directbroker.domain.messages import Command, Event
from directbroker.domain.orders import OrderType, Side, TimeInForce
from directbroker.domain.routing import SMART, RouteRequest
from directbroker.domain.routing_messages import ChildCancelRequested, ChildRouted
from directbroker.domain.venue_config import FeeSchedule, VenueConfig
from directbroker.domain.venue_messages import (
    EXECUTION_REPORTS,
    OrderFilled,
    SubmitOrder,
)
from directbroker.engines.marketdata import MarketDataEngine
from directbroker.engines.matching import VenueEngine
from directbroker.engines.router import RouterConfig, RouterEngine

SYMBOL = "XYZ"
BROKER = "BRKR"
E = TypeVar("E", bound=Event)
MARKET_DATA = (DepthUpdated, QuoteUpdated, TradingStatusChanged)


def usd(dollars: str) -> int:
    """Price units from a dollar string."""
    whole, _, frac = dollars.partition(".")
    return int(whole) * 10_000 + int((frac + "0000")[:4])


def venue(name: str, maker: int = -2_000, taker: int = 3_000, primary: str = "") -> VenueConfig:
    """A venue trading XYZ with the given maker and taker fees (micro-dollars per share)."""
    return VenueConfig(
        name,
        name,
        fees=FeeSchedule(maker=maker, taker=taker),
        instruments=(Instrument(SYMBOL, primary_venue=primary or name),),
    )


THREE = (
    venue("ARCA", maker=-2_000, taker=3_000, primary="ARCA"),
    venue("BATS", maker=-2_500, taker=2_800, primary="ARCA"),
    venue("IEX", maker=0, taker=900, primary="ARCA"),
)
"""Three venues: ARCA and BATS are maker-taker (BATS pays the best rebate), IEX is cheap to
take from and pays no rebate."""


def request(
    side: Side,
    quantity: int,
    price: str | None,
    *,
    tif: TimeInForce = TimeInForce.DAY,
    route: str = SMART,
    parent_id: str = "P1",
    **kwargs: object,
) -> RouteRequest:
    """A parent order: a limit order at a dollar price, or a market order if ``price`` is None."""
    kind = OrderType.MARKET if price is None else OrderType.LIMIT
    return RouteRequest(
        parent_id,
        SYMBOL,
        side,
        quantity,
        None if price is None else usd(price),
        tif,
        route,
        order_type=kind,
        **kwargs,  # type: ignore[arg-type]
    )


def of_type(events: Sequence[object], kind: type[E]) -> list[E]:
    """The events of one type, in order."""
    return [e for e in events if isinstance(e, kind)]


class Market:
    """Venues + market data + router in one process, stepped by an explicit clock."""

    def __init__(
        self, configs: Sequence[VenueConfig] = THREE, policy: RouterConfig | None = None
    ) -> None:
        self.venues = {c.name: VenueEngine(c) for c in configs}
        self.market_data = MarketDataEngine()
        self.router = RouterEngine(configs, policy)
        self.now = 1_000_000_000
        self.silent: set[str] = set()
        """Venues that do not answer: commands sent there wait in ``held``."""
        self.held: list[tuple[str, Command]] = []
        self.router_events: list[Event] = []
        self.executions: list[OrderFilled] = []
        self.snapshots_at_send: list[
            tuple[ChildRouted, dict[str, tuple[int | None, int | None]]]
        ] = []
        self._maker = 0

    def ts(self, step: int = 1_000) -> int:
        """Advance the clock and return it."""
        self.now += step
        return self.now

    # --- the market -------------------------------------------------------------------

    def to_venue(self, name: str, command: Command) -> list[Event]:
        """One command to a venue; its feed goes to market data, market data to the router,
        and the broker's own reports to the router. Returns the router's events."""
        ts = self.ts()
        events = self.venues[name].handle(command, ts)
        out: list[Event] = []
        for event in events:
            for md in self.market_data.handle(event, ts):
                if isinstance(md, MARKET_DATA):
                    out.extend(self.router.handle(md, ts))
        for event in events:
            if isinstance(event, EXECUTION_REPORTS) and event.participant == BROKER:
                if isinstance(event, OrderFilled):
                    self.executions.append(event)
                out.extend(self.router.handle(event, self.ts()))
        return out

    def rest(self, name: str, side: Side, quantity: int, price: str, **kwargs: object) -> str:
        """A resting maker order from someone else; returns its id."""
        self._maker += 1
        order_id = f"M{self._maker}"
        command = SubmitOrder(
            order_id,
            "mm",
            SYMBOL,
            side,
            OrderType.LIMIT,
            quantity,
            usd(price),
            **kwargs,  # type: ignore[arg-type]
        )
        events = self.to_venue(name, command)
        assert not events, events
        return order_id

    # --- routing ----------------------------------------------------------------------

    def route(self, req: RouteRequest) -> list[Event]:
        """Route a parent and play every child against the venues until nothing is left to
        send (children to silent venues are held). Returns all router events."""
        return self.play(self.router.route(req, self.ts()))

    def play(self, events: list[Event]) -> list[Event]:
        """Send what the router asked for, in order, feeding replies back, to a fixed point."""
        queue = deque(events)
        seen: list[Event] = []
        while queue:
            event = queue.popleft()
            seen.append(event)
            self.router_events.append(event)
            if isinstance(event, ChildRouted):
                self.snapshots_at_send.append((event, self.tops()))
                queue.extend(self._send(event.venue, event.to_submit(BROKER)))
            elif isinstance(event, ChildCancelRequested):
                queue.extend(self._send(event.venue, event.to_cancel(BROKER)))
        return seen

    def _send(self, name: str, command: Command) -> list[Event]:
        if name in self.silent:
            self.held.append((name, command))
            return []
        return self.to_venue(name, command)

    def answer_again(self, name: str) -> list[Event]:
        """The venue answers again: deliver what was held for it, in order."""
        self.silent.discard(name)
        pending = [item for item in self.held if item[0] == name]
        self.held = [item for item in self.held if item[0] != name]
        out: list[Event] = []
        for _, command in pending:
            out.extend(self.play(self.to_venue(name, command)))
        return out

    def tick(self, step: int) -> list[Event]:
        """Time passes; the router's timer fires."""
        from directbroker.domain.routing_messages import RoutingTimerTick

        return self.play(self.router.handle(RoutingTimerTick(), self.ts(step)))

    def tops(self) -> dict[str, tuple[int | None, int | None]]:
        """Each venue's best bid and offer right now."""
        out: dict[str, tuple[int | None, int | None]] = {}
        for name, engine in self.venues.items():
            bbo = engine.best_bid_offer(SYMBOL)
            out[name] = (bbo.bid_price, bbo.ask_price)
        return out

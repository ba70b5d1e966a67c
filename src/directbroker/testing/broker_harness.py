"""A broker core wired to real in-process venues and market data, for scenario tests.

The loop is the one the composition root runs: the broker core's ``ChildOrderSent`` /
``ChildCancelSent`` / ``ChildReplaceSent`` events become venue commands; each venue's execution
reports for the broker's participant go back into the broker core; every venue event feeds the
market data engine, whose NBBO, prints and trading status go into the broker core too. Every
input the broker core receives is recorded, so a test can replay them into a fresh core and
compare state hashes.

With ``auto_flush=False`` the broker's venue commands wait in an outbox until :meth:`flush`,
which puts a command "in flight" while the market moves (a cancel racing a fill).

``router=smart_routing()`` composes the smart order router instead of directed routing, and
``venue_fees`` gives venues their own maker-taker schedules, so execution-quality statistics
can be checked against worked fee numbers (:meth:`BrokerHarness.smart_router` reads them).
"""

from __future__ import annotations

import datetime
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TypeVar

from directbroker.adapters.calendar import SessionCalendar
from directbroker.domain.accounts import AccountType, Registration
from directbroker.domain.broker_messages import (
    StartBrokerDay,
    venue_command,
)
from directbroker.domain.instruments import Instrument
from directbroker.domain.ledger_messages import Deposit, OpenAccount
from directbroker.domain.marketdata_messages import (
    SetPriorClose,
    StartTradingDay,
)
from directbroker.domain.messages import Command, Event, Message
from directbroker.domain.orders import OrderType, Side, TimeInForce
from directbroker.domain.venue_config import FeeSchedule as VenueFees
from directbroker.domain.venue_config import VenueConfig
from directbroker.domain.venue_messages import (
    EXECUTION_REPORTS,
    SubmitOrder,
)
from directbroker.engines.broker import (
    BrokerConfig,
    BrokerCore,
    DirectedRouting,
    RoutingPolicy,
)
from directbroker.engines.broker.core import MARKET_INPUTS
from directbroker.engines.ledger import FeeSchedule, LedgerCore
from directbroker.engines.marketdata import MarketDataEngine
from directbroker.engines.matching import VenueEngine
from directbroker.engines.risk import RiskPolicy
from directbroker.engines.router import RouterConfig, SmartRouting

_E = TypeVar("_E", bound=Event)
RouterFactory = Callable[[Sequence[VenueConfig], Mapping[str, str]], RoutingPolicy]
"""Builds the router for a harness from its venues and listings (default: directed routing)."""

START_NS = 1_780_000_000_000_000_000


def smart_routing(config: RouterConfig | None = None) -> RouterFactory:
    """A router factory composing the smart order router over the harness's venues."""

    def build(venues: Sequence[VenueConfig], _listings: Mapping[str, str]) -> RoutingPolicy:
        return SmartRouting(venues, config)

    return build


def weekday_calendar(first_year: int = 2025, last_year: int = 2027) -> SessionCalendar:
    """Every Monday to Friday as a business day: fast to build, good enough for tests."""
    day = datetime.date(first_year, 1, 1)
    end = datetime.date(last_year, 12, 31)
    sessions = []
    while day <= end:
        if day.weekday() < 5:
            sessions.append(day.year * 10_000 + day.month * 100 + day.day)
        day += datetime.timedelta(days=1)
    return SessionCalendar(sessions)


_CALENDAR: SessionCalendar | None = None


def shared_calendar() -> SessionCalendar:
    """One weekday calendar per process."""
    global _CALENDAR  # noqa: PLW0603
    if _CALENDAR is None:
        _CALENDAR = weekday_calendar()
    return _CALENDAR


def dollars(amount: str | int) -> int:
    """Money or price units for a dollar amount written in a test."""
    return int(Decimal(str(amount)) * 10_000)


def iso(date: int) -> str:
    """``2026-06-01`` for 20260601 (market data speaks ISO dates)."""
    return f"{date // 10_000:04d}-{date // 100 % 100:02d}-{date % 100:02d}"


class BrokerHarness:
    """A broker core, venues and market data in one deterministic loop."""

    def __init__(
        self,
        symbols: Sequence[tuple[str, str]] = (("AAPL", "200.00"),),
        venues: Sequence[str] = ("NSDQ", "ARCA"),
        date: int = 20260601,
        policy: RiskPolicy | None = None,
        fees: FeeSchedule | None = None,
        auto_flush: bool = True,
        router: RouterFactory | None = None,
        venue_fees: Mapping[str, VenueFees] | None = None,
    ) -> None:
        instruments = tuple(Instrument(s, primary_venue=venues[0]) for s, _ in symbols)
        schedules = venue_fees or {}
        self.venue_configs = tuple(
            VenueConfig(name, name, schedules.get(name, VenueFees()), instruments)
            for name in venues
        )
        self.venues = {config.name: VenueEngine(config) for config in self.venue_configs}
        self.router_factory = router
        self.listings = {s: venues[0] for s, _ in symbols}
        self.market_data = MarketDataEngine()
        self.config = BrokerConfig(policy=policy if policy is not None else RiskPolicy())
        self.fees = fees
        self.broker = self.new_core()
        self.inputs: list[tuple[Message, int]] = []
        self.entries: list[tuple[Message, tuple[Event, ...], int]] = []
        """Every broker input with the events it produced and its time: what the broker
        journal would hold (``testing.broker_journal`` writes them to one)."""
        self.events: list[Event] = []
        self.outbox: deque[tuple[str, Command]] = deque()
        self.auto_flush = auto_flush
        self.ts = START_NS
        self._mm = 0
        self.market_data.handle(StartTradingDay(iso(date)), self.tick())
        for symbol, price in symbols:
            self.market_data.handle(SetPriorClose(symbol, dollars(price), iso(date)), self.tick())
        self.send(StartBrokerDay(date))

    def new_core(self) -> BrokerCore:
        """A fresh broker core configured like this one (for replay)."""
        ledger = LedgerCore(shared_calendar(), self.fees)
        router: RoutingPolicy
        if self.router_factory is not None:
            router = self.router_factory(self.venue_configs, self.listings)
        else:
            router = DirectedRouting(tuple(self.venues), self.listings)
        return BrokerCore(ledger, router, self.config)

    def tick(self) -> int:
        """The next timestamp (every input gets its own)."""
        self.ts += 1_000
        return self.ts

    # --- driving the broker core ---------------------------------------------------------

    def send(self, message: Message) -> list[Event]:
        """Give the broker core one input and run the whole loop until it is quiet. Returns
        the broker core's events for this input and everything it caused."""
        start = len(self.events)
        self._broker_input(message)
        self._drain()
        return self.events[start:]

    def _broker_input(self, message: Message) -> None:
        ts = self.tick()
        self.inputs.append((message, ts))
        produced = self.broker.handle(message, ts)
        self.entries.append((message, tuple(produced), ts))
        self.events.extend(produced)
        for event in produced:
            routed = venue_command(event)
            if routed is not None:
                self.outbox.append(routed)

    def _drain(self) -> None:
        while self.auto_flush and self.outbox:
            venue, command = self.outbox.popleft()
            self._venue_input(venue, command)

    def flush(self) -> list[Event]:
        """Deliver the broker's queued venue commands (and everything they cause)."""
        start = len(self.events)
        while self.outbox:
            venue, command = self.outbox.popleft()
            self._venue_input(venue, command)
        return self.events[start:]

    def _venue_input(self, venue: str, command: Command) -> list[Event]:
        produced = self.venues[venue].handle(command, self.tick())
        participant = self.config.participant
        for event in produced:
            if isinstance(event, EXECUTION_REPORTS) and event.participant == participant:
                self._broker_input(event)
        for event in produced:
            for consolidated in self.market_data.handle(event, self.tick()):
                if isinstance(consolidated, MARKET_INPUTS):
                    self._broker_input(consolidated)
        return produced

    def venue(self, venue: str, command: Command) -> list[Event]:
        """Send a command to a venue from another participant (a market maker, say)."""
        start = len(self.events)
        self._venue_input(venue, command)
        self._drain()
        return self.events[start:]

    # --- conveniences --------------------------------------------------------------------

    def open_account(
        self, account: str, cash: str, account_type: AccountType = AccountType.MARGIN
    ) -> None:
        """Open an account and fund it (whole dollars and cents as text)."""
        self.send(OpenAccount(account, "owner", account_type, Registration.INDIVIDUAL))
        self.send(Deposit(account, f"dep-{account}-{self.ts}", dollars(cash)))

    def quote(
        self,
        symbol: str,
        bid: str,
        ask: str,
        size: int = 1_000,
        venue: str | None = None,
        participant: str = "MM",
    ) -> None:
        """Rest a bid and an offer from a market maker."""
        where = venue or next(iter(self.venues))
        for side, price in ((Side.BUY, bid), (Side.SELL, ask)):
            self.resting(where, symbol, side, price, size, participant)

    def resting(
        self,
        venue: str,
        symbol: str,
        side: Side,
        price: str,
        quantity: int,
        participant: str = "MM",
    ) -> str:
        """A limit order from another participant; returns its venue order id."""
        self._mm += 1
        order_id = f"{participant}-{self._mm}"
        self.venue(
            venue,
            SubmitOrder(
                order_id,
                participant,
                symbol,
                side,
                OrderType.LIMIT,
                quantity,
                dollars(price),
                TimeInForce.DAY,
            ),
        )
        return order_id

    def print_trade(self, venue: str, symbol: str, price: str, quantity: int = 100) -> list[Event]:
        """Make a trade print at ``price``: two other participants cross at the venue. Returns
        the broker core's events it caused."""
        start = len(self.events)
        self.resting(venue, symbol, Side.SELL, price, quantity, "PX1")
        self.resting(venue, symbol, Side.BUY, price, quantity, "PX2")
        return self.events[start:]

    def smart_router(self, core: BrokerCore | None = None) -> SmartRouting:
        """The smart router composed in ``core`` (the live one by default), for its queries."""
        router = (core or self.broker).router
        assert isinstance(router, SmartRouting), "built without router=smart_routing()"
        return router

    def replay(self) -> BrokerCore:
        """A fresh core fed every recorded input: its state must equal the live one's."""
        core = self.new_core()
        for message, ts in self.inputs:
            core.handle(message, ts)
        return core

    def of_type(self, kind: type[_E], events: Iterable[Event] | None = None) -> list[_E]:
        """The events of one type (all of the broker's so far by default)."""
        return [e for e in (self.events if events is None else events) if isinstance(e, kind)]

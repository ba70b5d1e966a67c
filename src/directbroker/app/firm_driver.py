"""The simulated firm's day loop: customers open accounts, fund them and trade, day by day.

The driver watches the firm's clock (``/v2/clock``) and, at each trading day's open, holds the
clock still, does that day's share of the growth plan through the Broker API and lets the
clock go again: it opens the accounts due (spread over the month's trading days) and links
their banks, makes the first deposits of accounts whose link the bank approved, adds the
monthly savings on a month's first day, and lets every customer funded before that day trade
(day traders buy, then sell what they hold). Requests for different customers go out side by
side on a small thread pool; one customer's requests go in order.

What it has done is kept in ``simulate-firm.state.json`` after every day, so a stopped run
resumes on the next day the firm's clock reaches; order ids are derived from the customer,
the date and the order's place in the day, so a day done twice places no order twice.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from datetime import time as day_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from directbroker.adapters.calendar import XnysCalendar
from directbroker.app.firm_agents import (
    Decision,
    Move,
    buy_quantity,
    decide,
    limit_cents,
    monthly_deposit_cents,
)
from directbroker.app.firm_agents import sale as pick_sale
from directbroker.app.firm_client import BrokerApi, Clock, FirmApiError, Order, cents
from directbroker.app.firm_growth import Customer, CustomerKind, GrowthPlan
from directbroker.runtime.schedule import from_date, to_date

WORKERS = 16
POLL_S = 0.02
NEW_YORK = ZoneInfo("America/New_York")
OPEN = day_time(9, 30)
FLATTEN = 100
"""Where a day's closing sales number their client order ids from."""


@dataclass
class Tally:
    """What the driver did in one month."""

    opened: int = 0
    deposits: int = 0
    orders: int = 0
    refused: int = 0
    days: int = 0
    late: int = 0
    """Days whose work the session closed on before it was done (a slower clock helps)."""
    busy_s: float = 0.0
    """Wall seconds spent on the days' work."""


@dataclass
class CustomerState:
    """Where one customer is: its account, its bank link, the day its first deposit went in."""

    account: str = ""
    relationship: str = ""
    funded: str = ""
    deposited: int = 0
    """Cents deposited so far (the capital a day trader sizes its trades on)."""


@dataclass
class DriverState:
    """Everything the driver remembers between days and between runs."""

    customers: dict[str, CustomerState] = field(default_factory=dict)
    done_through: str = ""
    savings_month: int = 0
    complete: bool = False

    @classmethod
    def load(cls, path: Path) -> DriverState:
        """The state in ``path`` (a fresh one when there is none)."""
        if not path.exists():
            return cls()
        raw = json.loads(path.read_text(encoding="utf-8"))
        customers = {k: CustomerState(**v) for k, v in raw.pop("customers").items()}
        return cls(customers=customers, **raw)

    def save(self, path: Path) -> None:
        """Write atomically (a crash leaves the old state or the new, never half)."""
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_text(json.dumps(asdict(self), indent=1), encoding="utf-8")
        temporary.replace(path)

    def of(self, customer: Customer) -> CustomerState:
        """The customer's state (created on first use)."""
        return self.customers.setdefault(str(customer.index), CustomerState())


def opening_day(plan: GrowthPlan, customer: Customer, calendar: XnysCalendar) -> date:
    """The trading day the customer's account opens: the month's openings spread evenly over
    the month's trading days."""
    first = plan.month_start(customer.month)
    last = from_date(plan.month_start(customer.month + 1)) - 1
    days = calendar.sessions_between(from_date(first), last)
    peers = plan.opening_in(customer.month)
    place = [c.index for c in peers].index(customer.index)
    return to_date(days[place * len(days) // len(peers)])


class FirmDriver:
    """Drives one running firm through the plan; :meth:`run` returns when the plan is done."""

    def __init__(
        self,
        api: BrokerApi,
        plan: GrowthPlan,
        symbols: tuple[str, ...],
        state_path: Path,
        report: Callable[[int, Tally, int], None],
        alive: Callable[[], None],
        hold: Callable[[], None] = lambda: None,
        release: Callable[[], None] = lambda: None,
    ) -> None:
        self.api = api
        self.plan = plan
        self.symbols = symbols
        self.state_path = state_path
        self.state = DriverState.load(state_path)
        self.report = report
        """Called at the end of each plan month: (month, its tally, accounts open)."""
        self.alive = alive
        """Raises if the firm has stopped."""
        self.hold, self.release = hold, release
        """Hold the firm's clock still while a day's work is done, and let it go again."""
        self.calendar = XnysCalendar()
        self.openings = {c.index: opening_day(plan, c, self.calendar) for c in plan.customers}
        self.pool = ThreadPoolExecutor(WORKERS, thread_name_prefix="simulate-firm")
        self.tally = Tally()
        self.month = -1
        self.today = plan.start

    def run(self) -> None:
        """Every trading day of the plan in order, each once the firm's clock reaches its
        open; then wait for the firm's clock to leave the last month (its last day closed)."""
        self._recover()
        end = self.plan.month_start(self.plan.months)
        after = (
            from_date(date.fromisoformat(self.state.done_through)) if self.state.done_through else 0
        )
        first = max(after + 1, from_date(self.plan.start))
        days = [to_date(d) for d in self.calendar.sessions_between(first, from_date(end) - 1)]
        for today in days:
            month = self.plan.month_of(today)
            if month != self.month:
                if self.month >= 0:
                    self.report(self.month, self.tally, self._open_count())
                    self.tally = Tally()
                self.month = month
            opens = datetime.combine(today, OPEN, NEW_YORK)
            while self._clock().now < opens:
                time.sleep(POLL_S)
            began = time.monotonic()
            self.hold()
            try:
                self._day(today, month)
            finally:
                self.release()
            self.tally.busy_s += time.monotonic() - began
            self.tally.days += 1
            clock = self._clock()
            if not clock.is_open or clock.day != today:
                self.tally.late += 1
            self.state.done_through = today.isoformat()
            self.state.save(self.state_path)
        while self._clock().day < end:
            time.sleep(POLL_S)
        if self.month >= 0:
            self.report(self.month, self.tally, self._open_count())
        self.state.complete = True
        self.state.save(self.state_path)
        self.pool.shutdown()

    def _clock(self) -> Clock:
        self.alive()
        return self.api.clock()

    def _open_count(self) -> int:
        return sum(1 for s in self.state.customers.values() if s.account)

    def _map(self, work: Callable[[Customer], Any], customers: Iterable[Customer]) -> list[Any]:
        return list(self.pool.map(work, customers))

    def _recover(self) -> None:
        """Take up what a stopped run did but had not recorded yet: accounts it opened (found
        by name), their bank links, first deposits it made."""
        known = self.api.accounts()
        for customer in self.plan.customers:
            state = self.state.of(customer)
            if not state.account and customer.name in known:
                state.account = known[customer.name]
                links = self.api.relationships(state.account)
                state.relationship = links[0][0] if links else ""
            if state.account and not state.funded:
                made = self.api.transfers(state.account)
                incoming = [t for t in made if t["direction"] == "INCOMING"]
                state.deposited = sum(cents(t["amount"]) for t in incoming)
                if incoming:
                    state.funded = self.state.done_through or self.plan.start.isoformat()

    # --- one trading day --------------------------------------------------------------------

    def _day(self, today: date, month: int) -> None:
        self.today = today
        due = [
            c
            for c in self.plan.customers
            if not self.state.of(c).account and self.openings[c.index] <= today
        ]
        self.tally.opened += sum(self._map(self._open, due))
        unfunded = [c for c in self.plan.customers if self._needs_deposit(c)]
        self.tally.deposits += sum(self._map(self._first_deposit, unfunded))
        if month > self.state.savings_month:
            self.state.savings_month = month
            savers = [c for c in self.plan.customers if self._funded_before(c, today)]
            self.tally.deposits += sum(self._map(self._savings, savers))
        prices = self.api.prices(self.symbols)
        traders = [c for c in self.plan.customers if self._funded_before(c, today)]
        plans = {c.index: decide(c, today, self.plan.seed, self.symbols) for c in traders}
        active = [c for c in traders if plans[c.index]]

        def trade(customer: Customer) -> tuple[int, int]:
            return self._trade(customer, today, plans[customer.index], prices)

        counts = self._map(trade, active)
        day_traders = [c for c in active if c.kind is CustomerKind.ACTIVE]

        def flatten(customer: Customer) -> tuple[int, int]:
            return self._flatten(customer, today, prices)

        counts += self._map(flatten, day_traders)
        self.tally.orders += sum(sent for sent, _ in counts)
        self.tally.refused += sum(refused for _, refused in counts)

    def _needs_deposit(self, customer: Customer) -> bool:
        state = self.state.of(customer)
        return bool(state.account) and not state.funded

    def _funded_before(self, customer: Customer, today: date) -> bool:
        funded = self.state.of(customer).funded
        return bool(funded) and funded < today.isoformat()

    def _open(self, customer: Customer) -> int:
        state = self.state.of(customer)
        state.account = self.api.open_account(customer)
        state.relationship = self.api.link_bank(state.account, customer)
        return 1

    def _first_deposit(self, customer: Customer) -> int:
        state = self.state.of(customer)
        try:
            self.api.deposit(state.account, state.relationship, customer.deposit_cents)
        except FirmApiError:
            return 0  # the bank has not approved the link yet: tomorrow
        state.funded = self.today.isoformat()
        state.deposited += customer.deposit_cents
        return 1

    def _savings(self, customer: Customer) -> int:
        state = self.state.of(customer)
        amount = monthly_deposit_cents(customer, self.plan.month_start(self.month), self.plan.seed)
        if amount <= 0:
            return 0
        try:
            self.api.deposit(state.account, state.relationship, amount)
        except FirmApiError:
            return 0
        state.deposited += amount
        return 1

    def _trade(
        self, customer: Customer, today: date, decisions: list[Decision], prices: dict[str, int]
    ) -> tuple[int, int]:
        """Send the day's orders of one customer; (orders sent, orders refused)."""
        state = self.state.of(customer)
        orders: list[Order] = []
        power: int | None = None
        holdings: dict[str, int] | None = None
        for number, decision in enumerate(decisions):
            price = prices.get(decision.symbol, 0)
            if decision.move is Move.DAY_TRADE:
                # Sized on the capital the trader put in; sold again by :meth:`_flatten`.
                qty = buy_quantity(decision.share, state.deposited, price)
                if qty > 0:
                    limit = limit_cents("buy", price)
                    order_id = _order_id(customer, today, number)
                    orders.append(Order(decision.symbol, "buy", qty, limit, order_id))
            elif decision.move is Move.SELL:
                holdings = self.api.positions(state.account) if holdings is None else holdings
                chosen = pick_sale(decision, holdings)
                if chosen is not None and chosen[0] in prices:
                    symbol, qty = chosen
                    holdings[symbol] -= qty
                    limit = limit_cents("sell", prices[symbol])
                    orders.append(
                        Order(symbol, "sell", qty, limit, _order_id(customer, today, number))
                    )
            else:
                power = self.api.buying_power(state.account) if power is None else power
                qty = buy_quantity(decision.share, power, price)
                if qty > 0:
                    power -= qty * price
                    limit = limit_cents("buy", price)
                    orders.append(
                        Order(
                            decision.symbol,
                            "buy",
                            qty,
                            limit,
                            _order_id(customer, today, number),
                        )
                    )
        refused = sum(0 if self.api.place(state.account, order).accepted else 1 for order in orders)
        return len(orders), refused

    def _flatten(self, customer: Customer, today: date, prices: dict[str, int]) -> tuple[int, int]:
        """A day trader goes home flat: sell whatever it holds (today's purchases, and any
        that filled only after an earlier day's sale was sent)."""
        account = self.state.of(customer).account
        orders = [
            Order(symbol, "sell", qty, limit_cents("sell", prices[symbol]),
                  _order_id(customer, today, FLATTEN + number))
            for number, (symbol, qty) in enumerate(sorted(self.api.positions(account).items()))
            if symbol in prices
        ]  # fmt: skip
        refused = sum(0 if self.api.place(account, order).accepted else 1 for order in orders)
        return len(orders), refused


def _order_id(customer: Customer, today: date, number: int) -> str:
    return f"sf-{customer.index}-{today:%Y%m%d}-{number}"

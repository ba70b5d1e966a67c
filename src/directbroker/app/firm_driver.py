"""The simulated firm's day loop: customers open accounts, fund them and trade, day by day.

The driver watches the firm's clock (``/v2/clock``) and, once in each regular session, does that
day's share of the growth plan through the Broker API: opens the accounts due (spread over the
month's trading days), links their banks and makes their first deposits, adds the monthly
savings on a month's first day, and lets every funded customer's agent trade (day traders
buy after the open and sell before the driver leaves the session). Requests for different
customers go out side by side on a small thread pool; one customer's requests go in order.

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
from datetime import date
from pathlib import Path
from typing import Any

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
from directbroker.app.firm_client import BrokerApi, FirmApiError, Order
from directbroker.app.firm_growth import Customer, CustomerKind, GrowthPlan
from directbroker.runtime.schedule import from_date, to_date

WORKERS = 8
POLL_S = 0.01


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
        self.calendar = XnysCalendar()
        self.openings = {c.index: opening_day(plan, c, self.calendar) for c in plan.customers}
        self.pool = ThreadPoolExecutor(WORKERS, thread_name_prefix="simulate-firm")
        self.tally = Tally()
        self.month = -1
        self.today = plan.start

    def run(self) -> None:
        """Day after day until the firm's clock leaves the plan's last month."""
        self._recover()
        end = self.plan.month_start(self.plan.months)
        done = date.fromisoformat(self.state.done_through) if self.state.done_through else None
        while True:
            self.alive()
            clock = self.api.clock()
            today = clock.day
            if today >= end:
                break
            month = self.plan.month_of(today)
            if month != self.month:
                if self.month >= 0:
                    self.report(self.month, self.tally, self._open_count())
                    self.tally = Tally()
                self.month = month
            if clock.is_open and month >= 0 and (done is None or today > done):
                began = time.monotonic()
                self._day(today, month)
                self.tally.busy_s += time.monotonic() - began
                self.tally.days += 1
                after = self.api.clock()
                if not after.is_open or after.day != today:
                    self.tally.late += 1
                done = today
                self.state.done_through = today.isoformat()
                self.state.save(self.state_path)
            else:
                time.sleep(POLL_S)
        if self.month >= 0:
            self.report(self.month, self.tally, self._open_count())
        self.state.complete = True
        self.state.save(self.state_path)
        self.pool.shutdown()

    def _open_count(self) -> int:
        return sum(1 for s in self.state.customers.values() if s.account)

    def _map(self, work: Callable[[Customer], Any], customers: Iterable[Customer]) -> list[Any]:
        return list(self.pool.map(work, customers))

    def _recover(self) -> None:
        """Take up accounts a stopped run opened but had not recorded yet."""
        known = self.api.accounts()
        for customer in self.plan.customers:
            state = self.state.of(customer)
            if state.account or customer.name not in known:
                continue
            state.account = known[customer.name]
            links = self.api.relationships(state.account)
            state.relationship = links[0][0] if links else ""
            if self.api.transfers(state.account):
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
        day_traders = [c for c in active if any(d.move is Move.DAY_TRADE for d in plans[c.index])]

        def flatten(customer: Customer) -> tuple[int, int]:
            return self._flatten(customer, today, plans[customer.index], prices)

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
        return 1

    def _trade(
        self, customer: Customer, today: date, decisions: list[Decision], prices: dict[str, int]
    ) -> tuple[int, int]:
        account = self.state.of(customer).account
        sent = refused = 0
        power: int | None = None
        holdings: dict[str, int] | None = None
        for number, decision in enumerate(decisions):
            if decision.move is Move.SELL:
                holdings = self.api.positions(account) if holdings is None else holdings
                chosen = pick_sale(decision, holdings)
                if chosen is None or chosen[0] not in prices:
                    continue
                symbol, qty, side = chosen[0], chosen[1], "sell"
                holdings[symbol] -= qty
            else:
                power = self.api.buying_power(account) if power is None else power
                price = prices.get(decision.symbol, 0)
                qty = buy_quantity(decision.share, power, price)
                if qty <= 0:
                    continue
                symbol, side = decision.symbol, "buy"
                power -= qty * price
            limit = limit_cents(side, prices.get(symbol, 0))
            order = Order(symbol, side, qty, limit, _order_id(customer, today, number))
            placed = self.api.place(account, order)
            sent += 1
            refused += 0 if placed.accepted else 1
        return sent, refused

    def _flatten(
        self, customer: Customer, today: date, decisions: list[Decision], prices: dict[str, int]
    ) -> tuple[int, int]:
        """Close the day trades: sell what is held of each symbol bought today."""
        account = self.state.of(customer).account
        holdings = self.api.positions(account)
        sent = refused = 0
        for number, decision in enumerate(decisions, start=len(decisions)):
            qty = holdings.get(decision.symbol, 0)
            if decision.move is not Move.DAY_TRADE or qty <= 0 or decision.symbol not in prices:
                continue
            limit = limit_cents("sell", prices.get(decision.symbol, 0))
            order = Order(decision.symbol, "sell", qty, limit, _order_id(customer, today, number))
            placed = self.api.place(account, order)
            sent += 1
            refused += 0 if placed.accepted else 1
        return sent, refused


def _order_id(customer: Customer, today: date, number: int) -> str:
    return f"sf-{customer.index}-{today:%Y%m%d}-{number}"


__all__ = ["CustomerKind", "DriverState", "FirmDriver", "Tally", "opening_day"]

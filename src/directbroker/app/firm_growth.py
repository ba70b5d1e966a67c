"""The month-by-month plan of a simulated firm's growth: who opens an account when, and what kind
of customer they are.

``directbroker simulate-firm`` grows a firm to ``accounts`` accounts over ``months`` months.
The accounts open on a convex curve (a constant monthly growth rate), so a month compares with
the same month a year earlier the way a growing firm's does, and the last month ends at exactly
``accounts``. Each account is one customer of a kind (:class:`CustomerKind`) drawn from the
seed; the plan is a pure function of its parameters, so a resumed run and a fresh one agree on
every customer, and a test can check the curve without running a firm.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

MONTHLY_GROWTH = 0.08
"""How much faster each month's openings come than the month before's (the curve's rate)."""

KIND_SHARES = (("active", 15), ("investor", 80), ("institution", 5))
"""How the customers divide between the kinds, in percent (the first of each kind is forced
so a small firm still has every kind)."""


class CustomerKind(StrEnum):
    """The kinds of agent customers, each trading its own way (:mod:`firm_agents`)."""

    ACTIVE = "active"
    """An active trader: a margin account, many small day trades."""
    INVESTOR = "investor"
    """A long-term investor: a cash account, an occasional buy, rarely a sale, monthly savings."""
    INSTITUTION = "institution"
    """An institution: a large margin account, large orders now and then."""


@dataclass(frozen=True, slots=True)
class Customer:
    """One planned customer."""

    index: int
    """0-based, in opening order; names the customer (:meth:`name`)."""
    kind: CustomerKind
    month: int
    """The plan month (0-based) in which the account opens."""
    deposit_cents: int
    """The first deposit, in cents."""

    @property
    def name(self) -> str:
        """The family name the account opens under (how a resumed run finds it again)."""
        return f"Customer{self.index:05d}"


@dataclass(frozen=True, slots=True)
class GrowthPlan:
    """The whole plan: the months, and every customer with its opening month."""

    start: date
    """The first day of the first month."""
    months: int
    accounts: int
    seed: int
    customers: tuple[Customer, ...]

    def month_start(self, month: int) -> date:
        """The first calendar day of plan month ``month`` (``months``: the day after the end)."""
        total = self.start.month - 1 + month
        return date(self.start.year + total // 12, total % 12 + 1, 1)

    def month_of(self, day: date) -> int:
        """The plan month ``day`` falls in (negative before the start, ``months`` or more
        after the end)."""
        return (day.year - self.start.year) * 12 + day.month - self.start.month

    def opening_in(self, month: int) -> tuple[Customer, ...]:
        """The customers whose accounts open in ``month``."""
        return tuple(c for c in self.customers if c.month == month)

    def open_by_end_of(self, month: int) -> int:
        """How many accounts are open at the end of ``month``."""
        return sum(1 for c in self.customers if c.month <= month)


def cumulative_accounts(accounts: int, months: int, growth: float = MONTHLY_GROWTH) -> list[int]:
    """Accounts open at the end of each month: a constant-rate convex curve ending at
    ``accounts``, at least one opening in the first month, never decreasing."""
    if months < 1 or accounts < 1:
        raise ValueError("months and accounts must be at least 1")
    ratio = 1.0 + growth
    total = sum(ratio**m for m in range(months))
    found: list[int] = []
    running = 0.0
    for month in range(months):
        running += ratio**month
        found.append(round(accounts * running / total))
    found[0] = max(found[0], 1)
    for month in range(1, months):
        found[month] = max(found[month], found[month - 1])
    found[-1] = accounts
    return found


def _kinds(accounts: int, rng: random.Random) -> list[CustomerKind]:
    """Every customer's kind: one of each kind first (when there is room), then drawn."""
    names = [CustomerKind(name) for name, _ in KIND_SHARES]
    weights = [share for _, share in KIND_SHARES]
    kinds = names[: min(accounts, len(names))]
    kinds += rng.choices(names, weights, k=accounts - len(kinds))
    return kinds


def _deposit(kind: CustomerKind, rng: random.Random) -> int:
    """A first deposit, in cents: active traders stay above the day-trading minimum."""
    if kind is CustomerKind.ACTIVE:
        return rng.randrange(30_000, 80_000) * 100
    if kind is CustomerKind.INSTITUTION:
        return rng.randrange(2_000_000, 8_000_000) * 100
    return rng.randrange(2_000, 25_000) * 100


def growth_plan(start: date, months: int, accounts: int, seed: int) -> GrowthPlan:
    """The plan for a firm grown from ``start`` (its month) over ``months`` to ``accounts``."""
    rng = random.Random(f"simulate-firm:{seed}")
    curve = cumulative_accounts(accounts, months)
    kinds = _kinds(accounts, rng)
    customers: list[Customer] = []
    for month, total in enumerate(curve):
        while len(customers) < total:
            kind = kinds[len(customers)]
            customers.append(Customer(len(customers), kind, month, _deposit(kind, rng)))
    return GrowthPlan(start.replace(day=1), months, accounts, seed, tuple(customers))

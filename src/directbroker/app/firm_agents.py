"""The agent customers of a simulated firm: what each kind decides to do on a trading day.

Three kinds trade their own way (:class:`~directbroker.app.firm_growth.CustomerKind`):

- an **active trader** makes a few day trades most days (a purchase and its sale at once)
  from a margin account kept above the day-trading minimum;
- an **investor** buys now and then with part of its cash, rarely sells part of a holding,
  and saves a little every month;
- an **institution** places large orders on some days, buys and sells, and adds capital
  now and then.

Decisions are drawn from a generator seeded by the firm's seed, the customer and the date, so
they do not depend on when the driver ran or whether it was restarted; only the sizes depend on
what the Broker API says the account holds (its buying power, its positions). The driver
(:mod:`~directbroker.app.simulate_firm`) turns them into requests.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from directbroker.app.firm_growth import Customer, CustomerKind

MAX_ORDER_SHARES = 20_000
"""No agent order is larger than this (the simulated books are only so deep)."""
MARKETABLE_BPS = 100
"""How far through the last price an agent's limit goes (limits rather than market orders:
the simulated books can be thin, and a limit waits for the flow instead of being refused)."""


class Move(StrEnum):
    """What a decision does."""

    BUY = "buy"
    """Buy ``share`` of the buying power's worth of ``symbol``."""
    SELL = "sell"
    """Sell ``share`` of the holding picked by ``pick``."""
    DAY_TRADE = "day_trade"
    """Buy ``share`` of the capital put in's worth of ``symbol`` and sell it the same day."""


@dataclass(frozen=True, slots=True)
class Decision:
    """One thing a customer means to do today."""

    move: Move
    symbol: str
    """The symbol to buy (for a sale: empty, the holding is picked by ``pick``)."""
    share: float
    """Of the buying power (buys) or of the holding (sales), 0..1."""
    pick: float = 0.0
    """Which holding a sale takes (a draw in 0..1 over the holdings sorted by symbol)."""


def day_random(seed: int, customer: Customer, day: date, purpose: str = "trade") -> random.Random:
    """The generator of one customer's decisions on one day (independent of every other)."""
    return random.Random(f"{seed}:{customer.index}:{day.isoformat()}:{purpose}")


def decide(customer: Customer, day: date, seed: int, symbols: tuple[str, ...]) -> list[Decision]:
    """What ``customer`` means to do on ``day`` (an empty list: nothing)."""
    rng = day_random(seed, customer, day)
    kind = customer.kind
    if kind is CustomerKind.ACTIVE:
        if rng.random() >= 0.7:
            return []
        picks = rng.sample(symbols, min(len(symbols), rng.randint(1, 3)))
        return [Decision(Move.DAY_TRADE, s, rng.uniform(0.1, 0.4)) for s in picks]
    if kind is CustomerKind.INVESTOR:
        draw = rng.random()
        if draw < 0.08:
            return [Decision(Move.BUY, rng.choice(symbols), rng.uniform(0.2, 0.6))]
        if draw < 0.095:
            return [Decision(Move.SELL, "", rng.uniform(0.3, 1.0), rng.random())]
        return []
    draw = rng.random()
    if draw < 0.25:
        return [Decision(Move.BUY, rng.choice(symbols), rng.uniform(0.05, 0.2))]
    if draw < 0.35:
        return [Decision(Move.SELL, "", rng.uniform(0.3, 0.7), rng.random())]
    return []


def monthly_deposit_cents(customer: Customer, month_start: date, seed: int) -> int:
    """Savings ``customer`` adds at the start of a month after its first (0: none)."""
    rng = day_random(seed, customer, month_start, "deposit")
    if customer.kind is CustomerKind.INVESTOR and rng.random() < 0.75:
        return rng.randrange(100, 3_000) * 100
    if customer.kind is CustomerKind.INSTITUTION and rng.random() < 0.2:
        return rng.randrange(250_000, 2_000_000) * 100
    if customer.kind is CustomerKind.ACTIVE and rng.random() < 0.3:
        return rng.randrange(1_000, 10_000) * 100
    return 0


def buy_quantity(share: float, buying_power_cents: int, price_cents: int) -> int:
    """Whole shares of ``share`` of the buying power at ``price_cents`` (0: too little)."""
    if price_cents <= 0 or buying_power_cents <= 0:
        return 0
    quantity = int(buying_power_cents * share) // price_cents
    return min(quantity, MAX_ORDER_SHARES)


def sale(decision: Decision, holdings: dict[str, int]) -> tuple[str, int] | None:
    """The holding a sale takes and how many shares (None: nothing held to sell)."""
    held = sorted((symbol, qty) for symbol, qty in holdings.items() if qty > 0)
    if not held:
        return None
    symbol, quantity = held[min(len(held) - 1, int(decision.pick * len(held)))]
    shares = min(MAX_ORDER_SHARES, max(1, int(quantity * decision.share)))
    return symbol, shares


def limit_cents(side: str, price_cents: int) -> int:
    """A limit that is marketable when sent: ``MARKETABLE_BPS`` through the price."""
    if side == "buy":
        return -(-price_cents * (10_000 + MARKETABLE_BPS) // 10_000)
    return max(1, price_cents * (10_000 - MARKETABLE_BPS) // 10_000)

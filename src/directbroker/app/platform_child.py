"""The process the platform crash test kills: the whole embedded platform on SQLite journals,
stepped as fast as it goes, with customers trading through the broker the whole time.

Each run resumes the journals in ``DIR`` (reconciling what the last crash left between the
cores), starts its simulated clock just after the latest journaled time (so the run's start,
and with it the simulation's order-id prefix, is new), and keeps submitting customer orders
(market and limit, buys and sells, cancels) from a generator seeded by that start.

Out on stdout, one line each: ``READY {json}`` once start-up (and reconciliation) is done;
with ``--steps N``, after N steps, ``BYE {json}`` with every core's state hash, after a clean
close. Without ``--steps`` it runs until killed.

Run: ``python -m directbroker.app.platform_child DIR [--steps N]``.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Sequence
from pathlib import Path

from directbroker.adapters.storage.sqlite import SqliteStorage
from directbroker.app.journals import SqliteJournals
from directbroker.app.market import run_prefix
from directbroker.app.platform import DEMO_ACCOUNTS, Platform
from directbroker.domain.broker_messages import CancelCustomerOrder, PlaceOrder
from directbroker.domain.instruments import tick_size
from directbroker.domain.messages import Command
from directbroker.domain.orders import OrderType, Side
from directbroker.sim.session import DaySchedule
from directbroker.sim.simulation import SimulationConfig
from directbroker.sim.universe import LISTINGS

BASE_NS = 1_780_300_800_000_000_000
"""The first run's start: a Monday session in June 2026 (the session date stays put)."""
LISTED = LISTINGS[:4]
STEP_NS = 10_000_000
"""Simulated time per step: a few market events and a customer command or two each."""
SCHEDULE = DaySchedule(pre_open_seconds=0.2, continuous_seconds=100_000, closing_window_seconds=1)


def resume_ns(directory: Path) -> int:
    """Just after the latest time any journal in ``directory`` recorded (``BASE_NS`` if none):
    each run's simulation starts later than everything before it, never reusing its ids."""
    latest = 0
    for path in sorted(directory.glob("*.journal.db")):
        storage = SqliteStorage(path)
        try:
            tail = storage.journal.tail()
        finally:
            storage.close()
        if tail is not None:
            latest = max(latest, tail.ts_ns)
    return BASE_NS if latest == 0 else latest + 1_000_000_000


QUIET_STEPS = 30
"""Steps at the start of a run in which customers only cancel: past the simulation's opening
cross. A restarted simulation runs its opening cross again on books that hold the customers'
resting orders, and the broker keys an execution by venue trade id and side, which one cross
shares among all its fills (two of our children in one cross halt the broker core)."""


class Customers:
    """Deterministic customer flow: orders keyed by the run, cancels of working orders."""

    def __init__(self, platform: Platform, start_ns: int) -> None:
        self._platform = platform
        self._rng = random.Random(start_ns)
        self._prefix = run_prefix(start_ns)
        self._count = 0
        self._steps = 0
        self._working = [
            (parent.order_id, demo.account)
            for demo in DEMO_ACCOUNTS
            for parent in platform.broker.open_orders(demo.account)
        ]
        """Orders to cancel, starting with those an earlier run left working."""

    def next_commands(self) -> list[Command]:
        """One to three commands for this step (before the open: cancels of earlier runs')."""
        self._steps += 1
        if self._steps <= QUIET_STEPS:
            cancels, self._working = self._working, []
            return [CancelCustomerOrder(order_id, account) for order_id, account in cancels]
        rng = self._rng
        commands: list[Command] = []
        for _ in range(rng.choice((1, 2, 2, 3))):
            if self._working and rng.random() < 0.25:
                order_id, account = self._working.pop(rng.randrange(len(self._working)))
                commands.append(CancelCustomerOrder(order_id, account))
                continue
            commands.append(self._order())
        return commands

    def _order(self) -> PlaceOrder:
        rng = self._rng
        self._count += 1
        order_id = f"{self._prefix}-C{self._count}"
        # Mostly the margin account, and sells only of shares held: most orders should trade.
        account = DEMO_ACCOUNTS[0 if rng.random() < 0.85 else 1].account
        listing = rng.choice(LISTED)
        quantity = rng.choice((10, 20, 50, 100))
        held = self._platform.broker.ledger.position(account, listing.symbol)
        can_sell = held is not None and held.quantity >= quantity
        side = Side.SELL if can_sell and rng.random() < 0.7 else Side.BUY
        quote = self._platform.market.market_data.nbbo(listing.symbol)
        if quote is None or rng.random() < 0.4:
            return PlaceOrder(
                order_id, f"c-{order_id}", account, listing.symbol, side, OrderType.MARKET, quantity
            )
        reference = (quote.bid_price if side is Side.BUY else quote.ask_price) or (
            listing.reference_price
        )
        offset = rng.randint(-3, 3) * tick_size(reference)
        self._working.append((order_id, account))
        return PlaceOrder(
            order_id,
            f"c-{order_id}",
            account,
            listing.symbol,
            side,
            OrderType.LIMIT,
            quantity,
            limit_price=max(tick_size(reference), reference + offset),
        )


def main(argv: Sequence[str] | None = None) -> int:
    """Resume, then trade until killed (or for ``--steps`` steps, then stop cleanly)."""
    parser = argparse.ArgumentParser(prog="platform_child")
    parser.add_argument("directory", type=Path)
    parser.add_argument("--steps", type=int, default=None)
    args = parser.parse_args(argv)
    directory: Path = args.directory
    directory.mkdir(parents=True, exist_ok=True)
    start_ns = resume_ns(directory)
    config = SimulationConfig(seed=start_ns % 1_000_003, schedule=SCHEDULE, events_per_second=100)
    journals = SqliteJournals(directory)
    out = sys.stdout
    try:
        platform = Platform(journals, config, start_ns, listings=LISTED)
        ready = {"start_ns": start_ns, "applied": platform.reconciled.applied}
        out.write(f"READY {json.dumps(ready)}\n")
        out.flush()
        customers = Customers(platform, start_ns)
        now, step = start_ns, 0
        while args.steps is None or step < args.steps:
            for command in customers.next_commands():
                platform.submit(command)
            now += STEP_NS
            platform.step(now)
            step += 1
        hashes = {"broker": platform.broker.state_hash(), "marketdata": ""}
        hashes["marketdata"] = platform.market.market_data.state_hash()
        hashes.update({name: v.state_hash() for name, v in platform.market.venues.items()})
    finally:
        journals.close()
    out.write(f"BYE {json.dumps(hashes)}\n")
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())

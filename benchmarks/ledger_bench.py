"""Ledger throughput: postings per second, and the cost of re-marking positions on a quote.

Run: ``.venv/bin/python benchmarks/ledger_bench.py [--quick]``

Re-marking is indexed by symbol, so a quote update should cost time proportional to the
positions held in that symbol and nothing for positions in other symbols. The second table
grows the positions in the quoted symbol; the third keeps them fixed and grows everything else.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from directbroker.adapters.calendar import XnysCalendar
from directbroker.domain.accounts import AccountType, Registration
from directbroker.domain.ledger_messages import Deposit, OpenAccount, RecordExecution, UpdateMark
from directbroker.domain.orders import Side
from directbroker.engines.ledger import LedgerCore

TRADE_DATE = 20250303
CALENDAR = XnysCalendar(2025, 2026)


def _ledger(accounts: int) -> LedgerCore:
    core = LedgerCore(CALENDAR)
    for n in range(accounts):
        core.handle(OpenAccount(f"A{n}", "o", AccountType.MARGIN, Registration.INDIVIDUAL), 0)
        core.handle(Deposit(f"A{n}", f"d{n}", 10_000_000_000), 0)
    return core


def _fill(core: LedgerCore, accounts: int, symbol: str, start: int) -> int:
    """One position in ``symbol`` for each of the first ``accounts`` accounts."""
    for n in range(accounts):
        core.handle(
            RecordExecution(f"A{n}", f"{symbol}-{n}", symbol, Side.BUY, 100, 1_000_000, TRADE_DATE),
            start + n,
        )
    return start + accounts


def _best(runs: int, work: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(runs):
        began = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - began)
    return best


def _quote_time(core: LedgerCore, runs: int) -> float:
    """Best-of-``runs`` time for one quote in HOT, a new price each time."""
    prices = iter(range(1_000_000, 2_000_000, 100))
    return _best(runs, lambda: core.handle(UpdateMark("HOT", next(prices)), 0))


def postings_per_second(executions: int) -> None:
    core = _ledger(100)
    commands = [
        RecordExecution(f"A{n % 100}", f"x{n}", f"S{n % 50}", Side.BUY, 10, 1_000_000, TRADE_DATE)
        for n in range(executions)
    ]
    began = time.perf_counter()
    for ts, command in enumerate(commands):
        core.handle(command, ts)
    elapsed = time.perf_counter() - began
    postings = sum(len(e.postings) for e in core.postings()[-executions:])
    print(f"executions booked      {executions:>9,}  in {elapsed:6.2f} s")
    print(f"  executions / s       {executions / elapsed:>12,.0f}")
    legs = postings / executions
    print(f"  postings / s         {postings / elapsed:>12,.0f}  ({legs:.0f} legs each)")


def remark_scaling(sizes: list[int], runs: int) -> None:
    print("\nre-mark one symbol, growing the positions held in it")
    print(f"{'positions in symbol':>20} {'time per quote':>16} {'per position':>14}")
    for size in sizes:
        core = _ledger(size)
        _fill(core, size, "HOT", 1)
        elapsed = _quote_time(core, runs)
        print(f"{size:>20,} {elapsed * 1e3:>13.2f} ms {elapsed / size * 1e6:>11.2f} µs")


def remark_isolation(in_symbol: int, others: list[int], runs: int) -> None:
    print(f"\nre-mark a symbol held by {in_symbol:,} accounts while the book grows")
    print(f"{'total positions':>20} {'time per quote':>16}")
    for other in others:
        accounts = max(in_symbol, other // 10)
        core = _ledger(accounts)
        ts = _fill(core, in_symbol, "HOT", 1)
        for k in range(other // accounts):
            ts = _fill(core, accounts, f"COLD{k}", ts)
        total = len(core.state.positions)
        elapsed = _quote_time(core, runs)
        print(f"{total:>20,} {elapsed * 1e3:>13.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes for a smoke run")
    args = parser.parse_args()
    if args.quick:
        postings_per_second(5_000)
        remark_scaling([1_000, 10_000], runs=5)
        remark_isolation(1_000, [10_000, 40_000], runs=5)
    else:
        postings_per_second(50_000)
        remark_scaling([1_000, 10_000, 50_000], runs=10)
        remark_isolation(1_000, [10_000, 100_000, 200_000], runs=10)


if __name__ == "__main__":
    main()

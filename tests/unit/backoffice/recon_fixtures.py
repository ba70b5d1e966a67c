"""Books and clearing files built by hand for the reconciliation tests.

:func:`mirror` is what an honest clearing firm sends back for a day of our books: one activity
record per execution and movement, and the positions and balances of our day close. Tests
then break one thing in it, the way the simulated clearing firm injects a fault.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from directbroker.backoffice.books import AccountBalances, BookedExecution, CashMovement, DayClose
from directbroker.backoffice.clearing_records import ActivityRecord, BalanceRecord, PositionRecord
from directbroker.backoffice.recon import CANCEL_SUFFIX, TRADE_KIND, Break, reconcile
from directbroker.domain.orders import Side

DAY = 20260302
NEXT = 20260303


def execution(
    execution_id: str,
    account: str,
    symbol: str,
    side: Side,
    quantity: int,
    price: int,
    *,
    day: int = DAY,
    commission: int = 10_000,
) -> BookedExecution:
    """An execution with the cash effect the ledger gives it (purchases cost, sales pay)."""
    principal = quantity * price
    net = -(principal + commission) if side is Side.BUY else principal - commission
    return BookedExecution(
        execution_id, execution_id.rpartition(".")[0], account, symbol, side, quantity, price,
        principal, commission, 0, 0, net, day, day, 0, "NSDQ", "taker",
    )  # fmt: skip


def movement(reference: str, account: str, amount: int, *, day: int = DAY) -> CashMovement:
    """A deposit (positive) or withdrawal (negative)."""
    kind = "deposit" if amount > 0 else "withdrawal"
    return CashMovement(account, kind, reference, amount, day, 0, True)


@dataclass
class Day:
    """One day of our books: the day's items and the close they lead to from ``opening``."""

    executions: list[BookedExecution]
    movements: list[CashMovement]
    opening: dict[str, AccountBalances] = field(default_factory=dict)
    day: int = DAY

    def close(self) -> DayClose:
        """The books at the end of the day: opening balances moved by every item."""
        cash = {name: books.cash for name, books in self.opening.items()}
        positions = {name: dict(books.positions) for name, books in self.opening.items()}
        for e in self.executions:
            cash[e.account] = cash.get(e.account, 0) + e.net_amount
            held = positions.setdefault(e.account, {})
            signed = e.quantity if e.side is Side.BUY else -e.quantity
            held[e.symbol] = held.get(e.symbol, 0) + signed
        for m in self.movements:
            cash[m.account] = cash.get(m.account, 0) + m.amount
        balances = {
            name: AccountBalances(
                name, cash.get(name, 0), 0, 0,
                {s: q for s, q in positions.get(name, {}).items() if q},
            )
            for name in sorted(set(cash) | set(positions))
        }  # fmt: skip
        balances = {n: b for n, b in balances.items() if b.cash or b.positions}
        return DayClose(self.day, 0, balances, {})


def activity_of(e: BookedExecution) -> ActivityRecord:
    """The clearing firm's record of one of our executions."""
    side = "buy" if e.side is Side.BUY else "sell"
    return ActivityRecord(
        e.execution_id, e.account, TRADE_KIND, e.symbol, side, e.quantity, e.price,
        e.net_amount, e.trade_date,
    )  # fmt: skip


def activity_of_movement(m: CashMovement) -> ActivityRecord:
    """The clearing firm's record of one of our cash movements."""
    return ActivityRecord(m.reference, m.account, m.kind, "", "", 0, 0, m.amount, m.business_date)


@dataclass
class Files:
    """What the clearing firm sends back for a day."""

    activity: list[ActivityRecord]
    positions: list[PositionRecord]
    balances: list[BalanceRecord]


def mirror(day: Day) -> Files:
    """The files of a clearing firm that booked exactly what we did."""
    close = day.close()
    activity = [activity_of(e) for e in day.executions]
    activity += [activity_of_movement(m) for m in day.movements]
    positions = [
        PositionRecord(name, symbol, qty, day.day)
        for name, books in close.balances.items()
        for symbol, qty in books.positions.items()
    ]
    balances = [BalanceRecord(name, books.cash, day.day) for name, books in close.balances.items()]
    return Files(activity, positions, balances)


def rebook(files: Files, activity: Sequence[ActivityRecord], close: DayClose) -> Files:
    """The files of a clearing firm that booked ``activity`` (cancels reverse) on top of the
    holdings in ``close``, the books before the day's items: its positions and cash follow
    what it booked."""
    cash = {name: books.cash for name, books in close.balances.items()}
    held = {(name, s): q for name, b in close.balances.items() for s, q in b.positions.items()}
    for record in activity:
        cash[record.account] = cash.get(record.account, 0) + record.net_amount
        if record.kind.removesuffix(CANCEL_SUFFIX) == TRADE_KIND:
            signed = record.quantity if record.side == "buy" else -record.quantity
            if record.kind.endswith(CANCEL_SUFFIX):
                signed = -signed
            spot = (record.account, record.symbol)
            held[spot] = held.get(spot, 0) + signed
    day = activity[0].business_date if activity else DAY
    positions = [PositionRecord(a, s, q, day) for (a, s), q in sorted(held.items()) if q]
    balances = [BalanceRecord(a, c, day) for a, c in sorted(cash.items()) if c]
    return replace(files, activity=list(activity), positions=positions, balances=balances)


def opening_close(day: Day) -> DayClose:
    """The day's opening balances as a close (what :func:`rebook` starts from)."""
    return DayClose(day.day, 0, dict(day.opening), {})


def run(day: Day, files: Files) -> list[Break]:
    """Reconcile a day of books against files."""
    return reconcile(
        day.day, day.executions, day.movements, day.close(), files.activity, files.positions,
        files.balances,
    )  # fmt: skip


def codes(breaks: Iterable[Break]) -> list[str]:
    """The break codes in order."""
    return [b.code.value for b in breaks]


def sample_day() -> Day:
    """Two customers trading two symbols, with a deposit and a position carried in."""
    opening = {
        "C1": AccountBalances("C1", 50_000_0000, 0, 0, {"MSFT": 10}),
        "C2": AccountBalances("C2", 20_000_0000, 0, 0, {}),
    }
    executions = [
        execution("O1.1", "C1", "AAPL", Side.BUY, 100, 190_1200),
        execution("O1.2", "C1", "AAPL", Side.BUY, 50, 190_1300),
        execution("O2.1", "C2", "MSFT", Side.BUY, 20, 410_0000),
        execution("O3.1", "C1", "MSFT", Side.SELL, 5, 411_5000),
    ]
    movements = [movement("DEP-1", "C2", 5_000_0000)]
    return Day(executions, movements, opening)

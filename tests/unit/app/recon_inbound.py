"""The clearing firm's side of the reconciliation tests: what it would send for a day of our
books, delivered into a data directory as its three inbound files.

:func:`deliver` writes them with the clearing firm's own writer
(:func:`directbroker.adapters.clearing.drop.write_inbound`), the layout the reconciliation
reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from directbroker.adapters.clearing.drop import write_inbound
from directbroker.backoffice.books import DayClose, FirmBooks
from directbroker.backoffice.clearing_firm import ClearingDay
from directbroker.backoffice.clearing_records import ActivityRecord, BalanceRecord, PositionRecord
from directbroker.backoffice.recon import TRADE_KIND
from directbroker.domain.orders import Side

CLEARING_NUMBER = "0158"


def booked(books: FirmBooks, day: int) -> list[ActivityRecord]:
    """Everything our books hold for ``day``, as the clearing firm books it."""
    activity = [
        ActivityRecord(
            e.execution_id,
            e.account,
            TRADE_KIND,
            e.symbol,
            "buy" if e.side is Side.BUY else "sell",
            e.quantity,
            e.price,
            e.net_amount,
            day,
        )
        for e in books.executions.get(day, [])
    ]
    totals: dict[tuple[str, str, str], int] = {}
    for m in books.movements.get(day, []):
        key = (m.reference, m.account, m.kind)
        totals[key] = totals.get(key, 0) + m.amount
    activity += [
        ActivityRecord(reference, account, kind, "", "", 0, 0, amount, day)
        for (reference, account, kind), amount in totals.items()
        if amount
    ]
    return activity


def holdings(close: DayClose) -> tuple[list[PositionRecord], list[BalanceRecord]]:
    """The positions and balances of a day close, as the clearing firm carries them."""
    positions = [
        PositionRecord(name, symbol, quantity, close.date)
        for name, books in close.balances.items()
        for symbol, quantity in books.positions.items()
    ]
    balances = [
        BalanceRecord(name, books.cash, close.date) for name, books in close.balances.items()
    ]
    return positions, balances


def deliver(
    data_dir: Path,
    day: int,
    activity: Sequence[ActivityRecord],
    positions: Sequence[PositionRecord],
    balances: Sequence[BalanceRecord],
) -> Path:
    """Write the clearing firm's three files of ``day`` (in the clearing firm's own layout);
    returns their folder."""
    files = ClearingDay(day, tuple(activity), tuple(positions), tuple(balances), ())
    return write_inbound(data_dir, CLEARING_NUMBER, files).folder

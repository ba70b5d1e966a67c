"""The clearing firm's side of the reconciliation tests: what it would send for a day of our
books, delivered into a data directory as its three inbound files.

:func:`deliver` is the one place that knows the files' layout (the one
:func:`directbroker.app.recon_job._read_inbound` reads), so the tests follow when the layout
does.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from directbroker.app.recon_job import (
    ACTIVITY_COLUMNS,
    ACTIVITY_FILE,
    BALANCE_COLUMNS,
    BALANCES_FILE,
    POSITION_COLUMNS,
    POSITIONS_FILE,
    inbound_folder,
)
from directbroker.backoffice.books import DayClose, FirmBooks
from directbroker.backoffice.break_report import iso
from directbroker.backoffice.clearing_records import ActivityRecord, BalanceRecord, PositionRecord
from directbroker.backoffice.recon import TRADE_KIND, money
from directbroker.domain.orders import Side


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
    """Write the clearing firm's three files of ``day``; returns their folder."""
    folder = inbound_folder(data_dir, day)
    _write(
        folder / ACTIVITY_FILE,
        ACTIVITY_COLUMNS,
        [
            [a.reference, a.account, a.kind, a.symbol, a.side, str(a.quantity), money(a.price),
             money(a.net_amount), iso(a.business_date)]
            for a in activity
        ],
    )  # fmt: skip
    _write(
        folder / POSITIONS_FILE,
        POSITION_COLUMNS,
        [[p.account, p.symbol, str(p.quantity), iso(p.as_of)] for p in positions],
    )
    _write(
        folder / BALANCES_FILE,
        BALANCE_COLUMNS,
        [[b.account, money(b.cash), iso(b.as_of)] for b in balances],
    )
    return folder


def _write(path: Path, columns: Sequence[str], rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)

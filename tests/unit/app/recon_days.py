"""Three reconciled days in a data directory, written by the real reconciliation
(:func:`~directbroker.app.recon_job.run_recon_day`) over a real broker core's day: what the
readers of the reports (the Broker API's breaks port and routes) are tested on.

- 2026-06-01: the clearing firm missed C2's MSFT trade (so C2's position breaks too) and holds
  C1's cash a cent short (a cash break nothing explains);
- 2026-06-02: nothing new, but both holdings still break: the breaks are a day older and the
  missing trade is carried;
- 2026-06-03: the clearing firm's files agree again: clean, every break resolved.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from directbroker.adapters.calendar import XnysCalendar
from directbroker.app.recon_job import run_recon_day
from directbroker.backoffice.books import DayClose, FirmBooks
from directbroker.domain.broker_messages import EndBrokerDay, PlaceOrder
from directbroker.domain.orders import OrderType, Side
from directbroker.testing.broker_harness import BrokerHarness
from tests.unit.app.recon_inbound import booked, deliver, holdings

DAYS = (20260601, 20260602, 20260603)
CALENDAR = XnysCalendar(2026, 2026)


def _books() -> tuple[FirmBooks, DayClose]:
    h = BrokerHarness(symbols=(("AAPL", "200.00"), ("MSFT", "400.00")), date=DAYS[0])
    h.open_account("C1", "100000.00")
    h.open_account("C2", "50000.00")
    h.quote("AAPL", "199.99", "200.01")
    h.quote("MSFT", "399.98", "400.02")
    h.send(PlaceOrder("O1", "c1", "C1", "AAPL", Side.BUY, OrderType.MARKET, 100))
    h.send(PlaceOrder("O2", "c2", "C2", "MSFT", Side.BUY, OrderType.MARKET, 30))
    h.send(EndBrokerDay(DAYS[0]))
    core = h.new_core()
    closes: list[DayClose] = []
    books = FirmBooks(on_day_end=lambda close, _books: closes.append(close))
    for message, ts in h.inputs:
        books.take(message, core.handle(message, ts), ts)
    return books, closes[0]


def _holdings(close: DayClose, *, wrong: bool) -> tuple[list[Any], list[Any]]:
    """The clearing firm's holdings at ``close``: as ours, or without C2's position and with
    C1's cash a cent short."""
    positions, balances = holdings(close)
    if not wrong:
        return positions, balances
    short = [p for p in positions if p.account != "C2"]
    return short, [replace(b, cash=b.cash - 100) if b.account == "C1" else b for b in balances]


def reconcile_three_days(data_dir: Path) -> str:
    """Write the three days' clearing files and reports; returns the missing execution id."""
    books, close = _books()
    first = DAYS[0]
    missing = next(e.execution_id for e in books.executions[first] if e.account == "C2")
    activity = [a for a in booked(books, first) if a.reference != missing]
    deliver(data_dir, first, activity, *_holdings(close, wrong=True))
    executions, movements = books.executions[first], books.movements[first]
    run_recon_day(data_dir, first, executions, movements, close, CALENDAR)
    for day in DAYS[1:]:
        later = replace(close, date=day)
        deliver(data_dir, day, [], *_holdings(later, wrong=day != DAYS[-1]))
        run_recon_day(data_dir, day, [], [], later, CALENDAR)
    return missing

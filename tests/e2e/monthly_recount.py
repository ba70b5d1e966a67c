"""A brute-force recount of the monthly activity report from a data directory's broker journal.

Written apart from the report's folds, on purpose another way: it reads the raw SQLite journal,
decodes every entry, and looks at events by type name with plain dicts. Trade dates come from
the last ``BrokerDayStarted`` (not from the books' executions), shares from the street fills
(``ParentFilled``), balances from summing every posting into (account, asset) cells, customer
assets from those cells at each ``BrokerDayEnded``. :func:`differences` compares it with the
report for every month the journal spans (run it on any data directory, such as a simulated
firm of two years).
"""

from __future__ import annotations

import importlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from directbroker.adapters.storage.sqlite import SqliteStorage
from directbroker.protocols.codec import decode, decode_many

NEW_YORK = ZoneInfo("America/New_York")
TRANSIT = ("average_price", "step_out")
COUNTED = ("customer_accounts", "new_accounts", "trades", "shares", "customer_assets",
           "net_new_assets")  # fmt: skip


def _month_of_ns(ts_ns: int) -> str:
    return datetime.fromtimestamp(ts_ns // 1_000_000_000, NEW_YORK).strftime("%Y-%m")


def _month_of_date(date: int) -> str:
    return f"{date // 10_000:04d}-{date // 100 % 100:02d}"


def _months(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def raw_entries(data_dir: Path) -> Iterator[tuple[Any, list[Any], int]]:
    """Every entry of a data directory's broker journal, decoded here from the SQLite file."""
    importlib.import_module("directbroker.engines.broker")  # registers the journal's messages
    journal = data_dir / "journals" / "broker.journal.db"
    with SqliteStorage(str(journal), readonly=True) as storage:
        for entry in storage.journal.read(0, None):
            yield decode(entry.command), list(decode_many(entry.events)), entry.ts_ns


def recount_months(data_dir: Path) -> dict[str, dict[str, int | None]]:
    """Every month a data directory's journal spans -> its figures ($0.0001 units)."""
    return recount(raw_entries(data_dir))


def recount(entries: Iterable[tuple[Any, list[Any], int]]) -> dict[str, dict[str, int | None]]:
    """Every month the entries span -> its figures (money in $0.0001 units)."""
    registration: dict[str, str] = {}
    opened_month: dict[str, str] = {}
    status_changes: list[tuple[str, str, bool]] = []  # (month, account, closed now)
    first_fill: dict[str, str] = {}
    shares: dict[str, int] = defaultdict(int)
    cells: dict[tuple[str, str], int] = defaultdict(int)
    marks: dict[str, int] = {}
    assets: dict[str, int] = {}
    net_new: dict[str, int] = defaultdict(int)
    day, first_ts, last_ts = 0, 0, 0
    for message, events, ts_ns in entries:
        last_ts = ts_ns
        if events and not first_ts:
            first_ts = ts_ns  # the firm begins with its first entry that did anything
        kind = type(message).__name__
        if kind == "TradePrinted" or (kind == "RecordPriorClose" and message.symbol not in marks):
            marks[message.symbol] = message.price
        for event in events:
            e: Any = event
            name = type(event).__name__
            if name == "BrokerDayStarted":
                day = e.date
            elif name == "AccountOpened":
                registration[e.account] = e.registration.value
                opened_month[e.account] = _month_of_ns(e.ts_ns)
            elif name == "AccountStatusChanged":
                closed, was = e.new_status.value == "closed", e.old_status.value == "closed"
                if closed != was:
                    status_changes.append((_month_of_ns(e.ts_ns), e.account, closed))
            elif name == "ParentFilled":
                if registration.get(e.account, "step_out") == "step_out":
                    continue
                first_fill.setdefault(e.order_id, _month_of_date(day))
                shares[_month_of_date(day)] += e.last_quantity
            elif name == "PostingsRecorded":
                crossed = "external:bank" in e.book_accounts
                for book, asset, amount in zip(e.book_accounts, e.assets, e.amounts, strict=True):
                    parts = book.split(":")
                    if parts[0] != "customer":
                        continue
                    account, part = ":".join(parts[1:-1]), parts[-1]
                    cells[(account, asset if part == "securities" else part)] += (
                        amount if part == "securities" or asset == "$USD" else 0
                    )
                    customer = registration.get(account) not in TRANSIT
                    if (
                        crossed and customer and asset == "$USD"
                        and part in ("cash", "unsettled", "held")
                        and e.kind not in ("execution", "settlement")
                    ):  # fmt: skip
                        net_new[_month_of_date(e.business_date)] += amount
            elif name == "BrokerDayEnded":
                total = 0
                for (account, what), amount in cells.items():
                    if registration.get(account, "step_out") in TRANSIT:
                        continue
                    if what in ("cash", "unsettled", "held"):
                        total += amount
                    else:
                        total += amount * marks.get(what, 0)
                assets[_month_of_date(e.date)] = total
    out: dict[str, dict[str, int | None]] = {}
    if not first_ts:
        return out
    for month in _months(_month_of_ns(first_ts), _month_of_ns(last_ts)):
        open_accounts = set()
        for account, opened in opened_month.items():
            if opened <= month and registration[account] not in TRANSIT:
                open_accounts.add(account)
        for changed, account, closed in status_changes:
            if changed <= month and account in opened_month:
                if closed:
                    open_accounts.discard(account)
                elif registration[account] not in TRANSIT:
                    open_accounts.add(account)
        out[month] = {
            "customer_accounts": len(open_accounts),
            "new_accounts": sum(
                1 for a, m in opened_month.items() if m == month and registration[a] not in TRANSIT
            ),
            "trades": sum(1 for m in first_fill.values() if m == month),
            "shares": shares.get(month, 0),
            "customer_assets": assets.get(month),
            "net_new_assets": net_new.get(month, 0),
        }
    return out


def report_months(data_dir: Path, months: list[str]) -> dict[str, dict[str, int | None]]:
    """The report's figures for ``months``, from one fold of the journal."""
    from directbroker.adapters.calendar import XnysCalendar
    from directbroker.app.monthly_cli import load_activity
    from directbroker.backoffice.monthly_activity import month_figures

    activity, calendar = load_activity(data_dir), XnysCalendar()
    out: dict[str, dict[str, int | None]] = {}
    for month in months:
        figures = month_figures(activity, int(month[:4]), int(month[5:]), calendar)
        assert figures is not None, month
        out[month] = {name: getattr(figures, name) for name in COUNTED}
    return out


def differences(data_dir: Path) -> list[str]:
    """Every (month, figure) where the report and the recount disagree; [] when none."""
    recount = recount_months(data_dir)
    report = report_months(data_dir, sorted(recount))
    return [
        f"{month} {name}: report {report[month][name]} recount {recount[month][name]}"
        for month in sorted(recount)
        for name in COUNTED
        if report[month][name] != recount[month][name]
    ]

"""The trade blotter (SEC Rule 17a-3(a)(1)): every purchase and sale of a trade date.

The blotter is the itemized daily record of the firm's purchases and sales: for each one the
trade date and time, the account, the security, the side with its short-sale marking, the
quantity, the price, where it was executed and the ids that tie it to the order ticket and to
the clearing firm's records. It reads the executions :class:`~directbroker.backoffice.books.
FirmBooks` folded from the journal (so the blotter, the trade file and the statements count
the very same executions) and adds nothing of its own; an allocation out of the average-price
account has no venue of its own (the block's street fills carry it).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from directbroker.backoffice.books import BookedExecution, FirmBooks
from directbroker.domain.numbers import format_price
from directbroker.domain.orders import Side
from directbroker.runtime.schedule import NEW_YORK, to_date

COLUMNS = (
    "trade_date", "time", "account", "symbol", "side", "quantity", "price", "principal",
    "commission", "fees", "net_amount", "settlement_date", "venue", "liquidity",
    "execution_id", "order_id",
)  # fmt: skip
"""The blotter's columns, in the order the CSV writes them."""


@dataclass(frozen=True, slots=True)
class BlotterTotals:
    """A day's totals: executions, shares bought and sold, principal bought and sold."""

    executions: int
    shares_bought: int
    shares_sold: int
    principal_bought: int
    principal_sold: int


def blotter(books: FirmBooks, date: int) -> list[BookedExecution]:
    """Every execution with trade date ``date`` (YYYYMMDD), in the order it was booked."""
    return list(books.executions.get(date, ()))


def totals(lines: Sequence[BookedExecution]) -> BlotterTotals:
    """The day's totals over ``lines``."""
    bought = [line for line in lines if line.side is Side.BUY]
    sold = [line for line in lines if line.side is not Side.BUY]
    return BlotterTotals(
        len(lines),
        sum(line.quantity for line in bought),
        sum(line.quantity for line in sold),
        sum(line.principal for line in bought),
        sum(line.principal for line in sold),
    )


def _money(units: int) -> str:
    """Money as exact dollars with four decimals (negative with a sign)."""
    sign = "-" if units < 0 else ""
    units = abs(units)
    return f"{sign}{units // 10_000}.{units % 10_000:04d}"


def _time(ts_ns: int) -> str:
    moment = datetime.fromtimestamp(ts_ns // 1_000_000_000, UTC).astimezone(NEW_YORK)
    return f"{moment:%H:%M:%S}.{ts_ns % 1_000_000_000 // 1_000:06d}"


def row(line: BookedExecution) -> dict[str, str]:
    """One execution as the blotter's text fields."""
    return {
        "trade_date": to_date(line.trade_date).isoformat(),
        "time": _time(line.ts_ns),
        "account": line.account,
        "symbol": line.symbol,
        "side": line.side.value,
        "quantity": str(line.quantity),
        "price": format_price(line.price),
        "principal": _money(line.principal),
        "commission": _money(line.commission),
        "fees": _money(line.sec_fee + line.taf_fee),
        "net_amount": _money(line.net_amount),
        "settlement_date": to_date(line.settlement_date).isoformat(),
        "venue": line.venue,
        "liquidity": line.liquidity,
        "execution_id": line.execution_id,
        "order_id": line.order_id,
    }


def as_csv(lines: Sequence[BookedExecution]) -> str:
    """The blotter as CSV with a header line."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for line in lines:
        writer.writerow(row(line))
    return out.getvalue()


def as_json(date: int, lines: Sequence[BookedExecution]) -> str:
    """The blotter as a JSON document: the date, its totals and every execution."""
    summary = totals(lines)
    document = {
        "trade_date": to_date(date).isoformat(),
        "executions": summary.executions,
        "shares_bought": summary.shares_bought,
        "shares_sold": summary.shares_sold,
        "principal_bought": _money(summary.principal_bought),
        "principal_sold": _money(summary.principal_sold),
        "lines": [row(line) for line in lines],
    }
    return json.dumps(document, indent=2) + "\n"


def as_text(date: int, lines: Sequence[BookedExecution]) -> str:
    """The blotter as a table for a person."""
    summary = totals(lines)
    out = [f"Trade blotter for {to_date(date).isoformat()}"]
    header = ("time", "account", "symbol", "side", "quantity", "price", "venue",
              "execution_id", "order_id")  # fmt: skip
    rows = [header] + [tuple(row(line)[name] for name in header) for line in lines]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    for cells in rows:
        out.append("  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)))
    out.append(
        f"{summary.executions} executions; bought {summary.shares_bought} shares "
        f"(${_money(summary.principal_bought)}), sold {summary.shares_sold} shares "
        f"(${_money(summary.principal_sold)})"
    )
    return "\n".join(out).rstrip() + "\n"

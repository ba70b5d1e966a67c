"""The SEC Rule 606(a)(1) order routing report from the journal: a calendar quarter with a
breakdown by month, for customer orders in NMS stocks the firm routed (directed orders are
left out, as the rule does, and counted).

Per month and for the quarter, per order category (market, marketable limit, non-marketable
limit, other; marketability judged against the NBBO when the order arrived): how many orders
went to each venue and what share of the category's orders that is, the shares routed, and the
venue's net payment to the firm (rebates received minus fees paid, from the venue's fee
schedule), in total and per 100 shares. An order routed to several venues counts once at each.
The aggregation is :func:`directbroker.engines.router.report606.rule606_report`, the same the
router applies to its own history, so the two can be compared.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from directbroker.backoffice.order_flow import OrderFlow, venue_payments
from directbroker.backoffice.periods import month_bounds, quarter_months
from directbroker.domain.venue_config import FeeSchedule
from directbroker.engines.router.report606 import (
    CSV_HEADER,
    RoutedOrder,
    Rule606Report,
    VenueShare,
    render_csv,
    render_text,
    rule606_report,
)


def percent(value: Fraction) -> str:
    """A share as a percentage to two decimals, rounded half up."""
    hundredths = (value * 10_000 + Fraction(1, 2)).__floor__()
    return f"{hundredths // 100}.{hundredths % 100:02d}"


def dollars(micro: int) -> str:
    """Micro-dollars as dollars and cents."""
    return str((Decimal(micro) / 1_000_000).quantize(Decimal("0.01")))


def per_hundred(micro: int, shares: int) -> str:
    """A payment per 100 shares, in dollars to four decimals."""
    if not shares:
        return "0.0000"
    return str((Decimal(micro) * 100 / shares / 1_000_000).quantize(Decimal("0.0001")))


@dataclass(frozen=True, slots=True)
class QuarterlyReport:
    """A quarter's report and its three months'."""

    year: int
    quarter: int
    months: tuple[Rule606Report, ...]
    total: Rule606Report


def routed_orders(flow: OrderFlow, fees: Mapping[str, FeeSchedule]) -> list[RoutedOrder]:
    """Every order that was sent to a venue, as Rule 606 counts it."""
    return [
        RoutedOrder(
            record.order_id,
            record.symbol,
            record.arrival_ns,
            record.category,
            record.directed,
            tuple(VenueShare(v, s, p) for v, (s, p) in venue_payments(record, fees).items()),
        )
        for record in flow.orders.values()
        if record.routed
    ]


def quarterly_report(
    flow: OrderFlow, fees: Mapping[str, FeeSchedule], year: int, quarter: int
) -> QuarterlyReport:
    """The report for one calendar quarter (US Eastern)."""
    history = routed_orders(flow, fees)
    months = []
    for month in quarter_months(quarter):
        start, end = month_bounds(year, month)
        months.append(rule606_report(history, start, end, f"{year}-{month:02d}"))
    first, _, last = quarter_months(quarter)
    start, end = month_bounds(year, first)[0], month_bounds(year, last)[1]
    total = rule606_report(history, start, end, f"{year}Q{quarter}")
    return QuarterlyReport(year, quarter, tuple(months), total)


def as_json(report: QuarterlyReport) -> dict[str, Any]:
    """The report as JSON-ready data (money as decimal text, shares of orders in percent)."""

    def period(part: Rule606Report) -> dict[str, Any]:
        return {
            "period": part.label,
            "orders_by_category": {c.value: n for c, n in part.orders_by_category},
            "percent_by_category": {
                c.value: percent(Fraction(n, routed)) if routed else "0.00"
                for c, n in part.orders_by_category
                for routed in (sum(count for _, count in part.orders_by_category),)
            },
            "directed_orders": part.directed_orders,
            "venues": [
                {
                    "category": row.category.value,
                    "venue": row.venue,
                    "orders": row.orders,
                    "percent_of_orders": percent(row.share_of_orders),
                    "shares": row.shares,
                    "net_payment": dollars(row.net_payment),
                    "net_payment_per_100_shares": per_hundred(row.net_payment, row.shares),
                }
                for row in part.rows
            ],
        }

    return {
        "year": report.year,
        "quarter": report.quarter,
        "months": [period(m) for m in report.months],
        "total": period(report.total),
    }


def as_csv(report: QuarterlyReport) -> str:
    """One CSV: each month's rows, then the quarter's (the period column tells them apart)."""
    lines = [CSV_HEADER]
    for part in (*report.months, report.total):
        lines.extend(render_csv(part).splitlines()[1:])
    return "\n".join(lines) + "\n"


def as_text(report: QuarterlyReport) -> str:
    """Each month, then the quarter."""
    return "\n".join(render_text(part) for part in (*report.months, report.total))

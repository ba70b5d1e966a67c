"""A quarterly order-routing report in the spirit of SEC Rule 606(a)(1), as a pure function.

For the non-directed (smart-routed) orders that arrived in the period, by order type (market,
marketable limit, non-marketable limit, other): how many went to each venue and what share of
that type's orders that is, the shares routed, and the net payment from the venue (rebates
received minus fees paid). A parent that touched several venues counts once at each, as 606
counts orders routed to a venue. Directed orders are left out, as the rule does, but counted.

The report is computed from recorded routing history only, so it can be reproduced at any time
from a replayed router. Dates are plain arithmetic (engines import no ``datetime``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from fractions import Fraction

from directbroker.domain.orders import OrderType, Side

NS_PER_DAY = 86_400 * 1_000_000_000


class OrderCategory(str, Enum):
    """The order types Rule 606 reports separately."""

    MARKET = "market"
    MARKETABLE_LIMIT = "marketable_limit"
    NON_MARKETABLE_LIMIT = "non_marketable_limit"
    OTHER = "other"


def categorize(
    order_type: OrderType, side: Side, limit: int | None, bid: int | None, ask: int | None
) -> OrderCategory:
    """An order's 606 category from the NBBO at its arrival (no contra quote: not marketable)."""
    if order_type is OrderType.MARKET:
        return OrderCategory.MARKET
    if order_type is not OrderType.LIMIT or limit is None:
        return OrderCategory.OTHER
    if side is Side.BUY:
        marketable = ask is not None and limit >= ask
    else:
        marketable = bid is not None and limit <= bid
    return OrderCategory.MARKETABLE_LIMIT if marketable else OrderCategory.NON_MARKETABLE_LIMIT


@dataclass(frozen=True, slots=True)
class VenueShare:
    """What one parent sent to one venue: shares routed and net payment (micro-dollars)."""

    venue: str
    shares: int
    net_payment: int


@dataclass(frozen=True, slots=True)
class RoutedOrder:
    """One parent order in the routing history."""

    parent_id: str
    symbol: str
    arrival_ns: int
    category: OrderCategory
    directed: bool
    venues: tuple[VenueShare, ...]


@dataclass(frozen=True, slots=True)
class VenueRow:
    """One venue's line for one order category."""

    category: OrderCategory
    venue: str
    orders: int
    share_of_orders: Fraction
    shares: int
    net_payment: int


@dataclass(frozen=True, slots=True)
class Rule606Report:
    """The report for one period ``[start_ns, end_ns)``."""

    label: str
    start_ns: int
    end_ns: int
    orders_by_category: tuple[tuple[OrderCategory, int], ...]
    directed_orders: int
    rows: tuple[VenueRow, ...]


def rule606_report(
    history: Iterable[RoutedOrder], start_ns: int, end_ns: int, label: str
) -> Rule606Report:
    """Aggregate the routing history of one period. Rows: by category, then orders routed
    (most first), then venue name."""
    totals = dict.fromkeys(OrderCategory, 0)
    cells: dict[tuple[OrderCategory, str], list[int]] = {}
    directed = 0
    for order in history:
        if not start_ns <= order.arrival_ns < end_ns:
            continue
        if order.directed:
            directed += 1
            continue
        totals[order.category] += 1
        for share in order.venues:
            cell = cells.setdefault((order.category, share.venue), [0, 0, 0])
            cell[0] += 1
            cell[1] += share.shares
            cell[2] += share.net_payment
    order_of = {category: index for index, category in enumerate(OrderCategory)}
    rows = sorted(
        (
            VenueRow(category, venue, n, Fraction(n, totals[category]), shares, payment)
            for (category, venue), (n, shares, payment) in cells.items()
        ),
        key=lambda r: (order_of[r.category], -r.orders, r.venue),
    )
    return Rule606Report(label, start_ns, end_ns, tuple(totals.items()), directed, tuple(rows))


def days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm)."""
    year -= month <= 2
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146_097 + day_of_era - 719_468


def quarter_bounds_ns(year: int, quarter: int, utc_offset_ns: int = 0) -> tuple[int, int]:
    """``[start, end)`` of a calendar quarter in epoch nanoseconds, at midnight local time for
    a zone ``utc_offset_ns`` from UTC (US Eastern: -5 hours in winter)."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError(f"quarter {quarter}")
    start = days_from_civil(year, 3 * quarter - 2, 1)
    end = (
        days_from_civil(year + 1, 1, 1)
        if quarter == 4
        else days_from_civil(year, 3 * quarter + 1, 1)
    )
    return start * NS_PER_DAY - utc_offset_ns, end * NS_PER_DAY - utc_offset_ns


def _percent(value: Fraction) -> str:
    hundredths = (value * 10_000 + Fraction(1, 2)).__floor__()
    return f"{hundredths // 100}.{hundredths % 100:02d}"


def _dollars(micro: int) -> str:
    return str((Decimal(micro) / 1_000_000).quantize(Decimal("0.01")))


def _per_hundred(micro: int, shares: int) -> str:
    if not shares:
        return "0.0000"
    return str((Decimal(micro) * 100 / shares / 1_000_000).quantize(Decimal("0.0001")))


CSV_HEADER = "period,category,venue,orders,percent_of_orders,shares,net_payment_usd,net_per_100_usd"


def render_csv(report: Rule606Report) -> str:
    """One line per venue and category (fields never contain commas or quotes)."""
    lines = [CSV_HEADER]
    for row in report.rows:
        lines.append(
            ",".join(
                (
                    report.label,
                    row.category.value,
                    row.venue,
                    str(row.orders),
                    _percent(row.share_of_orders),
                    str(row.shares),
                    _dollars(row.net_payment),
                    _per_hundred(row.net_payment, row.shares),
                )
            )
        )
    return "\n".join(lines) + "\n"


def render_text(report: Rule606Report) -> str:
    """A human-readable report, one section per order category."""
    out = [f"Order routing report {report.label} (non-directed orders)"]
    totals = dict(report.orders_by_category)
    for category in OrderCategory:
        out.append("")
        out.append(f"{category.value.replace('_', ' ').title()}: {totals[category]} orders")
        rows = [r for r in report.rows if r.category is category]
        if not rows:
            out.append("  (none)")
            continue
        out.append(
            f"  {'venue':<8}{'orders':>8}{'% orders':>10}{'shares':>12}{'net $':>12}{'net/100':>10}"
        )
        for r in rows:
            out.append(
                f"  {r.venue:<8}{r.orders:>8}{_percent(r.share_of_orders):>10}{r.shares:>12}"
                f"{_dollars(r.net_payment):>12}{_per_hundred(r.net_payment, r.shares):>10}"
            )
    out.append("")
    out.append(f"Directed orders (not covered): {report.directed_orders}")
    return "\n".join(out) + "\n"

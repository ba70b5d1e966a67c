"""Rule 605-style execution quality from the journal, by venue and order size, for a month.

Covered orders are market and marketable limit orders that arrived in the month with a
two-sided NBBO (Rule 605's core categories); each venue's line counts the orders sent to it,
the shares sent and filled there, and, over its fills (share-weighted):

- effective spread: ``2 x D x (price - midpoint at arrival)``, D = +1 buy, -1 sell;
- realized spread: ``2 x D x (price - midpoint five minutes after the fill)`` (the last
  midpoint known when the journal ends sooner);
- price improvement: shares filled better than the far side of the NBBO at arrival (below the
  offer for a buy, above the bid for a sell) and the average improvement per such share; shares
  at the quote and outside it;
- speed: the average time from the order's arrival to the fill, in milliseconds.

Size buckets are by the order's quantity: 1-99, 100-499, 500-1,999, 2,000-4,999, 5,000-9,999
and 10,000 or more. All sums are exact (integers and fractions); text rounds at the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from directbroker.backoffice.order_flow import OrderFlow, OrderFlowRecord
from directbroker.backoffice.periods import month_bounds
from directbroker.domain.numbers import PRICE_SCALE
from directbroker.domain.orders import Side
from directbroker.engines.router.report606 import OrderCategory

REALIZED_AFTER_NS = 5 * 60 * 1_000_000_000
BUCKETS: tuple[tuple[int, str], ...] = (
    (1, "1-99"),
    (100, "100-499"),
    (500, "500-1999"),
    (2_000, "2000-4999"),
    (5_000, "5000-9999"),
    (10_000, "10000+"),
)
COVERED = (OrderCategory.MARKET, OrderCategory.MARKETABLE_LIMIT)


def bucket_of(quantity: int) -> str:
    """The size bucket of an order's quantity."""
    label = BUCKETS[0][1]
    for lowest, name in BUCKETS:
        if quantity >= lowest:
            label = name
    return label


@dataclass
class QualityRow:
    """One venue and size bucket: counts and exact sums (see the module docstring)."""

    venue: str
    bucket: str
    orders: int = 0
    shares_routed: int = 0
    shares_filled: int = 0
    effective_sum: int = 0
    """Sum of quantity x 2 x D x (price - mid), in price units x shares (the doubled midpoint
    keeps it an integer: 2 x price - (bid + ask))."""
    realized_sum: int = 0
    improved_shares: int = 0
    improvement_sum: int = 0
    at_quote_shares: int = 0
    outside_quote_shares: int = 0
    speed_sum_ns: int = 0
    """Sum of quantity x (fill time - arrival)."""

    def per_share(self, total: int, shares: int) -> Fraction | None:
        """``total / shares`` exactly (None without shares)."""
        return Fraction(total, shares) if shares else None


def _add(row: QualityRow, record: OrderFlowRecord, flow: OrderFlow, venue: str) -> None:
    row.orders += 1
    row.shares_routed += record.routed.get(venue, 0)
    mid = record.arrival_mid
    assert mid is not None and record.bid is not None and record.ask is not None
    sign = 1 if record.side is Side.BUY else -1
    far = record.ask if record.side is Side.BUY else record.bid
    for fill in record.fills:
        if fill.venue != venue:
            continue
        q, p = fill.quantity, fill.price
        row.shares_filled += q
        row.effective_sum += q * sign * (2 * p - mid)
        later = flow.doubled_mid_at(record.symbol, fill.ts_ns + REALIZED_AFTER_NS) or mid
        row.realized_sum += q * sign * (2 * p - later)
        better = sign * (far - p)
        if better > 0:
            row.improved_shares += q
            row.improvement_sum += q * better
        elif better == 0:
            row.at_quote_shares += q
        else:
            row.outside_quote_shares += q
        row.speed_sum_ns += q * (fill.ts_ns - record.arrival_ns)


def execution_quality(flow: OrderFlow, start_ns: int, end_ns: int) -> list[QualityRow]:
    """The rows for orders that arrived in ``[start_ns, end_ns)``, by venue then bucket."""
    rows: dict[tuple[str, str], QualityRow] = {}
    for record in flow.orders.values():
        if not start_ns <= record.arrival_ns < end_ns or record.category not in COVERED:
            continue
        if record.arrival_mid is None:
            continue
        bucket = bucket_of(record.quantity)
        for venue in sorted(record.routed):
            row = rows.setdefault((venue, bucket), QualityRow(venue, bucket))
            _add(row, record, flow, venue)
    order = {name: i for i, (_, name) in enumerate(BUCKETS)}
    return sorted(rows.values(), key=lambda r: (r.venue, order[r.bucket]))


def monthly_quality(flow: OrderFlow, year: int, month: int) -> list[QualityRow]:
    """The rows for one calendar month (US Eastern)."""
    start, end = month_bounds(year, month)
    return execution_quality(flow, start, end)


def _dollars(value: Fraction | None, places: str = "0.0001") -> str | None:
    if value is None:
        return None
    exact = Decimal(value.numerator) / Decimal(value.denominator) / PRICE_SCALE
    return str(exact.quantize(Decimal(places)))


def _number(value: Fraction | None, places: str) -> str | None:
    if value is None:
        return None
    return str((Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal(places)))


def row_json(row: QualityRow) -> dict[str, Any]:
    """One row as JSON-ready data (dollars per share, fill rate and speed as text)."""
    filled = row.shares_filled
    speed = row.per_share(row.speed_sum_ns, filled)
    return {
        "venue": row.venue,
        "size_bucket": row.bucket,
        "orders": row.orders,
        "shares_routed": row.shares_routed,
        "shares_filled": filled,
        "fill_rate": _number(row.per_share(filled, row.shares_routed), "0.0001"),
        "effective_spread": _dollars(row.per_share(row.effective_sum, filled)),
        "realized_spread": _dollars(row.per_share(row.realized_sum, filled)),
        "price_improved_shares": row.improved_shares,
        "average_price_improvement": _dollars(
            row.per_share(row.improvement_sum, row.improved_shares)
        ),
        "at_quote_shares": row.at_quote_shares,
        "outside_quote_shares": row.outside_quote_shares,
        "average_speed_ms": _number(None if speed is None else speed / 1_000_000, "0.001"),
    }


COLUMNS = tuple(row_json(QualityRow("", BUCKETS[0][1])))


def as_json(rows: list[QualityRow], year: int, month: int) -> dict[str, Any]:
    """The month's report."""
    return {"period": f"{year}-{month:02d}", "rows": [row_json(r) for r in rows]}


def as_csv(rows: list[QualityRow], year: int, month: int) -> str:
    """A CSV with a period column (no field contains a comma)."""
    lines = [",".join(("period", *COLUMNS))]
    for row in rows:
        values = row_json(row)
        lines.append(
            ",".join(
                [f"{year}-{month:02d}", *("" if v is None else str(v) for v in values.values())]
            )
        )
    return "\n".join(lines) + "\n"


def as_text(rows: list[QualityRow], year: int, month: int) -> str:
    """A table a person can read (spreads and improvement in dollars per share)."""
    out = [
        f"Execution quality {year}-{month:02d} (market and marketable limit orders)",
        f"  {'venue':<6}{'size':>10}{'orders':>8}{'fill %':>8}{'eff spr':>9}{'real spr':>9}"
        f"{'impr sh':>9}{'avg impr':>9}{'speed ms':>10}",
    ]
    for row in rows:
        v = row_json(row)
        rate = v["fill_rate"]
        fill = "-" if rate is None else str((Decimal(rate) * 100).quantize(Decimal("0.1")))
        out.append(
            f"  {row.venue:<6}{row.bucket:>10}{row.orders:>8}{fill:>8}"
            f"{v['effective_spread'] or '-':>9}{v['realized_spread'] or '-':>9}"
            f"{row.improved_shares:>9}{v['average_price_improvement'] or '-':>9}"
            f"{v['average_speed_ms'] or '-':>10}"
        )
    if not rows:
        out.append("  (no covered orders)")
    return "\n".join(out) + "\n"

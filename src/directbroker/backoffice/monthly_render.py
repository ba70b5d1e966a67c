"""The monthly activity report as text (a press release's table), CSV and JSON.

Every format shows the same figures of :mod:`~directbroker.backoffice.monthly_activity`. Money
is exact in CSV and JSON (dollars with four decimals, from $0.0001 units) and in whole dollars,
rounded half-up, in the text; changes are one-decimal percentages in CSV and JSON and in the
release's style in the text (:func:`~directbroker.backoffice.monthly_activity.display_change`);
a change or a figure that cannot be had is "n/a" in text and CSV and ``null`` in JSON.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from directbroker.backoffice.monthly_activity import (
    FIGURES,
    HEADLINES,
    MonthFigures,
    MonthlyActivity,
    Number,
    display_change,
    figure,
    half_up,
)
from directbroker.domain.numbers import PRICE_SCALE

LABELS = {
    "customer_accounts": "Customer accounts",
    "new_accounts": "New accounts",
    "trades": "Trades processed",
    "darts": "Daily average revenue trades",
    "shares": "Shares traded",
    "customer_assets": "Customer assets",
    "net_new_assets": "Net new assets",
}
MONEY = frozenset({"customer_assets", "net_new_assets"})
NA = "n/a"


def month_name(year: int, month: int) -> str:
    """``May 2026``."""
    return date(year, month, 1).strftime("%b %Y")


def exact(name: str, value: Number | None) -> str | None:
    """A figure for CSV and JSON: money in dollars to four decimals, DARTs to one decimal."""
    if value is None:
        return None
    if name in MONEY:
        return f"{Decimal(int(value)).scaleb(-4):.4f}"
    if name == "darts":
        return str(half_up(Fraction(value), 1))
    return str(value)


def shown(name: str, value: Number | None) -> str:
    """A figure for the text and the page: "$56,350,508", "16,467", "784.3"."""
    if value is None:
        return NA
    if name in MONEY:
        dollars = half_up(Fraction(value, PRICE_SCALE), 0)
        return f"{'-' if dollars < 0 else ''}${abs(dollars):,}"
    if name == "darts":
        return f"{half_up(Fraction(value), 1):,}"
    return f"{int(value):,}"


def _pct(change: Decimal | None) -> str | None:
    return None if change is None else str(change)


def _moved(now: Number | None, before: Number | None) -> str:
    change = display_change(now, before)
    if change == NA:
        return "no comparison"
    if change.startswith("-"):
        return f"down {change[1:]}"
    return "unchanged" if now == before else f"up {change}"


def as_text(report: MonthlyActivity, firm: str = "DirectBroker") -> str:
    """The release's table: each figure this month, a year and a month earlier, the changes."""
    year, month = report.year, report.month
    ago, prior = (year - 1, month), ((year, month - 1) if month > 1 else (year - 1, 12))
    head = ["", month_name(year, month), month_name(*ago), "YoY", month_name(*prior), "MoM"]
    rows = [head]
    for row in report.comparisons:
        rows.append([
            LABELS[row.name], shown(row.name, row.now), shown(row.name, row.year_ago),
            display_change(row.now, row.year_ago), shown(row.name, row.prior),
            display_change(row.now, row.prior),
        ])  # fmt: skip
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = [f"{firm}: monthly activity, {month_name(year, month)}", ""]
    for row in report.comparisons:
        if row.name in HEADLINES and row.now is not None:
            lines.append(
                f"{LABELS[row.name]} {shown(row.name, row.now)}, "
                f"{_moved(row.now, row.year_ago)} from {month_name(*ago)}, "
                f"{_moved(row.now, row.prior)} from {month_name(*prior)}."
            )
    lines.append("")
    for r in rows:
        cells = [r[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(r[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
    current = report.current
    lines.append("")
    if current is None:
        lines.append("The firm had no books in this month.")
    else:
        lines.append(f"{current.sessions} trading sessions in the month.")
        if current.customer_assets is None:
            lines.append("No business day of the month has closed yet.")
    return "\n".join(lines) + "\n"


CSV_HEADER = (
    "period", "figure", "value", "year_ago_period", "year_ago", "year_change_pct",
    "prior_period", "prior", "month_change_pct",
)  # fmt: skip


def as_csv(report: MonthlyActivity) -> str:
    """One row per figure: the month, a year earlier, a month earlier and the changes."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    ago, prior = report.history[0][0], report.history[-2][0]
    for row in report.comparisons:
        writer.writerow([
            report.period, row.name, exact(row.name, row.now) or NA,
            f"{ago[0]:04d}-{ago[1]:02d}", exact(row.name, row.year_ago) or NA,
            _pct(row.year_change) or NA, f"{prior[0]:04d}-{prior[1]:02d}",
            exact(row.name, row.prior) or NA, _pct(row.month_change) or NA,
        ])  # fmt: skip
    return out.getvalue()


def figures_json(year: int, month: int, figures: MonthFigures | None) -> dict[str, Any]:
    """A month's figures (all ``null`` for a month without a firm)."""
    plain: dict[str, Any] = {"period": f"{year:04d}-{month:02d}"}
    plain["sessions"] = None if figures is None else figures.sessions
    for name in FIGURES:
        value = figure(figures, name)
        plain[name] = exact(name, value) if name in MONEY or name == "darts" else value
    return plain


def as_json(report: MonthlyActivity) -> dict[str, Any]:
    """The report as JSON-ready data: the month's figures, the two earlier months', the changes
    by figure and the history the charts draw."""
    history = [figures_json(y, m, figures) for (y, m), figures in report.history]
    return {
        "period": report.period,
        "figures": history[-1],
        "year_ago": history[0],
        "prior": history[-2],
        "changes": {
            row.name: {"year": _pct(row.year_change), "month": _pct(row.month_change)}
            for row in report.comparisons
        },
        "history": history,
    }

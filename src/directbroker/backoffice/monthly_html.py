"""The monthly activity report as one self-contained HTML page: the release's table and charts
of the last thirteen months drawn as inline SVG, with no script and no outside asset, so the
page can be served, saved, mailed or archived as it is.

Chart geometry is integer arithmetic on the figures (no floats): bar heights are the value's
share of the chart's largest value, in whole pixels.
"""

from __future__ import annotations

from fractions import Fraction
from html import escape

from directbroker.backoffice.monthly_activity import (
    Month,
    MonthlyActivity,
    Number,
    display_change,
    figure,
)
from directbroker.backoffice.monthly_render import LABELS, NA, month_name, shown

WIDTH = 640
HEIGHT = 220
TOP, BOTTOM, LEFT, RIGHT = 24, 36, 90, 12
CHARTS = (
    ("customer_assets", "bar"),
    ("trades", "bar"),
    ("shares", "bar"),
    ("customer_accounts", "line"),
)

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 720px; color: #222; }
table { border-collapse: collapse; width: 100%; margin: 1em 0 2em; }
th, td { padding: 4px 8px; border-bottom: 1px solid #ddd; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.up { color: #17693a; } .down { color: #a4262c; }
figure { margin: 0 0 2em; } figcaption { font-weight: 600; margin-bottom: 4px; }
svg text { fill: #555; }
"""


def _y(value: Number, top: Number) -> int:
    """Pixels from the chart's baseline for ``value`` on a scale whose maximum is ``top``."""
    if top <= 0 or value <= 0:
        return 0
    plot = HEIGHT - TOP - BOTTOM
    return int(Fraction(value) * plot / Fraction(top))


def chart(name: str, kind: str, points: list[tuple[Month, Number | None]]) -> str:
    """One chart of a figure over months, as an ``<svg>`` element."""
    values = [value for _, value in points if value is not None]
    top = max(values, default=0)
    base = HEIGHT - BOTTOM
    step = (WIDTH - LEFT - RIGHT) // max(len(points), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(LABELS[name])}" '
        'font-family="sans-serif" font-size="11">',
        f'<line x1="{LEFT}" y1="{base}" x2="{WIDTH - RIGHT}" y2="{base}" stroke="#999"/>',
        f'<text x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end">{escape(shown(name, top))}</text>',
        f'<text x="{LEFT - 6}" y="{base}" text-anchor="end">0</text>',
    ]
    line: list[str] = []
    for index, ((year, month), value) in enumerate(points):
        x = LEFT + index * step
        middle = x + step // 2
        parts.append(
            f'<text x="{middle}" y="{base + 14}" text-anchor="middle">'
            f"{month_name(year, month)[:3]}</text>"
        )
        if index == 0 or month == 1:
            parts.append(f'<text x="{middle}" y="{base + 28}" text-anchor="middle">{year}</text>')
        if value is None:
            parts.append(f'<text x="{middle}" y="{base - 4}" text-anchor="middle">{NA}</text>')
            continue
        height = _y(value, top)
        title = f"<title>{escape(month_name(year, month))}: {escape(shown(name, value))}</title>"
        if kind == "bar":
            parts.append(
                f'<rect x="{x + 3}" y="{base - height}" width="{step - 6}" height="{height}" '
                f'fill="#2f6db5">{title}</rect>'
            )
        else:
            line.append(f"{middle},{base - height}")
            parts.append(
                f'<circle cx="{middle}" cy="{base - height}" r="3" fill="#2f6db5">{title}</circle>'
            )
    if len(line) > 1:
        parts.append(
            f'<polyline points="{" ".join(line)}" fill="none" stroke="#2f6db5" stroke-width="2"/>'
        )
    parts.append("</svg>")
    return "\n".join(parts)


def _change(now: Number | None, before: Number | None) -> str:
    text = display_change(now, before)
    css = "down" if text.startswith("-") else "up" if text != NA else ""
    return f'<td class="{css}">{escape(text)}</td>' if css else f"<td>{escape(text)}</td>"


def as_html(report: MonthlyActivity, firm: str = "DirectBroker") -> str:
    """The page: the table of figures and changes, then one chart per headline figure."""
    year, month = report.year, report.month
    (ago, _), (prior, _) = report.history[0], report.history[-2]
    title = f"{firm}: monthly activity, {month_name(year, month)}"
    rows = []
    for row in report.comparisons:
        rows.append(
            f"<tr><td>{escape(LABELS[row.name])}</td>"
            f"<td>{escape(shown(row.name, row.now))}</td>"
            f"<td>{escape(shown(row.name, row.year_ago))}</td>{_change(row.now, row.year_ago)}"
            f"<td>{escape(shown(row.name, row.prior))}</td>{_change(row.now, row.prior)}</tr>"
        )
    figures = []
    for name, kind in CHARTS:
        points = [(ym, figure(figures_, name)) for ym, figures_ in report.history]
        figures.append(
            f"<figure><figcaption>{escape(LABELS[name])}, last {len(points)} months"
            f"</figcaption>\n{chart(name, kind, points)}\n</figure>"
        )
    head = (
        f"<tr><th></th><th>{month_name(year, month)}</th><th>{month_name(*ago)}</th>"
        f"<th>YoY</th><th>{month_name(*prior)}</th><th>MoM</th></tr>"
    )
    body = "\n".join(rows)
    charts = "\n".join(figures)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        f"<h1>{escape(title)}</h1>\n<table>\n{head}\n{body}\n</table>\n{charts}\n"
        "</body>\n</html>\n"
    )

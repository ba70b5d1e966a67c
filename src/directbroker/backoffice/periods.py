"""Calendar periods of the routing reports in US Eastern time (the market's), as epoch
nanoseconds: a month or a quarter starts at local midnight on its first day, whatever the
daylight-saving offset then."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

EASTERN = ZoneInfo("America/New_York")


def _midnight_ns(year: int, month: int) -> int:
    return int(datetime(year, month, 1, tzinfo=EASTERN).timestamp()) * 1_000_000_000


def month_bounds(year: int, month: int) -> tuple[int, int]:
    """``[start, end)`` of a calendar month."""
    if not 1 <= month <= 12:
        raise ValueError(f"month {month}")
    end = _midnight_ns(year + 1, 1) if month == 12 else _midnight_ns(year, month + 1)
    return _midnight_ns(year, month), end


def quarter_months(quarter: int) -> tuple[int, int, int]:
    """The months of a calendar quarter."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError(f"quarter {quarter}")
    first = 3 * quarter - 2
    return first, first + 1, first + 2


def local_month(ts_ns: int) -> tuple[int, int]:
    """``(year, month)`` of an instant in US Eastern time."""
    moment = datetime.fromtimestamp(ts_ns / 1_000_000_000, EASTERN)
    return moment.year, moment.month

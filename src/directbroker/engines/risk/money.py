"""Money and dates as customers read them in a rejection, and the calendar arithmetic the
cash-account rules need (the engines may not import ``datetime``).

Amounts a customer needs are rounded up to the cent and amounts available rounded down, so a
message never tells a customer they have more room than they do.
"""

from __future__ import annotations

from decimal import Decimal

from directbroker.domain.accounts import CENT, ceil_to, floor_to
from directbroker.domain.numbers import PRICE_SCALE

BPS = 10_000


def dollars(units: int) -> str:
    """``$12,430.00`` for money units ($0.0001), to the cent (half up)."""
    cents = (abs(units) + CENT // 2) // CENT
    text = f"${Decimal(cents) / 100:,.2f}"
    return "-" + text if units < 0 and cents else text


def dollars_needed(units: int) -> str:
    """An amount the customer needs, rounded up to the cent."""
    return dollars(ceil_to(units))


def dollars_available(units: int) -> str:
    """An amount the customer has, rounded down to the cent."""
    return dollars(floor_to(units))


def price_text(price: int) -> str:
    """``$101.25`` (``$0.1234`` below a dollar)."""
    value = Decimal(price) / PRICE_SCALE
    places = "0.01" if price >= PRICE_SCALE and price % 100 == 0 else "0.0001"
    return f"${value.quantize(Decimal(places)):,}"


def percent(bps: int) -> str:
    """``10.00%`` for basis points."""
    return f"{Decimal(bps) / 100:.2f}%"


def days_from_civil(date: int) -> int:
    """Days since 1970-01-01 of a YYYYMMDD date (H. Hinnant's algorithm, proleptic
    Gregorian), so calendar-day windows are plain integer arithmetic."""
    year, month, day = date // 10_000, date // 100 % 100, date % 100
    year -= month <= 2
    era = year // 400
    yoe = year - era * 400
    doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146_097 + doe - 719_468


def civil_from_days(days: int) -> int:
    """The YYYYMMDD date ``days`` after 1970-01-01 (inverse of :func:`days_from_civil`)."""
    days += 719_468
    era = days // 146_097
    doe = days - era * 146_097
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + (3 if mp < 10 else -9)
    year = yoe + era * 400 + (month <= 2)
    return year * 10_000 + month * 100 + day


def add_days(date: int, days: int) -> int:
    """The calendar date ``days`` after ``date``."""
    return civil_from_days(days_from_civil(date) + days)


def date_text(date: int) -> str:
    """``2026-09-01`` for 20260901."""
    return f"{date // 10_000:04d}-{date // 100 % 100:02d}-{date % 100:02d}"

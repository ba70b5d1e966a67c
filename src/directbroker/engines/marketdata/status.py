"""Trading dates and the Rule 201 short-sale restriction, as pure arithmetic on inputs.

The engine reads no clock, so "today" is whatever trading date the calendar input last started.
Rule 201 (Reg SHO alternative uptick rule): once a trade prints at or below 90% of the prior
close, short sales are restricted for the rest of that day and the whole next trading day. We
keep that as a count of trading days left, aged by one at each new trading date; a new trigger
while restricted starts the count again, which extends the restriction to the following day.
"""

from __future__ import annotations

SSR_TRIGGER_DAYS = 2
"""The day of the trigger plus the next trading day."""

_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def is_trading_date(text: str) -> bool:
    """Whether ``text`` is an ISO ``YYYY-MM-DD`` date (checked by hand: engines import no
    ``datetime``; February 29 is allowed in every year, which is harmless for ordering)."""
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        return False
    year, month, day = text[:4], text[5:7], text[8:]
    if not (year.isdigit() and month.isdigit() and day.isdigit() and text.isascii()):
        return False
    m = int(month)
    return 1 <= m <= 12 and 1 <= int(day) <= _DAYS_IN_MONTH[m - 1] and int(year) > 0


def triggers_ssr(price: int, prior_close: int | None) -> bool:
    """Whether a print at ``price`` is at or below 90% of the prior close (exact integers)."""
    return prior_close is not None and price * 10 <= prior_close * 9

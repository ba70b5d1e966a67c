"""Price arithmetic both engines must agree on exactly: midpoint pegs and post-only repricing.

These are rules of the venue, not of a book implementation, so they live once and are shared.
"""

from __future__ import annotations

from directbroker.domain.instruments import tick_size
from directbroker.domain.numbers import MAX_PRICE


def peg_price(bid: int | None, ask: int | None, is_buy: bool, cap: int | None) -> int | None:
    """Where a midpoint peg works against the venue's displayed ``bid`` and ``ask``.

    None when it cannot trade: a side is missing or the displayed book is locked or crossed. A
    midpoint finer than $0.0001 rounds away from the contra side (down for a buy, up for a sell),
    so a peg never pays more than the true midpoint. ``cap`` is the order's optional limit.
    """
    if bid is None or ask is None or bid >= ask:
        return None
    total = bid + ask
    if is_buy:
        mid = total // 2
        return mid if cap is None or cap > mid else cap
    mid = -(-total // 2)
    return mid if cap is None or cap < mid else cap


def slide_price(contra_price: int, is_buy: bool) -> int | None:
    """The nearest legal price one tick away from ``contra_price`` on the passive side.

    A post-only reprice order rests here instead of taking. ``contra_price`` may itself be off the
    tick (a midpoint), so the result is rounded to the tick grid, away from the contra side.
    None when no legal price exists (below $0.0001 or above the maximum).
    """
    if is_buy:
        price = contra_price - 1
        if price <= 0:
            return None
        return price - price % tick_size(price)
    price = contra_price + 1
    tick = tick_size(price)
    price = -(-price // tick) * tick
    return price if price <= MAX_PRICE else None

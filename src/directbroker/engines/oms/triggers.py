"""When a held order triggers, as pure functions of the order and a print on the tape.

Stops trigger off the consolidated tape (last sale), not the quote: a buy stop when a trade
prints at or above the stop price, a sell stop at or below it. A trailing stop's stop price
follows the best print since it was placed (highest for a sell, lowest for a buy) at a fixed
distance or percentage, and never moves back.
"""

from __future__ import annotations

from directbroker.domain.orders import OrderType, Side

BPS = 10_000


def trail_offset(watermark: int, trail_amount: int | None, trail_percent_bps: int | None) -> int:
    """How far the stop sits from the watermark (a percentage rounds the distance down, so the
    stop is never looser than asked)."""
    if trail_amount is not None:
        return trail_amount
    assert trail_percent_bps is not None
    return watermark * trail_percent_bps // BPS


def trailing_stop(
    side: Side, watermark: int, trail_amount: int | None, trail_percent_bps: int | None
) -> int:
    """The stop price implied by a watermark."""
    offset = trail_offset(watermark, trail_amount, trail_percent_bps)
    return watermark + offset if side is Side.BUY else max(1, watermark - offset)


def new_watermark(side: Side, watermark: int | None, price: int) -> int:
    """The watermark after a print: the lowest print for a buy, the highest for a sell."""
    if watermark is None:
        return price
    return min(watermark, price) if side is Side.BUY else max(watermark, price)


def is_triggered(side: Side, stop_price: int, price: int) -> bool:
    """Whether a print at ``price`` triggers a stop at ``stop_price``."""
    return price >= stop_price if side is Side.BUY else price <= stop_price


def triggered_type(order_type: OrderType) -> OrderType:
    """What a triggered stop becomes: a limit for a stop-limit, otherwise a market order."""
    return OrderType.LIMIT if order_type is OrderType.STOP_LIMIT else OrderType.MARKET

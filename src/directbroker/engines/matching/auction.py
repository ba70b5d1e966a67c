"""Clearing-price selection for the opening and closing crosses (a pure function, shared).

The rule, in order: the price that executes the most shares; among those, the one leaving the
smallest imbalance; among those, the one nearest the reference price. Candidate prices are the
limit prices of the participating orders and the reference price itself (so an all-market cross
prints at the reference). Executed volume is quasi-concave and imbalance quasi-convex in price, so
the best prices form a range: the reference wins when inside it, else the nearer end. The final
"lower price" key only makes the choice unique by construction.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import accumulate

from directbroker.domain.orders import BookSide


@dataclass(frozen=True, slots=True)
class CrossResult:
    """The outcome of the price rule: ``price`` is None when nothing can execute."""

    price: int | None
    matched: int
    imbalance: int
    imbalance_side: BookSide | None


NO_CROSS = CrossResult(None, 0, 0, None)


def clearing_price(
    buys: Iterable[tuple[int | None, int]],
    sells: Iterable[tuple[int | None, int]],
    reference_price: int,
) -> CrossResult:
    """Choose the single cross price for (limit price or None for market, quantity) interest."""
    market_buy = 0
    market_sell = 0
    buy_limits: list[tuple[int, int]] = []
    sell_limits: list[tuple[int, int]] = []
    for price, quantity in buys:
        if price is None:
            market_buy += quantity
        else:
            buy_limits.append((price, quantity))
    for price, quantity in sells:
        if price is None:
            market_sell += quantity
        else:
            sell_limits.append((price, quantity))
    buy_limits.sort()
    sell_limits.sort()
    buy_prices = [p for p, _ in buy_limits]
    sell_prices = [p for p, _ in sell_limits]
    buy_cum = [0, *accumulate(q for _, q in buy_limits)]
    sell_cum = [0, *accumulate(q for _, q in sell_limits)]
    candidates = {*buy_prices, *sell_prices, reference_price}
    best: tuple[int, int, int, int] | None = None
    best_sides = (0, 0)
    for price in candidates:
        # Buys willing at ``price`` are those priced at or above it; sells at or below it.
        bought = market_buy + buy_cum[-1] - buy_cum[bisect_left(buy_prices, price)]
        sold = market_sell + sell_cum[bisect_right(sell_prices, price)]
        key = (-min(bought, sold), abs(bought - sold), abs(price - reference_price), price)
        if best is None or key < best:
            best = key
            best_sides = (bought, sold)
    if best is None or best[0] == 0:
        return NO_CROSS
    bought, sold = best_sides
    side = BookSide.BID if bought > sold else BookSide.ASK if sold > bought else None
    return CrossResult(best[3], -best[0], abs(bought - sold), side)

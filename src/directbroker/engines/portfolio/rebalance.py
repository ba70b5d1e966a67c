"""Rebalancing a group to target weights: the orders it would take, for review before sending.

For each account, a symbol's target is ``net liquidation value x weight`` divided by the
reference price and rounded down to whole lots (never spend more than the account has); symbols
held but not targeted go to zero. Sells come first so their proceeds fund the buys. Nothing is
sent: the result is a list of ``ProposedOrder`` values a person approves.
"""

from __future__ import annotations

from collections.abc import Mapping

from directbroker.domain.orders import Side
from directbroker.domain.portfolio_messages import PERCENT_SCALE, ProposedOrder
from directbroker.domain.rejects import DomainRejection, RejectCode


def rebalance(
    holdings: Mapping[str, Mapping[str, int]],
    net_liquidation: Mapping[str, int],
    targets: Mapping[str, int],
    prices: Mapping[str, int],
    lot_size: int = 1,
) -> list[ProposedOrder]:
    """Orders that move each account in ``holdings`` to ``targets`` (symbol -> basis points)."""
    if any(type(w) is not int or w <= 0 for w in targets.values()) or (
        sum(targets.values()) > PERCENT_SCALE
    ):
        raise DomainRejection(RejectCode.INVALID_TARGET_WEIGHTS, f"{dict(targets)}")
    if lot_size <= 0:
        raise ValueError("lot_size must be positive")
    sells: list[ProposedOrder] = []
    buys: list[ProposedOrder] = []
    for account in sorted(holdings):
        held = holdings[account]
        nlv = max(0, net_liquidation.get(account, 0))
        for symbol in sorted(set(held) | set(targets)):
            price = prices.get(symbol, 0)
            if price <= 0:
                raise DomainRejection(RejectCode.UNKNOWN_SYMBOL, f"no price for {symbol}")
            target_value = nlv * targets.get(symbol, 0) // PERCENT_SCALE
            target = target_value // price // lot_size * lot_size
            change = target - held.get(symbol, 0)
            if change > 0:
                buys.append(ProposedOrder(account, symbol, Side.BUY, change, price))
            elif change < 0:
                sells.append(ProposedOrder(account, symbol, Side.SELL, -change, price))
    return sells + buys

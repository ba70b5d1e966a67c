"""Rebalancing to target weights: the orders it would take, for review before sending.

For each account, a symbol's target is ``net liquidation value x weight`` divided by the
reference price and rounded down to whole lots (never spend more than the account has); symbols
held but not targeted go to zero. Sells come first so their proceeds fund the buys. Nothing is
sent: the result is a list of orders a person (or the run that follows) approves.

Model portfolios carry a cash weight too: :func:`plan_account` takes ``(kind, symbol, basis
points)`` weights summing to 100%, so the cash weight is simply what the assets leave, and
:func:`drifted` says whether an account's holdings left a drift band around them. All of it
is integer arithmetic: no weight is ever a float.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from directbroker.domain.orders import Side
from directbroker.domain.portfolio_messages import PERCENT_SCALE, ProposedOrder
from directbroker.domain.rebalancing_messages import (
    ABSOLUTE,
    ASSET,
    DRIFT_BAND,
    INVEST_CASH,
    Condition,
    SkippedOrder,
    Weight,
)
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


def asset_targets(weights: Sequence[Weight]) -> dict[str, int]:
    """The asset weights of a model (symbol -> basis points); the rest is cash."""
    return {symbol: bps for kind, symbol, bps in weights if kind == ASSET}


def plan_account(
    account: str,
    held: Mapping[str, int],
    net_liquidation: int,
    cash: int,
    weights: Sequence[Weight],
    prices: Mapping[str, int],
    run_type: str,
) -> tuple[list[ProposedOrder], list[SkippedOrder]]:
    """One account's orders to reach ``weights`` (sells first, each side by symbol) and the
    trades it cannot make (a symbol with no price).

    A full rebalance aims every asset at ``net liquidation x weight`` and sells what the model
    does not hold; ``invest_cash`` only buys, spending the cash above the model's cash weight
    across the assets in proportion to their weights."""
    targets = asset_targets(weights)
    nlv = max(0, net_liquidation)
    skipped: list[SkippedOrder] = []
    sells: list[ProposedOrder] = []
    buys: list[ProposedOrder] = []
    if run_type == INVEST_CASH:
        asset_total = sum(targets.values())
        budget = cash - nlv * (PERCENT_SCALE - asset_total) // PERCENT_SCALE
        for symbol in sorted(targets):
            price = prices.get(symbol, 0)
            if price <= 0:
                skipped.append((symbol, Side.BUY.value, "no price to size the order"))
                continue
            quantity = max(0, budget) * targets[symbol] // asset_total // price
            if quantity > 0:
                buys.append(ProposedOrder(account, symbol, Side.BUY, quantity, price))
        return buys, skipped
    for symbol in sorted(set(held) | set(targets)):
        price = prices.get(symbol, 0)
        if price <= 0:
            skipped.append((symbol, "", "no price to size the order"))
            continue
        target = nlv * targets.get(symbol, 0) // PERCENT_SCALE // price
        change = target - held.get(symbol, 0)
        if change > 0:
            buys.append(ProposedOrder(account, symbol, Side.BUY, change, price))
        elif change < 0:
            sells.append(ProposedOrder(account, symbol, Side.SELL, -change, price))
    return sells + buys, skipped


def drifted(
    market_values: Mapping[str, int],
    net_liquidation: int,
    weights: Sequence[Weight],
    conditions: Sequence[Condition],
) -> bool:
    """Whether any asset's share of the account left a drift band around its weight.

    Absolute bands are in percentage points of the account (5% band: a 40% weight may sit
    between 35% and 45%); relative ones in percent of the weight itself (a 10% band around 40%
    is 36% to 44%). Compared as cross-multiplied integers, so a share exactly on the edge is
    inside. An account with nothing in it has not drifted."""
    if net_liquidation <= 0:
        return False
    targets = asset_targets(weights)
    for kind, sub_type, band in conditions:
        if kind != DRIFT_BAND:
            continue
        for symbol in sorted(set(targets) | set(market_values)):
            target = targets.get(symbol, 0)
            # |value/nlv - target/10^4| > band/10^4 (absolute) or > band/10^4 x target/10^4.
            gap = abs(market_values.get(symbol, 0) * PERCENT_SCALE - target * net_liquidation)
            if sub_type == ABSOLUTE:
                if gap > band * net_liquidation:
                    return True
            elif gap * PERCENT_SCALE > band * target * net_liquidation:
                return True
    return False

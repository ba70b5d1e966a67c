"""Model portfolios, subscriptions and rebalancing runs: the records and their rules.

The book keeps the latest event about each record (the events carry the whole record), so the
state is exactly what the journal says and a snapshot is those events as plain lists. The
checks here need nothing but the command and the book; what needs the account's books (its
holdings, cash and working orders) is the broker core's rebalancing desk.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from directbroker.domain.portfolio_messages import PERCENT_SCALE
from directbroker.domain.rebalancing_messages import (
    ABSOLUTE,
    ASSET,
    CALENDAR,
    CASH,
    DRIFT_BAND,
    FULL_REBALANCE,
    INVEST_CASH,
    PORTFOLIO_ACTIVE,
    RELATIVE,
    RUN_DONE,
    Condition,
    ModelPortfolioUpdated,
    RebalanceRunUpdated,
    SubscriptionUpdated,
    Weight,
)
from directbroker.domain.rejects import RejectCode

Refusal = tuple[RejectCode, str]

MAX_ID = 64
MAX_NAME = 256
MAX_DESCRIPTION = 1_024
MAX_WEIGHTS = 100
MAX_COOLDOWN_DAYS = 3_650
MAX_SYMBOL = 16


def check_id(value: object, what: str) -> Refusal | None:
    """Ids are non-empty text of at most 64 characters."""
    if type(value) is str and 0 < len(value) <= MAX_ID:
        return None
    return RejectCode.INVALID_ID, f"{what} must be 1 to {MAX_ID} characters"


def check_weights(weights: object) -> Refusal | None:
    """Weights: at least one; assets with a symbol, at most one cash line; each positive, in
    whole basis points, summing to exactly 100%; no symbol twice."""
    bad = RejectCode.INVALID_PORTFOLIO
    if not isinstance(weights, tuple) or not 0 < len(weights) <= MAX_WEIGHTS:
        return bad, f"a portfolio needs 1 to {MAX_WEIGHTS} weights"
    seen: set[str] = set()
    total = 0
    for weight in weights:
        if not (isinstance(weight, tuple) and len(weight) == 3):
            return bad, "a weight is (type, symbol, percent)"
        kind, symbol, bps = weight
        if type(bps) is not int or not 0 < bps <= PERCENT_SCALE:
            return bad, "each weight's percent must be above 0 and at most 100"
        if kind == CASH:
            if symbol != "":
                return bad, "a cash weight has no symbol"
        elif kind == ASSET:
            if type(symbol) is not str or not 0 < len(symbol) <= MAX_SYMBOL:
                return bad, "an asset weight needs a symbol"
        else:
            return bad, f"a weight's type is asset or cash, not {kind!r}"
        key = symbol if kind == ASSET else "\x00cash"
        if key in seen:
            return bad, f"{symbol or 'cash'} is weighted twice"
        seen.add(key)
        total += bps
    if total != PERCENT_SCALE:
        return bad, f"weights sum to {total / 100}%, not 100%"
    return None


def check_conditions(conditions: object) -> Refusal | None:
    """Drift bands (absolute or relative, a positive width up to 100%) and calendar
    conditions (kept as given; the platform does not schedule them)."""
    bad = RejectCode.INVALID_PORTFOLIO
    if not isinstance(conditions, tuple) or len(conditions) > 10:
        return bad, "at most 10 rebalance conditions"
    for condition in conditions:
        if not (isinstance(condition, tuple) and len(condition) == 3):
            return bad, "a condition is (type, sub_type, percent)"
        kind, sub_type, bps = condition
        if kind == DRIFT_BAND:
            if sub_type not in (ABSOLUTE, RELATIVE):
                return bad, "a drift band is absolute or relative"
            if type(bps) is not int or not 0 < bps <= PERCENT_SCALE:
                return bad, "a drift band's percent must be above 0 and at most 100"
        elif kind == CALENDAR:
            if sub_type not in ("weekly", "monthly", "quarterly", "annually"):
                return bad, "a calendar condition is weekly, monthly, quarterly or annually"
        else:
            return bad, f"a condition's type is drift_band or calendar, not {kind!r}"
    return None


def check_portfolio_fields(
    name: object, description: object, weights: object, cooldown: object, conditions: object
) -> Refusal | None:
    """Every field of a new (or fully updated) portfolio."""
    bad = RejectCode.INVALID_PORTFOLIO
    if type(name) is not str or not 0 < len(name) <= MAX_NAME:
        return bad, f"name must be 1 to {MAX_NAME} characters"
    if type(description) is not str or len(description) > MAX_DESCRIPTION:
        return bad, f"description must be at most {MAX_DESCRIPTION} characters"
    if type(cooldown) is not int or not 0 <= cooldown <= MAX_COOLDOWN_DAYS:
        return bad, f"cooldown_days must be 0 to {MAX_COOLDOWN_DAYS}"
    return check_weights(weights) or check_conditions(conditions)


def check_run_type(run_type: object) -> Refusal | None:
    """Full rebalance or invest cash."""
    if run_type in (FULL_REBALANCE, INVEST_CASH):
        return None
    return RejectCode.INVALID_RUN, "type is full_rebalance or invest_cash"


def _tuples(value: Any) -> Any:
    """msgpack lists back into the tuples the records hold."""
    if isinstance(value, list):
        return tuple(_tuples(item) for item in value)
    return value


def _plain(record: Any) -> list[Any]:
    return [getattr(record, f.name) for f in dataclasses.fields(record)]


@dataclass
class RebalancingBook:
    """Every portfolio, subscription and run, as its latest event."""

    portfolios: dict[str, ModelPortfolioUpdated] = field(default_factory=dict)
    subscriptions: dict[str, SubscriptionUpdated] = field(default_factory=dict)
    runs: dict[str, RebalanceRunUpdated] = field(default_factory=dict)

    def used(self, record_id: str) -> bool:
        """Whether any record has this id (ids are unique across the three)."""
        return (
            record_id in self.portfolios
            or record_id in self.subscriptions
            or record_id in self.runs
        )

    def subscription_of(self, account: str) -> SubscriptionUpdated | None:
        """The account's active subscription."""
        for subscription in self.subscriptions.values():
            if subscription.account == account and subscription.active:
                return subscription
        return None

    def open_run(self, account: str) -> RebalanceRunUpdated | None:
        """The account's unfinished run."""
        for run in self.runs.values():
            if run.account == account and run.status not in RUN_DONE:
                return run
        return None

    def active_runs(self) -> list[RebalanceRunUpdated]:
        """Runs with orders out, by id."""
        return [
            run
            for _, run in sorted(self.runs.items())
            if run.status not in RUN_DONE and run.order_ids
        ]

    def to_plain(self) -> list[Any]:
        """The book as msgpack-ready lists, in id order."""
        return [
            [_plain(p) for _, p in sorted(self.portfolios.items())],
            [_plain(s) for _, s in sorted(self.subscriptions.items())],
            [_plain(r) for _, r in sorted(self.runs.items())],
        ]

    @classmethod
    def from_plain(cls, plain: list[Any]) -> RebalancingBook:
        """The book from :meth:`to_plain`'s lists (empty for a snapshot without one)."""
        book = cls()
        if not plain:
            return book
        portfolios, subscriptions, runs = plain
        for row in portfolios:
            record = ModelPortfolioUpdated(*_tuples(row))
            book.portfolios[record.portfolio_id] = record
        for row in subscriptions:
            sub = SubscriptionUpdated(*_tuples(row))
            book.subscriptions[sub.subscription_id] = sub
        for row in runs:
            run = RebalanceRunUpdated(*_tuples(row))
            book.runs[run.run_id] = run
        return book


def is_active(portfolio: ModelPortfolioUpdated) -> bool:
    """Whether new subscriptions may follow the portfolio."""
    return portfolio.status == PORTFOLIO_ACTIVE


def weights_of(portfolio: ModelPortfolioUpdated) -> tuple[Weight, ...]:
    """The portfolio's weights (a name for readability at call sites)."""
    return portfolio.weights


def drift_conditions(portfolio: ModelPortfolioUpdated) -> tuple[Condition, ...]:
    """The portfolio's drift bands."""
    return tuple(c for c in portfolio.conditions if c[0] == DRIFT_BAND)

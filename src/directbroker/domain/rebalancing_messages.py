"""Commands and events of model portfolios and rebalancing (Alpaca's Broker API rebalancing).

A *model portfolio* is a list of weights over securities and cash; an account *subscribes* to
one; a *run* moves one account to a set of weights: it is computed (``QUEUED``, the orders it
would send are shown for review), executed (sells first, then buys, through the normal order
path) and finished with an outcome (the orders sent, those refused and why, and what was
skipped). Statuses and words are Alpaca's, so the Broker API needs no translation table.

Weights are ``(kind, symbol, basis points)`` triples: ``kind`` is ``asset`` or ``cash`` (cash
has an empty symbol), and a portfolio's weights sum to exactly 10,000 (100%). Conditions are
``(type, sub_type, basis points)``: a ``drift_band`` with ``absolute`` (percentage points) or
``relative`` (percent of the target) width. Ids are chosen by the caller (the core generates
none); the ids of a run's orders are derived from the run id.

Every event carries the whole record after the change, so a read model needs no earlier one.
"""

from __future__ import annotations

from dataclasses import dataclass

from directbroker.domain.messages import Command, Event
from directbroker.domain.rejects import RejectCode

Weight = tuple[str, str, int]
"""``(kind, symbol, basis points)``: kind ``asset`` or ``cash``."""
Condition = tuple[str, str, int]
"""``(type, sub_type, basis points)``: a drift band ``absolute`` or ``relative``."""
PlannedOrder = tuple[str, str, int, int]
"""``(symbol, side, quantity, reference price)`` of an order a run will send."""
FailedOrder = tuple[str, str, int, str]
"""``(symbol, side, quantity, reason)`` of an order the broker refused."""
SkippedOrder = tuple[str, str, str]
"""``(symbol, side, reason)`` of a trade the run could not make."""

ASSET, CASH = "asset", "cash"
DRIFT_BAND, CALENDAR = "drift_band", "calendar"
ABSOLUTE, RELATIVE = "absolute", "relative"
FULL_REBALANCE, INVEST_CASH = "full_rebalance", "invest_cash"
FROM_API, FROM_SYSTEM = "api", "system"

PORTFOLIO_ACTIVE, PORTFOLIO_INACTIVE = "active", "inactive"

RUN_QUEUED = "QUEUED"
RUN_SELLS_IN_PROGRESS = "SELLS_IN_PROGRESS"
RUN_BUYS_IN_PROGRESS = "BUYS_IN_PROGRESS"
RUN_CANCELED = "CANCELED"
RUN_CANCELED_MID_RUN = "CANCELED_MID_RUN"
RUN_ERROR = "ERROR"
RUN_COMPLETED_SUCCESS = "COMPLETED_SUCCESS"
RUN_COMPLETED_ADJUSTED = "COMPLETED_ADJUSTED"
RUN_DONE = frozenset(
    {RUN_CANCELED, RUN_CANCELED_MID_RUN, RUN_ERROR, RUN_COMPLETED_SUCCESS, RUN_COMPLETED_ADJUSTED}
)
"""Statuses a run never leaves."""

REBALANCER_ACTOR = "system:rebalancer"
"""The actor of the platform's own rebalancing inputs (execution after review, drift checks)."""


# --- commands -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CreateModelPortfolio(Command):
    """Define a model portfolio (weights sum to exactly 100%)."""

    portfolio_id: str
    name: str
    description: str
    weights: tuple[Weight, ...]
    cooldown_days: int
    conditions: tuple[Condition, ...] = ()
    actor: str = ""


@dataclass(frozen=True, slots=True)
class UpdateModelPortfolio(Command):
    """Change a portfolio; ``None`` leaves a field as it is."""

    portfolio_id: str
    name: str | None = None
    description: str | None = None
    weights: tuple[Weight, ...] | None = None
    cooldown_days: int | None = None
    conditions: tuple[Condition, ...] | None = None
    actor: str = ""


@dataclass(frozen=True, slots=True)
class DeactivateModelPortfolio(Command):
    """Make a portfolio inactive (only when no active subscription follows it)."""

    portfolio_id: str
    actor: str = ""


@dataclass(frozen=True, slots=True)
class SubscribeAccount(Command):
    """Subscribe an account to a portfolio; it is rebalanced at once by run ``run_id``."""

    subscription_id: str
    account: str
    portfolio_id: str
    run_id: str
    actor: str = ""


@dataclass(frozen=True, slots=True)
class UnsubscribeAccount(Command):
    """End a subscription (runs already made are not touched)."""

    subscription_id: str
    actor: str = ""


@dataclass(frozen=True, slots=True)
class CreateRebalanceRun(Command):
    """Compute a run for one account: to ``weights`` (a one-off run, for an account with no
    active subscription) or, with no weights, to its subscription's portfolio."""

    run_id: str
    account: str
    run_type: str
    weights: tuple[Weight, ...] = ()
    initiated_from: str = FROM_API
    actor: str = ""


@dataclass(frozen=True, slots=True)
class ExecuteRebalanceRun(Command):
    """Send a queued run's orders (the platform sends this once the review time has passed
    and the market is open)."""

    run_id: str
    actor: str = REBALANCER_ACTOR


@dataclass(frozen=True, slots=True)
class CancelRebalanceRun(Command):
    """Cancel a run: a queued one sends nothing; one in progress has its working orders
    canceled and sends no more."""

    run_id: str
    actor: str = ""


@dataclass(frozen=True, slots=True)
class CheckRebalanceDrift(Command):
    """Check every drift-banded subscription; each that drifted out of its band gets a run
    whose id is derived from ``seed`` and the subscription id."""

    seed: str
    actor: str = REBALANCER_ACTOR


# --- events -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ModelPortfolioUpdated(Event):
    """A portfolio as it is now."""

    portfolio_id: str
    name: str
    description: str
    status: str
    weights: tuple[Weight, ...]
    cooldown_days: int
    conditions: tuple[Condition, ...]
    created_ns: int
    actor: str
    ts_ns: int


@dataclass(frozen=True, slots=True)
class SubscriptionUpdated(Event):
    """A subscription as it is now (``active`` false once ended)."""

    subscription_id: str
    account: str
    portfolio_id: str
    active: bool
    created_ns: int
    last_rebalanced_ns: int
    actor: str
    ts_ns: int


@dataclass(frozen=True, slots=True)
class RebalanceRunUpdated(Event):
    """A run as it is now: the plan, the orders sent (their ids), those refused and why, and
    what was skipped. ``portfolio_id`` is empty for a one-off run."""

    run_id: str
    account: str
    run_type: str
    portfolio_id: str
    weights: tuple[Weight, ...]
    initiated_from: str
    status: str
    reason: str
    planned: tuple[PlannedOrder, ...]
    order_ids: tuple[str, ...]
    failed: tuple[FailedOrder, ...]
    skipped: tuple[SkippedOrder, ...]
    created_ns: int
    completed_ns: int
    canceled_ns: int
    actor: str
    ts_ns: int


@dataclass(frozen=True, slots=True)
class RebalancingRejected(Event):
    """A rebalancing command was refused; nothing changed."""

    command: str
    reference: str
    code: RejectCode
    message: str
    ts_ns: int


REBALANCING_COMMANDS: tuple[type[Command], ...] = (
    CreateModelPortfolio,
    UpdateModelPortfolio,
    DeactivateModelPortfolio,
    SubscribeAccount,
    UnsubscribeAccount,
    CreateRebalanceRun,
    ExecuteRebalanceRun,
    CancelRebalanceRun,
    CheckRebalanceDrift,
)
"""The broker core's rebalancing inputs."""

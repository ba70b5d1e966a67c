"""The rebalancing family's JSON: request bodies (exact: what the document admits is what the
routes take) and the rendering of portfolios, subscriptions and runs in Alpaca's shapes.

Percentages are exact: a weight or a band is whole basis points inside (``33.33`` is 3,333),
given as a JSON number or text and shown as text, as Alpaca's own examples write them. What a
schema cannot state (weights summing to 100, an asset naming a symbol and cash none) the core
refuses with 422.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictFloat, StrictInt

from directbroker.adapters.http.broker.errors import BrokerApiError
from directbroker.adapters.http.broker.funding_bodies import (
    CENTS_SCHEMA,
    UUID_PATTERN,
    whole_cents,
)
from directbroker.adapters.http.ports import OrderView
from directbroker.adapters.http.shapes import iso, money_text, render_order
from directbroker.domain.order_status import OrdStatus
from directbroker.domain.rebalancing_messages import (
    CASH,
    RUN_BUYS_IN_PROGRESS,
    RUN_DONE,
    RUN_SELLS_IN_PROGRESS,
    Condition,
    ModelPortfolioUpdated,
    RebalanceRunUpdated,
    SubscriptionUpdated,
    Weight,
)
from directbroker.domain.rejects import RejectCode

Json = dict[str, Any]

_ALPACA_RUN_STATUS = {RUN_SELLS_IN_PROGRESS: "IN_PROGRESS", RUN_BUYS_IN_PROGRESS: "IN_PROGRESS"}
"""The run's phases that Alpaca's status set has no name for: a client validating ``status``
against Alpaca's enum (alpaca-py does) reads ``IN_PROGRESS``; ``phase`` keeps which half."""


def run_status(status: str) -> str:
    """A run's status as Alpaca names it."""
    return _ALPACA_RUN_STATUS.get(status, status)


PERCENT_PATTERN = r"^(?:100(?:\.0{1,2})?|[1-9]?[0-9](?:\.[0-9]{1,2})?)$"
Percent = Annotated[
    Annotated[str, Field(pattern=PERCENT_PATTERN)]
    | Annotated[StrictInt, Field(ge=1, le=100)]
    | Annotated[
        StrictFloat,
        Field(ge=0.01, le=100, json_schema_extra=CENTS_SCHEMA),
        AfterValidator(whole_cents),
    ],
    Field(description="A percentage with at most two decimals, above 0 and at most 100."),
]
Symbol = Annotated[str, Field(min_length=1, max_length=16, pattern=r"^[A-Za-z0-9.]+$")]
AccountId = Annotated[str, Field(pattern=UUID_PATTERN)]
Name = Annotated[str, Field(min_length=1, max_length=256)]
Cooldown = Annotated[
    Annotated[StrictInt, Field(ge=0, le=3_650)]
    | Annotated[StrictFloat, Field(ge=1, le=3_650, multiple_of=1)],
    Field(description="Whole days, 0 to 3,650 (a JSON integer, however written)."),
]
Description = Annotated[str, Field(max_length=1_024)]


class WeightBody(BaseModel):
    """One weight: an asset with its symbol, or cash (no symbol)."""

    model_config = ConfigDict(extra="forbid")
    type: Literal["asset", "cash"]
    symbol: Symbol | None = None
    percent: Percent


class DriftBandBody(BaseModel):
    """Rebalance when a holding leaves a band around its weight."""

    model_config = ConfigDict(extra="forbid")
    type: Literal["drift_band"]
    sub_type: Literal["absolute", "relative"]
    percent: Percent
    day: None = None


class CalendarBody(BaseModel):
    """A calendar condition (recorded; the platform rebalances on drift, not by calendar)."""

    model_config = ConfigDict(extra="forbid")
    type: Literal["calendar"]
    sub_type: Literal["weekly", "monthly", "quarterly", "annually"]
    percent: None = None
    day: Annotated[str, Field(max_length=32)] | None = None


Conditions = Annotated[list[DriftBandBody | CalendarBody], Field(max_length=10)]
Weights = Annotated[list[WeightBody], Field(min_length=1, max_length=100)]


class PortfolioBody(BaseModel):
    """``CreatePortfolioRequest``."""

    model_config = ConfigDict(extra="forbid")
    name: Name
    description: Description = ""
    """Optional here: alpaca-py leaves an empty description out of the request."""
    weights: Weights
    cooldown_days: Cooldown
    rebalance_conditions: Conditions | None = None


class PortfolioUpdateBody(BaseModel):
    """``UpdatePortfolioRequest``: fields left out stay as they are."""

    model_config = ConfigDict(extra="forbid")
    name: Name | None = None
    description: Description | None = None
    weights: Weights | None = None
    cooldown_days: Cooldown | None = None
    rebalance_conditions: Conditions | None = None


class SubscriptionBody(BaseModel):
    """``CreateSubscriptionRequest``."""

    model_config = ConfigDict(extra="forbid")
    account_id: AccountId
    portfolio_id: AccountId


class RunBody(BaseModel):
    """``CreateRunRequest``: weights for a one-off run, none for the subscription's."""

    model_config = ConfigDict(extra="forbid")
    account_id: AccountId
    type: Literal["full_rebalance", "invest_cash"]
    weights: Annotated[list[WeightBody], Field(max_length=100)] | None = None


def basis_points(value: str | int | float) -> int:
    """Exact basis points of a percentage (at most two decimals)."""
    if isinstance(value, float):
        value = round(value, 2)  # a JSON number is a binary float: 33.33 arrives inexact
    try:
        number = Decimal(str(value)) * 100
    except (InvalidOperation, ValueError):
        raise BrokerApiError.invalid(f"percent {value!r}", RejectCode.INVALID_PORTFOLIO) from None
    if not number.is_finite() or number != number.to_integral_value():
        raise BrokerApiError.invalid(
            f"percent {value!r} has more than two decimals", RejectCode.INVALID_PORTFOLIO
        )
    return int(number)


def weights_in(bodies: list[WeightBody]) -> tuple[Weight, ...]:
    """The core's weights from the request's."""
    return tuple(
        (w.type, "" if w.type == CASH else (w.symbol or "").upper(), basis_points(w.percent))
        for w in bodies
    )


def conditions_in(bodies: list[DriftBandBody | CalendarBody]) -> tuple[Condition, ...]:
    """The core's conditions from the request's."""
    return tuple(
        (c.type, c.sub_type, basis_points(c.percent) if isinstance(c, DriftBandBody) else 0)
        for c in bodies
    )


def percent_text(bps: int) -> str:
    """Basis points as a percentage, without trailing zeros (``45``, ``33.33``)."""
    text = f"{bps // 100}.{bps % 100:02d}".rstrip("0").rstrip(".")
    return text or "0"


def _weights_out(weights: tuple[Weight, ...]) -> list[Json]:
    return [
        {"type": kind, "symbol": symbol or None, "percent": percent_text(bps)}
        for kind, symbol, bps in weights
    ]


def render_portfolio(p: ModelPortfolioUpdated) -> Json:
    """Alpaca's ``Portfolio``."""
    return {
        "id": p.portfolio_id,
        "name": p.name,
        "description": p.description,
        "status": p.status,
        "cooldown_days": p.cooldown_days,
        "created_at": iso(p.created_ns),
        "updated_at": iso(p.ts_ns),
        "weights": _weights_out(p.weights),
        "rebalance_conditions": [
            {
                "type": kind,
                "sub_type": sub_type,
                "percent": percent_text(bps) if bps else None,
                "day": None,
            }
            for kind, sub_type, bps in p.conditions
        ]
        or None,
    }


def render_subscription(s: SubscriptionUpdated) -> Json:
    """Alpaca's ``Subscription``."""
    return {
        "id": s.subscription_id,
        "account_id": s.account,
        "portfolio_id": s.portfolio_id,
        "created_at": iso(s.created_ns),
        "last_rebalanced_at": iso(s.last_rebalanced_ns) if s.last_rebalanced_ns else None,
    }


_ENDED_EMPTY = (OrdStatus.REJECTED, OrdStatus.CANCELED, OrdStatus.EXPIRED)

NIL_UUID = "00000000-0000-0000-0000-000000000000"
"""A one-off run's ``portfolio_id`` (it follows no portfolio)."""


def render_run(run: RebalanceRunUpdated, orders: list[OrderView]) -> Json:
    """Alpaca's ``RebalancingRun``, with ``orders`` the orders sent (as the Trading API shows
    them), ``failed_orders`` those that ended with nothing filled, ``skipped_orders`` the
    trades not made (no price, or refused by the broker, with why), and the extension
    ``planned_orders``: what the run computed, shown from ``QUEUED`` on for review."""
    failed = [o for o in orders if o.status in _ENDED_EMPTY and not o.filled_quantity]
    skipped = [
        {"symbol": symbol, "side": side or None, "notional": None, "currency": "USD",
         "reason": "NO_PRICE", "reason_details": reason}
        for symbol, side, reason in run.skipped
    ] + [
        {"symbol": symbol, "side": side, "notional": None, "currency": "USD",
         "reason": "ORDER_REFUSED", "reason_details": reason}
        for symbol, side, _, reason in run.failed
    ]  # fmt: skip
    done = run.status in RUN_DONE
    return {
        "id": run.run_id,
        "account_id": run.account,
        "type": run.run_type,
        "amount": None,
        "portfolio_id": run.portfolio_id or NIL_UUID,
        "weights": _weights_out(run.weights),
        "initiated_from": run.initiated_from,
        "created_at": iso(run.created_ns),
        "updated_at": iso(run.ts_ns),
        "completed_at": iso(run.completed_ns) if run.completed_ns else None,
        "canceled_at": iso(run.canceled_ns) if run.canceled_ns else None,
        "status": run_status(run.status),
        "phase": run.status,
        "reason": run.reason or None,
        "orders": [render_order(o) for o in orders] if run.order_ids or done else None,
        "failed_orders": [render_order(o) for o in failed] if done else None,
        "skipped_orders": skipped if done or skipped else None,
        "planned_orders": [
            {
                "symbol": symbol,
                "side": side,
                "qty": str(quantity),
                "reference_price": money_text(price),
                "notional": money_text(price * quantity),
            }
            for symbol, side, quantity, price in run.planned
        ],
    }

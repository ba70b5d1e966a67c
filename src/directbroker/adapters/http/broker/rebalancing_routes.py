"""Broker API rebalancing routes (Alpaca v1): model portfolios, subscriptions and runs.
Operations staff only.

Ids of new portfolios, subscriptions and runs are made here (UUIDs, as Alpaca's), since the
core makes none; every command carries the staff member as its actor. A run is computed at
once and answered ``QUEUED`` with its planned orders; the platform executes it after the
review time, in the regular session (see docs/adr/0024-rebalancing-and-routing-reports.md).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Response

from directbroker.adapters.http.broker.auth import StaffPrincipal, staff
from directbroker.adapters.http.broker.errors import BrokerApiError, register_status
from directbroker.adapters.http.broker.funding_bodies import UUID_PATTERN
from directbroker.adapters.http.broker.ports import BrokerPorts
from directbroker.adapters.http.broker.rebalancing_port import RebalancingPort
from directbroker.adapters.http.broker.rebalancing_shapes import (
    PortfolioBody,
    PortfolioUpdateBody,
    RunBody,
    SubscriptionBody,
    conditions_in,
    render_portfolio,
    render_run,
    render_subscription,
    weights_in,
)
from directbroker.adapters.http.ports import Role
from directbroker.domain.rebalancing_messages import (
    FROM_API,
    CreateModelPortfolio,
    CreateRebalanceRun,
    SubscribeAccount,
    UpdateModelPortfolio,
)
from directbroker.domain.rejects import RejectCode

for _code, _status in (
    (RejectCode.INVALID_PORTFOLIO, 422),
    (RejectCode.UNKNOWN_PORTFOLIO, 404),
    (RejectCode.DUPLICATE_REBALANCING_ID, 409),
    (RejectCode.PORTFOLIO_INACTIVE, 409),
    (RejectCode.PORTFOLIO_IN_USE, 409),
    (RejectCode.UNKNOWN_SUBSCRIPTION, 404),
    (RejectCode.ALREADY_SUBSCRIBED, 409),
    (RejectCode.UNKNOWN_RUN, 404),
    (RejectCode.RUN_NOT_CANCELABLE, 409),
    (RejectCode.RUN_IN_PROGRESS, 409),
    (RejectCode.INVALID_RUN, 422),
    (RejectCode.RUN_NOT_QUEUED, 409),
    (RejectCode.NOT_SUBSCRIBED, 409),
):
    register_status(_code, _status)

Operations = Annotated[StaffPrincipal, Depends(staff(Role.OPERATIONS))]
Json = dict[str, Any]
Id = Annotated[str, Path(pattern=UUID_PATTERN)]
PAGE_LIMIT = 500


def _page(items: list[Json], limit: int, page_token: str | None) -> tuple[list[Json], str | None]:
    """A page of ``items`` from the offset in ``page_token`` (the server's own tokens)."""
    start = int(page_token) if page_token and page_token.isdigit() else 0
    chosen = items[start : start + limit]
    more = start + limit < len(items)
    return chosen, str(start + limit) if more else None


def rebalancing_router(ports: BrokerPorts) -> APIRouter:
    """Portfolios, subscriptions and runs."""
    port: RebalancingPort | None = ports.rebalancing
    assert port is not None, "mounted only when the rebalancing port is set"
    router = APIRouter(prefix="/v1/rebalancing", tags=["rebalancing"])

    def portfolio_or_404(portfolio_id: str) -> Json:
        found = port.portfolio(portfolio_id)
        if found is None:
            raise BrokerApiError.not_found(f"portfolio not found: {portfolio_id}")
        return render_portfolio(found)

    def run_json(run_id: str) -> Json:
        run = port.run(run_id)
        if run is None:
            raise BrokerApiError.not_found(f"run not found: {run_id}")
        orders = [o for o in (port.order(i) for i in run.order_ids) if o is not None]
        return render_run(run, orders)

    @router.post("/portfolios", summary="Create a model portfolio")
    async def create_portfolio(body: PortfolioBody, actor: Operations) -> Json:
        command = CreateModelPortfolio(
            str(uuid.uuid4()), body.name, body.description, weights_in(body.weights),
            int(body.cooldown_days), conditions_in(body.rebalance_conditions or []), actor.actor,
        )  # fmt: skip
        return render_portfolio(await port.create_portfolio(command))

    @router.get("/portfolios", summary="List model portfolios")
    async def list_portfolios(
        actor: Operations,
        name: Annotated[str | None, Query(max_length=256)] = None,
        description: Annotated[str | None, Query(max_length=1_024)] = None,
        symbol: Annotated[str | None, Query(max_length=16)] = None,
        portfolio_id: Annotated[str | None, Query(pattern=UUID_PATTERN)] = None,
        status: Literal["active", "inactive"] | None = None,
    ) -> list[Json]:
        chosen = []
        for p in port.portfolios():
            symbols = {s.upper() for _, s, _ in p.weights if s}
            if (
                (name is None or name == p.name)
                and (description is None or description == p.description)
                and (symbol is None or symbol.upper() in symbols)
                and (portfolio_id is None or portfolio_id == p.portfolio_id)
                and (status is None or status == p.status)
            ):
                chosen.append(render_portfolio(p))
        return chosen

    @router.get("/portfolios/{portfolio_id}", summary="Get a model portfolio")
    async def get_portfolio(portfolio_id: Id, actor: Operations) -> Json:
        return portfolio_or_404(portfolio_id)

    @router.patch("/portfolios/{portfolio_id}", summary="Update a model portfolio")
    async def update_portfolio(
        portfolio_id: Id, body: PortfolioUpdateBody, actor: Operations
    ) -> Json:
        conditions = body.rebalance_conditions
        command = UpdateModelPortfolio(
            portfolio_id, body.name, body.description,
            None if body.weights is None else weights_in(body.weights),
            None if body.cooldown_days is None else int(body.cooldown_days),
            None if conditions is None else conditions_in(conditions), actor.actor,
        )  # fmt: skip
        return render_portfolio(await port.update_portfolio(command))

    @router.delete(
        "/portfolios/{portfolio_id}", status_code=204, summary="Make a portfolio inactive"
    )
    async def inactivate_portfolio(portfolio_id: Id, actor: Operations) -> Response:
        await port.deactivate_portfolio(portfolio_id, actor.actor)
        return Response(status_code=204)

    @router.post("/subscriptions", summary="Subscribe an account to a portfolio")
    async def subscribe(body: SubscriptionBody, actor: Operations) -> Json:
        if not port.has_account(body.account_id):
            raise BrokerApiError.not_found(f"account not found: {body.account_id}")
        command = SubscribeAccount(
            str(uuid.uuid4()), body.account_id, body.portfolio_id, str(uuid.uuid4()), actor.actor
        )
        return render_subscription(await port.subscribe(command))

    @router.get("/subscriptions", summary="List subscriptions")
    async def list_subscriptions(
        actor: Operations,
        account_id: Annotated[str | None, Query(pattern=UUID_PATTERN)] = None,
        portfolio_id: Annotated[str | None, Query(pattern=UUID_PATTERN)] = None,
        limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT)] = 100,
        page_token: Annotated[str | None, Query(max_length=100)] = None,
    ) -> Json:
        chosen = [
            render_subscription(s)
            for s in port.subscriptions()
            if (account_id is None or s.account == account_id)
            and (portfolio_id is None or s.portfolio_id == portfolio_id)
        ]
        page, token = _page(chosen, limit, page_token)
        return {"subscriptions": page, "next_page_token": token}

    @router.get("/subscriptions/{subscription_id}", summary="Get a subscription")
    async def get_subscription(subscription_id: Id, actor: Operations) -> Json:
        found = port.subscription(subscription_id)
        if found is None:
            raise BrokerApiError.not_found(f"subscription not found: {subscription_id}")
        return render_subscription(found)

    @router.delete(
        "/subscriptions/{subscription_id}", status_code=204, summary="Unsubscribe an account"
    )
    async def unsubscribe(subscription_id: Id, actor: Operations) -> Response:
        await port.unsubscribe(subscription_id, actor.actor)
        return Response(status_code=204)

    @router.post("/runs", summary="Create a manual rebalancing run")
    async def create_run(body: RunBody, actor: Operations) -> Json:
        if not port.has_account(body.account_id):
            raise BrokerApiError.not_found(f"account not found: {body.account_id}")
        command = CreateRebalanceRun(
            str(uuid.uuid4()), body.account_id, body.type, weights_in(body.weights or []),
            FROM_API, actor.actor,
        )  # fmt: skip
        run = await port.create_run(command)
        return run_json(run.run_id)

    @router.get("/runs", summary="List rebalancing runs")
    async def list_runs(
        actor: Operations,
        account_id: Annotated[str | None, Query(pattern=UUID_PATTERN)] = None,
        type: Literal["full_rebalance", "invest_cash"] | None = None,
        limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT)] = 100,
        page_token: Annotated[str | None, Query(max_length=100)] = None,
    ) -> Json:
        chosen = [
            run_json(r.run_id)
            for r in port.runs()
            if (account_id is None or r.account == account_id)
            and (type is None or r.run_type == type)
        ]
        page, token = _page(chosen, limit, page_token)
        return {"runs": page, "next_page_token": token}

    @router.get("/runs/{run_id}", summary="Get a rebalancing run")
    async def get_run(run_id: Id, actor: Operations) -> Json:
        return run_json(run_id)

    @router.delete("/runs/{run_id}", status_code=204, summary="Cancel a rebalancing run")
    async def cancel_run(run_id: Id, actor: Operations) -> Response:
        await port.cancel_run(run_id, actor.actor)
        return Response(status_code=204)

    return router

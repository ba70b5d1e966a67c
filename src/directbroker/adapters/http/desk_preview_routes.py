"""Read-only previews for a portfolio manager, beside the institutional desk's routes:
``POST /v2/groups/{group_id}/allocation_preview`` (how a block would be split across the
group's accounts before it is placed) and ``POST /v2/groups/{group_id}/rebalance_preview``
(the orders that would bring each account to a target model, for review).

Nothing is sent or journaled; they are POSTs only because they take a body. Authorisation is
the desk's: a key sees previews of the groups it manages, another group answers 404
``UNKNOWN_GROUP`` exactly as one that does not exist. A manager executes a reviewed rebalance
by placing the proposed blocks (``POST /v2/blocks``, each pre-allocated by ``shares``), which
the core checks as any block; the Broker API's rebalancing runs stay staff's.

(No ``from __future__ import annotations``: FastAPI resolves the routes' annotations.)
"""

from decimal import Decimal, InvalidOperation
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from directbroker.adapters.http.block_bodies import ID_PATTERN, AllocationBody, Whole
from directbroker.adapters.http.block_routes import group_managed_by
from directbroker.adapters.http.blocks_port import BlocksPort, GroupView
from directbroker.adapters.http.context import ApiContext
from directbroker.adapters.http.desk_preview import (
    AccountFacts,
    SharePreview,
    plan_group,
    preview_shares,
    reference_prices,
)
from directbroker.adapters.http.errors import ApiError
from directbroker.adapters.http.ports import Principal
from directbroker.adapters.http.shapes import money_text, price_text
from directbroker.domain.numbers import MAX_QUANTITY
from directbroker.domain.orders import Side
from directbroker.domain.portfolio_messages import ProposedOrder
from directbroker.domain.rebalancing_messages import ASSET, CASH, Weight
from directbroker.domain.rejects import RejectCode
from directbroker.engines.portfolio.models import check_weights

GroupId = Annotated[str, Path(pattern=ID_PATTERN)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AllocationPreviewBody(_Body):
    """A block's quantity and the allocation it would be placed with (none: ``equal``)."""

    qty: Whole = Field(gt=0, le=MAX_QUANTITY)
    allocation: AllocationBody | None = None


class TargetWeight(_Body):
    """One line of the target model: an asset with its symbol, or cash; percent as text with
    at most two decimals (``"40"``, ``"33.33"``)."""

    type: Literal["asset", "cash"]
    symbol: str | None = Field(None, pattern=r"^[A-Z][A-Z0-9.]{0,11}$")
    percent: str = Field(pattern=r"^(?:100(?:\.0{1,2})?|[0-9]{1,2}(?:\.[0-9]{1,2})?)$")


class RebalancePreviewBody(_Body):
    """A target model for every account of the group, summing to 100%."""

    weights: list[TargetWeight] = Field(min_length=1, max_length=100)
    type: Literal["full_rebalance", "invest_cash"] = "full_rebalance"


class PreviewShareOut(BaseModel):
    account: str
    qty: str
    weight: str
    percent: str


class PreviewStepOutOut(BaseModel):
    broker: str
    qty: str


class AllocationPreviewOut(BaseModel):
    """Each account's shares of the block as the core would check them (nothing placed):
    ``weight`` is what the method weighs (equity in $0.0001 for ``net_liquidation``)."""

    group_id: str
    qty: str
    method: str
    accounts: list[PreviewShareOut]
    step_outs: list[PreviewStepOutOut]


class ProposedOrderOut(BaseModel):
    """One proposed order; ``held`` is the account's position now, ``target`` after it."""

    symbol: str
    side: str
    qty: str
    held: str
    target: str
    reference_price: str
    notional: str


class SkippedOut(BaseModel):
    symbol: str
    side: str | None
    reason: str


class AccountPlanOut(BaseModel):
    account: str
    equity: str
    cash: str
    orders: list[ProposedOrderOut]
    skipped: list[SkippedOut]


class ProposedShareOut(BaseModel):
    account: str
    qty: int


class ProposedAllocationOut(BaseModel):
    method: Literal["shares"]
    accounts: list[ProposedShareOut]


class ProposedBlockOut(BaseModel):
    """A symbol and side across the group as one block, its ``allocation`` ready for
    ``POST /v2/blocks``."""

    symbol: str
    side: str
    qty: str
    reference_price: str
    allocation: ProposedAllocationOut


class WeightOut(BaseModel):
    type: str
    symbol: str | None
    percent: str


class RebalancePreviewOut(BaseModel):
    """Each account's proposed orders (sells first) and the same orders as blocks."""

    group_id: str
    type: str
    weights: list[WeightOut]
    prices: dict[str, str]
    accounts: list[AccountPlanOut]
    blocks: list[ProposedBlockOut]


def _basis_points(percent: str) -> int:
    try:
        return int(Decimal(percent) * 100)
    except InvalidOperation:  # the pattern admits only numbers; kept for safety
        raise ApiError.invalid(f"percent {percent!r}", RejectCode.INVALID_PORTFOLIO) from None


def weights_of(body: RebalancePreviewBody) -> tuple[Weight, ...]:
    """The model as the core's weights, checked as the core checks a model portfolio."""
    weights = tuple(
        (w.type, "" if w.type == CASH else (w.symbol or ""), _basis_points(w.percent))
        for w in body.weights
    )
    refusal = check_weights(weights)
    if refusal is not None:
        raise ApiError.invalid(refusal[1], refusal[0])
    return weights


def render_shares(preview: SharePreview, quantity: int) -> dict[str, object]:
    total = sum(preview.weights)
    return {
        "qty": str(quantity), "method": preview.method.value,
        "accounts": [
            {"account": a, "qty": str(q), "weight": str(w),
             "percent": f"{Decimal(w * 100) / total:.2f}" if total else "0.00"}
            for a, q, w in zip(preview.accounts, preview.shares, preview.weights, strict=True)
        ],
        "step_outs": [{"broker": b, "qty": str(q)} for b, q in
                      zip(preview.step_out_brokers, preview.step_out_quantities, strict=True)],
    }  # fmt: skip


def render_proposed(order: ProposedOrder, held: int) -> dict[str, str]:
    change = order.quantity if order.side is Side.BUY else -order.quantity
    return {
        "symbol": order.symbol, "side": order.side.value, "qty": str(order.quantity),
        "held": str(held), "target": str(held + change),
        "reference_price": price_text(order.reference_price) or "",
        "notional": money_text(order.quantity * order.reference_price),
    }  # fmt: skip


def desk_preview_router(ctx: ApiContext, port: BlocksPort) -> APIRouter:
    """``/v2/groups/{group_id}/allocation_preview`` and ``.../rebalance_preview``."""
    router = APIRouter(prefix="/v2/groups", tags=["institutional"])
    who_dep = Depends(ctx.who)

    def managed_group(principal: Principal, group_id: str) -> GroupView:
        return group_managed_by(port, principal, group_id)

    def equities(group_id: str) -> dict[str, int]:
        exposure = port.exposure(group_id)
        return {} if exposure is None else {r.account: r.equity for r in exposure.accounts}

    @router.post(
        "/{group_id}/allocation_preview",
        response_model=AllocationPreviewOut,
        summary="How a block would be split across the group's accounts (nothing sent)",
    )
    async def allocation_preview(
        group_id: GroupId, body: AllocationPreviewBody, principal: Annotated[Principal, who_dep]
    ) -> JSONResponse:
        group = managed_group(principal, group_id)
        given = body.allocation
        equity = equities(group_id)
        answer = preview_shares(
            group.accounts, body.qty,
            given.method if given else None,
            tuple(given.weights) if given else (),
            tuple(s.account for s in given.accounts) if given else (),
            tuple(s.qty for s in given.accounts) if given else (),
            tuple(s.broker for s in given.step_outs) if given else (),
            tuple(s.qty for s in given.step_outs) if given else (),
            lambda account: equity.get(account, 0),
        )  # fmt: skip
        if isinstance(answer, tuple):
            raise ApiError.from_reject(answer[0], answer[1])
        return JSONResponse({"group_id": group_id, **render_shares(answer, body.qty)})

    @router.post(
        "/{group_id}/rebalance_preview",
        response_model=RebalancePreviewOut,
        summary="The orders that would bring each account of the group to a model",
    )
    async def rebalance_preview(
        group_id: GroupId, body: RebalancePreviewBody, principal: Annotated[Principal, who_dep]
    ) -> JSONResponse:
        group = managed_group(principal, group_id)
        weights = weights_of(body)
        unknown = [s for kind, s, _ in weights if kind == ASSET and ctx.instrument(s) is None]
        if unknown:
            raise ApiError.invalid(f"unknown symbol {unknown[0]}", RejectCode.UNKNOWN_SYMBOL)
        facts = []
        for account in group.accounts:
            values = (await ctx.ports.trading.account(account)).values
            held = {p.symbol: p.quantity for p in await ctx.ports.trading.positions(account)}
            facts.append(AccountFacts(account, values.equity, values.cash, held))
        symbols = sorted({s for kind, s, _ in weights if kind == ASSET}
                         | {s for f in facts for s in f.held})  # fmt: skip
        market = ctx.ports.market_data

        def last(symbol: str) -> int | None:
            snap = market.snapshot(symbol)
            return snap.last_trade.price if snap and snap.last_trade else None

        def quote(symbol: str) -> tuple[int, int] | None:
            snap = market.snapshot(symbol)
            if snap is None or snap.quote is None:
                return None
            return snap.quote.bid_price or 0, snap.quote.ask_price or 0

        prices = reference_prices(symbols, last, quote)
        plans, blocks = plan_group(facts, weights, prices, body.type)
        return JSONResponse({
            "group_id": group_id, "type": body.type,
            "weights": [{"type": k, "symbol": s or None, "percent": f"{Decimal(b) / 100:.2f}"}
                        for k, s, b in weights],
            "prices": {s: price_text(p) for s, p in sorted(prices.items())},
            "accounts": [
                {"account": p.facts.account, "equity": money_text(p.facts.equity),
                 "cash": money_text(p.facts.cash),
                 "orders": [render_proposed(o, p.facts.held.get(o.symbol, 0)) for o in p.orders],
                 "skipped": [{"symbol": s, "side": side or None, "reason": why}
                             for s, side, why in p.skipped]}
                for p in plans
            ],
            "blocks": [
                {"symbol": b.symbol, "side": b.side.value, "qty": str(b.quantity),
                 "reference_price": price_text(b.reference_price),
                 "allocation": {"method": "shares",
                                "accounts": [{"account": a, "qty": q} for a, q in
                                             zip(b.accounts, b.quantities, strict=True)]}}
                for b in blocks
            ],
        })  # fmt: skip

    return router

"""The institutional desk beside the Trading API: account groups, block orders, allocations and
group exposure (our extension; Alpaca has no block orders).

A portfolio manager's key manages account groups; it sees and trades those groups and no
others. Another manager's group answers 404 (``UNKNOWN_GROUP`` / ``UNKNOWN_BLOCK``), exactly
as one that does not exist, so ids cannot be probed; placing a block for a group the key does
not manage answers 403 ``GROUP_NOT_MANAGED``. Operations staff manage every group. The
manager trades the accounts one by one with the Trading API itself and the
``DirectBroker-Account`` header (its key reaches exactly its groups' members).

Allocation methods: ``equal``, ``percent`` (basis points summing to 10,000), ``ratio`` (fixed
weights), ``shares`` (pro rata by quantity: each account's shares; a partial fill is split pro
rata to them) and ``net_liquidation`` (pro rata by each account's equity when allocated).
Before the method splits the fills, ``step_outs`` give part of the block up to other
broker-dealers (booked to their give-up accounts ``STEPOUT-<broker>``, not to the group).

(No ``from __future__ import annotations`` here: FastAPI resolves the routes' annotations,
which name the dependency made inside :func:`block_router`.)
"""

from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from directbroker.adapters.http.block_bodies import ID_PATTERN, AllocationBody, BlockBody
from directbroker.adapters.http.blocks_port import BlocksPort, BlockView, GroupExposure, GroupView
from directbroker.adapters.http.context import ApiContext
from directbroker.adapters.http.errors import ApiError
from directbroker.adapters.http.ids import new_order_id
from directbroker.adapters.http.ports import Principal, Role
from directbroker.adapters.http.shapes import iso, money_text, price_text, render_order
from directbroker.domain.block_messages import (
    InstructBlockAllocation,
    PlaceBlockOrder,
    step_out_account,
)
from directbroker.domain.numbers import parse_price
from directbroker.domain.orders import OrderType, Side, TimeInForce
from directbroker.domain.rejects import DomainRejection, RejectCode

GroupId = Annotated[str, Path(pattern=ID_PATTERN)]
BlockId = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$")]


class GroupOut(BaseModel):
    """An account group."""

    id: str
    name: str
    accounts: list[str]
    updated_by: str
    created_at: str
    updated_at: str


class ShareOut(BaseModel):
    account: str
    qty: str


class AllocationOut(BaseModel):
    account: str
    qty: str
    price: str


class StepOutOut(BaseModel):
    """A step-out: the broker, its shares of the block as instructed, and once allocated the
    shares given up to it (at ``filled_avg_price``) and its give-up account."""

    broker: str
    qty: str
    allocated_qty: str | None
    give_up_account: str


class BlockOut(BaseModel):
    """A block order: the parent as routed (``order``), each account's pre-trade share and,
    once allocated, what each account was booked at the average price."""

    id: str
    client_order_id: str
    group_id: str
    symbol: str
    side: str
    qty: str
    parent_account: str
    allocation_method: str | None
    weights: list[int]
    manager: str
    created_at: str
    status: Literal["working", "awaiting_allocation", "allocated", "finished"]
    shares: list[ShareOut]
    order: dict[str, Any] | None
    allocations: list[AllocationOut]
    filled_avg_price: str | None
    residual: str
    allocated_at: str | None
    step_outs: list[StepOutOut]


class AccountExposureOut(BaseModel):
    account: str
    equity: str
    cash: str
    long_market_value: str
    short_market_value: str
    unrealized_pl: str
    realized_pl: str
    day_pl: str
    margin_deficiency: str
    margin_call: bool


class SymbolExposureOut(BaseModel):
    symbol: str
    long_qty: str
    short_qty: str
    long_market_value: str
    short_market_value: str
    concentration_bps: int


class ExposureOut(BaseModel):
    """A group's exposure and P&L by account and by symbol, with the group's totals."""

    group_id: str
    accounts: list[AccountExposureOut]
    symbols: list[SymbolExposureOut]
    equity: str
    unrealized_pl: str
    realized_pl: str
    day_pl: str
    margin_calls: int


def render_group(view: GroupView) -> dict[str, object]:
    return {
        "id": view.group, "name": view.name, "accounts": list(view.accounts),
        "updated_by": view.changed_by, "created_at": iso(view.created_ns),
        "updated_at": iso(view.updated_ns),
    }  # fmt: skip


def render_block(view: BlockView) -> dict[str, object]:
    return {
        "id": view.block_id, "client_order_id": view.client_order_id, "group_id": view.group,
        "symbol": view.symbol, "side": view.side.value, "qty": str(view.quantity),
        "parent_account": view.parent_account, "allocation_method": view.method or None,
        "weights": list(view.weights), "manager": view.manager,
        "created_at": iso(view.placed_ns), "status": view.status,
        "shares": [{"account": a, "qty": str(q)}
                   for a, q in zip(view.accounts, view.shares, strict=True)],
        "order": render_order(view.order) if view.order is not None else None,
        "allocations": [{"account": a.account, "qty": str(a.quantity), "price": price_text(a.price)}
                        for a in view.allocations],
        "filled_avg_price": price_text(view.average_price),
        "residual": money_text(view.residual), "allocated_at": iso(view.allocated_ns),
        "step_outs": [{"broker": s.broker, "qty": str(s.quantity),
                       "allocated_qty": None if s.allocated is None else str(s.allocated),
                       "give_up_account": step_out_account(s.broker)}
                      for s in view.step_outs],
    }  # fmt: skip


def render_exposure(view: GroupExposure) -> dict[str, object]:
    rows = view.accounts
    return {
        "group_id": view.group,
        "accounts": [
            {"account": r.account, "equity": money_text(r.equity), "cash": money_text(r.cash),
             "long_market_value": money_text(r.long_value),
             "short_market_value": money_text(r.short_value),
             "unrealized_pl": money_text(r.unrealized_pnl),
             "realized_pl": money_text(r.realized_pnl), "day_pl": money_text(r.day_pnl),
             "margin_deficiency": money_text(r.margin_deficiency),
             "margin_call": r.margin_deficiency > 0}
            for r in rows
        ],
        "symbols": [
            {"symbol": s.symbol, "long_qty": str(s.long_quantity),
             "short_qty": str(s.short_quantity), "long_market_value": money_text(s.long_value),
             "short_market_value": money_text(s.short_value), "concentration_bps": s.share_bps}
            for s in view.symbols
        ],
        "equity": money_text(sum(r.equity for r in rows)),
        "unrealized_pl": money_text(sum(r.unrealized_pnl for r in rows)),
        "realized_pl": money_text(sum(r.realized_pnl for r in rows)),
        "day_pl": money_text(sum(r.day_pnl for r in rows)),
        "margin_calls": sum(1 for r in rows if r.margin_deficiency > 0),
    }  # fmt: skip


def _instruction(body: AllocationBody) -> dict[str, Any]:
    return {
        "method": body.method,
        "weights": tuple(body.weights),
        "accounts": tuple(share.account for share in body.accounts),
        "quantities": tuple(share.qty for share in body.accounts),
        "step_out_brokers": tuple(s.broker for s in body.step_outs),
        "step_out_quantities": tuple(s.qty for s in body.step_outs),
    }


def group_managed_by(port: BlocksPort, principal: Principal, group_id: str) -> GroupView:
    """The group if ``principal`` manages it; otherwise 404, exactly as for no group (so
    group ids cannot be probed)."""
    view = port.group(group_id)
    if view is None or not principal.manages(group_id):
        raise ApiError.not_found(f"group not found: {group_id}", RejectCode.UNKNOWN_GROUP)
    return view


def block_router(ctx: ApiContext, port: BlocksPort) -> APIRouter:
    """``/v2/groups`` and ``/v2/blocks``."""
    router = APIRouter(prefix="/v2", tags=["institutional"])
    who_dep = Depends(ctx.who)

    def managed_group(principal: Principal, group_id: str) -> GroupView:
        return group_managed_by(port, principal, group_id)

    def managed_block(principal: Principal, block_id: str) -> BlockView:
        view = port.block(block_id)
        if view is None or not principal.manages(view.group):
            raise ApiError.not_found(f"block not found: {block_id}", RejectCode.UNKNOWN_BLOCK)
        return view

    def may_trade(principal: Principal, group_id: str) -> None:
        if not principal.manages(group_id) or not (
            principal.all_accounts
            or Role.PORTFOLIO_MANAGER in (principal.roles or {principal.role})
        ):
            raise ApiError.from_reject(
                RejectCode.GROUP_NOT_MANAGED, f"this key does not manage group {group_id}"
            )

    @router.get("/groups", summary="List the account groups this key manages",
                response_model=list[GroupOut])  # fmt: skip
    async def list_groups(principal: Annotated[Principal, who_dep]) -> JSONResponse:
        views = [v for v in port.groups() if principal.manages(v.group)]
        return JSONResponse([render_group(v) for v in views])

    @router.get("/groups/{group_id}", summary="Get an account group", response_model=GroupOut)
    async def get_group(
        group_id: GroupId, principal: Annotated[Principal, who_dep]
    ) -> JSONResponse:
        return JSONResponse(render_group(managed_group(principal, group_id)))

    @router.get("/groups/{group_id}/exposure", response_model=ExposureOut,
                summary="Exposure and P&L of a group, by account and by symbol")  # fmt: skip
    async def get_exposure(
        group_id: GroupId, principal: Annotated[Principal, who_dep]
    ) -> JSONResponse:
        managed_group(principal, group_id)
        view = port.exposure(group_id)
        if view is None:
            raise ApiError.not_found(f"group not found: {group_id}", RejectCode.UNKNOWN_GROUP)
        return JSONResponse(render_exposure(view))

    @router.post("/blocks", summary="Place a block order for a group", response_model=BlockOut)
    async def post_block(body: BlockBody, principal: Annotated[Principal, who_dep]) -> JSONResponse:
        may_trade(principal, body.group_id)
        if (body.type == "limit") != (body.limit_price is not None):
            raise ApiError.invalid("a limit block needs limit_price, a market block takes none",
                                   RejectCode.PRICE_REQUIRED)  # fmt: skip
        try:
            limit = parse_price(Decimal(body.limit_price)) if body.limit_price else None
        except DomainRejection as exc:
            raise ApiError.invalid(str(exc), exc.code) from None
        block_id = new_order_id()
        instruction = _instruction(body.allocation) if body.allocation is not None else {}
        command = PlaceBlockOrder(
            block_id, body.client_order_id or block_id, body.group_id, body.symbol,
            Side(body.side), OrderType(body.type), body.qty, principal.user_id,
            limit_price=limit, time_in_force=TimeInForce(body.time_in_force), route=body.route,
            **instruction,
        )  # fmt: skip
        return JSONResponse(render_block(await port.place_block(command)))

    @router.get("/blocks", summary="List the blocks of the groups this key manages",
                response_model=list[BlockOut])  # fmt: skip
    async def list_blocks(principal: Annotated[Principal, who_dep]) -> JSONResponse:
        groups = None if principal.all_accounts else principal.groups
        return JSONResponse([render_block(v) for v in port.blocks(groups)])

    @router.get("/blocks/{block_id}", summary="Get a block order", response_model=BlockOut)
    async def get_block(
        block_id: BlockId, principal: Annotated[Principal, who_dep]
    ) -> JSONResponse:
        return JSONResponse(render_block(managed_block(principal, block_id)))

    @router.delete(
        "/blocks/{block_id}",
        response_model=BlockOut,
        summary="Cancel what is left of a block (its fills are then allocated)",
    )
    async def cancel_block(
        block_id: BlockId, principal: Annotated[Principal, who_dep]
    ) -> JSONResponse:
        view = managed_block(principal, block_id)
        may_trade(principal, view.group)
        return JSONResponse(render_block(await port.cancel_block(block_id, principal.user_id)))

    @router.post(
        "/blocks/{block_id}/allocations",
        response_model=BlockOut,
        summary="Instruct a block's allocation (booked once its order is done)",
    )
    async def allocate_block(
        block_id: BlockId, body: AllocationBody, principal: Annotated[Principal, who_dep]
    ) -> JSONResponse:
        view = managed_block(principal, block_id)
        may_trade(principal, view.group)
        command = InstructBlockAllocation(block_id, principal.user_id, **_instruction(body))
        return JSONResponse(render_block(await port.instruct(command)))

    return router

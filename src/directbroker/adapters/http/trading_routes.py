"""Trading API v2: orders and positions, as Alpaca serves them.

Status codes follow Alpaca: 200 with the order on placement and replace, 204 with an empty
body on a successful cancel, 422 when the order can no longer be cancelled, 404 for an order
that does not exist or belongs to someone else, 207 for cancel-all and close-all.
"""

import contextlib
import dataclasses
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response
from fastapi.responses import JSONResponse

from directbroker.adapters.http.commands import (
    place_order_command,
    quantity_of,
    replace_order_command,
)
from directbroker.adapters.http.context import Acting, ApiContext
from directbroker.adapters.http.errors import ApiError, error_body
from directbroker.adapters.http.ids import api_order_id, core_order_id, new_order_id
from directbroker.adapters.http.openapi import (
    PERCENT_PATTERN,
    TIME,
    WHOLE_PATTERN,
    symbols_param,
)
from directbroker.adapters.http.ports import OrderQuery, OrderView, PortRejection, Principal
from directbroker.adapters.http.schemas import (
    ApiOrderType,
    ApiSide,
    ApiTimeInForce,
    OrderBody,
    ReplaceBody,
    to_decimal,
)
from directbroker.adapters.http.shapes import Json, render_order, render_position
from directbroker.domain.accounts import PositionView
from directbroker.domain.orders import Side
from directbroker.domain.rejects import RejectCode

LATEST_SECONDS = 9_214_646_400
"""2262-01-01T00:00:00Z: the first time an int64 of nanoseconds can no longer hold."""


_SymbolOrId = Annotated[str, Path(json_schema_extra=symbols_param("one"))]
_QTY = {"pattern": WHOLE_PATTERN}
_PERCENTAGE = {"pattern": PERCENT_PATTERN}


def parse_time(text: str | None, name: str) -> int | None:
    """Nanoseconds for an RFC 3339 time or a YYYY-MM-DD date (midnight UTC), or a 422."""
    if text is None or text == "":
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ApiError.invalid(f"{name}: {text!r} is not an RFC 3339 time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    stamp = moment.timestamp()
    # Nanoseconds are int64 in storage and on the wire: refuse what they cannot hold (and the
    # years before the epoch no market data has) instead of overflowing further in.
    if not 0 <= stamp < LATEST_SECONDS:
        raise ApiError.invalid(
            f"{name}: {text!r} is out of range ({RejectCode.TIME_OUT_OF_RANGE.text})",
            RejectCode.TIME_OUT_OF_RANGE,
        )
    return int(stamp) * 1_000_000_000 + moment.microsecond * 1_000


async def position_of(ctx: ApiContext, account: str, symbol: str) -> PositionView | None:
    """The account's open position in ``symbol``, if any."""
    for position in await ctx.ports.trading.positions(account):
        if position.symbol == symbol and position.quantity != 0:
            return position
    return None


def trading_router(ctx: ApiContext, prefix: str = "/v2") -> APIRouter:
    """The /v2/orders and /v2/positions routes (the Broker API mounts them per account under
    its own ``prefix``, with a context whose caller is scoped to that account)."""
    router = APIRouter(prefix=prefix, tags=["trading"])
    trading = ctx.ports.trading
    acting_dep = Depends(ctx.acting)
    who_dep = Depends(ctx.who)

    async def place(body: OrderBody, acting: Acting) -> OrderView:
        instrument = ctx.instrument(body.symbol)
        position = 0
        if body.side is ApiSide.SELL and instrument is not None:
            held = await position_of(ctx, acting.account, instrument.symbol)
            position = held.quantity if held else 0
        command = place_order_command(
            body.model_copy(update={"symbol": instrument.symbol}) if instrument else body,
            new_order_id(),
            acting.account,
            position,
            known_symbol=instrument is not None,
        )
        command = dataclasses.replace(command, entered_by=ctx.entered_by(acting.principal))
        return await trading.place_order(command)

    @router.post("/orders", summary="Place an order")
    async def post_order(body: OrderBody, acting: Annotated[Acting, acting_dep]) -> JSONResponse:
        # A Response is sent as is: FastAPI's generic re-encoding of the dict costs more
        # than everything else on this hot path.
        return JSONResponse(render_order(await place(body, acting)))

    @router.get("/orders", summary="List orders")
    async def list_orders(
        acting: Annotated[Acting, acting_dep],
        status: Annotated[str, Query(pattern="^(open|closed|all)$")] = "open",
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        after: Annotated[str | None, Query(json_schema_extra=TIME)] = None,
        until: Annotated[str | None, Query(json_schema_extra=TIME)] = None,
        direction: Annotated[str, Query(pattern="^(asc|desc)$")] = "desc",
        nested: bool = False,
        side: Annotated[str | None, Query(pattern="^(buy|sell)$")] = None,
        symbols: Annotated[str | None, Query(max_length=2_000)] = None,
    ) -> JSONResponse:
        query = OrderQuery(
            status=status,
            limit=limit,
            after_ns=parse_time(after, "after"),
            until_ns=parse_time(until, "until"),
            direction=direction,
            nested=nested,
            symbols=frozenset(s.strip().upper() for s in (symbols or "").split(",") if s.strip()),
            side=None if side is None else Side(side),
        )
        views = await trading.list_orders([acting.account], query)
        return JSONResponse([render_order(v) for v in views])

    @router.get("/orders:by_client_order_id", summary="Get an order by client order id")
    async def by_client_id(
        acting: Annotated[Acting, acting_dep],
        client_order_id: Annotated[str, Query(min_length=1, max_length=128)],
    ) -> Json:
        view = await trading.get_order_by_client_id(acting.account, client_order_id)
        return render_order(ctx.owned(acting.principal, view, client_order_id))

    async def owned_order(principal: Principal, order_id: str) -> OrderView:
        if len(order_id) > 64:
            raise ApiError.not_found(f"order not found for {order_id[:64]}")
        view = await trading.get_order(core_order_id(order_id))
        return ctx.owned(principal, view, order_id)

    @router.get("/orders/{order_id}", summary="Get an order")
    async def get_order(
        order_id: str, principal: Annotated[Principal, who_dep], nested: bool = True
    ) -> JSONResponse:
        return JSONResponse(render_order(await owned_order(principal, order_id)))

    @router.patch("/orders/{order_id}", summary="Replace an order")
    async def patch_order(
        order_id: str, body: ReplaceBody, principal: Annotated[Principal, who_dep]
    ) -> Json:
        view = await owned_order(principal, order_id)
        if view.status.is_terminal:
            raise ApiError.from_reject(
                RejectCode.REPLACE_TOO_LATE, f'order is already in "{view.status.value}" state'
            )
        command = replace_order_command(
            body, view.order_id, view.account, view.quantity,
            trailing_percent=view.trail_percent_bps is not None,
        )  # fmt: skip
        # Alpaca's replace makes a new order: its id is assigned here, like a new order's, and
        # so is its client order id when the body names none.
        order = new_order_id()
        new_client = command.new_client_order_id or order
        command = dataclasses.replace(
            command, new_order_id=order, new_client_order_id=new_client,
            actor=ctx.entered_by(principal),
        )  # fmt: skip
        return render_order(await trading.replace_order(command))

    @router.delete("/orders/{order_id}", status_code=204, summary="Cancel an order")
    async def cancel_order(order_id: str, principal: Annotated[Principal, who_dep]) -> Response:
        view = await owned_order(principal, order_id)
        if view.status.is_terminal:
            raise ApiError.from_reject(
                RejectCode.REPLACE_TOO_LATE, f'order is already in "{view.status.value}" state'
            )
        await trading.cancel_order(view.account, view.order_id, ctx.entered_by(principal))
        return Response(status_code=204)

    @router.delete("/orders", summary="Cancel all open orders", status_code=207)
    async def cancel_all(acting: Annotated[Acting, acting_dep]) -> JSONResponse:
        open_orders = await trading.list_orders([acting.account], OrderQuery(limit=10_000))
        results: list[Json] = []
        for view in open_orders:
            try:
                done = await trading.cancel_order(
                    view.account, view.order_id, ctx.entered_by(acting.principal)
                )
                results.append({"id": api_order_id(view.order_id), "status": 200,
                                "body": render_order(done)})  # fmt: skip
            except PortRejection as exc:
                error = ApiError.from_reject(exc.code, exc.message)
                results.append({"id": api_order_id(view.order_id), "status": error.status,
                                "body": error_body(error)})  # fmt: skip
        return JSONResponse(results, status_code=207)

    @router.get("/positions", summary="List open positions")
    async def list_positions(acting: Annotated[Acting, acting_dep]) -> list[Json]:
        rendered = []
        for position in await trading.positions(acting.account):
            if position.quantity:
                rendered.append(_position_json(ctx, position))
        return rendered

    async def one_position(account: str, symbol_or_id: str) -> PositionView:
        instrument = ctx.instrument(symbol_or_id)
        held = None if instrument is None else await position_of(ctx, account, instrument.symbol)
        if held is None:
            raise ApiError.not_found("position does not exist", RejectCode.INSUFFICIENT_POSITION)
        return held

    @router.get("/positions/{symbol_or_asset_id}", summary="Get an open position")
    async def get_position(
        symbol_or_asset_id: _SymbolOrId, acting: Annotated[Acting, acting_dep]
    ) -> Json:
        return _position_json(ctx, await one_position(acting.account, symbol_or_asset_id))

    async def close(acting: Acting, held: PositionView, qty: Decimal | None,
                    percentage: Decimal | None) -> Json:  # fmt: skip
        quantity = abs(held.quantity)
        if qty is not None and percentage is not None:
            raise ApiError.invalid("give qty or percentage, not both")
        if qty is not None:
            quantity = quantity_of(qty)
        elif percentage is not None:
            if not Decimal(0) < percentage <= 100:
                raise ApiError.invalid("percentage must be above 0 and at most 100")
            quantity = int(abs(held.quantity) * percentage / 100)
        if quantity < 1 or quantity > abs(held.quantity):
            raise ApiError.from_reject(
                RejectCode.INSUFFICIENT_POSITION,
                f"insufficient qty available for order (requested: {quantity}, "
                f"available: {abs(held.quantity)})",
            )
        body = OrderBody(
            symbol=held.symbol,
            qty=Decimal(quantity),
            side=ApiSide.SELL if held.quantity > 0 else ApiSide.BUY,
            type=ApiOrderType.MARKET,
            time_in_force=ApiTimeInForce.DAY,
        )
        return render_order(await place(body, acting))

    @router.delete("/positions/{symbol_or_asset_id}", summary="Close a position")
    async def close_position(
        symbol_or_asset_id: _SymbolOrId,
        acting: Annotated[Acting, acting_dep],
        qty: Annotated[str | None, Query(json_schema_extra=_QTY)] = None,
        percentage: Annotated[str | None, Query(json_schema_extra=_PERCENTAGE)] = None,
    ) -> Json:
        amount = _decimal_param(qty, "qty")
        share = _decimal_param(percentage, "percentage")
        held = await one_position(acting.account, symbol_or_asset_id)
        return await close(acting, held, amount, share)

    @router.delete("/positions", summary="Close all positions", status_code=207)
    async def close_all(
        acting: Annotated[Acting, acting_dep], cancel_orders: bool = False
    ) -> JSONResponse:
        if cancel_orders:
            for view in await trading.list_orders([acting.account], OrderQuery(limit=10_000)):
                with contextlib.suppress(PortRejection):  # already done: nothing to cancel
                    await trading.cancel_order(
                        view.account, view.order_id, ctx.entered_by(acting.principal)
                    )
        results: list[Json] = []
        for held in await trading.positions(acting.account):
            if not held.quantity:
                continue
            try:
                order = await close(acting, held, None, None)
                results.append({"symbol": held.symbol, "status": 200, "body": order})
            except (ApiError, PortRejection) as exc:
                error = (
                    exc
                    if isinstance(exc, ApiError)
                    else ApiError.from_reject(exc.code, exc.message)
                )
                results.append({"symbol": held.symbol, "status": error.status,
                                "body": error_body(error) | {"symbol": held.symbol}})  # fmt: skip
        return JSONResponse(results, status_code=207)

    return router


def _decimal_param(text: str | None, name: str) -> Decimal | None:
    if text is None:
        return None
    try:
        return to_decimal(text)
    except ValueError as exc:
        raise ApiError.invalid(f"{name} {exc}") from None


def _position_json(ctx: ApiContext, position: PositionView) -> Json:
    snapshot = ctx.ports.market_data.snapshot(position.symbol)
    prior = snapshot.prior_close if snapshot else None
    return render_position(position, ctx.instrument(position.symbol), prior)

"""Trading API v2 reference data: assets, the market clock and calendar, and watchlists."""

import asyncio
from datetime import UTC, date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Response

from directbroker.adapters.calendar import SessionCalendar
from directbroker.adapters.http.context import Acting, ApiContext
from directbroker.adapters.http.errors import ApiError
from directbroker.adapters.http.ids import account_id, is_uuid
from directbroker.adapters.http.openapi import DAY_PATTERN
from directbroker.adapters.http.ports import Principal
from directbroker.adapters.http.prefs import Watchlist, new_watchlist, renamed
from directbroker.adapters.http.schemas import (
    NewWatchlistBody,
    WatchlistBody,
    WatchlistSymbolBody,
)
from directbroker.adapters.http.shapes import Json, iso, render_asset
from directbroker.domain.rejects import RejectCode

NEW_YORK = ZoneInfo("America/New_York")


DAY = {"pattern": DAY_PATTERN}


def _borrowable(ctx: ApiContext, symbol: str) -> bool:
    """Whether the firm lets customers short ``symbol`` without a locate."""
    check = ctx.ports.easy_to_borrow
    return True if check is None else check(symbol)


def _ymd(day: int) -> date:
    return date(day // 10_000, day // 100 % 100, day % 100)


def _at(day: int, hour: int, minute: int) -> datetime:
    return datetime(day // 10_000, day // 100 % 100, day % 100, hour, minute, tzinfo=NEW_YORK)


def _close_time(calendar: SessionCalendar, day: int) -> tuple[int, int]:
    return (13, 0) if calendar.is_early_close(day) else (16, 0)


def clock_json(calendar: SessionCalendar, now_ns: int) -> Json:
    """Alpaca's clock: is the regular session open now, and when it next opens and closes."""
    now = datetime.fromtimestamp(now_ns / 1e9, UTC).astimezone(NEW_YORK)
    today = now.year * 10_000 + now.month * 100 + now.day
    try:
        session = calendar.is_business_day(today)
        opens = _at(today, 9, 30)
        closes = _at(today, *_close_time(calendar, today))
        is_open = session and opens <= now < closes
        if session and now < opens:
            next_open = opens
        else:
            following = calendar.add_business_days(today, 1)
            next_open = _at(following, 9, 30)
        close_day = today if session and now < closes else calendar.add_business_days(today, 1)
        next_close = _at(close_day, *_close_time(calendar, close_day))
    except ValueError as exc:
        raise ApiError(503, 50_300_000, f"the market calendar does not cover now: {exc}") from None
    return {
        "timestamp": now.isoformat(),
        "is_open": is_open,
        "next_open": next_open.isoformat(),
        "next_close": next_close.isoformat(),
    }


def calendar_json(calendar: SessionCalendar, start: int, end: int) -> list[Json]:
    """Alpaca's calendar rows for the sessions in [start, end]."""
    rows = []
    for day in calendar.sessions_between(start, end):
        close_hour, close_minute = _close_time(calendar, day)
        try:
            settles = _ymd(calendar.add_business_days(day, 1)).isoformat()
        except ValueError:
            settles = None
        rows.append({
            "date": _ymd(day).isoformat(),
            "open": "09:30",
            "close": f"{close_hour:02d}:{close_minute:02d}",
            "session_open": "0400",
            "session_close": "2000",
            "settlement_date": settles,
        })  # fmt: skip
    return rows


def _day(text: str | None, name: str, default: int) -> int:
    if not text:
        return default
    try:
        value = date.fromisoformat(text[:10])
    except ValueError:
        raise ApiError.invalid(f"{name}: {text!r} is not a YYYY-MM-DD date") from None
    return value.year * 10_000 + value.month * 100 + value.day


def _watchlist_json(ctx: ApiContext, watchlist: Watchlist, with_assets: bool = True) -> Json:
    body: Json = {
        "id": watchlist.watchlist_id,
        "account_id": account_id(watchlist.account),
        "name": watchlist.name,
        "created_at": iso(watchlist.created_ns),
        "updated_at": iso(watchlist.updated_ns),
    }
    if with_assets:
        found = (ctx.instrument(s) for s in watchlist.symbols)
        body["assets"] = [render_asset(i, _borrowable(ctx, i.symbol)) for i in found if i]
    return body


def reference_router(ctx: ApiContext) -> APIRouter:
    """The /v2/assets, /v2/clock, /v2/calendar and /v2/watchlists routes."""
    router = APIRouter(prefix="/v2", tags=["reference"])
    who_dep = Depends(ctx.who)

    @router.get("/assets", summary="List assets")
    async def list_assets(
        principal: Annotated[Principal, who_dep],
        status: str | None = None,
        asset_class: str | None = None,
        exchange: str | None = None,
        attributes: str | None = None,
    ) -> list[Json]:
        if status not in (None, "active") or asset_class not in (None, "us_equity"):
            return []
        assets = [render_asset(i, _borrowable(ctx, i.symbol)) for i in ctx.instruments().values()]
        return [a for a in assets if exchange is None or a["exchange"] == exchange]

    @router.get("/assets/{symbol_or_asset_id}", summary="Get an asset")
    async def get_asset(symbol_or_asset_id: str, principal: Annotated[Principal, who_dep]) -> Json:
        instrument = ctx.instrument(symbol_or_asset_id)
        if instrument is None:
            raise ApiError.not_found("asset not found", RejectCode.UNKNOWN_SYMBOL)
        return render_asset(instrument, _borrowable(ctx, instrument.symbol))

    @router.get("/clock", summary="The market clock")
    async def get_clock(principal: Annotated[Principal, who_dep]) -> Json:
        return clock_json(ctx.calendar(), ctx.now_ns)

    @router.get("/calendar", summary="The market calendar")
    async def get_calendar(
        principal: Annotated[Principal, who_dep],
        start: Annotated[str | None, Query(json_schema_extra=DAY)] = None,
        end: Annotated[str | None, Query(json_schema_extra=DAY)] = None,
    ) -> list[Json]:
        calendar = ctx.calendar()
        first, last = _day(start, "start", calendar.first), _day(end, "end", calendar.last)
        return calendar_json(calendar, first, last)

    router.include_router(watchlist_router(ctx, prefix=""))
    return router


def watchlist_router(ctx: ApiContext, prefix: str = "/v2") -> APIRouter:
    """The watchlist routes under ``prefix`` (the Broker API mounts them per account)."""
    router = APIRouter(prefix=prefix, tags=["watchlists"])
    acting_dep = Depends(ctx.acting)

    def find(account: str, watchlist_id: str) -> Watchlist:
        for watchlist in ctx.prefs.watchlists(account):
            if watchlist.watchlist_id == watchlist_id:
                return watchlist
        raise ApiError.not_found("watchlist not found", RejectCode.MALFORMED)

    def symbols_of(names: list[str] | None) -> tuple[str, ...] | None:
        if names is None:
            return None
        found = []
        for name in names:
            instrument = ctx.instrument(name)
            if instrument is None:
                raise ApiError.invalid(f'asset "{name}" not found', RejectCode.UNKNOWN_SYMBOL)
            found.append(instrument.symbol)
        return tuple(dict.fromkeys(found))

    @router.get("/watchlists", summary="List watchlists")
    async def list_watchlists(acting: Annotated[Acting, acting_dep]) -> list[Json]:
        return [_watchlist_json(ctx, w, False) for w in ctx.prefs.watchlists(acting.account)]

    @router.post("/watchlists", summary="Create a watchlist")
    async def create_watchlist(
        body: NewWatchlistBody, acting: Annotated[Acting, acting_dep]
    ) -> Json:
        if body.name is None:
            raise ApiError.invalid("name is required")
        if any(w.name == body.name for w in ctx.prefs.watchlists(acting.account)):
            # A conflict with the account's state, not malformed input.
            code = RejectCode.NAME_TAKEN
            raise ApiError(409, 409 * 100_000 + code.number, "a watchlist with this name exists")
        symbols = symbols_of(body.symbols) or ()
        watchlist = new_watchlist(acting.account, body.name, symbols, ctx.now_ns)
        await asyncio.to_thread(ctx.prefs.save_watchlist, watchlist)
        return _watchlist_json(ctx, watchlist)

    @router.get("/watchlists/{watchlist_id}", summary="Get a watchlist")
    async def get_watchlist(watchlist_id: str, acting: Annotated[Acting, acting_dep]) -> Json:
        return _watchlist_json(ctx, find(acting.account, watchlist_id))

    @router.put("/watchlists/{watchlist_id}", summary="Update a watchlist")
    async def put_watchlist(
        watchlist_id: str, body: WatchlistBody, acting: Annotated[Acting, acting_dep]
    ) -> Json:
        current = find(acting.account, watchlist_id)
        if body.name is None and body.symbols is None:
            raise ApiError.invalid("give a name or symbols")
        updated = renamed(current, body.name, symbols_of(body.symbols), ctx.now_ns)
        await asyncio.to_thread(ctx.prefs.save_watchlist, updated)
        return _watchlist_json(ctx, updated)

    @router.post("/watchlists/{watchlist_id}", summary="Add an asset to a watchlist")
    async def add_to_watchlist(
        watchlist_id: str, body: WatchlistSymbolBody, acting: Annotated[Acting, acting_dep]
    ) -> Json:
        current = find(acting.account, watchlist_id)
        added = symbols_of([body.symbol]) or ()
        updated = renamed(current, None, tuple(dict.fromkeys(current.symbols + added)),
                          ctx.now_ns)  # fmt: skip
        await asyncio.to_thread(ctx.prefs.save_watchlist, updated)
        return _watchlist_json(ctx, updated)

    @router.delete("/watchlists/{watchlist_id}", status_code=204, summary="Delete a watchlist")
    async def delete_watchlist(
        watchlist_id: str, acting: Annotated[Acting, acting_dep]
    ) -> Response:
        if not is_uuid(watchlist_id) or not await asyncio.to_thread(
            ctx.prefs.delete_watchlist, acting.account, watchlist_id
        ):
            raise ApiError.not_found("watchlist not found", RejectCode.MALFORMED)
        return Response(status_code=204)

    @router.delete("/watchlists/{watchlist_id}/{symbol}", summary="Remove an asset")
    async def remove_from_watchlist(
        watchlist_id: str, symbol: str, acting: Annotated[Acting, acting_dep]
    ) -> Json:
        current = find(acting.account, watchlist_id)
        left = tuple(s for s in current.symbols if s != symbol.upper())
        updated = renamed(current, None, left, ctx.now_ns)
        await asyncio.to_thread(ctx.prefs.save_watchlist, updated)
        return _watchlist_json(ctx, updated)

    return router

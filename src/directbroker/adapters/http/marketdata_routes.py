"""Market Data API v2 for stocks: bars, quotes, trades, latest and snapshots, served from the
historical data service and the live views; plus Level II and time & sales (our extensions).

Paging follows Alpaca: ``limit`` counts items across all requested symbols and
``next_page_token`` resumes where the page ended. Our token is the symbol's position in the
request and the history store's own cursor, base64url-encoded.
"""

import base64
import binascii
import json
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Path, Query

from directbroker.adapters.history import Page
from directbroker.adapters.http.context import ApiContext
from directbroker.adapters.http.errors import ApiError
from directbroker.adapters.http.md_shapes import (
    bar_json,
    montage_json,
    quote_json,
    time_and_sales_json,
    trade_json,
)
from directbroker.adapters.http.openapi import TIME, one_of, symbols_param
from directbroker.adapters.http.ports import Principal
from directbroker.adapters.http.shapes import Json, iso
from directbroker.adapters.http.trading_routes import parse_time
from directbroker.domain.marketdata_messages import Timeframe
from directbroker.domain.rejects import RejectCode

T = TypeVar("T")
TIMEFRAMES = {"1Sec": Timeframe.SECOND, "1Min": Timeframe.MINUTE, "1T": Timeframe.MINUTE,
              "5Min": Timeframe.FIVE_MINUTES, "5T": Timeframe.FIVE_MINUTES,
              "1Day": Timeframe.DAY, "1D": Timeframe.DAY}  # fmt: skip
MAX_LIMIT = 10_000
SYMBOLS = symbols_param("list")
NEW_YORK = ZoneInfo("America/New_York")
_CURSOR = re.compile(r"-?\d{1,19}(:\d{1,19})?")
"""The history store's cursors: a time, or a time and a recording sequence."""


def encode_token(index: int, cursor: str | None) -> str:
    """A page token: which symbol, and where in it."""
    raw = json.dumps([index, cursor]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str | None, symbols: int) -> tuple[int, str | None]:
    """The (symbol index, cursor) of a page token, or a 422 for one we did not issue."""
    if not token:
        return 0, None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        index, cursor = json.loads(raw)
    except (binascii.Error, ValueError, TypeError):
        raise ApiError.invalid("page_token is not a token this server issued") from None
    if not isinstance(index, int) or not 0 <= index < symbols:
        raise ApiError.invalid("page_token does not fit this request")
    if cursor is not None and (not isinstance(cursor, str) or not _CURSOR.fullmatch(cursor)):
        raise ApiError.invalid("page_token does not fit this request")
    return index, cursor


def marketdata_router(ctx: ApiContext) -> APIRouter:
    """The /v2/stocks routes."""
    router = APIRouter(prefix="/v2/stocks", tags=["market data"])
    live = ctx.ports.market_data
    history = ctx.ports.history
    who_dep = Depends(ctx.who)

    def symbols_of(text: str) -> list[str]:
        names = [s.strip().upper() for s in text.split(",") if s.strip()]
        if not names:
            raise ApiError.invalid("symbols is required")
        if len(names) > 200:
            raise ApiError.invalid("at most 200 symbols per request")
        unknown = [n for n in names if ctx.instrument(n) is None]
        if unknown:
            raise ApiError.invalid(f"invalid symbol(s): {', '.join(unknown[:10])}",
                                   RejectCode.UNKNOWN_SYMBOL)  # fmt: skip
        return list(dict.fromkeys(names))

    def window(start: str | None, end: str | None) -> tuple[int, int]:
        now = ctx.now_ns
        if start is None:
            today = datetime.fromtimestamp(now / 1e9, UTC).astimezone(NEW_YORK)
            midnight = today.replace(hour=0, minute=0, second=0, microsecond=0)
            start_ns = int(midnight.timestamp()) * 1_000_000_000
        else:
            start_ns = parse_time(start, "start") or 0
        end_ns = parse_time(end, "end") or now
        if start_ns > end_ns:
            raise ApiError.invalid("start must not be after end")
        return start_ns, end_ns + 1

    async def paged(
        key: str,
        symbols: list[str],
        limit: int,
        token: str | None,
        fetch: Callable[[str, int, str | None], Awaitable[Page[T]]],
        render: Callable[[T], Json],
    ) -> Json:
        index, cursor = decode_token(token, len(symbols))
        out: dict[str, list[Json]] = {}
        left = limit
        next_token = None
        while index < len(symbols) and left > 0:
            try:
                page = await fetch(symbols[index], left, cursor)
            except ValueError:  # a cursor the store cannot use (e.g. beyond int64)
                raise ApiError.invalid("page_token does not fit this request") from None
            if page.items:
                out.setdefault(symbols[index], []).extend(render(i) for i in page.items)
            left -= len(page.items)
            if page.next_cursor is not None:
                cursor = page.next_cursor
                if left == 0:
                    next_token = encode_token(index, cursor)
                continue
            index, cursor = index + 1, None
            if left == 0 and index < len(symbols):
                next_token = encode_token(index, None)
        return {key: out, "next_page_token": next_token}

    @router.get("/bars", summary="Historical bars")
    async def bars(
        principal: Annotated[Principal, who_dep],
        symbols: Annotated[str, Query(max_length=4_000, json_schema_extra=SYMBOLS)],
        timeframe: Annotated[str, Query(max_length=8, json_schema_extra=one_of(TIMEFRAMES))],
        start: Annotated[str | None, Query(json_schema_extra=TIME)] = None,
        end: Annotated[str | None, Query(json_schema_extra=TIME)] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 1_000,
        page_token: Annotated[str | None, Query(max_length=512)] = None,
        sort: Annotated[str, Query(pattern="^(asc)$")] = "asc",
        feed: str | None = None,
        adjustment: str | None = None,
        asof: str | None = None,
        currency: str | None = None,
    ) -> Json:
        frame = TIMEFRAMES.get(timeframe)
        if frame is None:
            raise ApiError.invalid(f"timeframe must be one of {', '.join(TIMEFRAMES)}")
        names = symbols_of(symbols)
        first, last = window(start, end)
        return await paged(
            "bars", names, limit, page_token,
            lambda s, n, c: history.bars(s, frame, first, last, n, c), bar_json,
        )  # fmt: skip

    @router.get("/quotes", summary="Historical NBBO quotes")
    async def quotes(
        principal: Annotated[Principal, who_dep],
        symbols: Annotated[str, Query(max_length=4_000, json_schema_extra=SYMBOLS)],
        start: Annotated[str | None, Query(json_schema_extra=TIME)] = None,
        end: Annotated[str | None, Query(json_schema_extra=TIME)] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 1_000,
        page_token: Annotated[str | None, Query(max_length=512)] = None,
        sort: Annotated[str, Query(pattern="^(asc)$")] = "asc",
        feed: str | None = None,
        asof: str | None = None,
        currency: str | None = None,
    ) -> Json:
        names = symbols_of(symbols)
        first, last = window(start, end)
        return await paged(
            "quotes", names, limit, page_token,
            lambda s, n, c: history.quotes(s, first, last, n, c), quote_json,
        )  # fmt: skip

    @router.get("/trades", summary="Historical trades")
    async def trades(
        principal: Annotated[Principal, who_dep],
        symbols: Annotated[str, Query(max_length=4_000, json_schema_extra=SYMBOLS)],
        start: Annotated[str | None, Query(json_schema_extra=TIME)] = None,
        end: Annotated[str | None, Query(json_schema_extra=TIME)] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 1_000,
        page_token: Annotated[str | None, Query(max_length=512)] = None,
        sort: Annotated[str, Query(pattern="^(asc)$")] = "asc",
        feed: str | None = None,
        asof: str | None = None,
        currency: str | None = None,
    ) -> Json:
        names = symbols_of(symbols)
        first, last = window(start, end)
        return await paged(
            "trades", names, limit, page_token,
            lambda s, n, c: history.trades(s, first, last, n, c), trade_json,
        )  # fmt: skip

    def single(key: str, name: str, found: Json) -> Json:
        """Alpaca's per-symbol shape: the items as a list, named by the symbol."""
        items = found[key].get(name, [])
        return {key: items, "symbol": name, "next_page_token": found["next_page_token"]}

    @router.get("/{symbol}/bars", summary="Historical bars of one symbol")
    async def symbol_bars(
        symbol: Annotated[str, Path(max_length=16, json_schema_extra=SYMBOLS)],
        principal: Annotated[Principal, who_dep],
        timeframe: Annotated[str, Query(max_length=8, json_schema_extra=one_of(TIMEFRAMES))],
        start: Annotated[str | None, Query(json_schema_extra=TIME)] = None,
        end: Annotated[str | None, Query(json_schema_extra=TIME)] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 1_000,
        page_token: Annotated[str | None, Query(max_length=512)] = None,
        sort: Annotated[str, Query(pattern="^(asc)$")] = "asc",
        feed: str | None = None,
        adjustment: str | None = None,
        asof: str | None = None,
        currency: str | None = None,
    ) -> Json:
        name = symbols_of(symbol)[0]
        found = await bars(principal, name, timeframe, start, end, limit, page_token)
        return single("bars", name, found)

    @router.get("/{symbol}/quotes", summary="Historical NBBO quotes of one symbol")
    async def symbol_quotes(
        symbol: Annotated[str, Path(max_length=16, json_schema_extra=SYMBOLS)],
        principal: Annotated[Principal, who_dep],
        start: Annotated[str | None, Query(json_schema_extra=TIME)] = None,
        end: Annotated[str | None, Query(json_schema_extra=TIME)] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 1_000,
        page_token: Annotated[str | None, Query(max_length=512)] = None,
        sort: Annotated[str, Query(pattern="^(asc)$")] = "asc",
        feed: str | None = None,
        asof: str | None = None,
        currency: str | None = None,
    ) -> Json:
        name = symbols_of(symbol)[0]
        found = await quotes(principal, name, start, end, limit, page_token)
        return single("quotes", name, found)

    @router.get("/{symbol}/trades", summary="Historical trades of one symbol")
    async def symbol_trades(
        symbol: Annotated[str, Path(max_length=16, json_schema_extra=SYMBOLS)],
        principal: Annotated[Principal, who_dep],
        start: Annotated[str | None, Query(json_schema_extra=TIME)] = None,
        end: Annotated[str | None, Query(json_schema_extra=TIME)] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 1_000,
        page_token: Annotated[str | None, Query(max_length=512)] = None,
        sort: Annotated[str, Query(pattern="^(asc)$")] = "asc",
        feed: str | None = None,
        asof: str | None = None,
        currency: str | None = None,
    ) -> Json:
        name = symbols_of(symbol)[0]
        found = await trades(principal, name, start, end, limit, page_token)
        return single("trades", name, found)

    @router.get("/trades/latest", summary="Latest trades")
    async def latest_trades(
        principal: Annotated[Principal, who_dep],
        symbols: Annotated[str, Query(max_length=4_000, json_schema_extra=SYMBOLS)],
        feed: str | None = None,
        currency: str | None = None,
    ) -> Json:
        found: dict[str, Any] = {}
        for name in symbols_of(symbols):
            snap = live.snapshot(name)
            if snap is not None and snap.last_trade is not None:
                found[name] = trade_json(snap.last_trade)
        return {"trades": found}

    @router.get("/quotes/latest", summary="Latest quotes")
    async def latest_quotes(
        principal: Annotated[Principal, who_dep],
        symbols: Annotated[str, Query(max_length=4_000, json_schema_extra=SYMBOLS)],
        feed: str | None = None,
        currency: str | None = None,
    ) -> Json:
        found: dict[str, Any] = {}
        for name in symbols_of(symbols):
            snap = live.snapshot(name)
            if snap is not None and snap.quote is not None:
                found[name] = quote_json(snap.quote)
        return {"quotes": found}

    @router.get("/bars/latest", summary="Latest minute bars")
    async def latest_bars(
        principal: Annotated[Principal, who_dep],
        symbols: Annotated[str, Query(max_length=4_000, json_schema_extra=SYMBOLS)],
        feed: str | None = None,
        currency: str | None = None,
    ) -> Json:
        found: dict[str, Any] = {}
        for name in symbols_of(symbols):
            bar = live.latest_bar(name, Timeframe.MINUTE)
            if bar is not None:
                found[name] = bar_json(bar)
        return {"bars": found}

    @router.get("/snapshots", summary="Snapshots")
    async def snapshots(
        principal: Annotated[Principal, who_dep],
        symbols: Annotated[str, Query(max_length=4_000, json_schema_extra=SYMBOLS)],
        feed: str | None = None,
        currency: str | None = None,
    ) -> Json:
        found: dict[str, Any] = {}
        for name in symbols_of(symbols):
            snap = live.snapshot(name)
            if snap is None:
                continue
            minute = live.latest_bar(name, Timeframe.MINUTE)
            found[name] = {
                "latestTrade": trade_json(snap.last_trade) if snap.last_trade else None,
                "latestQuote": quote_json(snap.quote) if snap.quote else None,
                "minuteBar": bar_json(minute) if minute else None,
                "dailyBar": bar_json(snap.today) if snap.today else None,
                "prevDailyBar": None,
                "prevClose": None if snap.prior_close is None else snap.prior_close / 10_000,
            }
        return found

    @router.get("/{symbol}/level2", summary="Level II montage by venue (DirectBroker)")
    async def level2(
        symbol: Annotated[str, Path(json_schema_extra=SYMBOLS)],
        principal: Annotated[Principal, who_dep],
        levels: Annotated[int, Query(ge=1, le=50)] = 10,
    ) -> Json:
        name = symbols_of(symbol)[0]
        montage = live.montage(name, levels)
        if montage is None:
            raise ApiError.not_found(f"no book for {name}", RejectCode.UNKNOWN_SYMBOL)
        return {"symbol": name} | montage_json(montage, iso, ctx.now_ns)

    @router.get("/{symbol}/timesales", summary="Time & sales (DirectBroker)")
    async def time_and_sales(
        symbol: Annotated[str, Path(json_schema_extra=SYMBOLS)],
        principal: Annotated[Principal, who_dep],
        limit: Annotated[int, Query(ge=1, le=1_000)] = 100,
    ) -> Json:
        name = symbols_of(symbol)[0]
        prints = live.recent_trades(name, limit)
        return {"symbol": name, "trades": [time_and_sales_json(t) for t in prints]}

    return router

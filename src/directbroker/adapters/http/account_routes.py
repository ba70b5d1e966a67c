"""Trading API v2: the account, its configurations, activities and portfolio history."""

import re
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Path, Query

from directbroker.adapters.http.context import Acting, ApiContext
from directbroker.adapters.http.errors import ApiError
from directbroker.adapters.http.openapi import TIME, name_list_pattern, one_of
from directbroker.adapters.http.ports import Activity
from directbroker.adapters.http.schemas import ConfigurationsBody
from directbroker.adapters.http.shapes import Json, dollars, render_account, render_activity
from directbroker.adapters.http.trading_routes import parse_time
from directbroker.domain.broker_messages import (
    MARGIN_MULTIPLIERS,
    AccountConfiguration,
    CheckWhen,
    ConfigureAccount,
    ConfirmEmail,
)
from directbroker.domain.rejects import RejectCode

_DAY_NS = 86_400_000_000_000
_PERIOD = re.compile(r"^(\d{1,3})([DWMA])$")
_PERIOD_DAYS = {"D": 1, "W": 7, "M": 30, "A": 365}
_TIMEFRAMES = {"1Min": 60, "5Min": 300, "15Min": 900, "1H": 3_600, "1D": 86_400}
ACTIVITY_TYPES = frozenset(
    {"FILL", "TRANS", "MISC", "ACATC", "ACATS", "CSD", "CSW", "DIV", "DIVCGL", "DIVCGS",
     "DIVNRA", "DIVROC", "DIVTXEX", "FEE", "INT", "JNL", "JNLC", "JNLS", "MA", "NC", "PTC",
     "REORG", "SPIN", "SPLIT", "CFEE"}
)  # fmt: skip


_TYPES = {"pattern": name_list_pattern(ACTIVITY_TYPES)}
_PERIOD_SCHEMA = {"pattern": r"^(?:(?:\d{0,2}[1-9]|\d?[1-9]\d|[1-9]\d\d)[DWMA])?$"}
"""1 to 999 days, weeks, months or years (leading zeros allowed), or nothing."""


def configuration_json(config: AccountConfiguration) -> Json:
    """Alpaca's account configurations object."""
    return {
        "dtbp_check": config.dtbp_check.value,
        "pdt_check": config.pdt_check.value,
        "fractional_trading": config.fractional_trading,
        "max_margin_multiplier": str(config.max_margin_multiplier),
        "no_shorting": config.no_shorting,
        "suspend_trade": config.suspend_trade,
        "trade_confirm_email": config.trade_confirm_email,
        "ptp_no_exception_entry": config.ptp_no_exception_entry,
        "max_options_trading_level": config.max_options_trading_level,
    }


_Choice = TypeVar("_Choice", CheckWhen, ConfirmEmail)


def _choice(kind: type[_Choice], text: str | None, name: str) -> _Choice | None:
    if text is None:
        return None
    try:
        return kind(text)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise ApiError.invalid(
            f"{name} must be one of {allowed}", RejectCode.INVALID_CONFIGURATION
        ) from None


def configure_command(body: ConfigurationsBody, account: str) -> ConfigureAccount:
    """The :class:`ConfigureAccount` for a PATCH body (fields left out or null keep their
    values); the Broker API's configurations route can build its command here too."""
    multiplier = None
    if body.max_margin_multiplier is not None:
        value = body.max_margin_multiplier
        if value not in MARGIN_MULTIPLIERS or int(value) != value:
            raise ApiError.invalid(
                "max_margin_multiplier must be 1, 2 or 4", RejectCode.INVALID_CONFIGURATION
            )
        multiplier = int(value)
    return ConfigureAccount(
        account=account,
        dtbp_check=_choice(CheckWhen, body.dtbp_check, "dtbp_check"),
        pdt_check=_choice(CheckWhen, body.pdt_check, "pdt_check"),
        no_shorting=body.no_shorting,
        suspend_trade=body.suspend_trade,
        fractional_trading=body.fractional_trading,
        max_margin_multiplier=multiplier,
        trade_confirm_email=_choice(ConfirmEmail, body.trade_confirm_email, "trade_confirm_email"),
        ptp_no_exception_entry=body.ptp_no_exception_entry,
        max_options_trading_level=body.max_options_trading_level,
    )


def _activity_types(text: str | None) -> frozenset[str]:
    wanted = frozenset(t.strip().upper() for t in (text or "").split(",") if t.strip())
    unknown = wanted - ACTIVITY_TYPES
    if unknown:
        raise ApiError.invalid(f"unknown activity_types: {', '.join(sorted(unknown))}")
    return wanted


def _page(items: list[Activity], direction: str, page_size: int, token: str | None) -> list[Json]:
    ordered = sorted(items, key=lambda a: (a.ts_ns, a.activity_id), reverse=direction == "desc")
    rendered = [render_activity(a) for a in ordered]
    if token:
        ids = [r["id"] for r in rendered]
        if token not in ids:
            raise ApiError.invalid("page_token is not an activity id of this account")
        rendered = rendered[ids.index(token) + 1 :]
    return rendered[:page_size]


def account_router(ctx: ApiContext, prefix: str = "/v2/account") -> APIRouter:
    """The /v2/account routes (or the same under the Broker API's per-account ``prefix``)."""
    router = APIRouter(prefix=prefix, tags=["account"])
    trading = ctx.ports.trading
    acting_dep = Depends(ctx.acting)

    @router.get("", summary="Get the account")
    async def get_account(acting: Annotated[Acting, acting_dep]) -> Json:
        return render_account(await trading.account(acting.account))

    @router.get("/configurations", summary="Get account configurations")
    async def get_configurations(acting: Annotated[Acting, acting_dep]) -> Json:
        return configuration_json(await trading.configuration(acting.account))

    @router.patch("/configurations", summary="Change account configurations")
    async def patch_configurations(
        body: ConfigurationsBody, acting: Annotated[Acting, acting_dep]
    ) -> Json:
        command = configure_command(body, acting.account)
        return configuration_json(await trading.configure_account(command))

    async def activities(
        acting: Acting, types: frozenset[str], after: str | None, until: str | None,
        direction: str, page_size: int, page_token: str | None,
    ) -> list[Json]:  # fmt: skip
        found = await trading.activities(
            acting.account, types, parse_time(after, "after"), parse_time(until, "until")
        )
        return _page(found, direction, page_size, page_token)

    @router.get("/activities", summary="List account activities")
    async def list_activities(
        acting: Annotated[Acting, acting_dep],
        activity_types: Annotated[
            str | None, Query(max_length=500, json_schema_extra=_TYPES)
        ] = None,
        after: Annotated[str | None, Query(json_schema_extra=TIME)] = None,
        until: Annotated[str | None, Query(json_schema_extra=TIME)] = None,
        direction: Annotated[str, Query(pattern="^(asc|desc)$")] = "desc",
        page_size: Annotated[int, Query(ge=1, le=100)] = 100,
        page_token: Annotated[str | None, Query(max_length=100)] = None,
    ) -> list[Json]:
        types = _activity_types(activity_types)
        return await activities(acting, types, after, until, direction, page_size, page_token)

    @router.get("/activities/{activity_type}", summary="List activities of one type")
    async def list_activities_of(
        activity_type: Annotated[str, Path(json_schema_extra=_TYPES)],
        acting: Annotated[Acting, acting_dep],
        after: Annotated[str | None, Query(json_schema_extra=TIME)] = None,
        until: Annotated[str | None, Query(json_schema_extra=TIME)] = None,
        direction: Annotated[str, Query(pattern="^(asc|desc)$")] = "desc",
        page_size: Annotated[int, Query(ge=1, le=100)] = 100,
        page_token: Annotated[str | None, Query(max_length=100)] = None,
    ) -> list[Json]:
        types = _activity_types(activity_type)
        return await activities(acting, types, after, until, direction, page_size, page_token)

    @router.get("/portfolio/history", summary="Portfolio history")
    async def portfolio_history(
        acting: Annotated[Acting, acting_dep],
        period: Annotated[str | None, Query(max_length=8, json_schema_extra=_PERIOD_SCHEMA)] = None,
        timeframe: Annotated[
            str | None, Query(max_length=8, json_schema_extra=one_of(_TIMEFRAMES))
        ] = None,
        start: Annotated[str | None, Query(json_schema_extra=TIME)] = None,
        end: Annotated[str | None, Query(json_schema_extra=TIME)] = None,
        date_end: Annotated[str | None, Query(json_schema_extra=TIME)] = None,
        extended_hours: bool | None = None,
        intraday_reporting: str | None = None,
        pnl_reset: str | None = None,
        cashflow_types: str | None = None,
    ) -> Json:
        days = 30
        if period:
            match = _PERIOD.match(period)
            if match is None or int(match[1]) == 0:
                raise ApiError.invalid("period must be a number and D, W, M or A, e.g. 1M")
            days = int(match[1]) * _PERIOD_DAYS[match[2]]
        frame = timeframe or ("1Min" if days < 7 else "15Min" if days < 30 else "1D")
        if frame not in _TIMEFRAMES:
            raise ApiError.invalid(f"timeframe must be one of {', '.join(_TIMEFRAMES)}")
        step = _TIMEFRAMES[frame] * 1_000_000_000
        # Both are checked when both are given: bad input is refused, never ignored.
        end_ns = parse_time(end, "end") or parse_time(date_end, "date_end") or ctx.now_ns
        parse_time(date_end, "date_end")
        start_ns = parse_time(start, "start") or end_ns - days * _DAY_NS
        if start_ns >= end_ns or (end_ns - start_ns) // step > 100_000:
            raise ApiError.invalid("the window is empty or has too many points")
        points = await trading.equity_history(acting.account, start_ns, end_ns, step)
        base = points[0].equity - points[0].profit_loss if points else 0
        return {
            "timestamp": [p.ts_ns // 1_000_000_000 for p in points],
            "equity": [dollars(p.equity) for p in points],
            "profit_loss": [dollars(p.profit_loss) for p in points],
            "profit_loss_pct": [round(p.profit_loss / base, 6) if base else 0.0 for p in points],
            "base_value": dollars(base),
            "timeframe": frame,
            "cashflow": {},
        }

    return router

"""Broker API v1 trading on behalf of an account: the Trading API's routers, mounted under
``/v1/trading/accounts/{account_id}`` with a caller scoped to that one account.

The routers are the Trading API's own (orders, positions, the account and its
configurations, portfolio history, watchlists): only who the caller is changes.
:class:`OnBehalfContext` authenticates a staff key (HTTP Basic, operations role) and answers
as a principal that may touch ``account_id`` alone, so the Trading API's ownership checks
hide every other account's orders exactly as they do for a customer. Account activities live
at Alpaca's ``/v1/accounts/activities`` (and, as an extension, ``/v1/accounts/{id}/activities``).
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query, Request

from directbroker.adapters.http.account_routes import (
    ACTIVITY_TYPES,
    _activity_types,
    _page,
    account_router,
)
from directbroker.adapters.http.broker.auth import BrokerAuth, authenticate_staff
from directbroker.adapters.http.broker.errors import BrokerApiError
from directbroker.adapters.http.broker.funding_bodies import UUID_PATTERN
from directbroker.adapters.http.broker.ports import BrokerPorts
from directbroker.adapters.http.broker.trading_on_behalf_port import OnBehalfPorts
from directbroker.adapters.http.context import Acting, ApiContext
from directbroker.adapters.http.ids import is_uuid
from directbroker.adapters.http.openapi import TIME, name_list_pattern
from directbroker.adapters.http.ports import Principal, Role
from directbroker.adapters.http.reference_routes import watchlist_router
from directbroker.adapters.http.shapes import Json, money_text, render_account
from directbroker.adapters.http.trading_routes import parse_time, trading_router

PREFIX = "/v1/trading/accounts/{account_id}"
ROLES = (Role.OPERATIONS,)
"""Who may trade for a customer."""


class OnBehalfContext(ApiContext):
    """The Trading API's context, with the caller a staff member scoped to one account."""

    def __init__(self, family: OnBehalfPorts) -> None:
        super().__init__(family.ports, prefs=family.prefs)
        self.family = family

    def scoped(self, request: Request, account_id: str, authorization: str | None) -> Principal:
        """The staff member behind the request, as a principal for ``account_id`` alone."""
        auth = request.app.state.broker_auth
        assert isinstance(auth, BrokerAuth)
        peer = request.client.host if request.client else "unknown"
        member = authenticate_staff(auth, authorization, peer, ROLES)
        accounts = self.family.accounts
        if not is_uuid(account_id) or (accounts is not None and accounts.get(account_id) is None):
            raise BrokerApiError.not_found(f"account not found: {account_id[:64]}")
        return Principal(
            member.actor, member.key_id, Role.OPERATIONS, frozenset({account_id}), account_id,
            roles=member.roles,
        )  # fmt: skip

    def entered_by(self, principal: Principal) -> str:
        """Orders placed here are entered by the staff member's key, not the customer's."""
        return f"staff:{principal.key_id}"

    # The Trading API's routers depend on ``who`` and ``acting``; these take the account from
    # the path and the staff key from HTTP Basic instead of the customer's key headers.
    async def who(  # type: ignore[override]
        self,
        request: Request,
        account_id: str,
        authorization: Annotated[str | None, Header()] = None,
    ) -> Principal:
        """FastAPI dependency: the scoped caller."""
        return self.scoped(request, account_id, authorization)

    async def acting(  # type: ignore[override]
        self,
        request: Request,
        account_id: str,
        authorization: Annotated[str | None, Header()] = None,
    ) -> Acting:
        """FastAPI dependency: the scoped caller acting on ``account_id``."""
        return Acting(self.scoped(request, account_id, authorization), account_id)


def trading_on_behalf_router(ports: BrokerPorts) -> APIRouter:
    """Orders, positions, the trading account, portfolio history and watchlists per account."""
    family = ports.trading_on_behalf
    assert family is not None, "mounted only when the port is bound"
    ctx = OnBehalfContext(family)
    router = APIRouter()
    acting_dep = Depends(ctx.acting)

    @router.get(f"{PREFIX}/account", summary="Get an account's trading account", tags=["trading"])
    async def trade_account(acting: Annotated[Acting, acting_dep]) -> Json:
        snapshot = await ctx.ports.trading.account(acting.account)
        values = snapshot.values
        return render_account(snapshot) | {
            "cash_withdrawable": money_text(values.withdrawable_cash),
            "cash_transferable": money_text(values.withdrawable_cash),
            "previous_close": None,
            "last_long_market_value": None,
            "last_short_market_value": None,
            "last_cash": None,
            "last_initial_margin": None,
            "last_regt_buying_power": None,
            "last_buying_power": None,
            "clearing_broker": None,
        }

    router.include_router(trading_router(ctx, prefix=PREFIX))
    router.include_router(account_router(ctx, prefix=f"{PREFIX}/account"))
    router.include_router(watchlist_router(ctx, prefix=PREFIX))
    return router


TYPES = {"pattern": name_list_pattern(ACTIVITY_TYPES)}
"""A comma-separated list of Alpaca's activity types (any case)."""


def activities_router(ports: BrokerPorts) -> APIRouter:
    """Alpaca's ``/v1/accounts/activities`` (one account at a time: ``account_id`` is required
    here) and the extension ``/v1/accounts/{account_id}/activities``. Mounted by the accounts
    family ahead of ``/v1/accounts/{account_id}`` so the paths do not collide."""
    family = ports.trading_on_behalf
    assert family is not None
    ctx = OnBehalfContext(family)
    router = APIRouter(prefix="/accounts", tags=["activities"])

    async def listing(
        request: Request, account_id: str | None, authorization: str | None,
        types: frozenset[str], after: str | None, until: str | None, direction: str,
        page_size: int, page_token: str | None,
    ) -> list[Json]:  # fmt: skip
        if not account_id:
            raise BrokerApiError.invalid("account_id is required")
        ctx.scoped(request, account_id, authorization)
        found = await ctx.ports.trading.activities(
            account_id, types, parse_time(after, "after"), parse_time(until, "until")
        )
        return _page(found, direction, page_size, page_token)

    @router.get("/activities", summary="List account activities")
    async def activities(
        account_id: Annotated[str, Query(pattern=UUID_PATTERN)],
        request: Request,
        authorization: Annotated[str | None, Header()] = None,
        activity_types: Annotated[str | None, Query(json_schema_extra=TYPES)] = None,
        after: Annotated[str | None, Query(json_schema_extra=TIME)] = None,
        until: Annotated[str | None, Query(json_schema_extra=TIME)] = None,
        direction: Annotated[str, Query(pattern="^(asc|desc)$")] = "desc",
        page_size: Annotated[int, Query(ge=1, le=100)] = 100,
        page_token: Annotated[str | None, Query(max_length=100)] = None,
    ) -> list[Json]:
        return await listing(
            request, account_id, authorization, _activity_types(activity_types), after, until,
            direction, page_size, page_token,
        )  # fmt: skip

    @router.get("/activities/{activity_type}", summary="List activities of one type")
    async def activities_of(
        activity_type: Annotated[str, Path(json_schema_extra=TYPES)],
        account_id: Annotated[str, Query(pattern=UUID_PATTERN)],
        request: Request,
        authorization: Annotated[str | None, Header()] = None,
        after: Annotated[str | None, Query(json_schema_extra=TIME)] = None,
        until: Annotated[str | None, Query(json_schema_extra=TIME)] = None,
        direction: Annotated[str, Query(pattern="^(asc|desc)$")] = "desc",
        page_size: Annotated[int, Query(ge=1, le=100)] = 100,
        page_token: Annotated[str | None, Query(max_length=100)] = None,
    ) -> list[Json]:
        return await listing(
            request, account_id, authorization, _activity_types(activity_type), after, until,
            direction, page_size, page_token,
        )  # fmt: skip

    @router.get("/{account_id}/activities", summary="An account's activities (extension)")
    async def account_activities(
        account_id: str,
        request: Request,
        authorization: Annotated[str | None, Header()] = None,
        activity_types: Annotated[str | None, Query(json_schema_extra=TYPES)] = None,
        after: Annotated[str | None, Query(json_schema_extra=TIME)] = None,
        until: Annotated[str | None, Query(json_schema_extra=TIME)] = None,
        direction: Annotated[str, Query(pattern="^(asc|desc)$")] = "desc",
        page_size: Annotated[int, Query(ge=1, le=100)] = 100,
        page_token: Annotated[str | None, Query(max_length=100)] = None,
    ) -> list[Json]:
        return await listing(
            request, account_id, authorization, _activity_types(activity_types), after, until,
            direction, page_size, page_token,
        )  # fmt: skip

    return router

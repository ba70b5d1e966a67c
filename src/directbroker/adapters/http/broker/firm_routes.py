"""``/v1/firm``: the firm's own staff work, each route with the roles it needs.

Risk staff set limits, the kill switch and house margin; compliance staff keep the restricted
and easy-to-borrow lists and record locates; operations staff manage customers' API keys and
may also pull the kill switch and record locates. Issuing a key with a staff role needs an
administrator. Every change is a journaled broker command carrying ``actor`` (the staff
member's user id); any staff member may read. A key without the role gets 403 and changes
nothing.
"""

from __future__ import annotations

import re
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    JsonValue,
    StrictBool,
)

from directbroker.adapters.http.auth import hash_secret, new_key_id, new_salt, new_secret
from directbroker.adapters.http.broker.auth import (
    AnyStaff,
    ComplianceStaff,
    OperationsStaff,
    RiskStaff,
    StaffPrincipal,
    staff,
)
from directbroker.adapters.http.broker.errors import BrokerApiError, register_status
from directbroker.adapters.http.broker.firm_port import (
    FirmPort,
    KeyView,
    LimitsView,
    Stamp,
)
from directbroker.adapters.http.broker.ports import BrokerPorts
from directbroker.adapters.http.ports import Role
from directbroker.adapters.http.shapes import iso
from directbroker.domain.access_messages import (
    KNOWN_ROLES,
    STAFF_ROLES,
    IssueApiKey,
    RevokeApiKey,
)
from directbroker.domain.broker_messages import (
    RecordLocate,
    RestrictSymbol,
    SetAccountRiskLimits,
    SetEasyToBorrow,
    SetFirmRiskLimits,
    SetHouseMargin,
    SetKillSwitch,
)
from directbroker.domain.numbers import MAX_QUANTITY
from directbroker.domain.order_status import KillSwitchScope
from directbroker.domain.rejects import RejectCode

Json = dict[str, object]

RiskOrOperations = Annotated[StaffPrincipal, Depends(staff(Role.RISK, Role.OPERATIONS))]
ComplianceOrOperations = Annotated[StaffPrincipal, Depends(staff(Role.COMPLIANCE, Role.OPERATIONS))]

for _code, _status in (
    (RejectCode.UNKNOWN_API_KEY, 404),
    (RejectCode.DUPLICATE_API_KEY, 409),
    (RejectCode.DUPLICATE_LOCATE, 409),
    (RejectCode.INVALID_API_KEY, 422),
    (RejectCode.ACTOR_REQUIRED, 422),
    (RejectCode.DUPLICATE_ORDER_ID, 409),
):
    register_status(_code, _status)


SYMBOL_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9.]{0,11}$"
"""A symbol as staff name it (any case): letters, digits and dots, up to 12."""

SymbolPath = Annotated[str, Path(json_schema_extra={"pattern": SYMBOL_PATTERN})]

MAX_LIMIT = 10**15
"""The largest limit the risk core takes."""

ID_PATTERN = r"^[!-~]{1,64}$"
"""A role, account or group id on a key: printable ASCII without spaces (``$`` admits a final
newline, which is dropped)."""


def _whole(value: object) -> object:
    """JSON Schema's integer: a number with no fraction (``5.0`` is one), never a boolean or
    text (which lax validation would take for 1 or 5)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be an integer")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("must be an integer")
        return int(value)
    return value


_ROLES: list[JsonValue] = [*sorted(KNOWN_ROLES)]
_ID: dict[str, JsonValue] = {"type": "string", "pattern": ID_PATTERN}
Whole = Annotated[int, BeforeValidator(_whole)]
Limit = Annotated[Annotated[int, Field(ge=0, le=MAX_LIMIT)], BeforeValidator(_whole)]


def _matching(pattern: str) -> AfterValidator:
    """Text matching ``pattern`` as the document's validators read it (a final newline that
    ``$`` admits is dropped)."""

    def check(text: str) -> str:
        if not re.match(pattern, text):
            raise ValueError(f"must match {pattern}")
        return text.removesuffix("\n")

    return AfterValidator(check)


USER_PATTERN = r"^[ -~]{1,128}$"
"""A key's user id: printable ASCII."""

Ids = Annotated[
    list[Annotated[str, _matching(ID_PATTERN)]],
    Field(max_length=256, json_schema_extra={"uniqueItems": True}),
]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AccountLimitsBody(_Body):
    """An account's limits to set (fields left out keep their value; 0 means no limit)."""

    max_order_quantity: Limit | None = Field(None)
    max_order_notional: Limit | None = Field(None, description="price units, $0.0001")
    credit_limit: Limit | None = Field(None, description="price units, $0.0001")
    max_daily_loss: Limit | None = Field(None, description="price units, $0.0001")
    max_orders_per_second: Limit | None = Field(None)
    collar_bps: Limit | None = Field(None)


class LimitsBody(AccountLimitsBody):
    """The firm's limits to set (fields left out keep their value; 0 means no limit)."""

    duplicate_window_ns: Limit | None = Field(None)
    market_buffer_bps: Limit | None = Field(None)


class KillSwitchBody(_Body):
    """Engage or release a kill switch: ``scope`` firm, account (``target`` the account) or
    symbol (``target`` the symbol)."""

    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [
                {"properties": {"scope": {"const": "firm"}}},
                {"properties": {"scope": {"const": "account"},
                                "target": {"type": "string", "pattern": r"\S"}},
                 "required": ["target"]},
                {"properties": {"scope": {"const": "symbol"},
                                "target": {"type": "string", "pattern": SYMBOL_PATTERN}},
                 "required": ["target"]},
            ]
        }
    )  # fmt: skip

    scope: KillSwitchScope
    target: str = Field("", max_length=64)
    engaged: StrictBool = True
    reason: str = Field("", max_length=256)


class ReasonBody(_Body):
    """Why (for the audit trail)."""

    reason: str = Field("", max_length=256)


class LocateBody(_Body):
    """Shares located for an account's short sales today."""

    account: Annotated[str, _matching(ID_PATTERN)] = Field(json_schema_extra=_ID)
    symbol: str = Field(json_schema_extra={"pattern": SYMBOL_PATTERN})
    quantity: Whole = Field(gt=0, le=MAX_QUANTITY)
    locate_id: Annotated[str, _matching(ID_PATTERN)] | None = Field(
        None, json_schema_extra={"anyOf": [_ID, {"type": "null"}]}
    )


class HouseMarginBody(_Body):
    """A house maintenance requirement in basis points (0 removes it)."""

    maintenance_bps: Whole = Field(ge=0, le=10_000)


class KeyBody(_Body):
    """A new API key: roles, and for customers the accounts (the first is the default)."""

    user_id: Annotated[str, _matching(USER_PATTERN)] = Field(
        json_schema_extra={"pattern": USER_PATTERN}
    )
    roles: list[str] = Field(
        min_length=1, max_length=8, json_schema_extra={"items": {"enum": _ROLES}}
    )
    accounts: Ids = Field(default_factory=list, json_schema_extra={"items": _ID})
    groups: Ids = Field(default_factory=list, json_schema_extra={"items": _ID})


def _stamp(stamp: Stamp | None) -> Json:
    if stamp is None:
        return {"changed_by": None, "changed_at": None}
    return {"changed_by": stamp.actor, "changed_at": iso(stamp.ts_ns)}


def _limits(view: LimitsView) -> Json:
    return {"account": view.account or None, **view.limits, **_stamp(view.changed)}


def _key(view: KeyView) -> Json:
    return {
        "key_id": view.key_id,
        "user_id": view.user_id,
        "roles": list(view.roles),
        "accounts": list(view.accounts),
        "groups": list(view.groups),
        "issued_by": view.issued.actor,
        "issued_at": iso(view.issued.ts_ns),
        "revoked_by": view.revoked.actor if view.revoked else None,
        "revoked_at": iso(view.revoked.ts_ns) if view.revoked else None,
        "status": "revoked" if view.revoked else "active",
    }


def _symbol(text: str) -> str:
    """The symbol ``text`` names; 422 unless it matches :data:`SYMBOL_PATTERN` (as the
    document's validators read it: a final newline is allowed by ``$``)."""
    if not re.match(SYMBOL_PATTERN, text):
        raise BrokerApiError.invalid(
            f"not a symbol: {text[:16]!r}", RejectCode.INVALID_SYMBOL_LIST_ENTRY
        )
    return text.rstrip("\n").upper()


def firm_router(ports: BrokerPorts) -> APIRouter:
    """The ``/v1/firm`` routes over ``ports.firm``."""
    router = APIRouter(prefix="/v1/firm", tags=["firm"])
    port: FirmPort | None = ports.firm
    assert port is not None
    firm: FirmPort = port

    @router.get("/whoami", summary="The staff key calling")
    async def whoami(actor: AnyStaff) -> Json:
        """The staff key calling: its id, user and roles (any staff role may ask)."""
        return {
            "key_id": actor.key_id,
            "user_id": actor.user_id,
            "roles": sorted(role.value for role in actor.roles),
        }

    # --- risk limits ---------------------------------------------------------------------

    @router.get("/limits", summary="The firm's risk limits")
    async def get_firm_limits(_: AnyStaff) -> Json:
        return _limits(firm.firm_limits())

    @router.put("/limits", summary="Set the firm's risk limits (risk)")
    async def put_firm_limits(body: LimitsBody, actor: RiskStaff) -> Json:
        values = {**firm.firm_limits().limits, **body.model_dump(exclude_none=True)}
        await firm.command(SetFirmRiskLimits(**values, actor=actor.actor))
        return _limits(firm.firm_limits())

    @router.get("/accounts/{account}/limits", summary="An account's own risk limits")
    async def get_account_limits(account: str, _: AnyStaff) -> Json:
        view = firm.account_limits(account)
        if view is None:
            return _limits(LimitsView(account, dict.fromkeys(_ACCOUNT_FIELDS, 0), None))
        return _limits(view)

    @router.put("/accounts/{account}/limits", summary="Set an account's risk limits (risk)")
    async def put_account_limits(account: str, body: AccountLimitsBody, actor: RiskStaff) -> Json:
        given = body.model_dump(exclude_none=True)
        current = firm.account_limits(account)
        values = {**(current.limits if current else dict.fromkeys(_ACCOUNT_FIELDS, 0)), **given}
        await firm.command(SetAccountRiskLimits(account, **values, actor=actor.actor))
        return await get_account_limits(account, actor)

    # --- kill switch ---------------------------------------------------------------------

    @router.get("/kill-switches", summary="Engaged kill switches")
    async def get_kill_switches(_: AnyStaff) -> list[Json]:
        return [
            {"scope": k.scope, "target": k.target or None, "reason": k.reason, **_stamp(k.changed)}
            for k in firm.kill_switches()
        ]

    @router.put("/kill-switch", summary="Engage or release a kill switch (risk, operations)")
    async def put_kill_switch(body: KillSwitchBody, actor: RiskOrOperations) -> list[Json]:
        scope, target = body.scope, body.target.strip()
        if scope is not KillSwitchScope.FIRM and not target:
            raise BrokerApiError.invalid(
                f"a {scope.value} kill switch needs a target", RejectCode.INVALID_KILL_SWITCH
            )
        account = target if scope is KillSwitchScope.ACCOUNT else ""
        symbol = _symbol(target) if scope is KillSwitchScope.SYMBOL else ""
        await firm.command(
            SetKillSwitch(scope, account, body.engaged, body.reason, actor.actor, symbol)
        )
        return await get_kill_switches(actor)

    # --- lists ---------------------------------------------------------------------------

    @router.get("/restricted", summary="The restricted list")
    async def get_restricted(_: AnyStaff) -> list[Json]:
        return [
            {"symbol": e.symbol, "reason": e.reason, **_stamp(e.changed)} for e in firm.restricted()
        ]

    @router.put("/restricted/{symbol}", summary="Restrict a symbol (compliance)")
    async def restrict(symbol: SymbolPath, body: ReasonBody, actor: ComplianceStaff) -> list[Json]:
        await firm.command(RestrictSymbol(_symbol(symbol), True, body.reason, actor.actor))
        return await get_restricted(actor)

    @router.delete("/restricted/{symbol}", summary="Lift a restriction (compliance)")
    async def unrestrict(symbol: SymbolPath, actor: ComplianceStaff) -> list[Json]:
        await firm.command(RestrictSymbol(_symbol(symbol), False, "", actor.actor))
        return await get_restricted(actor)

    @router.get("/easy-to-borrow", summary="The easy-to-borrow list")
    async def get_easy_to_borrow(_: AnyStaff) -> list[Json]:
        return [{"symbol": e.symbol, **_stamp(e.changed)} for e in firm.easy_to_borrow()]

    @router.put("/easy-to-borrow/{symbol}", summary="Add to the easy-to-borrow list")
    async def add_etb(symbol: SymbolPath, actor: ComplianceStaff) -> list[Json]:
        await firm.command(SetEasyToBorrow(_symbol(symbol), True, actor.actor))
        return await get_easy_to_borrow(actor)

    @router.delete("/easy-to-borrow/{symbol}", summary="Remove from the easy-to-borrow list")
    async def remove_etb(symbol: SymbolPath, actor: ComplianceStaff) -> list[Json]:
        await firm.command(SetEasyToBorrow(_symbol(symbol), False, actor.actor))
        return await get_easy_to_borrow(actor)

    # --- locates and house margin --------------------------------------------------------

    @router.get("/locates", summary="Today's locates")
    async def get_locates(_: AnyStaff) -> list[Json]:
        return [
            {
                "account": v.account, "symbol": v.symbol, "quantity": v.quantity,
                "locate_ids": list(v.locate_ids), **_stamp(v.changed),
            }
            for v in firm.locates()
        ]  # fmt: skip

    @router.post("/locates", status_code=201, summary="Record a locate (compliance, operations)")
    async def post_locate(body: LocateBody, actor: ComplianceOrOperations) -> Json:
        locate_id = body.locate_id or f"loc-{uuid.uuid4()}"
        symbol = _symbol(body.symbol)
        await firm.command(
            RecordLocate(body.account, symbol, locate_id, body.quantity, actor.actor)
        )
        found = [v for v in firm.locates() if (v.account, v.symbol) == (body.account, symbol)]
        total = found[0].quantity if found else body.quantity
        return {
            "locate_id": locate_id, "account": body.account, "symbol": symbol,
            "quantity": body.quantity, "located_today": total,
        }  # fmt: skip

    @router.get("/house-margin", summary="House maintenance requirements")
    async def get_house_margin(_: AnyStaff) -> list[Json]:
        return [
            {"symbol": v.symbol, "maintenance_bps": v.maintenance_bps, **_stamp(v.changed)}
            for v in firm.house_margin()
        ]

    @router.put("/house-margin/{symbol}", summary="Set a house requirement (risk)")
    async def put_house_margin(
        symbol: SymbolPath, body: HouseMarginBody, actor: RiskStaff
    ) -> list[Json]:
        await firm.command(SetHouseMargin(_symbol(symbol), body.maintenance_bps, actor.actor))
        return await get_house_margin(actor)

    # --- API keys ------------------------------------------------------------------------

    @router.get("/keys", summary="API keys (never their secrets)")
    async def get_keys(
        actor: OperationsStaff, include_revoked: Annotated[bool, Query()] = False
    ) -> list[Json]:
        return [_key(view) for view in firm.api_keys(include_revoked)]

    @router.post("/keys", status_code=201, summary="Issue an API key (operations)")
    async def post_key(body: KeyBody, actor: OperationsStaff) -> Json:
        roles = tuple(dict.fromkeys(body.roles))
        unknown = sorted(set(roles) - KNOWN_ROLES)
        if unknown:
            raise BrokerApiError.invalid(
                f"unknown roles: {', '.join(unknown)}", RejectCode.INVALID_API_KEY
            )
        if set(roles) & STAFF_ROLES and not actor.holds(Role.ADMINISTRATOR):
            raise BrokerApiError.forbidden("forbidden: only an administrator issues staff keys")
        key_id, secret = new_key_id(), new_secret()
        salt = new_salt()
        await firm.command(
            IssueApiKey(
                key_id, body.user_id, roles, tuple(body.accounts), tuple(body.groups), salt,
                hash_secret(secret, salt), actor.actor,
            )
        )  # fmt: skip
        shown = next((_key(v) for v in firm.api_keys() if v.key_id == key_id), {"key_id": key_id})
        return {**shown, "secret": secret}

    @router.delete("/keys/{key_id}", summary="Revoke an API key (operations)")
    async def delete_key(
        key_id: str, actor: OperationsStaff, reason: Annotated[str, Query(max_length=256)] = ""
    ) -> Json:
        if key_id == actor.key_id:
            raise BrokerApiError.invalid("a key cannot revoke itself", RejectCode.INVALID_API_KEY)
        await firm.command(RevokeApiKey(key_id, actor.actor, reason))
        found = [v for v in firm.api_keys(include_revoked=True) if v.key_id == key_id]
        return _key(found[0]) if found else {"key_id": key_id, "status": "revoked"}

    return router


_ACCOUNT_FIELDS = (
    "max_order_quantity", "max_order_notional", "credit_limit", "max_daily_loss",
    "max_orders_per_second", "collar_bps",
)  # fmt: skip

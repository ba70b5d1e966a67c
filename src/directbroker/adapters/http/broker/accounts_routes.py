"""Broker API v1 accounts: open, read, list, update and close customer accounts, and the
firm extension to decide applications that wait for a person.

Every route needs a staff key holding the operations or compliance role. Account ids are
UUIDs chosen here (as Alpaca's); everything the request says goes to the broker core as one
journaled command, answered once durable. Documents and account status events are mounted
with this family (they read the same read model).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Query
from pydantic import BaseModel, ConfigDict

from directbroker.adapters.http.broker.accounts_port import AccountQuery, AccountsPort
from directbroker.adapters.http.broker.accounts_shapes import (
    application_record,
    exact,
    render_account,
    trading_type,
)
from directbroker.adapters.http.broker.auth import StaffPrincipal, staff
from directbroker.adapters.http.broker.documents_routes import documents_router
from directbroker.adapters.http.broker.errors import BrokerApiError, register_status
from directbroker.adapters.http.broker.events_routes import events_router
from directbroker.adapters.http.broker.ports import BrokerPorts
from directbroker.adapters.http.ids import is_uuid
from directbroker.adapters.http.openapi import TIME
from directbroker.adapters.http.ports import Role
from directbroker.adapters.http.shapes import Json
from directbroker.adapters.http.trading_routes import parse_time
from directbroker.domain.rejects import RejectCode

for _code in (
    RejectCode.KYC_FIELD_MISSING, RejectCode.KYC_FIELD_INVALID, RejectCode.COUNTRY_NOT_ACCEPTED,
    RejectCode.SANCTIONED_COUNTRY, RejectCode.STATE_NOT_ACCEPTED, RejectCode.UNDER_MINIMUM_AGE,
    RejectCode.SELF_DIRECTED_NOT_ACKNOWLEDGED, RejectCode.MARGIN_AGREEMENT_REQUIRED,
    RejectCode.INVALID_ACCOUNT_TRANSITION, RejectCode.FIELD_NOT_UPDATABLE,
    RejectCode.INVALID_ACCOUNT_ID, RejectCode.ACCOUNT_NOT_FLAT,
):  # fmt: skip
    register_status(_code, 422)
register_status(RejectCode.DUPLICATE_ACCOUNT_ID, 409)

AccountsStaff = Annotated[StaffPrincipal, Depends(staff(Role.OPERATIONS, Role.COMPLIANCE))]
"""Who may open and maintain accounts: operations or compliance staff."""

JsonBody = Annotated[Any, Body()]


class ReviewBody(BaseModel):
    """A staff decision on an application (``reason`` is kept for the audit trail)."""

    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "reject"]
    reason: str | None = None


def accounts_router(ports: BrokerPorts) -> APIRouter:
    """The /v1/accounts routes, documents, account status events and application review."""
    router = APIRouter(prefix="/v1", tags=["accounts"])
    port: AccountsPort | None = ports.accounts
    assert port is not None, "mounted only when the accounts port is bound"

    if ports.trading_on_behalf is not None:
        from directbroker.adapters.http.broker.trading_on_behalf_routes import activities_router

        router.include_router(activities_router(ports))

    def known(account_id: str) -> str:
        if not is_uuid(account_id) or port.get(account_id) is None:
            raise BrokerApiError.not_found(f"account not found: {account_id[:64]}")
        return account_id

    @router.post("/accounts", summary="Create an account")
    async def create_account(body: JsonBody, actor: AccountsStaff) -> Json:
        if not isinstance(body, dict):
            raise BrokerApiError.invalid(
                "the body must be a JSON object", RejectCode.KYC_FIELD_MISSING
            )
        record = application_record(body)
        view = await port.create(str(uuid.uuid4()), trading_type(body), record, actor.actor)
        return render_account(view)

    @router.get("/accounts", summary="List accounts")
    async def list_accounts(
        actor: AccountsStaff,
        query: Annotated[str | None, Query(max_length=500)] = None,
        status: Annotated[str | None, Query(max_length=500)] = None,
        created_after: Annotated[str | None, Query(json_schema_extra=TIME)] = None,
        created_before: Annotated[str | None, Query(json_schema_extra=TIME)] = None,
        sort: Annotated[str, Query(pattern="^(asc|desc)$")] = "desc",
        entities: str | None = None,
    ) -> list[Json]:
        wanted = AccountQuery(
            query=tuple((query or "").split()),
            statuses=frozenset(s.strip().upper() for s in (status or "").split(",") if s.strip()),
            created_after_ns=parse_time(created_after, "created_after"),
            created_before_ns=parse_time(created_before, "created_before"),
            descending=sort == "desc",
        )
        return [render_account(view) for view in port.list_accounts(wanted)]

    @router.get("/accounts/{account_id}", summary="Get an account")
    async def get_account(account_id: str, actor: AccountsStaff) -> Json:
        view = port.get(known(account_id))
        assert view is not None
        return render_account(view)

    @router.patch("/accounts/{account_id}", summary="Update an account")
    async def update_account(account_id: str, body: JsonBody, actor: AccountsStaff) -> Json:
        known(account_id)
        if not isinstance(body, dict) or not body:
            raise BrokerApiError.invalid("give at least one section to change")
        view = await port.update(account_id, exact(body), actor.actor)
        return render_account(view)

    @router.post(
        "/accounts/{account_id}/actions/close", status_code=204, summary="Close an account"
    )
    async def close_account(account_id: str, actor: AccountsStaff) -> None:
        await port.close(known(account_id), "closed by the firm", actor.actor)

    @router.post("/firm/accounts/{account_id}/review", summary="Approve or reject (extension)")
    async def review_account(account_id: str, body: ReviewBody, actor: AccountsStaff) -> Json:
        """DirectBroker extension: decide an application that is APPROVAL_PENDING or
        ACTION_REQUIRED. Body: ``{"decision": "approve" | "reject", "reason": "..."}``."""
        known(account_id)
        reason = (body.reason or "")[:256]
        view = await port.review(account_id, body.decision == "approve", reason, actor.actor)
        return render_account(view)

    router.include_router(documents_router(port, known))
    router.include_router(events_router(port))
    return router

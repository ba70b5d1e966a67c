"""Broker API funding routes (Alpaca v1): ACH relationships, transfers and journals, plus the
transfer, journal and trade event streams (``funding_events``). Operations staff only.

Ids of new relationships, transfers and journals are made here (UUIDs, as Alpaca's), since the
core makes none; every command carries the staff member as its actor. Amounts are parsed to
exact money units here and refused when they are not whole cents.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response

from directbroker.adapters.http.broker.auth import StaffPrincipal, staff
from directbroker.adapters.http.broker.errors import BrokerApiError, register_status
from directbroker.adapters.http.broker.funding_bodies import (
    UUID_PATTERN,
    AchBody,
    CashJournal,
    JournalBody,
    SecurityJournal,
    TransferBody,
)
from directbroker.adapters.http.broker.funding_events import funding_events_router
from directbroker.adapters.http.broker.funding_port import FundingPort
from directbroker.adapters.http.broker.funding_shapes import (
    render_journal,
    render_relationship,
    render_transfer,
)
from directbroker.adapters.http.broker.ports import BrokerPorts
from directbroker.adapters.http.openapi import DATE_PATTERN
from directbroker.adapters.http.ports import Role
from directbroker.domain.accounts import parse_money
from directbroker.domain.funding_messages import (
    JNLC,
    JNLS,
    CreateAchRelationship,
    RequestJournal,
    RequestTransfer,
)
from directbroker.domain.rejects import DomainRejection, RejectCode

for _code, _status in (
    (RejectCode.UNKNOWN_RELATIONSHIP, 404),
    (RejectCode.UNKNOWN_TRANSFER, 404),
    (RejectCode.UNKNOWN_JOURNAL, 404),
    (RejectCode.DUPLICATE_FUNDING_ID, 409),
    (RejectCode.RELATIONSHIP_EXISTS, 409),
    (RejectCode.INVALID_ROUTING_NUMBER, 422),
    (RejectCode.INVALID_BANK_ACCOUNT, 422),
    (RejectCode.RELATIONSHIP_NOT_APPROVED, 409),
    (RejectCode.TRANSFER_NOT_CANCELABLE, 409),
    (RejectCode.WITHDRAWAL_EXCEEDS_WITHDRAWABLE, 403),
    (RejectCode.JOURNAL_NOT_CANCELABLE, 409),
    (RejectCode.JOURNAL_OVERDRAWS_CASH, 403),
    (RejectCode.JOURNAL_EXCEEDS_POSITION, 403),
    (RejectCode.JOURNAL_SAME_ACCOUNT, 422),
    (RejectCode.INVALID_JOURNAL, 422),
    (RejectCode.INVALID_TRANSFER, 422),
    (RejectCode.JOURNAL_RECEIVER_SHORT, 409),
):
    register_status(_code, _status)

Funding = Annotated[StaffPrincipal, Depends(staff(Role.OPERATIONS))]
Json = dict[str, Any]


def money(value: str | float | None) -> int:
    """Exact money units from Alpaca's amount (text or number); 422 unless whole cents > 0."""
    if value is None:
        raise BrokerApiError.invalid("amount is required", RejectCode.INVALID_AMOUNT)
    try:
        return parse_money(str(value))
    except DomainRejection as bad:
        raise BrokerApiError.invalid(str(bad), RejectCode.INVALID_AMOUNT) from None


def shares(value: str | float | None) -> int:
    """A whole number of shares; 422 otherwise (fractional journals are not supported)."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise BrokerApiError.invalid(f"qty {value!r}", RejectCode.INVALID_JOURNAL) from None
    if not number.is_finite() or number != number.to_integral_value() or number <= 0:
        raise BrokerApiError.invalid(
            f"qty {value!r} must be a whole number of shares", RejectCode.INVALID_JOURNAL
        )
    return int(number)


def funding_router(ports: BrokerPorts) -> APIRouter:
    """The funding routes and event streams."""
    port: FundingPort | None = ports.funding
    assert port is not None, "mounted only when the funding port is set"
    router = APIRouter(prefix="/v1", tags=["funding"])

    def known(account_id: str) -> None:
        if not port.has_account(account_id):
            raise BrokerApiError.not_found(f"account not found: {account_id}")

    @router.post("/accounts/{account_id}/ach_relationships")
    async def create_ach(account_id: str, body: AchBody, actor: Funding) -> Json:
        command = CreateAchRelationship(
            str(uuid.uuid4()), account_id, body.account_owner_name, body.bank_account_type,
            body.bank_account_number, body.bank_routing_number, body.nickname or "", actor.actor,
        )  # fmt: skip
        return render_relationship(await port.create_relationship(command))

    @router.get("/accounts/{account_id}/ach_relationships")
    async def list_ach(account_id: str, actor: Funding, statuses: str | None = None) -> list[Json]:
        known(account_id)
        wanted = frozenset(s.strip().upper() for s in (statuses or "").split(",") if s.strip())
        return [render_relationship(r) for r in port.relationships(account_id, wanted)]

    @router.delete("/accounts/{account_id}/ach_relationships/{relationship_id}", status_code=204)
    async def delete_ach(account_id: str, relationship_id: str, actor: Funding) -> Response:
        known(account_id)
        await port.delete_relationship(account_id, relationship_id, actor.actor)
        return Response(status_code=204)

    @router.post("/accounts/{account_id}/transfers")
    async def create_transfer(account_id: str, body: TransferBody, actor: Funding) -> Json:
        command = RequestTransfer(
            str(uuid.uuid4()), account_id, body.relationship_id, body.direction,
            money(body.amount), actor.actor,
        )  # fmt: skip
        return render_transfer(await port.create_transfer(command))

    @router.get("/accounts/{account_id}/transfers")
    async def list_transfers(
        account_id: str,
        actor: Funding,
        direction: str | None = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> list[Json]:
        known(account_id)
        chosen = port.transfers(account_id, direction.upper() if direction else None)
        return [render_transfer(t) for t in chosen[offset : offset + limit]]

    @router.delete("/accounts/{account_id}/transfers/{transfer_id}", status_code=204)
    async def cancel_transfer(account_id: str, transfer_id: str, actor: Funding) -> Response:
        known(account_id)
        await port.cancel_transfer(account_id, transfer_id, actor.actor)
        return Response(status_code=204)

    @router.post("/journals")
    async def create_journal(body: JournalBody, actor: Funding) -> Json:
        return render_journal(await port.create_journal(journal_command(body, actor.actor)))

    @router.get("/journals")
    async def list_journals(
        actor: Funding,
        after: Annotated[str | None, Query(pattern=DATE_PATTERN)] = None,
        before: Annotated[str | None, Query(pattern=DATE_PATTERN)] = None,
        status: Literal["queued", "executed", "rejected", "canceled"] | None = None,
        entry_type: Literal["JNLC", "JNLS"] | None = None,
        to_account: Annotated[str | None, Query(pattern=UUID_PATTERN)] = None,
        from_account: Annotated[str | None, Query(pattern=UUID_PATTERN)] = None,
    ) -> list[Json]:
        after_day, before_day = _day(after), _day(before)
        chosen = []
        for item in port.journals():
            day = datetime.fromtimestamp(item.created_ns / 1e9, UTC).date()
            if (
                (after_day is not None and day <= after_day)
                or (before_day is not None and day >= before_day)
                or (status is not None and item.status_to != status)
                or (entry_type is not None and item.entry_type != entry_type)
                or (to_account is not None and item.to_account != to_account)
                or (from_account is not None and item.from_account != from_account)
            ):
                continue
            chosen.append(render_journal(item))
        return chosen

    @router.get("/journals/{journal_id}")
    async def get_journal(journal_id: str, actor: Funding) -> Json:
        item = port.journal(journal_id)
        if item is None:
            raise BrokerApiError.not_found(
                f"journal not found: {journal_id}", RejectCode.UNKNOWN_JOURNAL
            )
        return render_journal(item)

    @router.delete("/journals/{journal_id}", status_code=204)
    async def cancel_journal(journal_id: str, actor: Funding) -> Response:
        await port.cancel_journal(journal_id, actor.actor)
        return Response(status_code=204)

    router.include_router(funding_events_router(port))
    return router


def _day(text: str | None) -> date | None:
    """A day the pattern admitted (it admits only real dates, 1971 to 2260)."""
    return None if text is None else date.fromisoformat(text)


def journal_command(body: CashJournal | SecurityJournal, actor: str) -> RequestJournal:
    """The journal request a body asks for (its schema has already told JNLC from JNLS)."""
    journal_id = str(uuid.uuid4())
    description = body.description or ""
    if isinstance(body, CashJournal):
        return RequestJournal(
            journal_id, JNLC, body.from_account, body.to_account, money(body.amount),
            description=description, actor=actor,
        )  # fmt: skip
    return RequestJournal(
        journal_id, JNLS, body.from_account, body.to_account, symbol=body.symbol.upper(),
        quantity=shares(body.qty), description=description, actor=actor,
    )  # fmt: skip

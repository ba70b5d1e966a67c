"""The accounts family's port: account opening and maintenance, status events, documents.

Commands (create, review, update, close) are ``async`` and answered once durable; a refusal
is raised as :class:`~directbroker.adapters.http.ports.PortRejection`. Queries read the
platform's read models and are quick. Views carry the KYC record as plain nested data; the
edge renders it in Alpaca's shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from directbroker.adapters.http.ports import MarginCallView


@dataclass(frozen=True, slots=True)
class AccountView:
    """An account as the Broker API shows it. ``kyc`` holds contact, identity, disclosures,
    agreements and trusted contact as the applicant gave them (personal data: staff only)."""

    account_id: str
    account_number: str
    account_type: str
    """``cash`` or ``margin`` (how the books hold it)."""
    status: str
    kyc: dict[str, Any]
    created_ns: int
    updated_ns: int
    last_equity: int = 0
    """Money units ($0.0001); 0 until the books value the account."""
    margin_call: MarginCallView | None = None
    """The open margin call (shown as the ``margin_call`` extension field)."""
    margin_deficiency: int = 0
    """What the call still misses as the books last valued the account."""


@dataclass(frozen=True, slots=True)
class AccountQuery:
    """Alpaca's GET /v1/accounts filters."""

    query: tuple[str, ...] = ()
    """Tokens that must each appear in the number, name, email or phone (logical AND)."""
    statuses: frozenset[str] = frozenset()
    created_after_ns: int | None = None
    created_before_ns: int | None = None
    descending: bool = True


@dataclass(frozen=True, slots=True)
class StatusEvent:
    """One account status change, numbered in commit order (Alpaca's account status SSE)."""

    event_id: int
    account_id: str
    account_number: str
    at_ns: int
    status_from: str
    status_to: str
    reason: str


@dataclass(frozen=True, slots=True)
class DocumentView:
    """A document the firm issued for an account. ``date`` is YYYY-MM-DD."""

    document_id: str
    account_id: str
    name: str
    document_type: str
    sub_type: str
    date: str
    mime_type: str


class StatusSubscription(Protocol):
    """Live status events after a point; the edge owns it until ``close``."""

    async def get(self) -> StatusEvent | None:
        """The next event; None once closed (or dropped for falling behind)."""
        ...

    def close(self) -> None:
        """Stop delivering."""
        ...


class AccountsPort(Protocol):
    """Account opening, maintenance, status events and documents."""

    async def create(
        self, account_id: str, account_type: str, kyc: dict[str, Any], actor: str
    ) -> AccountView:
        """Apply for an account (eligibility decides its first statuses)."""
        ...

    async def review(self, account_id: str, approve: bool, reason: str, actor: str) -> AccountView:
        """Staff approve or reject an application waiting for a decision."""
        ...

    async def update(self, account_id: str, changes: dict[str, Any], actor: str) -> AccountView:
        """Merge ``changes`` into the account's details."""
        ...

    async def close(self, account_id: str, reason: str, actor: str) -> AccountView:
        """Close the account (it must hold nothing) or withdraw its application."""
        ...

    def get(self, account_id: str) -> AccountView | None:
        """One account."""
        ...

    def list_accounts(self, query: AccountQuery) -> list[AccountView]:
        """Accounts matching ``query``, by creation time."""
        ...

    def status_events(
        self, since_ns: int | None, until_ns: int | None, since_id: int | None,
        until_id: int | None,
    ) -> list[StatusEvent]:  # fmt: skip
        """Past status events in the window, oldest first."""
        ...

    def subscribe_status(self, after_id: int) -> StatusSubscription:
        """Live status events numbered above ``after_id``."""
        ...

    def documents(
        self, account_id: str, start: str | None, end: str | None, document_type: str | None
    ) -> list[DocumentView]:
        """The account's documents dated in [start, end] (YYYY-MM-DD), of one type if given."""
        ...

    def document(self, account_id: str, document_id: str) -> tuple[DocumentView, bytes] | None:
        """One document and its content."""
        ...

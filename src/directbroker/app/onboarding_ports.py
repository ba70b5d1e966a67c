"""The Broker API's accounts port bound to the platform: onboarding commands through the
bounded command gate (answered once durable), queries from the accounts read model."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from directbroker.adapters.http.broker.accounts_port import (
    AccountQuery,
    AccountView,
    DocumentView,
    StatusEvent,
    StatusSubscription,
)
from directbroker.adapters.http.ports import PortRejection
from directbroker.app.api_ports import CommandGate, EdgeModels
from directbroker.app.onboarding_views import OnboardingViews
from directbroker.domain.accounts import AccountType
from directbroker.domain.messages import Command
from directbroker.domain.onboarding_messages import (
    CloseBrokerAccount,
    OnboardingRejected,
    ReviewAccountApplication,
    SubmitAccountApplication,
    UpdateAccountDetails,
)
from directbroker.domain.rejects import RejectCode
from directbroker.engines.onboarding import pack_kyc
from directbroker.engines.onboarding.kyc import KycFormError


class PlatformAccounts:
    """:class:`~directbroker.adapters.http.broker.accounts_port.AccountsPort` on the platform."""

    def __init__(self, gate: CommandGate, models: EdgeModels, views: OnboardingViews) -> None:
        self._gate = gate
        self._models = models
        self._views = views

    async def _submit(self, command: Command, account_id: str) -> AccountView:
        for event in await self._gate.submit(command):
            if isinstance(event, OnboardingRejected):
                raise PortRejection(event.code, event.message)
        view = self.get(account_id)
        if view is None:
            raise PortRejection(RejectCode.UNKNOWN_ACCOUNT, f"no account {account_id}")
        return view

    async def create(
        self, account_id: str, account_type: str, kyc: dict[str, Any], actor: str
    ) -> AccountView:
        """Apply for an account."""
        command = SubmitAccountApplication(account_id, AccountType(account_type), _pack(kyc), actor)
        return await self._submit(command, account_id)

    async def review(self, account_id: str, approve: bool, reason: str, actor: str) -> AccountView:
        """Approve or reject an application."""
        command = ReviewAccountApplication(account_id, approve, reason, actor)
        return await self._submit(command, account_id)

    async def update(self, account_id: str, changes: dict[str, Any], actor: str) -> AccountView:
        """Change the account's details."""
        command = UpdateAccountDetails(account_id, _pack(changes), actor)
        return await self._submit(command, account_id)

    async def close(self, account_id: str, reason: str, actor: str) -> AccountView:
        """Close the account."""
        return await self._submit(CloseBrokerAccount(account_id, reason, actor), account_id)

    def get(self, account_id: str) -> AccountView | None:
        """One account, with its equity and open margin call as the books last valued it."""
        view = self._views.get(account_id)
        if view is None:
            return None
        models = self._models.here()
        state = models.accounts.state(account_id)
        if state is None:
            return view
        values = state.values
        return replace(
            view,
            last_equity=values.equity - values.day_pnl,
            margin_call=models.margin.call(account_id),
            margin_deficiency=values.margin_deficiency,
        )

    def list_accounts(self, query: AccountQuery) -> list[AccountView]:
        """Accounts matching ``query``."""
        return self._views.find(query)

    def status_events(
        self, since_ns: int | None, until_ns: int | None, since_id: int | None,
        until_id: int | None,
    ) -> list[StatusEvent]:  # fmt: skip
        """Past status events."""
        return self._views.status_events(since_ns, until_ns, since_id, until_id)

    def subscribe_status(self, after_id: int) -> StatusSubscription:
        """Live status events."""
        self._models.here()
        return self._views.subscribe(after_id)

    def documents(
        self, account_id: str, start: str | None, end: str | None, document_type: str | None
    ) -> list[DocumentView]:
        """The account's documents."""
        return self._views.documents.find(account_id, start, end, document_type)

    def document(self, account_id: str, document_id: str) -> tuple[DocumentView, bytes] | None:
        """One document with its content."""
        return self._views.documents.get(account_id, document_id)


def _pack(record: dict[str, Any]) -> bytes:
    try:
        return pack_kyc(record)
    except KycFormError as exc:
        raise PortRejection(RejectCode.KYC_FIELD_INVALID, str(exc)) from None

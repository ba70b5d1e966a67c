"""The Broker API's funding port bound to the platform: commands through the bounded command
gate (answered once durable), queries and event streams from :class:`FundingViews`."""

from __future__ import annotations

from typing import TypeVar

from directbroker.adapters.http.broker.funding_port import (
    JOURNALS,
    MARGIN_CALLS,
    TRADES,
    TRANSFERS,
    EventStream,
)
from directbroker.adapters.http.ports import PortRejection
from directbroker.app.api_ports import CommandGate, EdgeModels
from directbroker.app.funding_views import FundingViews
from directbroker.domain.funding_messages import (
    AchRelationshipUpdated,
    CancelJournal,
    CancelTransfer,
    CreateAchRelationship,
    DeleteAchRelationship,
    FundingRejected,
    JournalUpdated,
    RequestJournal,
    RequestTransfer,
    TransferUpdated,
)
from directbroker.domain.messages import Command, Event
from directbroker.domain.rejects import RejectCode

_E = TypeVar("_E", bound=Event)


class PlatformFunding:
    """:class:`~directbroker.adapters.http.broker.funding_port.FundingPort` on the platform."""

    def __init__(self, gate: CommandGate, views: FundingViews, models: EdgeModels) -> None:
        self._gate = gate
        self._views = views
        self._models = models

    @property
    def _live(self) -> FundingViews:
        """The views, on the loop serving this call (the loop owns them from the first call)."""
        self._models.here()
        return self._views

    async def _submit(self, command: Command) -> tuple[Event, ...]:
        events = await self._gate.submit(command)
        for event in events:
            if isinstance(event, FundingRejected):
                raise PortRejection(event.code, event.message)
        return events

    def has_account(self, account: str) -> bool:
        """Whether the account was opened."""
        return account in self._live.accounts

    async def create_relationship(self, command: CreateAchRelationship) -> AchRelationshipUpdated:
        """Link a bank account."""
        events = await self._submit(command)
        return _one(events, AchRelationshipUpdated)

    def relationships(self, account: str, statuses: frozenset[str]) -> list[AchRelationshipUpdated]:
        """The account's relationships."""
        return self._live.relationships_of(account, statuses)

    async def delete_relationship(self, account: str, relationship_id: str, actor: str) -> None:
        """Unlink a bank account."""
        await self._submit(DeleteAchRelationship(relationship_id, account, actor))

    async def create_transfer(self, command: RequestTransfer) -> TransferUpdated:
        """Ask the bank to move money."""
        return _one(await self._submit(command), TransferUpdated)

    def transfers(self, account: str, direction: str | None) -> list[TransferUpdated]:
        """The account's transfers."""
        return self._live.transfers_of(account, direction)

    async def cancel_transfer(self, account: str, transfer_id: str, actor: str) -> None:
        """Cancel a queued transfer."""
        await self._submit(CancelTransfer(transfer_id, account, actor))

    async def create_journal(self, command: RequestJournal) -> JournalUpdated:
        """Journal between accounts."""
        return _one(await self._submit(command), JournalUpdated)

    def journals(self) -> list[JournalUpdated]:
        """Every journal."""
        return self._live.journal_list()

    def journal(self, journal_id: str) -> JournalUpdated | None:
        """One journal."""
        return self._live.journals.get(journal_id)

    async def cancel_journal(self, journal_id: str, actor: str) -> None:
        """Cancel a queued journal."""
        await self._submit(CancelJournal(journal_id, actor))

    def stream(self, name: str) -> EventStream:
        """One of the event streams."""
        views = self._live
        logs = {
            TRANSFERS: views.transfer_events,
            JOURNALS: views.journal_events,
            TRADES: views.trade_events,
            MARGIN_CALLS: self._models.margin.events,
        }
        return logs[name]


def _one(events: tuple[Event, ...], kind: type[_E]) -> _E:
    for event in events:
        if isinstance(event, kind):
            return event
    raise PortRejection(RejectCode.MALFORMED, "the core did not answer as expected")

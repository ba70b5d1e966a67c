"""The funding family's port: what the Broker API's funding routes need from the platform.

Commands are answered once durable (a refusal raises
:class:`~directbroker.adapters.http.ports.PortRejection` with its reject code); queries and the
event streams come from read models fed by committed events, never from a core.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from directbroker.adapters.http.ports import MarginCallUpdate, TradeUpdate
from directbroker.domain.funding_messages import (
    AchRelationshipUpdated,
    CreateAchRelationship,
    JournalUpdated,
    RequestJournal,
    RequestTransfer,
    TransferUpdated,
)

TRANSFERS, JOURNALS, TRADES = "transfers", "journals", "trades"
"""The event streams."""
MARGIN_CALLS = "margin_calls"
"""The margin call stream (an extension: Alpaca has none)."""


class StreamEntry(Protocol):
    """One numbered event of a stream."""

    @property
    def event_id(self) -> int: ...
    @property
    def ts_ns(self) -> int: ...
    @property
    def account(self) -> str: ...
    @property
    def payload(self) -> TransferUpdated | JournalUpdated | TradeUpdate | MarginCallUpdate: ...


class StreamSubscription(Protocol):
    """A live follower of a stream."""

    @property
    def dropped(self) -> bool:
        """Whether it fell too far behind and was cut off."""
        ...

    async def get(self, timeout_s: float) -> StreamEntry | None:
        """The next event, or None after ``timeout_s`` without one."""
        ...

    def close(self) -> None:
        """Stop following."""
        ...


class EventStream(Protocol):
    """A stream's history and its live tail."""

    def after(self, event_id: int) -> Iterator[StreamEntry]:
        """Events numbered above ``event_id``, oldest first."""
        ...

    def subscribe(self) -> StreamSubscription:
        """Follow what is appended from now on."""
        ...


class FundingPort(Protocol):
    """Bank relationships, transfers, journals and their event streams."""

    def has_account(self, account: str) -> bool:
        """Whether the account exists (as the read models know it)."""
        ...

    async def create_relationship(self, command: CreateAchRelationship) -> AchRelationshipUpdated:
        """Link a bank account; answered once durable."""
        ...

    def relationships(self, account: str, statuses: frozenset[str]) -> list[AchRelationshipUpdated]:
        """The account's relationships."""
        ...

    async def delete_relationship(self, account: str, relationship_id: str, actor: str) -> None:
        """Unlink a bank account."""
        ...

    async def create_transfer(self, command: RequestTransfer) -> TransferUpdated:
        """Ask the bank to move money; answered once durable (QUEUED)."""
        ...

    def transfers(self, account: str, direction: str | None) -> list[TransferUpdated]:
        """The account's transfers, newest first."""
        ...

    async def cancel_transfer(self, account: str, transfer_id: str, actor: str) -> None:
        """Cancel a queued transfer."""
        ...

    async def create_journal(self, command: RequestJournal) -> JournalUpdated:
        """Journal cash or shares between accounts; answered once durable (queued)."""
        ...

    def journals(self) -> list[JournalUpdated]:
        """Every journal, newest first."""
        ...

    def journal(self, journal_id: str) -> JournalUpdated | None:
        """One journal."""
        ...

    async def cancel_journal(self, journal_id: str, actor: str) -> None:
        """Cancel a queued journal."""
        ...

    def stream(self, name: str) -> EventStream:
        """One of the event streams (TRANSFERS, JOURNALS, TRADES, MARGIN_CALLS)."""
        ...

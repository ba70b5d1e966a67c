"""Funding's read models: ACH relationships, transfers and journals as the Broker API shows
them, and the event logs behind its Server-Sent Event streams (transfer status, journal status,
trade events).

Fed only by committed broker batches, on the API's event loop (rebuilt from the journal at
start-up, then live through the edge feed), never from the core's state. Each record is the
latest event about it (the events carry the whole record). Each stream numbers its events
1, 2, 3... in commit order; the order is the journal's, so a restart numbers them the same
and a client's ``since_id`` means the same thing after it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from directbroker.adapters.http.ports import MarginCallUpdate, TradeUpdate
from directbroker.domain.funding_messages import (
    REL_CANCELED,
    AchRelationshipUpdated,
    JournalUpdated,
    TransferUpdated,
)
from directbroker.domain.ledger_messages import AccountOpened
from directbroker.runtime.sequencer import Outcome

SUBSCRIBER_BACKLOG = 10_000
"""Events a live SSE subscriber may fall behind by before it is cut off (it reconnects with
``since_id`` and loses nothing)."""


StreamPayload = TransferUpdated | JournalUpdated | TradeUpdate | MarginCallUpdate
"""What the streams carry (margin calls' stream lives in ``margin_views``)."""


@dataclass(frozen=True, slots=True)
class StreamEvent:
    """One entry of an SSE stream: its number, when it happened, whose it is and the fact."""

    event_id: int
    ts_ns: int
    account: str
    payload: StreamPayload


class Subscription:
    """A live follower of one stream (owned by the event loop)."""

    def __init__(self, log: EventLog) -> None:
        self._log = log
        self.queue: asyncio.Queue[StreamEvent | None] = asyncio.Queue(SUBSCRIBER_BACKLOG)
        self.dropped = False

    def offer(self, event: StreamEvent) -> None:
        """Queue ``event``; a subscriber too far behind is cut off (it reconnects)."""
        if self.dropped:
            return
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            self.dropped = True
            self._log.unsubscribe(self)

    async def get(self, timeout_s: float) -> StreamEvent | None:
        """The next event, or None after ``timeout_s`` without one (time for a heartbeat)."""
        try:
            return await asyncio.wait_for(self.queue.get(), timeout_s)
        except TimeoutError:
            return None

    def close(self) -> None:
        """Stop following."""
        self._log.unsubscribe(self)


@dataclass
class EventLog:
    """One stream's history, in order, and its live subscribers."""

    events: list[StreamEvent] = field(default_factory=list)
    subscribers: list[Subscription] = field(default_factory=list)

    def append(self, ts_ns: int, account: str, payload: StreamPayload) -> None:
        """Number and keep one event, and hand it to every live subscriber."""
        event = StreamEvent(len(self.events) + 1, ts_ns, account, payload)
        self.events.append(event)
        for subscriber in list(self.subscribers):
            subscriber.offer(event)

    def after(self, event_id: int) -> Iterator[StreamEvent]:
        """Events numbered above ``event_id``, oldest first."""
        return iter(self.events[max(0, event_id) :])

    def subscribe(self) -> Subscription:
        """Follow the events appended from now on."""
        subscription = Subscription(self)
        self.subscribers.append(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        """Forget a subscriber."""
        if subscription in self.subscribers:
            self.subscribers.remove(subscription)


class FundingViews:
    """Relationships, transfers, journals and the three event logs."""

    def __init__(self) -> None:
        self.accounts: set[str] = set()
        self.relationships: dict[str, AchRelationshipUpdated] = {}
        self.transfers: dict[str, TransferUpdated] = {}
        self.journals: dict[str, JournalUpdated] = {}
        self.transfer_events = EventLog()
        self.journal_events = EventLog()
        self.trade_events = EventLog()

    def apply(self, outcomes: Sequence[Outcome], updates: Sequence[TradeUpdate]) -> None:
        """Follow one committed broker batch and the trade updates the orders model made of it."""
        for outcome in outcomes:
            if outcome.duplicate:
                continue
            for event in outcome.events:
                kind = type(event)
                if kind is AccountOpened:
                    self.accounts.add(event.account)  # type: ignore[attr-defined]
                elif kind is AchRelationshipUpdated:
                    assert isinstance(event, AchRelationshipUpdated)
                    self.relationships[event.relationship_id] = event
                elif kind is TransferUpdated:
                    assert isinstance(event, TransferUpdated)
                    self.transfers[event.transfer_id] = event
                    self.transfer_events.append(event.ts_ns, event.account, event)
                elif kind is JournalUpdated:
                    assert isinstance(event, JournalUpdated)
                    self.journals[event.journal_id] = event
                    self.journal_events.append(event.ts_ns, event.from_account, event)
        for update in updates:
            self.trade_events.append(update.ts_ns, update.order.account, update)

    # --- queries ------------------------------------------------------------------------------

    def relationships_of(
        self, account: str, statuses: frozenset[str]
    ) -> list[AchRelationshipUpdated]:
        """The account's relationships (canceled ones only when asked for by status)."""
        chosen = [r for r in self.relationships.values() if r.account == account]
        if statuses:
            return [r for r in chosen if r.status_to in statuses]
        return [r for r in chosen if r.status_to != REL_CANCELED]

    def transfers_of(self, account: str, direction: str | None) -> list[TransferUpdated]:
        """The account's transfers, newest first."""
        chosen = [
            t
            for t in self.transfers.values()
            if t.account == account and (direction is None or t.direction == direction)
        ]
        chosen.sort(key=lambda t: (t.created_ns, t.transfer_id), reverse=True)
        return chosen

    def journal_list(self) -> list[JournalUpdated]:
        """Every journal, newest first."""
        return sorted(
            self.journals.values(), key=lambda j: (j.created_ns, j.journal_id), reverse=True
        )

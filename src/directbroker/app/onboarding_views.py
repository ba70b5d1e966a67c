"""The accounts read model: every onboarded account, its status history and its documents,
fed by the broker core's committed onboarding events (rebuilt from the journal at start).

It holds personal data (the KYC record) and is reached only through the Broker API, whose
every route needs a staff key. Status events are numbered in commit order, so a rebuild
numbers them the same and ``since_id`` stays meaningful across restarts.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from directbroker.adapters.http.broker.accounts_port import (
    AccountQuery,
    AccountView,
    DocumentView,
    StatusEvent,
)
from directbroker.app.documents import DocumentStore, document_id
from directbroker.domain.messages import Event
from directbroker.domain.onboarding_messages import (
    AccountApplicationSubmitted,
    AccountDetailsUpdated,
    OnboardingStatus,
    OnboardingStatusChanged,
)
from directbroker.engines.onboarding import unpack_kyc

SUBSCRIBER_BACKLOG = 1_000
"""Events a slow SSE client may fall behind by before it is dropped (it reconnects with
``since_id`` and loses nothing)."""


class StatusFeed:
    """One live subscriber's queue."""

    def __init__(self, views: OnboardingViews, after_id: int) -> None:
        self._views = views
        self.after_id = after_id
        self.queue: asyncio.Queue[StatusEvent | None] = asyncio.Queue(SUBSCRIBER_BACKLOG)
        self.closed = False

    async def get(self) -> StatusEvent | None:
        """The next event (None once closed)."""
        if self.closed and self.queue.empty():
            return None
        return await self.queue.get()

    def offer(self, event: StatusEvent) -> None:
        """Queue an event; a subscriber too far behind is closed."""
        if self.closed or event.event_id <= self.after_id:
            return
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            self.close()

    def close(self) -> None:
        """Stop delivering; a waiting ``get`` returns None."""
        if not self.closed:
            self.closed = True
            self._views.unsubscribe(self)
            while True:
                try:
                    self.queue.put_nowait(None)
                    return
                except asyncio.QueueFull:
                    self.queue.get_nowait()


@dataclass
class _Account:
    view: AccountView
    search: str


class OnboardingViews:
    """Accounts, status events and documents, applied on the API's event loop."""

    def __init__(self) -> None:
        self._accounts: dict[str, _Account] = {}
        self.events: list[StatusEvent] = []
        self.documents = DocumentStore()
        self._feeds: list[StatusFeed] = []

    # --- applying commits -----------------------------------------------------------------

    def apply(self, events: Iterable[Event]) -> None:
        """Take in committed broker events (others are ignored)."""
        for event in events:
            kind = type(event)
            if kind is AccountApplicationSubmitted:
                self._submitted(event)  # type: ignore[arg-type]
            elif kind is OnboardingStatusChanged:
                self._status(event)  # type: ignore[arg-type]
            elif kind is AccountDetailsUpdated:
                self._details(event)  # type: ignore[arg-type]

    def _submitted(self, event: AccountApplicationSubmitted) -> None:
        view = AccountView(
            event.account_id, event.account_number, event.account_type.value, "",
            unpack_kyc(event.kyc), event.ts_ns, event.ts_ns,
        )  # fmt: skip
        self._accounts[event.account_id] = _Account(view, _search_text(view))

    def _details(self, event: AccountDetailsUpdated) -> None:
        known = self._accounts.get(event.account_id)
        if known is not None:
            view = replace(known.view, kyc=unpack_kyc(event.kyc), updated_ns=event.ts_ns)
            self._accounts[event.account_id] = _Account(view, _search_text(view))

    def _status(self, event: OnboardingStatusChanged) -> None:
        known = self._accounts.get(event.account_id)
        if known is not None:
            known.view = replace(known.view, status=event.new_status.value, updated_ns=event.ts_ns)
        status = StatusEvent(
            len(self.events) + 1, event.account_id, event.account_number, event.ts_ns,
            event.old_status, event.new_status.value, event.reason,
        )  # fmt: skip
        self.events.append(status)
        for feed in list(self._feeds):
            feed.offer(status)
        if event.new_status is OnboardingStatus.ACTIVE and known is not None:
            self._issue_opening_summary(known.view, event.ts_ns)

    def _issue_opening_summary(self, view: AccountView, ts_ns: int) -> None:
        date = datetime.fromtimestamp(ts_ns / 1e9, UTC).date().isoformat()
        doc = DocumentView(
            document_id(view.account_id, "account_application", "opening"), view.account_id,
            "Account opening summary", "account_application", "", date, "text/plain",
        )  # fmt: skip
        self.documents.issue(doc, _opening_summary(view, date))

    # --- queries ------------------------------------------------------------------------------

    def get(self, account_id: str) -> AccountView | None:
        """One account."""
        known = self._accounts.get(account_id)
        return None if known is None else known.view

    def find(self, query: AccountQuery) -> list[AccountView]:
        """Accounts matching ``query``."""
        found = []
        for known in self._accounts.values():
            view = known.view
            if query.statuses and view.status not in query.statuses:
                continue
            if query.created_after_ns is not None and view.created_ns <= query.created_after_ns:
                continue
            if query.created_before_ns is not None and view.created_ns >= query.created_before_ns:
                continue
            if not all(token.lower() in known.search for token in query.query):
                continue
            found.append(view)
        found.sort(key=lambda v: (v.created_ns, v.account_id), reverse=query.descending)
        return found

    def status_events(
        self, since_ns: int | None, until_ns: int | None, since_id: int | None,
        until_id: int | None,
    ) -> list[StatusEvent]:  # fmt: skip
        """Past events in the window, oldest first."""
        return [
            e for e in self.events
            if (since_ns is None or e.at_ns >= since_ns)
            and (until_ns is None or e.at_ns <= until_ns)
            and (since_id is None or e.event_id >= since_id)
            and (until_id is None or e.event_id <= until_id)
        ]  # fmt: skip

    def subscribe(self, after_id: int) -> StatusFeed:
        """A live feed of events numbered above ``after_id``."""
        feed = StatusFeed(self, after_id)
        self._feeds.append(feed)
        return feed

    def unsubscribe(self, feed: StatusFeed) -> None:
        """Forget a closed feed."""
        if feed in self._feeds:
            self._feeds.remove(feed)


def _search_text(view: AccountView) -> str:
    contact = _section(view.kyc, "contact")
    identity = _section(view.kyc, "identity")
    parts = [
        view.account_number, str(contact.get("email_address", "")),
        str(contact.get("phone_number", "")), str(identity.get("given_name", "")),
        str(identity.get("family_name", "")),
    ]  # fmt: skip
    return " ".join(parts).lower()


def _section(kyc: dict[str, Any], name: str) -> dict[str, Any]:
    part = kyc.get(name)
    return part if isinstance(part, dict) else {}


def _opening_summary(view: AccountView, date: str) -> bytes:
    """What the customer signed and how the account was opened (no tax id, no birth date)."""
    identity = _section(view.kyc, "identity")
    agreements = view.kyc.get("agreements") or []
    lines = [
        "ACCOUNT OPENING SUMMARY",
        f"Account number: {view.account_number}",
        f"Account id: {view.account_id}",
        f"Holder: {identity.get('given_name', '')} {identity.get('family_name', '')}",
        f"Account type: {view.account_type}",
        f"Approved on: {date}",
        "The account is self-directed: the firm gives no investment advice.",
        "Agreements signed:",
        *(
            f"  - {a.get('agreement')} (signed {a.get('signed_at')}, revision "
            f"{a.get('revision') or 'current'})"
            for a in agreements
            if isinstance(a, dict)
        ),
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")

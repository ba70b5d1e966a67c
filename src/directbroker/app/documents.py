"""The documents the firm has issued for accounts: the store behind the Broker API's
``/v1/accounts/{id}/documents``.

Today the only document is the account-opening summary, issued when an account is approved
and derived from the broker journal (so it is rebuilt, identical, at every start). The back
office's statements and trade confirmations are issued into the same store with
:meth:`DocumentStore.issue`; a store that keeps them on disk implements the same methods.
"""

from __future__ import annotations

import bisect
import uuid

from directbroker.adapters.http.broker.accounts_port import DocumentView

_NAMESPACE = uuid.UUID("0d6f3b8e-7c1a-4b52-9e0f-3a1d2c4b5e6f")


def document_id(account_id: str, kind: str, key: str) -> str:
    """A stable id for an account's document (the same after every rebuild)."""
    return str(uuid.uuid5(_NAMESPACE, f"{account_id}:{kind}:{key}"))


class DocumentStore:
    """Documents by account, in date order, with their content."""

    def __init__(self) -> None:
        self._by_account: dict[str, list[tuple[str, str]]] = {}
        self._documents: dict[str, tuple[DocumentView, bytes]] = {}

    def issue(self, view: DocumentView, content: bytes) -> None:
        """Add (or replace) a document."""
        if view.document_id not in self._documents:
            bisect.insort(
                self._by_account.setdefault(view.account_id, []), (view.date, view.document_id)
            )
        self._documents[view.document_id] = (view, content)

    def find(
        self, account_id: str, start: str | None, end: str | None, document_type: str | None
    ) -> list[DocumentView]:
        """The account's documents dated in [start, end], of ``document_type`` if given."""
        found = []
        for date, key in self._by_account.get(account_id, []):
            if (start and date < start) or (end and date > end):
                continue
            view = self._documents[key][0]
            if document_type is None or view.document_type == document_type:
                found.append(view)
        return found

    def get(self, account_id: str, document_id: str) -> tuple[DocumentView, bytes] | None:
        """One of the account's documents with its content."""
        found = self._documents.get(document_id)
        return found if found is not None and found[0].account_id == account_id else None

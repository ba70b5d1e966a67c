"""The schemas of the Broker API's event streams' ``data:`` objects, as Alpaca sends them
(account status, transfer status, journal status and trade events), for the document: a
schema-driven client can check each event, and the schema test does."""

from __future__ import annotations

from typing import Any

from directbroker.adapters.http.openapi import sse_response

_TEXT: dict[str, Any] = {"type": "string"}
_EVENT_ID: dict[str, Any] = {"type": "integer", "minimum": 1}
_AT: dict[str, Any] = {"type": "string", "format": "date-time"}
_UUID: dict[str, Any] = {"type": "string", "format": "uuid"}


def _event(title: str, fields: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {"title": title, "type": "object", "required": sorted(fields), "properties": fields}


ACCOUNT_STATUS_EVENT = _event("AccountStatusEvent", {
    "event_id": _EVENT_ID, "account_id": _TEXT, "account_number": _TEXT, "at": _AT,
    "status_from": _TEXT, "status_to": _TEXT, "reason": _TEXT,
})  # fmt: skip
"""An account's application or status moved (``status_from`` is empty for a new one)."""

TRANSFER_STATUS_EVENT = _event("TransferStatusEvent", {
    "event_id": _EVENT_ID, "account_id": _TEXT, "transfer_id": _UUID, "at": _AT,
    "status_from": _TEXT, "status_to": _TEXT,
})  # fmt: skip
"""A transfer moved (QUEUED, SENT_TO_CLEARING, COMPLETE, RETURNED, REJECTED, CANCELED)."""

JOURNAL_STATUS_EVENT = _event("JournalStatusEvent", {
    "event_id": _EVENT_ID, "journal_id": _UUID, "at": _AT,
    "entry_type": {"type": "string", "enum": ["JNLC", "JNLS"]},
    "status_from": _TEXT, "status_to": _TEXT,
})  # fmt: skip
"""A journal moved (queued, executed, rejected, canceled)."""

TRADE_EVENT = _event("TradeEvent", {
    "event_id": _EVENT_ID, "account_id": _TEXT, "at": _AT, "event": _TEXT,
    "timestamp": _AT, "order": {"type": "object"},
}) | {"properties": {
    "event_id": _EVENT_ID, "account_id": _TEXT, "at": _AT, "event": _TEXT, "timestamp": _AT,
    "order": {"type": "object"}, "execution_id": _TEXT, "exec_id": _TEXT, "price": _TEXT,
    "qty": _TEXT, "position_qty": _TEXT,
}}  # fmt: skip
"""An order's trade update (Alpaca's ``trade_updates`` data) for one account."""

MARGIN_CALL_EVENT = _event("MarginCallEvent", {
    "event_id": _EVENT_ID, "account_id": _TEXT, "at": _AT,
    "event": {"type": "string", "enum": ["margin_call", "margin_call_met"]},
    "amount": _TEXT, "equity": _TEXT, "maintenance_requirement": _TEXT, "issued_at": _AT,
    "due_date": {"type": "string", "format": "date"},
})  # fmt: skip
"""A margin call issued or met (an extension: Alpaca has no margin call stream). ``amount``
is the call as issued; ``equity`` the account's at the event."""

STREAMS: dict[str, dict[int | str, dict[str, Any]]] = {
    "accounts": sse_response(ACCOUNT_STATUS_EVENT, "Account status events (SSE)."),
    "transfers": sse_response(TRANSFER_STATUS_EVENT, "Transfer status events (SSE)."),
    "journals": sse_response(JOURNAL_STATUS_EVENT, "Journal status events (SSE)."),
    "trades": sse_response(TRADE_EVENT, "Trade events (SSE)."),
    "margin_calls": sse_response(MARGIN_CALL_EVENT, "Margin calls issued and met (SSE)."),
}
"""``responses=`` of each event stream route."""

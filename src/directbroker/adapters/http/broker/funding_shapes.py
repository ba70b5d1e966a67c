"""Funding records and events in Alpaca's Broker API v1 JSON shapes (what alpaca-py's
``ACHRelationship``, ``Transfer`` and ``Journal`` models and its SSE readers expect)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from directbroker.adapters.http.broker.funding_port import StreamEntry
from directbroker.adapters.http.ports import MarginCallUpdate, TradeUpdate
from directbroker.adapters.http.shapes import (
    iso,
    iso_date,
    money_text,
    price_text,
    render_trade_update,
)
from directbroker.domain.funding_messages import (
    JNLC,
    AchRelationshipUpdated,
    JournalUpdated,
    TransferUpdated,
)

Json = dict[str, Any]


def _date(ts_ns: int) -> str:
    return datetime.fromtimestamp(ts_ns / 1e9, UTC).date().isoformat()


def render_relationship(item: AchRelationshipUpdated) -> Json:
    """An ACH relationship."""
    return {
        "id": item.relationship_id,
        "account_id": item.account,
        "created_at": iso(item.created_ns),
        "updated_at": iso(item.ts_ns),
        "status": item.status_to,
        "account_owner_name": item.owner_name,
        "bank_account_type": item.bank_account_type,
        "bank_account_number": item.bank_account_number,
        "bank_routing_number": item.routing_number,
        "nickname": item.nickname or None,
    }


def render_transfer(item: TransferUpdated) -> Json:
    """A transfer."""
    amount = money_text(item.amount)
    return {
        "id": item.transfer_id,
        "relationship_id": item.relationship_id,
        "account_id": item.account,
        "type": "ach",
        "status": item.status_to,
        "reason": item.reason or None,
        "amount": amount,
        "requested_amount": amount,
        "fee": "0",
        "fee_payment_method": "user",
        "direction": item.direction,
        "created_at": iso(item.created_ns),
        "updated_at": iso(item.ts_ns),
        "expires_at": None,
    }


def render_journal(item: JournalUpdated) -> Json:
    """A journal (JNLC carries ``net_amount``, JNLS ``symbol``, ``qty`` and ``price``)."""
    cash = item.entry_type == JNLC
    return {
        "id": item.journal_id,
        "entry_type": item.entry_type,
        "from_account": item.from_account,
        "to_account": item.to_account,
        "status": item.status_to,
        "net_amount": money_text(item.amount) if cash else "0",
        "symbol": None if cash else item.symbol,
        "qty": None if cash else str(item.quantity),
        "price": None if cash else (price_text(item.price) if item.price else None),
        "description": item.description,
        "settle_date": _date(item.ts_ns) if item.status_to == "executed" else None,
        "system_date": _date(item.created_ns),
        "currency": "USD",
        "reason": item.reason or None,
    }


def render_stream_event(entry: StreamEntry) -> Json:
    """One SSE ``data:`` object of the transfer, journal, trade or margin call stream."""
    payload = entry.payload
    at = iso(entry.ts_ns)
    if isinstance(payload, TransferUpdated):
        return {
            "account_id": payload.account,
            "at": at,
            "event_id": entry.event_id,
            "transfer_id": payload.transfer_id,
            "status_from": payload.status_from,
            "status_to": payload.status_to,
        }
    if isinstance(payload, JournalUpdated):
        return {
            "at": at,
            "entry_type": payload.entry_type,
            "event_id": entry.event_id,
            "journal_id": payload.journal_id,
            "status_from": payload.status_from,
            "status_to": payload.status_to,
        }
    if isinstance(payload, MarginCallUpdate):
        return render_margin_event(entry.event_id, entry.account, at, payload)
    assert isinstance(payload, TradeUpdate)
    data: Json = dict(render_trade_update(payload)["data"])
    data.update({"account_id": entry.account, "at": at, "event_id": entry.event_id})
    return data


def render_margin_event(
    event_id: int, account: str, at: str | None, update: MarginCallUpdate
) -> Json:
    """One margin call event (an extension stream): ``margin_call`` when issued, ``margin_call_met``
    when the account is back above maintenance."""
    call = update.call
    return {
        "event_id": event_id,
        "account_id": account,
        "at": at,
        "event": "margin_call_met" if update.met else "margin_call",
        "amount": money_text(call.amount),
        "equity": money_text(update.equity),
        "maintenance_requirement": money_text(call.maintenance_requirement),
        "issued_at": iso(call.issued_ns),
        "due_date": iso_date(call.due_date),
    }

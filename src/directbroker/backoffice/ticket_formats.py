"""Order tickets as a person, a spreadsheet or a program reads them.

Kept apart from the fold (:mod:`~directbroker.backoffice.order_tickets`) so the record and its
presentation change separately. Times are written in New York time with microseconds (the
journal's clock is nanoseconds since the epoch, UTC); prices as exact decimal dollars.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import UTC, datetime

from directbroker.backoffice.ticket_records import OrderTicket
from directbroker.domain.numbers import format_price
from directbroker.runtime.schedule import NEW_YORK, to_date

Json = dict[str, object]

CSV_COLUMNS = (
    "order_id", "client_order_id", "account", "symbol", "side", "order_type", "quantity",
    "limit_price", "stop_price", "time_in_force", "order_class", "role", "route",
    "business_date", "entered_at", "entered_by", "status", "filled_quantity", "avg_price",
    "venues_routed", "executions", "first_execution_at", "last_execution_at", "replaces",
    "replaced_by", "modified_by", "canceled_at", "canceled_by", "rejections",
)  # fmt: skip
"""One row per ticket: the terms and a summary of what happened to the order."""


def stamp(ts_ns: int) -> str:
    """A journal time as New York ISO 8601 with microseconds (empty for 0)."""
    if not ts_ns:
        return ""
    moment = datetime.fromtimestamp(ts_ns // 1_000_000_000, UTC).astimezone(NEW_YORK)
    return moment.replace(microsecond=ts_ns % 1_000_000_000 // 1_000).isoformat()


def _day(date: int) -> str:
    return to_date(date).isoformat()


def _price(units: int | None) -> str:
    return "" if units is None else format_price(units)


def _terms(ticket: OrderTicket) -> dict[str, str]:
    """What both the JSON object and the CSV row open with: the order and its account."""
    return {
        "order_id": ticket.order_id,
        "client_order_id": ticket.client_order_id,
        "account": ticket.account,
        "symbol": ticket.symbol,
        "side": ticket.side.value,
        "order_type": ticket.order_type.value,
    }


def as_json_object(ticket: OrderTicket) -> Json:
    """One ticket with everything on it, nested."""
    cancel = ticket.cancellation
    return {
        **_terms(ticket),
        "quantity": ticket.quantity,
        "limit_price": _price(ticket.limit_price) or None,
        "stop_price": _price(ticket.stop_price) or None,
        "trail_amount": _price(ticket.trail_amount) or None,
        "trail_percent_bps": ticket.trail_percent_bps,
        "time_in_force": ticket.time_in_force.value,
        "extended_hours": ticket.extended_hours,
        "order_class": ticket.order_class.value,
        "role": ticket.role.value,
        "group_id": ticket.group_id,
        "route": ticket.route,
        "business_date": _day(ticket.entered_date),
        "entered_at": stamp(ticket.received_ns),
        "entered_by": ticket.entered_by,
        "status": ticket.status.value,
        "filled_quantity": ticket.cum_quantity,
        "avg_price": _price(ticket.avg_price) if ticket.cum_quantity else None,
        "triggered_at": stamp(ticket.triggered_ns) or None,
        "replaces": ticket.replaces or None,
        "replaced_by": ticket.replaced_by or None,
        "routes": [
            {"child_id": r.child_id, "venue": r.venue, "quantity": r.quantity,
             "limit_price": _price(r.limit_price) or None, "action": r.action,
             "sent_at": stamp(r.ts_ns)}
            for r in ticket.routes
        ],
        "executions": [
            {"execution_id": e.execution_id, "venue": e.venue, "quantity": e.quantity,
             "price": format_price(e.price), "liquidity": e.liquidity.value,
             "executed_at": stamp(e.ts_ns)}
            for e in ticket.executions
        ],
        "modifications": [
            {"requested_at": stamp(m.requested_ns), "by": m.actor, "quantity": m.quantity,
             "limit_price": _price(m.limit_price) or None,
             "stop_price": _price(m.stop_price) or None, "new_order_id": m.new_order_id or None,
             "effective_at": stamp(m.effective_ns) or None, "refused": m.refused or None,
             "reason": m.reason or None}
            for m in ticket.modifications
        ],
        "cancellation": None if cancel is None else {
            "requested_at": stamp(cancel.requested_ns), "by": cancel.actor,
            "effective_at": stamp(cancel.effective_ns) or None, "reason": cancel.reason or None,
            "refused": cancel.refused or None,
        },
        "rejections": [
            {"command": r.command, "code": r.code.number, "message": r.message,
             "at": stamp(r.ts_ns)}
            for r in ticket.rejections
        ],
        "history": [
            {"at": stamp(h.ts_ns), "from": h.old_status.value if h.old_status else None,
             "to": h.status.value, "code": h.code.number if h.code else None,
             "text": h.text or None}
            for h in ticket.history
        ],
    }  # fmt: skip


def as_json(tickets: Sequence[OrderTicket]) -> str:
    """The tickets as a JSON array."""
    return json.dumps([as_json_object(t) for t in tickets], indent=2) + "\n"


def csv_row(ticket: OrderTicket) -> dict[str, str]:
    """One ticket as a CSV row (lists joined with ``;``)."""
    cancel = ticket.cancellation
    done = cancel is not None and cancel.effective_ns
    venues = sorted({r.venue for r in ticket.routes})
    fills = ticket.executions
    return {
        **_terms(ticket),
        "quantity": str(ticket.quantity),
        "limit_price": _price(ticket.limit_price),
        "stop_price": _price(ticket.stop_price),
        "time_in_force": ticket.time_in_force.value,
        "order_class": ticket.order_class.value,
        "role": ticket.role.value,
        "route": ticket.route,
        "business_date": _day(ticket.entered_date),
        "entered_at": stamp(ticket.received_ns),
        "entered_by": ticket.entered_by,
        "status": ticket.status.value,
        "filled_quantity": str(ticket.cum_quantity),
        "avg_price": _price(ticket.avg_price) if ticket.cum_quantity else "",
        "venues_routed": ";".join(venues),
        "executions": str(len(fills)),
        "first_execution_at": stamp(fills[0].ts_ns) if fills else "",
        "last_execution_at": stamp(fills[-1].ts_ns) if fills else "",
        "replaces": ticket.replaces,
        "replaced_by": ticket.replaced_by,
        "modified_by": ";".join(m.actor for m in ticket.modifications if m.effective_ns),
        "canceled_at": stamp(cancel.effective_ns) if cancel is not None and done else "",
        "canceled_by": cancel.actor if cancel is not None and done else "",
        "rejections": ";".join(f"{r.code.number} {r.message}" for r in ticket.rejections),
    }


def as_csv(tickets: Sequence[OrderTicket]) -> str:
    """The tickets as CSV with a header line."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for ticket in tickets:
        writer.writerow(csv_row(ticket))
    return out.getvalue()


def as_text(tickets: Sequence[OrderTicket]) -> str:
    """The tickets one block each, for a person."""
    return "".join(_text(ticket) for ticket in tickets) or "no orders\n"


def _text(t: OrderTicket) -> str:
    price = "".join(
        part
        for part in (
            f" limit price {_price(t.limit_price)}" if t.limit_price is not None else "",
            f" stop price {_price(t.stop_price)}" if t.stop_price is not None else "",
        )
        if part
    )
    lines = [
        f"Order {t.order_id} (client {t.client_order_id}) account {t.account}",
        f"  terms     {t.side.value} {t.quantity} {t.symbol} {t.order_type.value}{price},"
        f" {t.time_in_force.value}, {t.order_class.value} ({t.role.value}), route {t.route}",
        f"  entered   {stamp(t.received_ns)} by {t.entered_by or 'unrecorded'}"
        f" for {_day(t.entered_date)}",
    ]
    if t.replaces:
        lines.append(f"  replaces  {t.replaces}")
    for r in t.routes:
        lines.append(f"  routed    {stamp(r.ts_ns)} {r.quantity} to {r.venue} ({r.action})")
    for e in t.executions:
        lines.append(
            f"  executed  {stamp(e.ts_ns)} {e.quantity} @ {format_price(e.price)} on {e.venue}"
            f" ({e.execution_id})"
        )
    for m in t.modifications:
        effect = f"effective {stamp(m.effective_ns)}" if m.effective_ns else "not effective"
        if m.refused:
            effect = f"refused: {m.refused}"
        lines.append(
            f"  modified  {stamp(m.requested_ns)} by {m.actor or 'unrecorded'}: qty {m.quantity}"
            f" limit {_price(m.limit_price) or '-'} stop {_price(m.stop_price) or '-'}"
            f" -> {m.new_order_id or '-'}; {effect}"
        )
    if t.cancellation is not None:
        c = t.cancellation
        effect = f"effective {stamp(c.effective_ns)}" if c.effective_ns else "not effective"
        if c.refused:
            effect = f"refused: {c.refused}"
        reason = f" ({c.reason})" if c.reason else ""
        lines.append(
            f"  canceled  {stamp(c.requested_ns)} by {c.actor or 'unrecorded'}; {effect}{reason}"
        )
    for refusal in t.rejections:
        lines.append(
            f"  rejected  {stamp(refusal.ts_ns)} {refusal.command}: {refusal.code.number}"
            f" {refusal.message}"
        )
    average = f" avg {_price(t.avg_price)}" if t.cum_quantity else ""
    lines.append(f"  status    {t.status.value}, filled {t.cum_quantity}{average}")
    if t.replaced_by:
        lines.append(f"  replaced by {t.replaced_by}")
    return "\n".join(lines) + "\n\n"

"""The Broker API's records port bound to the platform: the order tickets folded from committed
broker batches on the API's event loop (rebuilt from the journal at start-up), as
``directbroker records tickets`` folds a data directory's journal."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from directbroker.backoffice.order_tickets import OrderTickets
from directbroker.backoffice.ticket_formats import as_json_object
from directbroker.domain.messages import Message
from directbroker.runtime.sequencer import Outcome


class PlatformRecords:
    """:class:`~directbroker.adapters.http.broker.records_port.RecordsPort` on the platform."""

    def __init__(self) -> None:
        self.tickets = OrderTickets()

    def apply(self, inputs: Sequence[Message], outcomes: Sequence[Outcome]) -> None:
        """Follow one committed broker batch (inputs and their outcomes, in step)."""
        for message, outcome in zip(inputs, outcomes, strict=True):
            if not outcome.duplicate:
                self.tickets.take(message, outcome.events, outcome.ts_ns)

    def order_ticket(self, order_id: str) -> dict[str, Any] | None:
        """An order's ticket, JSON-ready."""
        ticket = self.tickets.tickets.get(order_id)
        return None if ticket is None else as_json_object(ticket)

"""The records family's port: an order's ticket (SEC Rule 17a-3(a)(6)) as JSON-ready data, from
a read model fed by committed broker events (the same fold ``directbroker records tickets`` runs
over a data directory)."""

from __future__ import annotations

from typing import Any, Protocol


class RecordsPort(Protocol):
    """The books and records staff read through the Broker API."""

    def order_ticket(self, order_id: str) -> dict[str, Any] | None:
        """The ticket of the order ``order_id`` (a core order id), or ``None``."""
        ...

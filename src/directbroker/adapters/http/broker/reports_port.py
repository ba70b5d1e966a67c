"""The reports family's port: the routing reports as JSON-ready data, from a read model fed by
committed broker events (the same fold ``directbroker report`` runs over a data directory)."""

from __future__ import annotations

from typing import Any, Protocol


class ReportsPort(Protocol):
    """Rule 606 and Rule 605-style reports."""

    def rule606(self, year: int, quarter: int) -> dict[str, Any]:
        """A quarter's order routing report, with its months."""
        ...

    def rule605(self, year: int, month: int) -> dict[str, Any]:
        """A month's execution quality by venue and order size."""
        ...

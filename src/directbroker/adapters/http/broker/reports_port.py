"""The reports family's port: the routing reports as JSON-ready data and the monthly activity
report as figures, from read models fed by committed broker events (the same folds
``directbroker report`` runs over a data directory)."""

from __future__ import annotations

from typing import Any, Protocol

from directbroker.backoffice.monthly_activity import MonthlyActivity


class ReportsPort(Protocol):
    """Rule 606 and Rule 605-style reports, and the monthly activity report."""

    def rule606(self, year: int, quarter: int) -> dict[str, Any]:
        """A quarter's order routing report, with its months."""
        ...

    def rule605(self, year: int, month: int) -> dict[str, Any]:
        """A month's execution quality by venue and order size."""
        ...

    def monthly(self, year: int, month: int) -> MonthlyActivity:
        """A month's activity: its figures, a year and a month earlier, and thirteen months."""
        ...

"""The monthly activity report's read model on the platform: the books and activity fold fed
by committed broker batches on the API's event loop (rebuilt from the journal at start-up, like
every read model), so the Broker API answers from memory and never reads the core's state."""

from __future__ import annotations

from collections.abc import Sequence

from directbroker.backoffice.monthly_activity import (
    ActivityBooks,
    MonthlyActivity,
    Sessions,
    monthly_activity,
)
from directbroker.domain.messages import Message
from directbroker.runtime.sequencer import Outcome


class MonthlyReports:
    """What ``GET /v1/reports/monthly`` reads."""

    def __init__(self, sessions: Sessions) -> None:
        self.activity = ActivityBooks()
        self._sessions = sessions

    def apply(self, inputs: Sequence[Message], outcomes: Sequence[Outcome]) -> None:
        """Follow one committed broker batch (inputs and their outcomes, in step)."""
        take = self.activity.take
        for message, outcome in zip(inputs, outcomes, strict=True):
            if not outcome.duplicate:
                take(message, outcome.events, outcome.ts_ns)

    def monthly(self, year: int, month: int) -> MonthlyActivity:
        """A month's activity report."""
        return monthly_activity(self.activity, year, month, self._sessions)

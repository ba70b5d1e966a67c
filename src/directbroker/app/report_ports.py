"""The Broker API's reports port bound to the platform: an :class:`OrderFlow` fed by committed
broker batches on the API's event loop (rebuilt from the journal at start-up), and the venues'
fee schedules; the monthly activity report's read model beside them
(:mod:`directbroker.app.monthly_ports`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from directbroker.app.monthly_ports import MonthlyReports
from directbroker.backoffice import rule605, rule606
from directbroker.backoffice.monthly_activity import MonthlyActivity, Sessions
from directbroker.backoffice.order_flow import OrderFlow
from directbroker.domain.messages import Message
from directbroker.domain.venue_config import FeeSchedule
from directbroker.runtime.sequencer import Outcome


class PlatformReports:
    """:class:`~directbroker.adapters.http.broker.reports_port.ReportsPort` on the platform."""

    def __init__(self, fees: Mapping[str, FeeSchedule], sessions: Sessions) -> None:
        self.flow = OrderFlow()
        self._fees = dict(fees)
        self.activity = MonthlyReports(sessions)

    def apply(self, inputs: Sequence[Message], outcomes: Sequence[Outcome]) -> None:
        """Follow one committed broker batch (inputs and their outcomes, in step)."""
        for message, outcome in zip(inputs, outcomes, strict=True):
            if not outcome.duplicate:
                self.flow.take(message, outcome.events, outcome.ts_ns)
        self.activity.apply(inputs, outcomes)

    def rule606(self, year: int, quarter: int) -> dict[str, Any]:
        """A quarter's order routing report."""
        return rule606.as_json(rule606.quarterly_report(self.flow, self._fees, year, quarter))

    def rule605(self, year: int, month: int) -> dict[str, Any]:
        """A month's execution quality."""
        return rule605.as_json(rule605.monthly_quality(self.flow, year, month), year, month)

    def monthly(self, year: int, month: int) -> MonthlyActivity:
        """A month's activity report."""
        return self.activity.monthly(year, month)

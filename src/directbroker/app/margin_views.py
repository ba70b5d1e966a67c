"""Margin calls' read model: each account's open call and the margin call event stream.

The ledger issues ``MarginCallIssued`` once when an account's equity falls below its
maintenance requirement and ``MarginCallMet`` once when it is back; this model follows those
committed events (on the API's event loop, rebuilt from the journal at start-up) so the
account views can show the open call and the Broker API can stream the calls as Server-Sent
Events, never reading the ledger itself.

The due date is firm policy, not a ledger fact: FINRA Rule 4210(f)(6) lets a maintenance
call stand at most 15 business days, and firms ask for less. We ask for
:data:`MARGIN_CALL_DUE_DAYS` sessions after the New York trading date of the call; the
date is derived from the event's time alone, so a rebuild gives every call the same date.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Protocol
from zoneinfo import ZoneInfo

from directbroker.adapters.http.ports import MarginCallUpdate, MarginCallView
from directbroker.app.funding_views import EventLog
from directbroker.domain.ledger_messages import MarginCallIssued, MarginCallMet
from directbroker.runtime.sequencer import Outcome

MARGIN_CALL_DUE_DAYS = 2
"""Sessions after the call's trading date by which it must be met (firm policy)."""

_NEW_YORK = ZoneInfo("America/New_York")


class BusinessDays(Protocol):
    """The exchange calendar's business-day arithmetic (dates as YYYYMMDD ints)."""

    def add_business_days(self, date: int, days: int) -> int: ...


class Weekdays:
    """Monday to Friday as business days: for tests and tools without an exchange calendar
    (the running platform passes the exchange's)."""

    def add_business_days(self, date: int, days: int) -> int:
        """``days`` weekdays after ``date`` (from a weekend, counting starts on Friday)."""
        day = datetime.date(date // 10_000, date // 100 % 100, date % 100)
        while day.weekday() >= 5:
            day -= datetime.timedelta(days=1)
        for _ in range(days):
            day += datetime.timedelta(days=1)
            while day.weekday() >= 5:
                day += datetime.timedelta(days=1)
        return day.year * 10_000 + day.month * 100 + day.day


def trading_date(ts_ns: int) -> int:
    """The New York calendar date (YYYYMMDD) of an instant."""
    moment = datetime.datetime.fromtimestamp(ts_ns // 1_000_000_000, _NEW_YORK)
    return moment.year * 10_000 + moment.month * 100 + moment.day


class MarginCalls:
    """Open margin calls by account and the stream of calls issued and met."""

    def __init__(self, calendar: BusinessDays | None = None) -> None:
        self._calendar: BusinessDays = calendar if calendar is not None else Weekdays()
        self.open: dict[str, MarginCallView] = {}
        self.events = EventLog()

    def due_date(self, ts_ns: int) -> int:
        """When a call issued at ``ts_ns`` is due."""
        date = trading_date(ts_ns)
        try:
            return self._calendar.add_business_days(date, MARGIN_CALL_DUE_DAYS)
        except ValueError:
            # Outside the exchange calendar's years: weekdays are the best we know.
            return Weekdays().add_business_days(date, MARGIN_CALL_DUE_DAYS)

    def apply(self, outcomes: Sequence[Outcome]) -> None:
        """Follow one committed broker batch."""
        for outcome in outcomes:
            if outcome.duplicate:
                continue
            for event in outcome.events:
                if type(event) is MarginCallIssued:
                    call = MarginCallView(
                        event.account, event.deficiency, event.equity,
                        event.maintenance_requirement, event.ts_ns, self.due_date(event.ts_ns),
                    )  # fmt: skip
                    self.open[event.account] = call
                    update = MarginCallUpdate(call, False, event.ts_ns, event.equity)
                    self.events.append(event.ts_ns, event.account, update)
                elif type(event) is MarginCallMet:
                    closed = self.open.pop(event.account, None)
                    if closed is None:
                        continue
                    update = MarginCallUpdate(closed, True, event.ts_ns, event.equity)
                    self.events.append(event.ts_ns, event.account, update)

    def call(self, account: str) -> MarginCallView | None:
        """The account's open call, if any."""
        return self.open.get(account)

"""A ledger driven by commands and folded into the back office's books, for the clearing tests:
the books hold what the real ledger's events say, not hand-made records."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from directbroker.adapters.calendar import SessionCalendar
from directbroker.backoffice.books import FirmBooks
from directbroker.domain.broker_messages import BrokerDayEnded, BrokerDayStarted
from directbroker.domain.ledger_messages import StartBusinessDay
from directbroker.domain.messages import Command
from directbroker.engines.ledger import CommissionSchedule, FeeSchedule, LedgerCore

_START = date(2025, 3, 3)
SESSIONS = [
    int(day.strftime("%Y%m%d"))
    for day in (_START + timedelta(days=n) for n in range(40))
    if day.weekday() < 5
]
CALENDAR = SessionCalendar(SESSIONS)
FEES = FeeSchedule(CommissionSchedule(per_share=35, minimum=10_000))


class LedgerBooks:
    """A ledger core and the books folded from its events, one command at a time."""

    def __init__(self) -> None:
        self.core = LedgerCore(CALENDAR, FEES)
        self.books = FirmBooks()
        self.ts = 0
        self.date = 0

    def run(self, commands: Iterable[Command]) -> None:
        """Handle each command and fold it with its events."""
        for command in commands:
            self.ts += 1
            events = list(self.core.handle(command, self.ts))
            if isinstance(command, StartBusinessDay) and command.date != self.date:
                if self.date:
                    events.insert(0, BrokerDayEnded(self.date, self.ts))
                events.append(BrokerDayStarted(command.date, self.ts))
                self.date = command.date
            self.books.take(command, events, self.ts)

    def start(self, date: int) -> None:
        """End the current business day (if any) and start ``date``."""
        self.run([StartBusinessDay(date)])

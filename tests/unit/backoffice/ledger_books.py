"""A ledger driven by commands and folded into the back office's books, for the clearing tests:
the books hold what the real ledger's events say, not hand-made records. A business day ends
when the next one starts; the books' close of each day and its clearing records are kept."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from directbroker.adapters.calendar import SessionCalendar
from directbroker.backoffice.books import DayClose, FirmBooks
from directbroker.backoffice.trade_file import HandOff
from directbroker.domain.broker_messages import BrokerDayEnded, BrokerDayStarted, EndBrokerDay
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
        self.handoff = HandOff()
        self.closes: dict[int, DayClose] = {}
        self.books = FirmBooks(on_day_end=self._day_ended)
        self.ts = 0
        self.date = 0
        self.ended = False

    def run(self, commands: Iterable[Command]) -> None:
        """Handle each command and fold it with its events."""
        for command in commands:
            self.ts += 1
            events = list(self.core.handle(command, self.ts))
            if isinstance(command, StartBusinessDay) and command.date != self.date:
                self.end()
                events.append(BrokerDayStarted(command.date, self.ts))
                self.date = command.date
                self.ended = False
            self.books.take(command, events, self.ts)

    def end(self) -> None:
        """End the current business day, as the broker core does at 20:00 (the ledger stays
        on its date until the next day starts)."""
        if self.date and not self.ended:
            self.ts += 1
            self.books.take(EndBrokerDay(self.date), [BrokerDayEnded(self.date, self.ts)], self.ts)
            self.ended = True

    def _day_ended(self, close: DayClose, books: FirmBooks) -> None:
        self.closes[close.date] = close
        self.handoff.day_ended(close, books)

    def start(self, date: int) -> None:
        """End the current business day (if any) and start ``date``."""
        self.run([StartBusinessDay(date)])

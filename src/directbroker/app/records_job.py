"""The end-of-day books and records job: each business day's order tickets and trade blotter,
filed under ``D/backoffice/records/`` when the journal ends the day.

A :class:`~directbroker.app.backoffice_runner.DayJob` for ``serve``'s back office. The runner
folds the books (:class:`~directbroker.backoffice.books.FirmBooks`) and hands them over at each
day end; the order tickets are a second fold of the same journal, kept here: the job reads the
broker journal on from where it stopped, up to the ``BrokerDayEnded`` of the day being run
(which the runner has already read), so the tickets stand exactly at that day's end too. Only
entries with events are read (an input without events changes no ticket). Writing a day again
leaves the same files (:func:`~directbroker.backoffice.records_files.write_day_records`).
"""

from __future__ import annotations

from pathlib import Path

from directbroker.app.broker_journal import broker_entries
from directbroker.backoffice.books import DayClose, FirmBooks
from directbroker.backoffice.order_tickets import OrderTickets
from directbroker.backoffice.records_files import write_day_records
from directbroker.domain.broker_messages import BrokerDayEnded


class DayRecords:
    """Files each day's order tickets and trade blotter at the day's end."""

    name = "records"

    def __init__(self, data_dir: Path) -> None:
        self._data_dir = data_dir
        self.tickets = OrderTickets()
        self._seq = 0

    def run_day(self, close: DayClose, books: FirmBooks) -> None:
        """File the records of ``close.date`` (the books stand at its end)."""
        self._fold_to(close.date)
        write_day_records(self._data_dir, close.date, books, self.tickets)

    def _fold_to(self, date: int) -> None:
        """Fold the journal on until the end of ``date`` (or its tail, for a day run again)."""
        entries = broker_entries(self._data_dir, self._seq, frozenset())
        try:
            for seq, (message, events, ts_ns) in entries:
                self.tickets.take(message, events, ts_ns)
                self._seq = seq
                if any(isinstance(e, BrokerDayEnded) and e.date == date for e in events):
                    return
        finally:
            close = getattr(entries, "close", None)  # stopping early closes the journal too
            if close is not None:
                close()

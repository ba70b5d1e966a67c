"""The end-of-day books and records job: each business day's order tickets and trade blotter,
filed under ``D/backoffice/records/`` when the journal ends the day.

A :class:`~directbroker.app.backoffice_runner.DayJob` for ``serve``'s back office. The runner
folds the books (:class:`~directbroker.backoffice.books.FirmBooks`) and hands them over at each
day end; the order tickets are a second fold of the same journal, which the job hands to the
runner (``folds=[job.tickets]``) so that it reads each entry once and the tickets stand exactly
at that day's end too. Writing a day again leaves the same files
(:func:`~directbroker.backoffice.records_files.write_day_records`).
"""

from __future__ import annotations

from pathlib import Path

from directbroker.backoffice.books import DayClose, FirmBooks
from directbroker.backoffice.order_tickets import OrderTickets
from directbroker.backoffice.records_files import write_day_records


class DayRecords:
    """Files each day's order tickets and trade blotter at the day's end."""

    name = "records"

    def __init__(self, data_dir: Path) -> None:
        self._data_dir = data_dir
        self.tickets = OrderTickets()
        """The order tickets: the runner feeds them every entry of the journal."""

    def run_day(self, close: DayClose, books: FirmBooks) -> None:
        """File the records of ``close.date`` (the books and the tickets stand at its end)."""
        write_day_records(self._data_dir, close.date, books, self.tickets)

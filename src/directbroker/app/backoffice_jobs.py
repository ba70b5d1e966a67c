"""The back office's jobs in ``serve``, composed: what runs at each day end and month end.

:func:`back_office_for` builds the :class:`~directbroker.app.backoffice_runner.BackOfficeRunner`
of a firm's data directory with the jobs its ``[backoffice]`` section asks for, and wakes it
on every broker commit (a cheap signal: the worker reads the journal itself, on its thread).
At each day end the day's trade and money files go to the clearing firm, which answers with
its activity, position and balance files, the day is reconciled and its drop copy checked
(every street execution exactly once); then the day's order tickets and trade blotter are
filed and its confirmations issued. Documents are written to disk on the worker's thread and
handed to the API's document store on the API's event loop (through its feed), so a customer
can list them at once.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from directbroker.adapters.calendar import XnysCalendar
from directbroker.adapters.clearing.drop import atomic_write
from directbroker.adapters.clearing.run import clear_ended_day
from directbroker.app.backoffice_runner import BackOfficeRunner, DayJob, MonthJob
from directbroker.app.clearing_dropcopy import settled_drop_copy_check
from directbroker.app.config import FirmConfig
from directbroker.app.document_files import firm_details, write_documents
from directbroker.app.monthly_job import MonthlyReportJob
from directbroker.app.platform import Platform
from directbroker.app.recon_job import ReconResult, run_recon_for_books
from directbroker.app.records_job import DayRecords
from directbroker.backoffice.books import DayClose, FirmBooks
from directbroker.backoffice.customer_documents import (
    IssuedDocument,
    documents_for_day,
    documents_for_month,
)
from directbroker.backoffice.drop_copy_check import DropCopyProblem
from directbroker.backoffice.pdf_layout import FirmDetails
from directbroker.backoffice.trade_file import HandOff
from directbroker.domain.messages import Message
from directbroker.runtime.schedule import to_date
from directbroker.runtime.sequencer import Outcome

log = logging.getLogger(__name__)

Publish = Callable[[list[IssuedDocument]], None]
"""Hands issued documents to whoever serves them (any thread)."""


class ClearingDay:
    """The day's hand-off to the clearing firm and the reconciliation of its answer: the
    trade and money files of the day's window of the books, the simulated clearing firm's run
    over them, then the break report (``D/backoffice/recon/``)."""

    name = "clearing"

    def __init__(
        self, data_dir: Path, clearing_number: str, calendar: XnysCalendar, drop_copy: bool
    ) -> None:
        self._data_dir = data_dir
        self._clearing_number = clearing_number
        self._calendar = calendar
        self._drop_copy = drop_copy
        self._handoff = HandOff()
        self.last: ReconResult | None = None
        """The last day's reconciliation (for the start-up message and tests)."""

    def observe(self, close: DayClose, books: FirmBooks) -> None:
        """Cut the day's window of the books (every day end, run or not)."""
        handoff = self._handoff
        handoff.day_ended(close, books)
        for date in [date for date in handoff.days if date < close.date]:
            del handoff.days[date]

    def run_day(self, close: DayClose, books: FirmBooks) -> None:
        """Hand the day to the clearing firm and reconcile what it sends back."""
        day = self._handoff.days[close.date]
        clear_ended_day(self._data_dir, day, self._clearing_number, calendar=self._calendar)
        self.last = run_recon_for_books(self._data_dir, close, day, self._calendar)
        if self._drop_copy:
            executions = books.executions.get(close.date, [])
            problems = settled_drop_copy_check(self._data_dir, close.date, executions)
            write_check(self._data_dir, close.date, problems)
            for problem in problems:
                log.warning("drop copy of %s: %s", close.date, problem)


def check_path(data_dir: Path, date: int) -> Path:
    """Where a day's drop copy check is kept."""
    return data_dir / "backoffice" / "clearing" / "dropcopy-checks" / f"{to_date(date)}.json"


def write_check(data_dir: Path, date: int, problems: Sequence[DropCopyProblem]) -> Path:
    """Keep a day's drop copy check: the problems found (none on a good day)."""
    path = check_path(data_dir, date)
    body = {
        "date": to_date(date).isoformat(),
        "clean": not problems,
        "problems": [
            {"code": p.code.value, "exec_id": p.exec_id, "detail": p.detail} for p in problems
        ],
    }
    atomic_write(path, (json.dumps(body, indent=2) + "\n").encode())
    return path


class Confirmations:
    """Each day's trade confirmations: one per account that traded."""

    name = "confirmations"

    def __init__(self, data_dir: Path, firm: FirmDetails, publish: Publish) -> None:
        self._data_dir = data_dir
        self._firm = firm
        self._publish = publish

    def run_day(self, close: DayClose, books: FirmBooks) -> None:
        """Issue the confirmations of ``close.date``."""
        documents = documents_for_day(books, close, self._firm)
        write_documents(self._data_dir, documents)
        self._publish(documents)


class Statements:
    """Each month's account statements: one per customer account open in the month."""

    name = "statements"

    def __init__(self, data_dir: Path, firm: FirmDetails, publish: Publish) -> None:
        self._data_dir = data_dir
        self._firm = firm
        self._publish = publish

    def run_month(self, year: int, month: int, close: DayClose, books: FirmBooks) -> None:
        """Issue the statements of ``year``-``month``."""
        documents = documents_for_month(books, year, month, self._firm)
        write_documents(self._data_dir, documents)
        self._publish(documents)


def back_office_for(
    data_dir: Path,
    config: FirmConfig,
    platform: Platform,
    calendar: XnysCalendar,
    publish: Publish,
) -> BackOfficeRunner | None:
    """The firm's back office (None when ``[backoffice] enabled`` is off)."""
    if not config.backoffice.enabled:
        return None
    firm = firm_details(config)
    section = config.backoffice
    clearing = ClearingDay(data_dir, section.clearing_number, calendar, section.drop_copy)
    records = DayRecords(data_dir)
    monthly = MonthlyReportJob(data_dir, calendar, config.firm.name)
    day_jobs: list[DayJob] = [clearing, records, Confirmations(data_dir, firm, publish)]
    month_jobs: list[MonthJob] = [Statements(data_dir, firm, publish), monthly]
    runner = BackOfficeRunner(
        data_dir,
        calendar,
        day_jobs,
        month_jobs,
        observers=[clearing.observe],
        folds=[records.tickets, monthly.fold],
    )

    def wake(_inputs: Sequence[Message], _outcomes: Sequence[Outcome]) -> None:
        runner.wake()

    platform.on_broker_commit(wake)
    return runner


def publisher(push: Callable[[Callable[[], None]], None], store_issue: Publish) -> Publish:
    """A :data:`Publish` that runs ``store_issue`` through ``push`` (the API's feed)."""

    def publish(documents: list[IssuedDocument]) -> None:
        if documents:
            push(lambda: store_issue(documents))

    return publish

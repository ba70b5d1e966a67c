"""The monthly activity report as a month-end job of ``serve``'s back office: after a month's
last business day ends, its report is written to ``D/backoffice/monthly/`` in every format
(``monthly-YYYY-MM.txt``, ``.csv``, ``.json``, ``.html``), each file replaced atomically.

The back-office worker hands the job its :class:`FirmBooks`; the job's :class:`ActivityFold`
is fed by the same worker (``folds=[job.fold]``), so both stand at the month's last close.
Running a month again rewrites the same files, so the job is idempotent as the worker
requires.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from directbroker.backoffice.books import DayClose, FirmBooks
from directbroker.backoffice.monthly_activity import (
    ActivityBooks,
    ActivityFold,
    MonthlyActivity,
    Sessions,
    monthly_activity,
)
from directbroker.backoffice.monthly_html import as_html
from directbroker.backoffice.monthly_render import as_csv, as_json, as_text


def report_files(report: MonthlyActivity, firm: str = "DirectBroker") -> dict[str, str]:
    """The report in every format, by file suffix."""
    return {
        "txt": as_text(report, firm),
        "csv": as_csv(report),
        "json": json.dumps(as_json(report), indent=2) + "\n",
        "html": as_html(report, firm),
    }


def write_report(directory: Path, report: MonthlyActivity, firm: str = "DirectBroker") -> None:
    """Write (or replace) ``monthly-YYYY-MM.*`` in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    for suffix, text in report_files(report, firm).items():
        final = directory / f"monthly-{report.period}.{suffix}"
        partial = final.with_name(final.name + ".part")
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, final)


class MonthlyReportJob:
    """A ``MonthJob`` of :class:`~directbroker.app.backoffice_runner.BackOfficeRunner`."""

    name = "monthly_report"

    def __init__(self, data_dir: Path, sessions: Sessions, firm: str = "DirectBroker") -> None:
        self._data_dir = data_dir
        self._sessions = sessions
        self._firm = firm
        self.fold = ActivityFold()
        """What the report needs beyond the books: the runner feeds it every journal entry."""

    @property
    def directory(self) -> Path:
        """Where the reports are written."""
        return self._data_dir / "backoffice" / "monthly"

    def run_month(self, year: int, month: int, close: DayClose, books: FirmBooks) -> None:
        """Write the report of ``year``-``month``, whose last business day just ended."""
        activity = ActivityBooks(books, self.fold)
        report = monthly_activity(activity, year, month, self._sessions)
        write_report(self.directory, report, self._firm)

"""``serve``'s back office: the end-of-day and end-of-month jobs, run as the journal says.

The back office is a reader of the broker journal like any read model: it never touches the
core. A worker thread keeps :class:`~directbroker.backoffice.books.FirmBooks` folded up to the
journal's tail (reading the SQLite journal read-only, woken by each broker commit), and every
``BrokerDayEnded`` it folds is the moment to run the day's jobs (the trade file, the clearing
firm's run, the reconciliation, the confirmations) while the books stand exactly at that day's
end; after the last business day of a month it runs the month's jobs (the statements).

The journal is the schedule, so a restart loses nothing: the worker folds the journal again
from the start and runs the jobs of every day that ended after the last one it finished
(``D/backoffice/progress.json``); observers (what cuts a day's window of the books, say) see
every day end, finished or not. Jobs that keep a fold of their own beside the books (the order
tickets, the monthly activity) hand it to the runner (``folds``): the journal is read once,
and each entry goes to those folds before the books, so at a day end they stand where the
books stand. Each job is idempotent (a day's files come out the same
every time). A failing job is logged with its day and retried at the next start; it never
stops the firm.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Protocol

from directbroker.app.broker_journal import broker_entries
from directbroker.app.journal_location import has_broker_journal
from directbroker.backoffice.books import QUIET_INPUTS, DayClose, DayEndListener, FirmBooks
from directbroker.domain.messages import Event, Message
from directbroker.runtime.schedule import BusinessCalendar

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0
"""How often the worker looks at the journal when no commit woke it."""


class DayJob(Protocol):
    """One end-of-day job. It must be idempotent: run twice for a day, it leaves the same."""

    name: str

    def run_day(self, close: DayClose, books: FirmBooks) -> None:
        """Do the job for the day that just ended (the books stand at its end)."""
        ...


class EntryFold(Protocol):
    """A fold of the broker journal kept beside the books."""

    def take(self, message: Message, events: Sequence[Event], ts_ns: int) -> None:
        """Fold one journal entry: the input and the events it caused."""
        ...


class MonthJob(Protocol):
    """One end-of-month job (idempotent), run after the month's last business day ended."""

    name: str

    def run_month(self, year: int, month: int, close: DayClose, books: FirmBooks) -> None:
        """Do the job for the month whose last day just ended."""
        ...


@dataclass(frozen=True, slots=True)
class Progress:
    """The last day whose jobs all finished (YYYYMMDD, 0: none), kept in ``progress.json``."""

    path: Path

    def read(self) -> int:
        """The last finished day."""
        try:
            value = json.loads(self.path.read_text(encoding="utf-8"))["day"]
        except (FileNotFoundError, KeyError, ValueError, TypeError):
            return 0
        return value if isinstance(value, int) else 0

    def write(self, day: int) -> None:
        """Record ``day`` as finished (atomically: a crash leaves the old or the new)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(self.path.name + ".tmp")
        with temporary.open("w", encoding="utf-8") as handle:
            json.dump({"day": day}, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.path)


def is_month_end(calendar: BusinessCalendar, date: int) -> bool:
    """Whether ``date`` is the last business day of its month."""
    following = calendar.add_business_days(date, 1)
    return following // 100 != date // 100


class BackOfficeRunner:
    """Follows the broker journal of ``data_dir`` on its own thread and runs the jobs."""

    def __init__(
        self,
        data_dir: Path,
        calendar: BusinessCalendar,
        day_jobs: Sequence[DayJob],
        month_jobs: Sequence[MonthJob] = (),
        *,
        observers: Sequence[DayEndListener] = (),
        folds: Sequence[EntryFold] = (),
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        self._data_dir = data_dir
        self._calendar = calendar
        self._day_jobs = tuple(day_jobs)
        self._month_jobs = tuple(month_jobs)
        self._observers = tuple(observers)
        self._folds = tuple(folds)
        self._poll = poll_seconds
        self._progress = Progress(data_dir / "backoffice" / "progress.json")
        self._finished = self._progress.read()
        self._books = FirmBooks(on_day_end=self._day_ended)
        self._seq = 0
        self._journal_seen = False
        """Whether the broker journal exists (once it does, it always will: not asked again)."""
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._failed = False
        self.days_run: list[int] = []
        """The days whose jobs ran in this process (for the start-up message and tests)."""
        self.on_idle: Callable[[], None] | None = None

    @property
    def books(self) -> FirmBooks:
        """The worker's books (read them on the worker's thread only, or after :meth:`stop`)."""
        return self._books

    def wake(self) -> None:
        """Something committed: look at the journal now (any thread; cheap)."""
        self._wake.set()

    def start(self) -> None:
        """Start the worker thread."""
        thread = threading.Thread(target=self._run, name="backoffice", daemon=True)
        self._thread = thread
        thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Finish the job at hand and stop."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def catch_up(self) -> int:
        """Fold what the journal holds beyond what was folded, running jobs as days end;
        the number of entries folded."""
        if not self._journal_seen:
            if not has_broker_journal(self._data_dir):
                return 0
            self._journal_seen = True
        folded = 0
        takes = [fold.take for fold in self._folds]
        take = self._books.take
        entries = broker_entries(self._data_dir, self._seq, QUIET_INPUTS)
        for seq, (message, events, ts_ns) in entries:
            for beside in takes:
                beside(message, events, ts_ns)
            take(message, events, ts_ns)
            self._seq = seq
            folded += 1
            if self._stopping.is_set():
                break
        return folded

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self.catch_up()
            except Exception:
                log.exception("the back office could not read the broker journal")
            if self.on_idle is not None:
                self.on_idle()
            self._wake.wait(self._poll)
            self._wake.clear()

    def _day_ended(self, close: DayClose, books: FirmBooks) -> None:
        for observe in self._observers:
            observe(close, books)
        if close.date <= self._finished:
            return
        done = True
        for job in self._day_jobs:
            done &= self._attempt(job.name, close.date, partial(job.run_day, close, books))
        if is_month_end(self._calendar, close.date):
            year, month = close.date // 10_000, close.date // 100 % 100
            for monthly in self._month_jobs:
                work = partial(monthly.run_month, year, month, close, books)
                done &= self._attempt(monthly.name, close.date, work)
        # A failed day holds the progress back, so the next start runs it (and those after) again.
        self._failed |= not done
        if not self._failed:
            self._finished = close.date
            self._progress.write(close.date)
        self.days_run.append(close.date)

    @staticmethod
    def _attempt(name: str, date: int, work: Callable[[], None]) -> bool:
        try:
            work()
        except Exception:
            log.exception(
                "back-office job %s failed for %s (retried at the next start)", name, date
            )
            return False
        return True

"""serve's back office worker: day jobs at each day end, month jobs after a month's last day,
each day once across restarts, and a failed day again at the next start."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from directbroker.adapters.calendar import XnysCalendar
from directbroker.app.backoffice_runner import BackOfficeRunner, is_month_end
from directbroker.backoffice.books import DayClose, FirmBooks
from directbroker.domain.accounts import AccountType
from directbroker.domain.broker_messages import EndBrokerDay, PlaceOrder, StartBrokerDay
from directbroker.domain.orders import OrderType, Side
from directbroker.testing.broker_harness import BrokerHarness
from directbroker.testing.broker_journal import BrokerJournalWriter


class Recorder:
    """A day and month job that notes what it saw, and can be told to fail."""

    name = "recorder"

    def __init__(self, fail_on: int = 0) -> None:
        self.days: list[tuple[int, int]] = []
        self.months: list[tuple[int, int, int]] = []
        self.fail_on = fail_on

    def run_day(self, close: DayClose, books: FirmBooks) -> None:
        if close.date == self.fail_on:
            raise RuntimeError("the job broke")
        self.days.append((close.date, sum(len(v) for v in books.executions.values())))

    def run_month(self, year: int, month: int, close: DayClose, books: FirmBooks) -> None:
        self.months.append((year, month, close.date))


def write_days(data_dir: Path, dates: list[int]) -> None:
    """A broker journal: one account, one buy a day, each day ended."""
    harness = BrokerHarness(date=dates[0])
    harness.open_account("C1", "100000.00", AccountType.MARGIN)
    for index, date in enumerate(dates):
        if index:
            harness.send(StartBrokerDay(date))
        harness.quote("AAPL", "199.99", "200.01")
        order = PlaceOrder(
            f"o{index}", f"c{index}", "C1", "AAPL", Side.BUY, OrderType.MARKET, 10 + index
        )
        harness.send(order)
        harness.send(EndBrokerDay(date))
    with BrokerJournalWriter(data_dir) as writer:
        writer.add_all(harness.entries)


def run_once(data_dir: Path, job: Recorder) -> BackOfficeRunner:
    runner = BackOfficeRunner(data_dir, XnysCalendar(), [job], [job])
    runner.catch_up()
    return runner


def test_month_end_is_the_last_business_day() -> None:
    calendar = XnysCalendar()
    assert is_month_end(calendar, 20260630)
    assert not is_month_end(calendar, 20260629)
    assert is_month_end(calendar, 20260731)  # a Friday
    assert is_month_end(calendar, 20251031)


def test_jobs_run_at_each_day_end_and_after_the_month(tmp_path: Path) -> None:
    write_days(tmp_path, [20260629, 20260630, 20260701])
    job = Recorder()
    run_once(tmp_path, job)
    assert job.days == [(20260629, 1), (20260630, 2), (20260701, 3)]
    assert job.months == [(2026, 6, 20260630)]
    again = Recorder()
    run_once(tmp_path, again)
    assert again.days == [] and again.months == []


def test_a_failed_day_runs_again_at_the_next_start(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write_days(tmp_path, [20260629, 20260630, 20260701])
    failing = Recorder(fail_on=20260630)
    run_once(tmp_path, failing)
    assert [d for d, _ in failing.days] == [20260629, 20260701]
    assert "failed for 20260630" in caplog.text
    retry = Recorder()
    run_once(tmp_path, retry)
    assert [d for d, _ in retry.days] == [20260630, 20260701]


def test_the_worker_thread_follows_the_journal(tmp_path: Path) -> None:
    write_days(tmp_path, [20260629])
    job = Recorder()
    runner = BackOfficeRunner(tmp_path, XnysCalendar(), [job], poll_seconds=0.05)
    runner.start()
    try:
        for _ in range(200):
            if job.days:
                break
            runner.wake()
            time.sleep(0.05)
    finally:
        runner.stop()
    assert job.days == [(20260629, 1)]

"""``backoffice recon`` run as an operator would, over a real firm's durable journal.

``directbroker demo`` (a subprocess, simulated clock) opens and funds its demo customers and
closes a business day; the test then plays the clearing firm, delivering the day's activity,
position and balance files into the data directory, and runs the command as a subprocess: a
faithful clearing firm gives a clean report (exit 0), one that never booked a deposit gives
the missing item and the cash break it causes (exit 1, aged in the persisted report), and a
bad file is refused by line (exit 2) without touching the report already written.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from directbroker.app.broker_journal import journal_entries
from directbroker.app.recon_job import inbound_folder
from directbroker.backoffice.books import DayClose, FirmBooks
from directbroker.backoffice.break_report import report_path
from directbroker.backoffice.recon import money
from tests.unit.app.recon_inbound import booked, deliver, holdings

pytestmark = pytest.mark.timeout(180)
START = "2026-03-02T19:00:00-05:00"
"""An hour before the day's end: the demo funds its customers, then the day closes."""


@pytest.fixture(scope="module")
def firm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("recon") / "firm"
    demo = subprocess.run(
        [sys.executable, "-m", "directbroker.app.cli", "demo", "--no-live", "--no-api",
         "--data-dir", str(data), "--clock", "sim", "--speed", "2000", "--duration", "8",
         "--start", START],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "COLUMNS": "160", "TERM": "dumb"},
    )  # fmt: skip
    assert demo.returncode == 0, demo.stderr
    return data


def _books(data: Path) -> tuple[FirmBooks, DayClose]:
    closes: list[DayClose] = []
    books = FirmBooks(on_day_end=lambda close, _books: closes.append(close))
    for message, events, ts in journal_entries(data):
        books.take(message, events, ts)
    assert closes, "the demo closed no business day"
    return books, closes[0]


def _deliver(data: Path, books: FirmBooks, close: DayClose, *, lose: str = "") -> None:
    """The clearing firm's files of the day; ``lose`` names a movement it never booked (its
    cash follows)."""
    activity = booked(books, close.date)
    lost = {a.account: a.net_amount for a in activity if a.reference == lose}
    positions, balances = holdings(close)
    balances = [replace(b, cash=b.cash - lost.get(b.account, 0)) for b in balances]
    deliver(data, close.date, [a for a in activity if a.reference != lose], positions, balances)
    # The fixture's day is reconciled from scratch in each test.
    for report in data.joinpath("backoffice", "recon").glob("*.json"):
        report.unlink()


def _recon(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "directbroker.app.cli", "backoffice", "recon",
         "--data-dir", str(data), *args],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_a_faithful_clearing_firm_gives_a_clean_day(firm: Path) -> None:
    books, close = _books(firm)
    assert books.movements.get(close.date), "the demo funded nobody on its first day"
    _deliver(firm, books, close)
    result = _recon(firm)
    assert result.returncode == 0, result.stderr
    assert "Clean: our books and the clearing firm's files agree." in result.stdout
    day = close.date
    path = (
        firm
        / "backoffice"
        / "recon"
        / f"{day // 10_000}-{day // 100 % 100:02d}-{day % 100:02d}.json"
    )
    assert json.loads(path.read_text())["clean"] is True


def test_a_deposit_the_clearing_firm_never_booked_is_a_break(firm: Path) -> None:
    books, close = _books(firm)
    lost = books.movements[close.date][-1]
    _deliver(firm, books, close, lose=lost.reference)
    result = _recon(firm, "--format", "json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert [(b["code"], b["account"], b["reference"]) for b in report["breaks"]] == [
        ("MISSING_AT_CLEARING", lost.account, lost.reference),
        ("CASH_BREAK", lost.account, ""),
    ]
    cash = report["breaks"][1]
    assert cash["difference"] == money(-lost.amount) and cash["explained"] is True
    assert cash["caused_by"] == [report["breaks"][0]["key"]]
    persisted = report_path(firm, close.date)
    assert json.loads(persisted.read_text()) == report

    spoiled = inbound_folder(firm, close.date) / "balances.csv"
    lines = spoiled.read_text().splitlines()  # the header, the column names, the records
    account, _cash, as_of = lines[2].split(",")
    spoiled.write_text("\n".join([*lines[:2], f"{account},lots,{as_of}", *lines[3:]]) + "\n")
    refused = _recon(firm)
    assert refused.returncode == 2 and refused.stdout == ""
    assert "balances.csv line 3" in refused.stderr and "'lots'" in refused.stderr
    assert json.loads(persisted.read_text()) == report

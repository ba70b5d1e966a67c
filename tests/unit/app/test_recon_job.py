"""A day's reconciliation end to end over books folded from a real broker core's journal:
the clearing firm's files read from the data directory, the report written (and written the
same when run twice), ageing from the previous day's report, bad files refused by line with
nothing written; and ``backoffice recon``'s arguments and exit status."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pytest

from directbroker.adapters.calendar import XnysCalendar
from directbroker.app import recon_cli
from directbroker.app.recon_job import InboundError, inbound_folder, run_recon_day
from directbroker.backoffice.books import DayClose, FirmBooks
from directbroker.backoffice.break_report import report_path
from directbroker.domain.broker_messages import EndBrokerDay, PlaceOrder
from directbroker.domain.messages import Event, Message
from directbroker.domain.orders import OrderType, Side
from directbroker.testing.broker_harness import BrokerHarness
from directbroker.testing.broker_journal import BrokerJournalWriter
from tests.unit.app.recon_inbound import booked, deliver, holdings

ACTIVITY_FILE, POSITIONS_FILE, BALANCES_FILE = "activity.csv", "positions.csv", "balances.csv"
DAY = 20260601
NEXT = 20260602
CALENDAR = XnysCalendar(2026, 2026)
Entry = tuple[Message, Sequence[Event], int]


def _journal() -> list[Entry]:
    """A day of a real broker core: two customers funded, three executions, the close."""
    h = BrokerHarness(symbols=(("AAPL", "200.00"), ("MSFT", "400.00")), date=DAY)
    h.open_account("C1", "100000.00")
    h.open_account("C2", "50000.00")
    h.quote("AAPL", "199.99", "200.01")
    h.quote("MSFT", "399.98", "400.02")
    h.send(PlaceOrder("O1", "c1", "C1", "AAPL", Side.BUY, OrderType.MARKET, 100))
    h.send(PlaceOrder("O2", "c2", "C2", "MSFT", Side.BUY, OrderType.MARKET, 30))
    h.send(PlaceOrder("O3", "c3", "C1", "AAPL", Side.SELL, OrderType.MARKET, 40))
    h.send(EndBrokerDay(DAY))
    core = h.new_core()
    return [(message, core.handle(message, ts), ts) for message, ts in h.inputs]


JOURNAL = _journal()


def _books() -> tuple[FirmBooks, DayClose]:
    closes: list[DayClose] = []
    books = FirmBooks(on_day_end=lambda close, _books: closes.append(close))
    for message, events, ts in JOURNAL:
        books.take(message, events, ts)
    assert [c.date for c in closes] == [DAY]
    return books, closes[0]


def _mirror(
    data: Path, books: FirmBooks, close: DayClose, *, drop: str = "", cash_off: int = 0
) -> None:
    """Deliver what a faithful clearing firm sends for the day, without the item ``drop``
    (its holdings untouched: a test sets them) and with C1's cash ``cash_off``."""
    activity = [a for a in booked(books, close.date) if a.reference != drop]
    positions, balances = holdings(close)
    balances = [replace(b, cash=b.cash + cash_off) if b.account == "C1" else b for b in balances]
    deliver(data, close.date, activity, positions, balances)


def test_the_journal_has_the_day_to_reconcile() -> None:
    books, close = _books()
    assert len(books.executions[DAY]) == 3 and len(books.movements[DAY]) == 2
    assert close.of("C1").positions == {"AAPL": 60}


def test_a_clean_day_writes_a_clean_report(tmp_path: Path) -> None:
    books, close = _books()
    _mirror(tmp_path, books, close)
    result = run_recon_day(
        tmp_path, DAY, books.executions[DAY], books.movements[DAY], close, CALENDAR
    )
    assert result.clean and result.breaks == ()
    assert result.path == report_path(tmp_path, DAY)
    assert json.loads(result.path.read_text())["clean"] is True


def test_a_missing_execution_is_reported_and_a_second_run_writes_the_same(tmp_path: Path) -> None:
    books, close = _books()
    missing = books.executions[DAY][1].execution_id
    # The clearing firm's holdings follow what it booked: without the trade, C2 has no MSFT.
    activity = [a for a in booked(books, DAY) if a.reference != missing]
    positions, balances = holdings(close)
    positions = [p for p in positions if p.account != "C2"]
    deliver(tmp_path, DAY, activity, positions, balances)
    args = (tmp_path, DAY, books.executions[DAY], books.movements[DAY], close, CALENDAR)
    first = run_recon_day(*args)
    written = first.path.read_bytes()
    assert [b.code.value for b in first.breaks] == ["MISSING_AT_CLEARING", "POSITION_BREAK"]
    assert first.breaks[0].reference == missing and not first.clean
    assert first.breaks[1].caused_by == (first.breaks[0].key,)
    second = run_recon_day(*args)
    assert second == first and second.path.read_bytes() == written


def test_breaks_age_from_the_previous_report(tmp_path: Path) -> None:
    books, close = _books()
    _mirror(tmp_path, books, close, cash_off=-1)
    first = run_recon_day(
        tmp_path, DAY, books.executions[DAY], books.movements[DAY], close, CALENDAR
    )
    assert [(b.code.value, b.account) for b in first.breaks] == [("CASH_BREAK", "C1")]
    following = replace(close, date=NEXT)
    _mirror(tmp_path, books, following, cash_off=-1)
    second = run_recon_day(tmp_path, NEXT, [], [], following, CALENDAR)
    cash = [a for a in second.ageing.open if a.brk.code.value == "CASH_BREAK"]
    assert [(a.first_seen, a.age_days, a.bucket) for a in cash] == [(DAY, 1, "1-2")]


@pytest.mark.parametrize(
    ("damage", "code", "where"),
    [
        (lambda f: (f / POSITIONS_FILE).unlink(), "INBOUND_MISSING", "positions.csv"),
        (lambda f: (f / ACTIVITY_FILE).write_text("ref,acct\n"), "BAD_HEADER", "line 1"),
        (lambda f: _spoil(f / ACTIVITY_FILE, 3, 5, "ten"), "BAD_FIELD", "activity.csv line 4"),
        (
            lambda f: _spoil(f / BALANCES_FILE, 2, 1, "1.00001"),
            "BAD_FIELD",
            "balances.csv line 3",
        ),
        (
            lambda f: _spoil(f / POSITIONS_FILE, 2, 3, "20260602"),
            "WRONG_DATE",
            "positions.csv line 3",
        ),
        (lambda f: _spoil(f / ACTIVITY_FILE, 2, None, ""), "BAD_LINE", "activity.csv line 3"),
        (lambda f: _cut(f / BALANCES_FILE), "COUNT_MISMATCH", "balances.csv"),
    ],
)
def test_bad_files_are_refused_by_line_and_nothing_is_written(
    tmp_path: Path, damage: object, code: str, where: str
) -> None:
    books, close = _books()
    _mirror(tmp_path, books, close)
    assert callable(damage)
    damage(inbound_folder(tmp_path, DAY))
    with pytest.raises(InboundError) as caught:
        run_recon_day(tmp_path, DAY, books.executions[DAY], books.movements[DAY], close, CALENDAR)
    assert caught.value.code == code and where in str(caught.value)
    assert not report_path(tmp_path, DAY).exists()


def _spoil(path: Path, record: int, column: int | None, value: str) -> None:
    """Set one field of one line (0-based: the header line is 0, the column names 1), or cut
    its last field."""
    rows = list(csv.reader(path.read_text().splitlines()))
    if column is None:
        rows[record] = rows[record][:-1]
    else:
        rows[record][column] = value
    path.write_text("\n".join(",".join(row) for row in rows) + "\n")


def _cut(path: Path) -> None:
    """Cut the file's last line (its trailer): a partial delivery."""
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[:-1]) + "\n")


# -- the command ---------------------------------------------------------------------------


@pytest.fixture
def journal(tmp_path: Path) -> None:
    """The data directory's broker journal holds this day."""
    with BrokerJournalWriter(tmp_path) as writer:
        writer.add_all(JOURNAL)


@pytest.mark.usefixtures("journal")
def test_the_command_exits_0_on_a_clean_day(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _mirror(tmp_path, *_books())
    assert recon_cli.main(["backoffice", "recon", "--data-dir", str(tmp_path)]) == 0
    assert "Clean" in capsys.readouterr().out
    assert report_path(tmp_path, DAY).exists()


@pytest.mark.usefixtures("journal")
def test_the_command_exits_1_on_breaks_in_each_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    books, close = _books()
    _mirror(tmp_path, books, close, drop=books.executions[DAY][0].execution_id)
    base = ["backoffice", "recon", "--data-dir", str(tmp_path), "--date", "2026-06-01"]
    assert recon_cli.main([*base, "--format", "json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["breaks"][0]["code"] == "MISSING_AT_CLEARING"
    assert recon_cli.main([*base, "--format", "csv"]) == 1
    assert "MISSING_AT_CLEARING" in capsys.readouterr().out.split("\n\n")[1]
    assert recon_cli.main(base) == 1
    assert "Open breaks (oldest first)" in capsys.readouterr().out


@pytest.mark.usefixtures("journal")
@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--date", "2026-13-01"], "is not a date"),
        (["--date", "2026-06-02"], "no end of 2026-06-02"),
        ([], "INBOUND_MISSING"),
    ],
)
def test_the_command_exits_2_on_unusable_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], says: str
) -> None:
    assert recon_cli.main(["backoffice", "recon", "--data-dir", str(tmp_path), *argv]) == 2
    captured = capsys.readouterr()
    assert says in captured.err and captured.out == ""


def test_the_command_exits_2_without_a_journal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert recon_cli.main(["backoffice", "recon", "--data-dir", str(tmp_path)]) == 2
    assert "no broker journal" in capsys.readouterr().err


def test_register_recon_adds_the_subcommand_to_an_existing_backoffice_command() -> None:
    import argparse

    parser = argparse.ArgumentParser()
    backoffice = parser.add_subparsers(dest="command").add_parser("backoffice")
    recon_cli.register_recon(backoffice.add_subparsers(dest="job"))
    args = parser.parse_args(["backoffice", "recon", "--data-dir", "D", "--format", "csv"])
    assert args.handler is recon_cli.run and args.format == "csv" and args.date is None


@pytest.mark.usefixtures("journal")
def test_the_command_exits_2_when_the_previous_report_is_damaged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _mirror(tmp_path, *_books())
    earlier = report_path(tmp_path, 20260529)
    earlier.parent.mkdir(parents=True)
    earlier.write_text("{not json")
    assert recon_cli.main(["backoffice", "recon", "--data-dir", str(tmp_path)]) == 2
    assert "2026-05-29.json" in capsys.readouterr().err
    assert not report_path(tmp_path, DAY).exists()

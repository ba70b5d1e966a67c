"""The clearing file drop on disk and a clearing firm's run over it: the files land where the
layout says, a processed day is not processed again, days carry on from the last one, faults
are kept and fixed on their day, and a bad or missing file is refused with nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from directbroker.adapters.calendar import SessionCalendar
from directbroker.adapters.clearing.drop import (
    clearing_dir,
    inbound_dir,
    outbound_dir,
    processed,
    processed_days,
    read_inbound,
    read_outbound,
    write_outbound,
)
from directbroker.adapters.clearing.faults import (
    FaultError,
    add_fault,
    faults_path,
    load_faults,
    make_fault,
)
from directbroker.adapters.clearing.run import ClearingRunError, clear_ended_day, run_clearing_day
from directbroker.backoffice.clearing_files import ClearingFileError, ErrorCode
from directbroker.backoffice.clearing_firm import ClearingFault, FaultKind
from directbroker.backoffice.clearing_records import MoneyRecord, ShortMarking, TradeRecord
from directbroker.domain.accounts import AccountType, Registration
from directbroker.domain.ledger_messages import Deposit, OpenAccount, RecordExecution
from directbroker.domain.orders import Side
from tests.unit.backoffice.ledger_books import SESSIONS as SESSION_DAYS
from tests.unit.backoffice.ledger_books import LedgerBooks

DAY1, DAY2, DAY3 = 20261130, 20261201, 20261202


def _trade(execution_id: str, date: int, quantity: int = 10) -> TradeRecord:
    return TradeRecord(
        execution_id, "o", "A1", "buy", ShortMarking.NONE, quantity, 1_000_000, "AAPL", "A",
        0, 0, 0, -quantity * 1_000_000, date, date, "ARCA",
    )  # fmt: skip


def _outbound(data: Path, date: int, *trades: TradeRecord, deposit: int = 0) -> None:
    money = [MoneyRecord(f"d{date}", "A1", "deposit", deposit, date)] if deposit else []
    write_outbound(data, date, "0158", list(trades), money)


SESSIONS = SessionCalendar([DAY1, DAY2, DAY3, 20261203])


def _snapshot(folder: Path) -> dict[str, bytes]:
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_the_outbound_files_land_in_the_day_folder_and_read_back(tmp_path: Path) -> None:
    _outbound(tmp_path, DAY1, _trade("E1", DAY1), deposit=50_000_000)
    folder = tmp_path / "backoffice" / "clearing" / "outbound" / "2026-11-30"
    assert folder == outbound_dir(tmp_path, DAY1)
    assert sorted(p.name for p in folder.iterdir()) == ["money.csv", "trades.csv"]
    day = read_outbound(tmp_path, DAY1)
    assert [t.execution_id for t in day.trades.records] == ["E1"]
    assert day.money.records[0].amount == 50_000_000
    assert day.trades.clearing_number == "0158"


def test_a_day_is_booked_once_and_the_next_carries_on(tmp_path: Path) -> None:
    _outbound(tmp_path, DAY1, _trade("E1", DAY1), deposit=50_000_000)
    _outbound(tmp_path, DAY2, _trade("E2", DAY2, 5))
    first = run_clearing_day(tmp_path, DAY1)
    assert first.booked and processed(tmp_path, DAY1)
    assert inbound_dir(tmp_path, DAY1).name == "2026-11-30"
    files = _snapshot(inbound_dir(tmp_path, DAY1))
    again = run_clearing_day(tmp_path, DAY1)
    assert not again.booked and again.notes == ("already processed",)
    assert _snapshot(inbound_dir(tmp_path, DAY1)) == files
    second = run_clearing_day(tmp_path, DAY2)
    assert [(p.account, p.symbol, p.quantity) for p in second.inbound.positions.records] == [
        ("A1", "AAPL", 15)
    ]
    assert second.inbound.balances.records[0].cash == 50_000_000 - 15 * 1_000_000
    assert processed_days(tmp_path) == [DAY1, DAY2]
    assert not list(clearing_dir(tmp_path).rglob(".*.tmp"))


def test_forcing_a_day_books_it_again_with_new_faults(tmp_path: Path) -> None:
    _outbound(tmp_path, DAY1, _trade("E1", DAY1))
    run_clearing_day(tmp_path, DAY1)
    add_fault(tmp_path, ClearingFault(DAY1, FaultKind.DUPLICATE, "E1"))
    assert not run_clearing_day(tmp_path, DAY1).booked
    forced = run_clearing_day(tmp_path, DAY1, force=True)
    assert forced.booked and forced.notes == ("duplicate: E1 booked twice",)
    assert len(read_inbound(tmp_path, DAY1).activity.records) == 2


def test_a_fault_ages_and_is_fixed_on_its_day(tmp_path: Path) -> None:
    _outbound(tmp_path, DAY1, _trade("E1", DAY1), _trade("E2", DAY1))
    _outbound(tmp_path, DAY2)
    _outbound(tmp_path, DAY3)
    add_fault(tmp_path, ClearingFault(DAY1, FaultKind.MISSING_TRADE, "E2", fix_after_days=2))
    quantities = []
    for date in (DAY1, DAY2, DAY3):
        run = run_clearing_day(tmp_path, date, calendar=SESSIONS)
        quantities.append(run.inbound.positions.records[0].quantity)
    assert quantities == [10, 10, 20]
    fixed = read_inbound(tmp_path, DAY3).activity.records
    assert [(a.reference, a.kind, a.business_date) for a in fixed] == [("E2", "trade", DAY3)]


def test_no_trade_file_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    with pytest.raises(ClearingRunError) as caught:
        run_clearing_day(tmp_path, DAY1)
    assert caught.value.code == "NO_TRADE_FILE"
    assert not processed(tmp_path, DAY1) and not inbound_dir(tmp_path, DAY1).exists()


def test_a_bad_trade_file_names_its_line_and_nothing_is_written(tmp_path: Path) -> None:
    _outbound(tmp_path, DAY1, _trade("E1", DAY1), _trade("E2", DAY1))
    path = outbound_dir(tmp_path, DAY1) / "trades.csv"
    path.write_text(path.read_text().replace(",10,100.0000,", ",ten,100.0000,", 1))
    with pytest.raises(ClearingFileError) as caught:
        run_clearing_day(tmp_path, DAY1)
    assert (caught.value.code, caught.value.file, caught.value.line, caught.value.field) == (
        ErrorCode.BAD_FIELD, "trades.csv", 3, "quantity",
    )  # fmt: skip
    assert not inbound_dir(tmp_path, DAY1).exists()


def test_a_cut_off_position_file_of_the_day_before_stops_the_next_day(tmp_path: Path) -> None:
    _outbound(tmp_path, DAY1, _trade("E1", DAY1))
    _outbound(tmp_path, DAY2, _trade("E2", DAY2))
    run_clearing_day(tmp_path, DAY1)
    positions = inbound_dir(tmp_path, DAY1) / "positions.csv"
    positions.write_bytes(positions.read_bytes()[:-4])
    before = _snapshot(clearing_dir(tmp_path))
    with pytest.raises(ClearingFileError) as caught:
        run_clearing_day(tmp_path, DAY2)
    assert caught.value.code is ErrorCode.COUNT_MISMATCH
    assert caught.value.file == "positions.csv"
    assert _snapshot(clearing_dir(tmp_path)) == before


def test_faults_are_kept_in_the_faults_file(tmp_path: Path) -> None:
    assert load_faults(tmp_path) == []
    price = make_fault("2026-11-30", "wrong_price", "E1", "0.05", 3)
    cash = make_fault("2026-12-01", "cash_difference", "A1", "-25.50")
    moved = make_fault("2026-12-01", "wrong_account", to_account="B2")
    for fault in (price, cash, moved):
        add_fault(tmp_path, fault)
    assert load_faults(tmp_path) == [price, cash, moved]
    assert price == ClearingFault(DAY1, FaultKind.WRONG_PRICE, "E1", 500, 3)
    assert cash.amount == -255_000
    assert faults_path(tmp_path).parent == clearing_dir(tmp_path)


@pytest.mark.parametrize(
    ("fields", "detail"),
    [
        (("2026-11-30", "lost_trade"), "kind 'lost_trade'"),
        (("2026/11/30", "duplicate"), "not YYYY-MM-DD"),
        (("2026-02-30", "duplicate"), "not a calendar date"),
        (("2026-11-30", "duplicate", "first", "1"), "takes no amount"),
        (("2026-11-30", "wrong_price", "first", "0.00001"), "at most 4 decimals"),
        (("2026-11-30", "wrong_quantity", "first", "1.5"), "whole shares"),
        (("2026-11-30", "wrong_quantity", "first", "0"), "non-zero"),
        (("2026-11-30", "wrong_price", "first", "abc"), "not a number"),
        (("2026-11-30", "duplicate", ""), "target"),
        (("2026-11-30", "duplicate", "first", "", -1), "negative"),
        (("2026-11-30", "duplicate", "first", "", 0, "B2"), "to_account"),
    ],
)
def test_a_bad_fault_is_refused(fields: tuple[object, ...], detail: str) -> None:
    with pytest.raises(FaultError) as caught:
        make_fault(*fields)  # type: ignore[arg-type]
    assert caught.value.code == "BAD_FAULT" and detail in str(caught.value)


def test_a_broken_faults_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = faults_path(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text('{"faults": [{"date": "2026-11-30", "kind": "nope"}]}')
    with pytest.raises(FaultError) as caught:
        add_fault(tmp_path, make_fault("2026-11-30", "duplicate"))
    assert caught.value.code == "BAD_FAULTS_FILE"
    path.write_text("{")
    with pytest.raises(FaultError):
        load_faults(tmp_path)
    assert path.read_text() == "{"


def test_days_are_processed_in_order(tmp_path: Path) -> None:
    _outbound(tmp_path, DAY1, _trade("E1", DAY1))
    _outbound(tmp_path, DAY2, _trade("E2", DAY2))
    with pytest.raises(ClearingRunError) as caught:
        run_clearing_day(tmp_path, DAY2)
    assert caught.value.code == "DAY_SKIPPED" and "2026-11-30" in str(caught.value)
    assert not inbound_dir(tmp_path, DAY2).exists()
    run_clearing_day(tmp_path, DAY1)
    run_clearing_day(tmp_path, DAY2)
    with pytest.raises(ClearingRunError) as caught:
        run_clearing_day(tmp_path, DAY1, force=True)
    assert caught.value.code == "LATER_DAY_PROCESSED"


def test_an_as_of_trade_is_booked_on_the_day_it_arrives(tmp_path: Path) -> None:
    _outbound(tmp_path, DAY2, _trade("E0", DAY1))
    run = run_clearing_day(tmp_path, DAY2)
    (row,) = run.inbound.activity.records
    assert (row.reference, row.business_date) == ("E0", DAY2)


def test_the_end_of_day_job_hands_each_day_over_and_matches_the_books(tmp_path: Path) -> None:
    firm = LedgerBooks()
    firm.run([OpenAccount("C1", "ann", AccountType.CASH, Registration.INDIVIDUAL)])
    days = SESSION_DAYS[:2]
    firm.start(days[0])
    firm.run([Deposit("C1", "dep-1", 100_000_000)])
    firm.run([RecordExecution("C1", "X1", "AAA", Side.BUY, 100, 105_000, days[0], "o1")])
    firm.start(days[1])
    firm.run([RecordExecution("C1", "X2", "AAA", Side.SELL, 30, 106_000, days[1], "o2")])
    firm.end()
    for date in days:
        run = clear_ended_day(tmp_path, firm.handoff.days[date], "0158")
        assert run.booked
        close = firm.closes[date]
        assert [(b.account, b.cash) for b in run.inbound.balances.records] == [
            ("C1", close.of("C1").cash)
        ]
        assert [(p.symbol, p.quantity) for p in run.inbound.positions.records] == sorted(
            close.of("C1").positions.items()
        )
    again = clear_ended_day(tmp_path, firm.handoff.days[days[1]], "0158")
    assert not again.booked

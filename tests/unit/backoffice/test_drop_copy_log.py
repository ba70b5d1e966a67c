"""The clearing firm's drop copy log: one file per trade date, each ExecID once, torn lines
cut off at open, and bad files refused with the line named."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from directbroker.backoffice.drop_copy_log import (
    HEADER,
    DropCopyFileError,
    DropCopyLog,
    DropCopyRecord,
    drop_copy_path,
    format_row,
    parse_row,
    parse_transact_time,
    read_file,
)
from directbroker.domain.orders import Side


def record(
    exec_id: str,
    when: str = "20261130-15:00:00.250",
    *,
    account: str = "DEMO-1",
    price: int = 2_345_600,
    seq: int = 7,
) -> DropCopyRecord:
    return DropCopyRecord(
        exec_id, "o-1", account, Side.SELL_SHORT, 100, price, "AAPL", "ARCA", when, seq
    )


def test_records_go_to_the_file_of_their_new_york_trade_date(tmp_path: Path) -> None:
    log = DropCopyLog(tmp_path / "dropcopy")
    # 00:30 UTC on Dec 1 is still Nov 30 in New York.
    assert log.append(record("e1", "20261201-00:30:00.000"))
    assert log.append(record("e2", "20261201-15:00:00.000"))
    first = read_file(tmp_path / "dropcopy" / "2026-11-30.csv")
    second = read_file(tmp_path / "dropcopy" / "2026-12-01.csv")
    assert [r.exec_id for r in first] == ["e1"]
    assert [r.exec_id for r in second] == ["e2"]
    assert first[0] == record("e1", "20261201-00:30:00.000")
    assert first[0].trade_date == 20261130
    header = (tmp_path / "dropcopy" / "2026-11-30.csv").read_text().splitlines()[0]
    assert header == ",".join(HEADER)


def test_an_exec_id_already_logged_is_not_appended_again_even_after_reopening(
    tmp_path: Path,
) -> None:
    directory = tmp_path / "dropcopy"
    log = DropCopyLog(directory)
    assert log.append(record("e1", seq=3))
    # A PossDup resend of the same report (another sequence number, same ExecID).
    assert not log.append(record("e1", seq=9))
    reopened = DropCopyLog(directory)
    assert "e1" in reopened and reopened.last_seq == 3
    assert not reopened.append(record("e1", seq=12))
    assert reopened.append(record("e2", seq=13))
    assert [r.exec_id for r in read_file(directory / "2026-11-30.csv")] == ["e1", "e2"]
    assert DropCopyLog(directory).last_seq == 13


def test_a_line_torn_by_a_crash_is_cut_off_when_the_log_opens(tmp_path: Path) -> None:
    directory = tmp_path / "dropcopy"
    DropCopyLog(directory).append(record("e1"))
    path = directory / "2026-11-30.csv"
    whole = path.read_text()
    path.write_text(whole + format_row(record("e2"))[:20])
    with pytest.raises(DropCopyFileError, match="line 3: the line is cut short"):
        read_file(path)
    log = DropCopyLog(directory)
    assert "e2" not in log
    assert path.read_text() == whole
    assert log.append(record("e2"))
    assert [r.exec_id for r in read_file(path)] == ["e1", "e2"]


def test_a_header_torn_by_a_crash_leaves_an_empty_file_that_starts_again(tmp_path: Path) -> None:
    directory = tmp_path / "dropcopy"
    directory.mkdir()
    (directory / "2026-11-30.csv").write_text("exec_id,ord")
    log = DropCopyLog(directory)
    assert len(log) == 0
    assert log.append(record("e1"))
    assert [r.exec_id for r in read_file(directory / "2026-11-30.csv")] == ["e1"]


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("e1,o,A,buy,100,10.00,AAPL,ARCA,20261130-15:00:00.000\n", "9 fields, not 10"),
        ("e1,o,A,hold,100,10.00,AAPL,ARCA,20261130-15:00:00.000,1\n", "side 'hold'"),
        ("e1,o,A,buy,0,10.00,AAPL,ARCA,20261130-15:00:00.000,1\n", "quantity '0'"),
        ("e1,o,A,buy,100,ten,AAPL,ARCA,20261130-15:00:00.000,1\n", "price 'ten'"),
        ("e1,o,A,buy,100,10.00,AAPL,ARCA,yesterday,1\n", "transact_time 'yesterday'"),
        (",o,A,buy,100,10.00,AAPL,ARCA,20261130-15:00:00.000,1\n", "exec_id is empty"),
    ],
)
def test_a_bad_line_is_refused_naming_it(tmp_path: Path, line: str, problem: str) -> None:
    path = tmp_path / "2026-11-30.csv"
    good = format_row(record("e0"))
    path.write_text(",".join(HEADER) + "\n" + good + line)
    with pytest.raises(DropCopyFileError) as refused:
        read_file(path)
    assert refused.value.line == 3
    assert problem in str(refused.value)
    assert str(refused.value).startswith("2026-11-30.csv line 3: ")


def test_a_file_with_another_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "2026-11-30.csv"
    path.write_text("id,qty\n")
    with pytest.raises(DropCopyFileError, match="line 1: the header"):
        read_file(path)
    with pytest.raises(DropCopyFileError, match="line 1: the header"):
        DropCopyLog(tmp_path)


def test_paths_and_times() -> None:
    assert drop_copy_path(Path("D"), 20260105) == Path(
        "D/backoffice/clearing/dropcopy/2026-01-05.csv"
    )
    assert parse_transact_time("19700101-00:00:01.5") == 1_500_000_000
    assert parse_transact_time("19700101-00:00:02") == 2_000_000_000


@settings(max_examples=60, deadline=None)
@given(
    price=st.integers(min_value=1, max_value=10**9),
    account=st.text(alphabet="AZaz09-,\" '", min_size=1, max_size=12),
    millis=st.integers(min_value=0, max_value=999),
)
def test_a_record_reads_back_as_written(price: int, account: str, millis: int) -> None:
    written = record("e,1", f"20261130-15:00:00.{millis:03d}", account=account, price=price)
    line = format_row(written)
    assert line.endswith("\n")
    row = next(csv.reader([line.rstrip("\n")]))
    assert parse_row(row) == written

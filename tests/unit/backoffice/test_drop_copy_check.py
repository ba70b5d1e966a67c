"""The day's drop copy against the books: missing, extra, duplicate and mismatched executions
each reported with their code; allocations (no venue) and other dates are not expected."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from directbroker.backoffice.books import BookedExecution
from directbroker.backoffice.drop_copy_check import (
    DropCopyProblem,
    DropCopyProblemCode,
    check_drop_copy,
    compare,
)
from directbroker.backoffice.drop_copy_log import (
    HEADER,
    DropCopyLog,
    DropCopyRecord,
    drop_copy_dir,
    drop_copy_path,
    format_row,
)
from directbroker.domain.orders import Side

DATE = 20261130


def booked(
    exec_id: str, *, account: str = "DEMO-1", quantity: int = 100, venue: str = "ARCA"
) -> BookedExecution:
    return BookedExecution(
        exec_id, "o-1", account, "AAPL", Side.BUY, quantity, 2_345_600, 0, 0, 0, 0, 0, DATE,
        DATE + 1, 0, venue, "add" if venue else "",
    )  # fmt: skip


def copied(execution: BookedExecution, seq: int = 1) -> DropCopyRecord:
    return DropCopyRecord(
        execution.execution_id, execution.order_id, execution.account, execution.side,
        execution.quantity, execution.price, execution.symbol, execution.venue,
        "20261130-15:00:00.000", seq,
    )  # fmt: skip


def codes(problems: list[DropCopyProblem]) -> list[tuple[str, str]]:
    return [(p.code.value, p.exec_id) for p in problems]


def test_a_drop_copy_that_agrees_has_no_problem(tmp_path: Path) -> None:
    executions = [booked("e1"), booked("e2", account="FIRM-AVGPX")]
    log = DropCopyLog(drop_copy_dir(tmp_path))
    for execution in executions:
        log.append(copied(execution))
    # An allocation out of the average-price account has no venue: not drop-copied.
    allocation = booked("b1.a0", venue="")
    assert check_drop_copy(tmp_path, DATE, [*executions, allocation]) == []


def test_no_file_and_no_execution_is_no_problem_and_no_file_is_all_missing(
    tmp_path: Path,
) -> None:
    assert check_drop_copy(tmp_path, DATE, []) == []
    problems = check_drop_copy(tmp_path, DATE, [booked("e1")])
    assert codes(problems) == [("DROPCOPY_MISSING", "e1")]
    assert "DEMO-1 buy 100 AAPL @ 234.56" in problems[0].detail


def test_each_difference_has_its_code() -> None:
    books = [booked("e1"), booked("e2"), booked("e3"), booked("e4")]
    records = [
        copied(books[0]),
        copied(books[0], seq=5),  # the same ExecID twice
        dataclasses.replace(copied(books[1]), account="DEMO-2", quantity=90),
        copied(books[3]),
        copied(booked("x9")),  # not in the books
    ]
    problems = compare(records, books)
    assert codes(problems) == [
        ("DROPCOPY_DUPLICATE", "e1"),
        ("DROPCOPY_MISMATCH", "e2"),
        ("DROPCOPY_MISSING", "e3"),
        ("DROPCOPY_EXTRA", "x9"),
    ]
    mismatch = problems[1].detail
    assert "account DEMO-2 in the drop copy, DEMO-1 in the books" in mismatch
    assert "quantity 90 in the drop copy, 100 in the books" in mismatch
    assert str(problems[0]).startswith("DROPCOPY_DUPLICATE e1: ")


def test_executions_of_another_trade_date_are_not_expected(tmp_path: Path) -> None:
    other_day = dataclasses.replace(booked("e1"), trade_date=DATE + 1)
    assert check_drop_copy(tmp_path, DATE, [other_day]) == []


def test_an_unreadable_file_is_one_problem_naming_the_line(tmp_path: Path) -> None:
    path = drop_copy_path(tmp_path, DATE)
    path.parent.mkdir(parents=True)
    path.write_text(",".join(HEADER) + "\n" + format_row(copied(booked("e1"))) + "e2,o,A\n")
    problems = check_drop_copy(tmp_path, DATE, [booked("e1")])
    assert [p.code for p in problems] == [DropCopyProblemCode.UNREADABLE]
    assert "2026-11-30.csv line 3" in problems[0].detail


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=30), max_size=20),
    st.lists(st.integers(min_value=0, max_value=30), max_size=25),
)
def test_every_execution_exactly_once_is_the_same_as_no_problem(
    in_books: list[int], in_copy: list[int]
) -> None:
    books = [booked(f"e{n}") for n in dict.fromkeys(in_books)]
    records = [copied(booked(f"e{n}")) for n in in_copy]
    problems = compare(records, books)
    agree = sorted(in_copy) == sorted(dict.fromkeys(in_books))
    assert (problems == []) == agree
    missing = {p.exec_id for p in problems if p.code is DropCopyProblemCode.MISSING}
    assert missing == {f"e{n}" for n in set(in_books) - set(in_copy)}
    extra = {p.exec_id for p in problems if p.code is DropCopyProblemCode.EXTRA}
    assert extra == {f"e{n}" for n in set(in_copy) - set(in_books)}

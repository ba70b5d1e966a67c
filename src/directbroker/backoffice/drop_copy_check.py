"""The day's drop copy against the books: every street execution of the date exactly once.

The clearing firm's drop copy log (:mod:`.drop_copy_log`) is what it was told in real time;
the books (:mod:`.books`) are what the firm booked. For one trade date each execution the
books recorded from a street fill must be in the drop copy exactly once, with the same
account, side, quantity, price and symbol. Bookings that are not executions on a market (the
allocations out of the average-price account and step-outs, which have no venue) are not
drop-copied: they reach the clearing firm in the end-of-day trade file.

Each difference is a :class:`DropCopyProblem` with a stable code; the end-of-day job puts
them in the reconciliation report and ``directbroker backoffice dropcopy-check`` prints them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from directbroker.backoffice.books import BookedExecution
from directbroker.backoffice.drop_copy_log import (
    DropCopyFileError,
    DropCopyRecord,
    drop_copy_path,
    read_file,
)
from directbroker.domain.numbers import format_price


class DropCopyProblemCode(str, Enum):
    """What is wrong, as a stable code."""

    MISSING = "DROPCOPY_MISSING"
    """An execution of the books is not in the drop copy."""
    EXTRA = "DROPCOPY_EXTRA"
    """The drop copy has an execution the books do not have on that date."""
    DUPLICATE = "DROPCOPY_DUPLICATE"
    """The drop copy has an execution more than once."""
    MISMATCH = "DROPCOPY_MISMATCH"
    """The drop copy's account, side, quantity, price or symbol differ from the books'."""
    UNREADABLE = "DROPCOPY_UNREADABLE"
    """The day's drop copy file cannot be read (nothing else is compared)."""


@dataclass(frozen=True, slots=True)
class DropCopyProblem:
    """One difference between the day's drop copy and the books."""

    code: DropCopyProblemCode
    exec_id: str
    detail: str

    def __str__(self) -> str:
        return f"{self.code.value} {self.exec_id}: {self.detail}"


def drop_copied(execution: BookedExecution) -> bool:
    """Whether the drop copy carries this booking (a street execution: it has a venue)."""
    return execution.venue != ""


def check_drop_copy(
    data_dir: Path, date: int, executions: Iterable[BookedExecution]
) -> list[DropCopyProblem]:
    """The differences between ``date``'s drop copy file in ``data_dir`` and the books'
    executions of that trade date (YYYYMMDD); none when they agree. A missing file is an
    empty drop copy."""
    path = drop_copy_path(data_dir, date)
    records: list[DropCopyRecord] = []
    if path.exists():
        try:
            records = read_file(path)
        except DropCopyFileError as exc:
            return [DropCopyProblem(DropCopyProblemCode.UNREADABLE, "", str(exc))]
    return compare(records, [e for e in executions if drop_copied(e) and e.trade_date == date])


def compare(
    records: Iterable[DropCopyRecord], executions: Iterable[BookedExecution]
) -> list[DropCopyProblem]:
    """The problems, in the books' order, then the drop copy's extras in file order."""
    seen: dict[str, DropCopyRecord] = {}
    problems: list[DropCopyProblem] = []
    extras: list[DropCopyRecord] = []
    for record in records:
        if record.exec_id in seen:
            problems.append(
                DropCopyProblem(
                    DropCopyProblemCode.DUPLICATE,
                    record.exec_id,
                    f"in the drop copy again (MsgSeqNum {record.msg_seq})",
                )
            )
            continue
        seen[record.exec_id] = record
        extras.append(record)
    booked: set[str] = set()
    for execution in executions:
        booked.add(execution.execution_id)
        copied = seen.get(execution.execution_id)
        if copied is None:
            problems.append(
                DropCopyProblem(
                    DropCopyProblemCode.MISSING,
                    execution.execution_id,
                    f"not in the drop copy: {_describe_booked(execution)}",
                )
            )
            continue
        differences = _differences(copied, execution)
        if differences:
            problems.append(
                DropCopyProblem(
                    DropCopyProblemCode.MISMATCH, execution.execution_id, "; ".join(differences)
                )
            )
    for record in extras:
        if record.exec_id not in booked:
            problems.append(
                DropCopyProblem(
                    DropCopyProblemCode.EXTRA,
                    record.exec_id,
                    f"not in the books of the date: {_describe_record(record)}",
                )
            )
    return problems


def _differences(record: DropCopyRecord, execution: BookedExecution) -> list[str]:
    pairs = (
        ("account", record.account, execution.account),
        ("side", record.side.value, execution.side.value),
        ("quantity", str(record.quantity), str(execution.quantity)),
        ("price", format_price(record.price), format_price(execution.price)),
        ("symbol", record.symbol, execution.symbol),
    )
    return [
        f"{name} {copied} in the drop copy, {books} in the books"
        for name, copied, books in pairs
        if copied != books
    ]


def _describe_booked(execution: BookedExecution) -> str:
    return (
        f"{execution.account} {execution.side.value} {execution.quantity} "
        f"{execution.symbol} @ {format_price(execution.price)}"
    )


def _describe_record(record: DropCopyRecord) -> str:
    return (
        f"{record.account} {record.side.value} {record.quantity} "
        f"{record.symbol} @ {format_price(record.price)}"
    )

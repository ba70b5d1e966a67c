"""The clearing firm's log of the real-time drop copy: one CSV file per trade date.

The clearing firm takes a FIX drop copy of every execution as it happens and appends each to
``backoffice/clearing/dropcopy/YYYY-MM-DD.csv`` in the data directory, by the execution's
trade date (the New York date of its TransactTime). The log is the clearing firm's record of
what it was told, so it holds each execution once: an ExecID it already has (a PossDup resend
after a reconnect, or a report sent again after the firm's crash) is not appended again.

Each line is appended and synced before the next one is taken; a line torn by a crash in the
middle of an append has no newline and is cut off when the log is opened again (the report
it held is asked for again: its sequence number is in the line, see ``msg_seq``).

The layout (a header, then one line per execution)::

    exec_id,order_id,account,side,quantity,price,symbol,venue,transact_time,msg_seq

``side`` is ``buy``, ``sell``, ``sell_short`` or ``sell_short_exempt``; ``price`` a decimal
in dollars; ``transact_time`` FIX's UTCTimestamp (``YYYYMMDD-HH:MM:SS.sss``); ``msg_seq``
the MsgSeqNum the report arrived with. Reading a file checks every line and names the first
bad one (:class:`DropCopyFileError`).
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from directbroker.domain.numbers import format_price, parse_price
from directbroker.domain.orders import Side
from directbroker.domain.rejects import DomainRejection
from directbroker.runtime.schedule import new_york_date

HEADER = (
    "exec_id",
    "order_id",
    "account",
    "side",
    "quantity",
    "price",
    "symbol",
    "venue",
    "transact_time",
    "msg_seq",
)
_TIME_FORMATS = ("%Y%m%d-%H:%M:%S.%f", "%Y%m%d-%H:%M:%S")
_SIDES = {side.value: side for side in Side}


class DropCopyFileError(ValueError):
    """A drop copy file that cannot be read; the message names the file and the line."""

    def __init__(self, path: Path, line: int, problem: str) -> None:
        self.path = path
        self.line = line
        self.problem = problem
        super().__init__(f"{path.name} line {line}: {problem}")


@dataclass(frozen=True, slots=True)
class DropCopyRecord:
    """One execution as the drop copy reported it (price in $0.0001 units)."""

    exec_id: str
    order_id: str
    account: str
    side: Side
    quantity: int
    price: int
    symbol: str
    venue: str
    transact_time: str
    """FIX's UTCTimestamp, as received."""
    msg_seq: int = 0

    @property
    def transact_ns(self) -> int:
        """The TransactTime in nanoseconds since the epoch."""
        return parse_transact_time(self.transact_time)

    @property
    def trade_date(self) -> int:
        """The trade date (YYYYMMDD): the New York date of the TransactTime."""
        return new_york_date(self.transact_ns)


def parse_transact_time(text: str) -> int:
    """A FIX UTCTimestamp in nanoseconds (:class:`ValueError` if it is not one)."""
    for form in _TIME_FORMATS:
        try:
            moment = datetime.strptime(text, form).replace(tzinfo=UTC)
        except ValueError:
            continue
        whole = int(moment.replace(microsecond=0).timestamp())
        return whole * 1_000_000_000 + moment.microsecond * 1_000
    raise ValueError(f"transact_time {text!r} is not YYYYMMDD-HH:MM:SS[.sss]")


def drop_copy_dir(data_dir: Path) -> Path:
    """Where the clearing firm keeps the drop copy files of a data directory."""
    return data_dir / "backoffice" / "clearing" / "dropcopy"


def file_name(date: int) -> str:
    """The name of a trade date's (YYYYMMDD) drop copy file: ``YYYY-MM-DD.csv``."""
    return f"{date // 10_000:04d}-{date // 100 % 100:02d}-{date % 100:02d}.csv"


def drop_copy_path(data_dir: Path, date: int) -> Path:
    """The drop copy file of one trade date (YYYYMMDD)."""
    return drop_copy_dir(data_dir) / file_name(date)


def format_row(record: DropCopyRecord) -> str:
    """One record as a CSV line (with its newline)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(
        (
            record.exec_id,
            record.order_id,
            record.account,
            record.side.value,
            record.quantity,
            format_price(record.price),
            record.symbol,
            record.venue,
            record.transact_time,
            record.msg_seq,
        )
    )
    return out.getvalue()


def parse_row(row: list[str]) -> DropCopyRecord:
    """One CSV row (:class:`ValueError` naming the field when it is not valid)."""
    if len(row) != len(HEADER):
        raise ValueError(f"{len(row)} fields, not {len(HEADER)}")
    exec_id, order_id, account, side, quantity, price, symbol, venue, when, seq = row
    for name, value in (("exec_id", exec_id), ("account", account), ("symbol", symbol)):
        if not value:
            raise ValueError(f"{name} is empty")
    if side not in _SIDES:
        raise ValueError(f"side {side!r} is not one of {', '.join(_SIDES)}")
    if not quantity.isdigit() or int(quantity) <= 0:
        raise ValueError(f"quantity {quantity!r} is not a positive whole number")
    try:
        units = parse_price(price)
    except DomainRejection:
        raise ValueError(f"price {price!r} is not a valid price") from None
    parse_transact_time(when)
    if not seq.isdigit():
        raise ValueError(f"msg_seq {seq!r} is not a whole number")
    return DropCopyRecord(
        exec_id, order_id, account, _SIDES[side], int(quantity), units, symbol, venue, when,
        int(seq),
    )  # fmt: skip


def read_file(path: Path) -> list[DropCopyRecord]:
    """Every record of one drop copy file, in file order (duplicates kept: the check reports
    them). :class:`DropCopyFileError` names the first bad line, including a last line cut
    short (no newline)."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    if not lines:
        raise DropCopyFileError(path, 1, "the file is empty (no header)")
    records: list[DropCopyRecord] = []
    for number, line in enumerate(lines, start=1):
        if not line.endswith("\n"):
            raise DropCopyFileError(path, number, "the line is cut short (no newline)")
        row = next(csv.reader([line.rstrip("\n")]), [])
        if number == 1:
            if tuple(row) != HEADER:
                raise DropCopyFileError(path, 1, f"the header is not {','.join(HEADER)}")
            continue
        try:
            records.append(parse_row(row))
        except ValueError as exc:
            raise DropCopyFileError(path, number, str(exc)) from None
    return records


class DropCopyLog:
    """The drop copy files of one directory, appended to once per ExecID."""

    def __init__(self, directory: Path) -> None:
        """Open (creating the directory): read every file's ExecIDs, cutting off a line torn
        by a crash; :class:`DropCopyFileError` if a file is otherwise unreadable."""
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self._exec_ids: set[str] = set()
        self.last_seq = 0
        """The highest MsgSeqNum of a report appended (0: none)."""
        for path in sorted(directory.glob("*.csv")):
            _cut_torn_line(path)
            if path.stat().st_size == 0:
                continue
            for record in read_file(path):
                self._exec_ids.add(record.exec_id)
                self.last_seq = max(self.last_seq, record.msg_seq)

    def __contains__(self, exec_id: object) -> bool:
        return exec_id in self._exec_ids

    def __len__(self) -> int:
        return len(self._exec_ids)

    def append(self, record: DropCopyRecord) -> bool:
        """Append ``record`` to its trade date's file, synced, unless its ExecID is already in
        the log; whether it was appended."""
        if record.exec_id in self._exec_ids:
            return False
        path = self.directory / file_name(record.trade_date)
        fresh = not path.exists() or path.stat().st_size == 0
        data = (",".join(HEADER) + "\n" if fresh else "") + format_row(record)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, data.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
        if fresh:
            _sync_directory(self.directory)
        self._exec_ids.add(record.exec_id)
        self.last_seq = max(self.last_seq, record.msg_seq)
        return True


def _cut_torn_line(path: Path) -> None:
    """Cut a last line without its newline (an append a crash interrupted)."""
    data = path.read_bytes()
    if not data or data.endswith(b"\n"):
        return
    keep = data.rfind(b"\n") + 1
    with path.open("r+b") as handle:
        handle.truncate(keep)
        handle.flush()
        os.fsync(handle.fileno())


def _sync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

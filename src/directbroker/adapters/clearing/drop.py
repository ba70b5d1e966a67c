"""The clearing file drop: where each day's files live, written atomically, read back strictly.

Layout under a data directory::

    backoffice/clearing/outbound/YYYY-MM-DD/trades.csv     the firm's trade file
    backoffice/clearing/outbound/YYYY-MM-DD/money.csv      the firm's money file
    backoffice/clearing/inbound/YYYY-MM-DD/activity.csv    the clearing firm's activity
    backoffice/clearing/inbound/YYYY-MM-DD/positions.csv   its positions at the day's end
    backoffice/clearing/inbound/YYYY-MM-DD/balances.csv    its balances at the day's end
    backoffice/clearing/faults.json                        faults the simulated firm makes

A file is written to a temporary name beside it, flushed to disk and renamed over the final
name, so a reader sees the old file or the new one, never half of one. Within a day the
balance file is written last: a day whose three inbound files exist was processed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from directbroker.backoffice.clearing_files import (
    ACTIVITY,
    BALANCES,
    MONEY,
    POSITIONS,
    TRADES,
    ClearingFile,
    Layout,
    parse_bytes,
    write_file,
)
from directbroker.backoffice.clearing_firm import ClearingDay
from directbroker.backoffice.clearing_records import (
    ActivityRecord,
    BalanceRecord,
    MoneyRecord,
    PositionRecord,
    TradeRecord,
)
from directbroker.backoffice.trade_file import HandOffDay
from directbroker.runtime.schedule import to_date

OUTBOUND_FILES = {"trades": TRADES, "money": MONEY}
INBOUND_FILES = {"activity": ACTIVITY, "positions": POSITIONS, "balances": BALANCES}


def clearing_dir(data_dir: Path) -> Path:
    """The clearing drop of a data directory."""
    return data_dir / "backoffice" / "clearing"


def day_name(date: int) -> str:
    """YYYYMMDD as the folder name YYYY-MM-DD."""
    return f"{date // 10_000:04d}-{date // 100 % 100:02d}-{date % 100:02d}"


def parse_day(text: str) -> int:
    """``YYYY-MM-DD`` as YYYYMMDD; raises ValueError (``BAD_DATE: ...``)."""
    digits = text.replace("-", "")
    if len(text) != 10 or text[4] != "-" or text[7] != "-" or not digits.isdigit():
        raise ValueError(f"BAD_DATE: {text!r} is not YYYY-MM-DD")
    try:
        to_date(int(digits))
    except ValueError:
        raise ValueError(f"BAD_DATE: {text!r} is not a calendar date") from None
    return int(digits)


def outbound_dir(data_dir: Path, date: int) -> Path:
    """The firm's files of a day."""
    return clearing_dir(data_dir) / "outbound" / day_name(date)


def inbound_dir(data_dir: Path, date: int) -> Path:
    """The clearing firm's files of a day."""
    return clearing_dir(data_dir) / "inbound" / day_name(date)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path``: a temporary file, fsync, rename, fsync of the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


@dataclass(frozen=True, slots=True)
class OutboundDay:
    """The firm's two files of a day, as written or read back."""

    folder: Path
    trades: ClearingFile[TradeRecord]
    money: ClearingFile[MoneyRecord]


@dataclass(frozen=True, slots=True)
class InboundDay:
    """The clearing firm's three files of a day, as written or read back."""

    folder: Path
    activity: ClearingFile[ActivityRecord]
    positions: ClearingFile[PositionRecord]
    balances: ClearingFile[BalanceRecord]


def _read(layout: Layout[Any], path: Path, date: int) -> ClearingFile[Any]:
    return parse_bytes(layout, path.read_bytes(), path.name, business_date=date)


def write_outbound(
    data_dir: Path,
    date: int,
    clearing_number: str,
    trades: list[TradeRecord],
    money: list[MoneyRecord],
) -> OutboundDay:
    """Write the firm's trade and money files of ``date`` (both rendered before either is
    written, so a record that cannot be written leaves the drop as it was)."""
    folder = outbound_dir(data_dir, date)
    texts = {
        "trades": write_file(TRADES, clearing_number, date, trades),
        "money": write_file(MONEY, clearing_number, date, money),
    }
    for name, text in texts.items():
        atomic_write(folder / f"{name}.csv", text.encode())
    return read_outbound(data_dir, date)


def write_trade_files(data_dir: Path, day: HandOffDay, clearing_number: str) -> OutboundDay:
    """An ended day's trade and money files (see :mod:`~directbroker.backoffice.trade_file`),
    written."""
    return write_outbound(data_dir, day.date, clearing_number, list(day.trades), list(day.money))


def read_outbound(data_dir: Path, date: int) -> OutboundDay:
    """The firm's files of ``date``. Raises FileNotFoundError or ClearingFileError."""
    folder = outbound_dir(data_dir, date)
    return OutboundDay(
        folder,
        _read(TRADES, folder / "trades.csv", date),
        _read(MONEY, folder / "money.csv", date),
    )


def write_inbound(data_dir: Path, clearing_number: str, day: ClearingDay) -> InboundDay:
    """Write the clearing firm's three files of a day (the balance file last)."""
    folder = inbound_dir(data_dir, day.date)
    texts = {
        "activity": write_file(ACTIVITY, clearing_number, day.date, day.activity),
        "positions": write_file(POSITIONS, clearing_number, day.date, day.positions),
        "balances": write_file(BALANCES, clearing_number, day.date, day.balances),
    }
    for name, text in texts.items():
        atomic_write(folder / f"{name}.csv", text.encode())
    return read_inbound(data_dir, day.date)


def read_inbound(data_dir: Path, date: int) -> InboundDay:
    """The clearing firm's files of ``date``. Raises FileNotFoundError or ClearingFileError."""
    folder = inbound_dir(data_dir, date)
    return InboundDay(
        folder,
        _read(ACTIVITY, folder / "activity.csv", date),
        _read(POSITIONS, folder / "positions.csv", date),
        _read(BALANCES, folder / "balances.csv", date),
    )


def processed(data_dir: Path, date: int) -> bool:
    """Whether the clearing firm's files of ``date`` are all there."""
    folder = inbound_dir(data_dir, date)
    return all((folder / f"{name}.csv").exists() for name in INBOUND_FILES)


def processed_days(data_dir: Path) -> list[int]:
    """Every day the clearing firm processed, oldest first."""
    return [day for day in _days(data_dir, "inbound") if processed(data_dir, day)]


def outbound_days(data_dir: Path) -> list[int]:
    """Every day the firm wrote files for, oldest first."""
    return _days(data_dir, "outbound")


def _days(data_dir: Path, side: str) -> list[int]:
    root = clearing_dir(data_dir) / side
    if not root.is_dir():
        return []
    days = []
    for entry in root.iterdir():
        name = entry.name
        if len(name) == 10 and name[4] == name[7] == "-" and name.replace("-", "").isdigit():
            days.append(int(name.replace("-", "")))
    return sorted(days)

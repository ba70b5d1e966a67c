"""A business day's books and records as files: the order tickets of the orders entered that day
and the trade blotter of that trade date, under ``D/backoffice/records/``.

The end-of-day run files them once the journal ends the day (the folds stand exactly there),
and ``directbroker records ... --write`` files the same ones by hand; both go through
:func:`write_day_records`, so a day written twice leaves the same files (each is replaced
whole, through a temporary file, never half-written). The retention policy
(:mod:`~directbroker.backoffice.retention`) knows these folders.
"""

from __future__ import annotations

import os
from pathlib import Path

from directbroker.backoffice import ticket_formats, trade_blotter
from directbroker.backoffice.books import FirmBooks
from directbroker.backoffice.order_tickets import OrderTickets
from directbroker.runtime.schedule import to_date

RECORDS_FOLDER = ("backoffice", "records")


def record_path(data_dir: Path, kind: str, date: int, suffix: str) -> Path:
    """Where a day's record of ``kind`` (``tickets`` or ``blotter``) is filed."""
    return data_dir.joinpath(*RECORDS_FOLDER, kind, f"{to_date(date).isoformat()}.{suffix}")


def write_atomically(path: Path, text: str) -> Path:
    """Replace ``path`` with ``text`` whole (a reader sees the old file or the new one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    with temporary.open("w", encoding="utf-8") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    temporary.replace(path)
    return path


def write_day_records(
    data_dir: Path, date: int, books: FirmBooks, tickets: OrderTickets
) -> list[Path]:
    """File ``date``'s order tickets (CSV and JSON) and trade blotter (CSV); returns the
    paths written."""
    entered = tickets.of_date(date)
    lines = trade_blotter.blotter(books, date)
    return [
        write_atomically(record_path(data_dir, "tickets", date, "csv"),
                         ticket_formats.as_csv(entered)),
        write_atomically(record_path(data_dir, "tickets", date, "json"),
                         ticket_formats.as_json(entered)),
        write_atomically(record_path(data_dir, "blotter", date, "csv"),
                         trade_blotter.as_csv(lines)),
    ]  # fmt: skip

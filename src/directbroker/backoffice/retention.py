"""How long each kind of book and record is kept (SEC Rule 17a-4), and which generated files
under a data directory's ``backoffice/`` folder are past it.

The journals are the record: every order ticket, blotter, trade file, statement and report is
derived from them and can be generated again, so the journals are never pruned here (17a-4(f)
asks for them to be kept, unalterable, and they are hash-chained). What expires are the files
the back office generated from them. Each record class has the period 17a-4 gives it: six years
for the blotters and the ledgers behind the clearing files (17a-4(a)), three years for order
tickets, confirmations, statements, reconciliations and the activity reports (17a-4(b)). The
firm's ``[backoffice] retention_years`` caps every period (a demo or test firm keeps its files
for less); a production firm sets it to six or more, and :func:`short_classes` names the
classes a lower setting cuts below the rule.

A generated file's date is the first date in its name (``YYYY-MM-DD``, ``YYYYMMDD`` or
``YYYY-MM``, the last day of that month), else its modification time; it expires once that
date plus its class's period is before ``today``. Files no class names (``progress.json``, say)
are never expired (nobody said how long to keep them).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from directbroker.runtime.schedule import NEW_YORK

BACKOFFICE_FOLDER = "backoffice"


@dataclass(frozen=True, slots=True)
class RecordClass:
    """A kind of record: the folder its files are in (under ``backoffice/``, any depth below),
    the start of their names when the folder holds several kinds, and how many years 17a-4
    keeps it (``None``: for ever)."""

    name: str
    folder: str
    years: int | None
    rule: str
    prefix: str = ""


JOURNALS = RecordClass("journals", "", None, "17a-4(f): the record itself")

RECORD_CLASSES: tuple[RecordClass, ...] = (
    RecordClass("order tickets", "records/tickets", 3, "17a-3(a)(6), 17a-4(b)(1)"),
    RecordClass("trade blotters", "records/blotter", 6, "17a-3(a)(1), 17a-4(a)"),
    RecordClass("clearing files", "clearing", 6, "17a-3(a)(1)-(3), 17a-4(a)"),
    RecordClass("reconciliation reports", "recon", 3, "17a-4(b)(8)"),
    RecordClass("confirmations", "documents", 3, "17a-3(a)(8), 17a-4(b)(1)",
                "trade_confirmation-"),
    RecordClass("statements", "documents", 3, "17a-4(b)(4)", "account_statement-"),
    RecordClass("activity reports", "monthly", 3, "17a-4(b)(4)"),
)  # fmt: skip
"""The generated record classes, each by its folder under ``backoffice/``."""


def policy(retention_years: int) -> list[tuple[RecordClass, int | None]]:
    """Every record class (the journals first) with its period under the firm's cap."""
    rows: list[tuple[RecordClass, int | None]] = [(JOURNALS, None)]
    for record in RECORD_CLASSES:
        assert record.years is not None
        rows.append((record, min(record.years, retention_years)))
    return rows


def short_classes(retention_years: int) -> list[RecordClass]:
    """The classes a cap of ``retention_years`` keeps for less than 17a-4 requires."""
    return [r for r in RECORD_CLASSES if r.years is not None and retention_years < r.years]


def class_of(relative: Path) -> RecordClass | None:
    """The record class of a file at ``relative`` (under ``backoffice/``): the class of the
    deepest folder holding it whose name prefix the file has."""
    parts = relative.parts[:-1]
    best: RecordClass | None = None
    depth = 0
    for record in RECORD_CLASSES:
        folder = tuple(record.folder.split("/"))
        if parts[: len(folder)] != folder or not relative.name.startswith(record.prefix):
            continue
        if len(folder) > depth:
            best, depth = record, len(folder)
    return best


_DAY = re.compile(r"(?<![0-9])([0-9]{4})-?(0[1-9]|1[0-2])-?(0[1-9]|[12][0-9]|3[01])(?![0-9])")
_MONTH = re.compile(r"(?<![0-9])([0-9]{4})-(0[1-9]|1[0-2])(?![0-9-])")


def dated(path: Path) -> date:
    """The date a generated file records: the first date in its name, else its mtime."""
    found = _DAY.search(path.name)
    if found is not None:
        try:
            return date(int(found[1]), int(found[2]), int(found[3]))
        except ValueError:
            pass
    month = _MONTH.search(path.name)
    if month is not None:
        year, number = int(month[1]), int(month[2])
        return date(year, number, calendar.monthrange(year, number)[1])
    modified = path.stat().st_mtime_ns
    return datetime.fromtimestamp(modified // 1_000_000_000, UTC).astimezone(NEW_YORK).date()


def _plus_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # the 29th of February
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True, slots=True)
class Expired:
    """A generated file past its retention: its class, its date and when it expired."""

    path: Path
    record: RecordClass
    dated: date
    expired_on: date


def expired(data_dir: Path, today: date, retention_years: int) -> list[Expired]:
    """The generated files under ``data_dir/backoffice`` past their retention on ``today``,
    in path order. Journals and unclassified files are never listed."""
    root = data_dir / BACKOFFICE_FOLDER
    if not root.is_dir():
        return []
    out: list[Expired] = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        record = class_of(path.relative_to(root))
        if record is None or record.years is None:
            continue
        keep = min(record.years, retention_years)
        day = dated(path)
        until = _plus_years(day, keep)
        if until < today:
            out.append(Expired(path, record, day, until))
    return out


def prune(found: list[Expired]) -> int:
    """Delete the files :func:`expired` listed; returns how many were deleted."""
    deleted = 0
    for item in found:
        if item.path.is_file():
            item.path.unlink()
            deleted += 1
    return deleted

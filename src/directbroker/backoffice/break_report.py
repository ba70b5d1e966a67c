"""The day's break report: what operations reads, and what the next day's ageing reads back.

One report per business day, as text (for a person), CSV (for a spreadsheet) and JSON; each
starts with a summary by break code and age bucket and then lists every open break, oldest
first, and the breaks resolved today. The JSON form is also the persisted one,
``D/backoffice/recon/YYYY-MM-DD.json``: money is written as exact decimal strings and read back
to the same units, so a report read back ages exactly as the one written.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import os
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from directbroker.backoffice.break_ageing import BUCKETS, AgedBreak, Ageing, bucket_of
from directbroker.backoffice.breaks import (
    CODE_ORDER,
    Break,
    BreakCode,
    Unit,
    money,
    render_value,
)
from directbroker.domain.numbers import PRICE_SCALE
from directbroker.runtime.schedule import from_date, to_date

REPORT_FOLDER = ("backoffice", "recon")
FORMAT_VERSION = 1


class ReportError(ValueError):
    """A persisted report that cannot be read back (named by its path)."""


@dataclass(frozen=True, slots=True)
class Summary:
    """Open breaks by code and age bucket."""

    counts: dict[BreakCode, dict[str, int]]
    open: int
    unexplained: int
    resolved: int


def iso(day: int) -> str:
    """A YYYYMMDD date as YYYY-MM-DD."""
    return to_date(day).isoformat()


def summarise(ageing: Ageing) -> Summary:
    """Count the open breaks by code and bucket."""
    counts = {code: dict.fromkeys(BUCKETS, 0) for code in CODE_ORDER}
    for aged in ageing.open:
        counts[aged.brk.code][aged.bucket] += 1
    unexplained = sum(1 for aged in ageing.open if not aged.brk.explained)
    return Summary(counts, len(ageing.open), unexplained, len(ageing.resolved))


# -- text ----------------------------------------------------------------------------------


def as_text(ageing: Ageing) -> str:
    """The report for a person."""
    summary = summarise(ageing)
    lines = [
        f"Reconciliation with the clearing firm, {iso(ageing.date)}",
        f"Open breaks: {summary.open} (unexplained: {summary.unexplained}); "
        f"resolved today: {summary.resolved}",
    ]
    if not summary.open and not summary.resolved:
        lines.append("Clean: our books and the clearing firm's files agree.")
        return "\n".join(lines) + "\n"
    lines += ["", f"{'Break':<24}" + "".join(f"{b:>6}" for b in BUCKETS) + f"{'Total':>7}"]
    for code in CODE_ORDER:
        row = summary.counts[code]
        if any(row.values()):
            cells = "".join(f"{row[b]:>6}" for b in BUCKETS)
            lines.append(f"{code.value:<24}{cells}{sum(row.values()):>7}")
    if ageing.open:
        lines += ["", "Open breaks (oldest first)"]
        for aged in list(ageing.open):
            lines.append(_text_line(aged))
    if ageing.resolved:
        lines += ["", "Resolved today"]
        for aged in ageing.resolved:
            note = f"; {aged.note}" if aged.note else ""
            since = f"(since {iso(aged.first_seen)}{note})"
            lines.append(f"  {aged.brk.code.value}: {aged.brk.message} {since}")
    return "\n".join(lines) + "\n"


def _text_line(aged: AgedBreak) -> str:
    brk = aged.brk
    age = f"{aged.age_days}d" + (" carried" if aged.carried else "")
    text = f"  [{age}] {brk.code.value}: {brk.message}"
    if not brk.code.item_level:
        diff = render_value(brk.unit, brk.difference)
        text += f"; difference {diff}"
        if brk.caused_by:
            text += f"; caused by {', '.join(brk.caused_by)}"
        if not brk.explained:
            text += "; UNEXPLAINED"
    return text


# -- CSV -----------------------------------------------------------------------------------

BREAK_COLUMNS = (
    "date", "code", "account", "other_account", "symbol", "reference", "unit", "ours",
    "theirs", "difference", "first_seen", "age_days", "bucket", "carried", "explained",
    "caused_by", "note", "message",
)  # fmt: skip


def as_csv(ageing: Ageing) -> str:
    """The report for a spreadsheet: the summary table, a blank line, then one row per open
    break (status ``open``) and per break resolved today (status ``resolved``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    summary = summarise(ageing)
    writer.writerow(("date", "code", *BUCKETS, "total"))
    for code in CODE_ORDER:
        row = summary.counts[code]
        writer.writerow((iso(ageing.date), code.value, *row.values(), sum(row.values())))
    writer.writerow(())
    writer.writerow(("status", *BREAK_COLUMNS))
    for status, rows in (("open", list(ageing.open)), ("resolved", list(ageing.resolved))):
        for aged in rows:
            record = _record(aged, ageing.date)
            writer.writerow((status, *(_cell(record[name]) for name in BREAK_COLUMNS)))
    return out.getvalue()


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, list):
        return " ".join(str(item) for item in value)
    return str(value)


# -- JSON (and the persisted form) ---------------------------------------------------------


def _value(unit: Unit, value: int) -> int | str:
    return money(value) if unit in (Unit.PRICE, Unit.CASH) else value


def _units(unit: Unit, value: object) -> int:
    if unit in (Unit.PRICE, Unit.CASH):
        if not isinstance(value, str):
            raise ReportError(f"money {value!r} is not a decimal string")
        try:
            scaled = Decimal(value) * PRICE_SCALE
        except InvalidOperation as exc:
            raise ReportError(f"money {value!r} is not a decimal string") from exc
        if scaled != scaled.to_integral_value():
            raise ReportError(f"money {value!r} has more than four decimals")
        return int(scaled)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ReportError(f"count {value!r} is not an integer")
    return value


def _record(aged: AgedBreak, day: int) -> dict[str, Any]:
    brk = aged.brk
    return {
        "date": iso(day),
        "key": brk.key,
        "code": brk.code.value,
        "account": brk.account,
        "other_account": brk.other_account,
        "symbol": brk.symbol,
        "reference": brk.reference,
        "unit": brk.unit.value,
        "ours": _value(brk.unit, brk.ours),
        "theirs": _value(brk.unit, brk.theirs),
        "difference": _value(brk.unit, brk.difference),
        "moved": _value(brk.unit, brk.moved),
        "explained": brk.explained,
        "caused_by": list(brk.caused_by),
        "first_seen": iso(aged.first_seen),
        "age_days": aged.age_days,
        "bucket": bucket_of(aged.age_days),
        "carried": aged.carried,
        "note": aged.note,
        "message": brk.message,
    }


def as_json(ageing: Ageing) -> dict[str, Any]:
    """The report as a JSON document (also what is persisted)."""
    summary = summarise(ageing)
    return {
        "version": FORMAT_VERSION,
        "date": iso(ageing.date),
        "clean": not ageing.open,
        "summary": {
            "open": summary.open,
            "unexplained": summary.unexplained,
            "resolved": summary.resolved,
            "by_code": {
                code.value: dict(row) for code, row in summary.counts.items() if any(row.values())
            },
            "by_age": {b: sum(row[b] for row in summary.counts.values()) for b in BUCKETS},
        },
        "breaks": [_record(aged, ageing.date) for aged in list(ageing.open)],
        "resolved": [_record(aged, ageing.date) for aged in ageing.resolved],
    }


def as_json_text(ageing: Ageing) -> str:
    """The JSON document as text, stable byte for byte for the same report."""
    return json.dumps(as_json(ageing), indent=2, sort_keys=True) + "\n"


def parse_iso(text: str) -> int:
    """A YYYY-MM-DD date as YYYYMMDD. Raises ValueError when it is not one."""
    if len(text) != 10:
        raise ValueError(f"{text!r} is not YYYY-MM-DD")
    return from_date(datetime.date.fromisoformat(text))


def _parse_day(text: object) -> int:
    if not isinstance(text, str):
        raise ReportError(f"date {text!r} is not YYYY-MM-DD")
    try:
        return parse_iso(text)
    except ValueError as exc:
        raise ReportError(f"date {text!r} is not YYYY-MM-DD") from exc


def _aged(record: dict[str, Any]) -> AgedBreak:
    try:
        unit = Unit(record["unit"])
        brk = Break(
            BreakCode(record["code"]), str(record["account"]), str(record["symbol"]),
            str(record["reference"]), _units(unit, record["ours"]),
            _units(unit, record["theirs"]), _units(unit, record["difference"]), unit,
            str(record["message"]), other_account=str(record["other_account"]),
            caused_by=tuple(str(key) for key in record["caused_by"]),
            moved=_units(unit, record["moved"]),
        )  # fmt: skip
        age_days = record["age_days"]
        if not isinstance(age_days, int):
            raise ReportError(f"age {age_days!r} is not an integer")
        first_seen = _parse_day(record["first_seen"])
        return AgedBreak(brk, first_seen, age_days, bool(record["carried"]), str(record["note"]))
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, ReportError):
            raise
        raise ReportError(f"break record {record!r}: {exc}") from exc


def from_json(document: dict[str, Any]) -> Ageing:
    """A persisted report read back."""
    if document.get("version") != FORMAT_VERSION:
        raise ReportError(f"report version {document.get('version')!r} is not {FORMAT_VERSION}")
    breaks, resolved = document.get("breaks"), document.get("resolved")
    if not isinstance(breaks, list) or not isinstance(resolved, list):
        raise ReportError("report has no breaks or resolved list")
    return Ageing(
        _parse_day(document.get("date")),
        tuple(_aged(record) for record in breaks),
        tuple(_aged(record) for record in resolved),
    )


# -- on disk -------------------------------------------------------------------------------


def report_path(data_dir: Path, day: int) -> Path:
    """Where the report of ``day`` is kept."""
    return data_dir.joinpath(*REPORT_FOLDER, f"{iso(day)}.json")


def write_report(data_dir: Path, ageing: Ageing) -> Path:
    """Persist the report of its day (replacing one written before), atomically."""
    path = report_path(data_dir, ageing.date)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".json.partial")
    partial.write_text(as_json_text(ageing), encoding="utf-8")
    os.replace(partial, path)
    return path


def read_report(path: Path) -> Ageing:
    """A persisted report. Raises :class:`ReportError` naming the file when it is unusable."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(document, dict):
            raise ReportError("not a JSON object")
        return from_json(document)
    except (OSError, ValueError) as exc:
        raise ReportError(f"{path}: {exc}") from exc


def previous_report(data_dir: Path, day: int) -> Ageing | None:
    """The latest report of a day before ``day`` (None when there is none)."""
    folder = data_dir.joinpath(*REPORT_FOLDER)
    if not folder.is_dir():
        return None
    days: list[int] = []
    for path in folder.glob("????-??-??.json"):
        try:
            found = parse_iso(path.stem)
        except ValueError:
            continue
        if found < day:
            days.append(found)
    return read_report(report_path(data_dir, max(days))) if days else None

"""The Broker API's breaks port bound to a data directory: the reconciliation reports the
back office writes at each day's end (``D/backoffice/recon/YYYY-MM-DD.json``, written
atomically by :func:`~directbroker.backoffice.break_report.write_report`), read off the event
loop.

A report is read back through :func:`~directbroker.backoffice.break_report.read_report` (so a
damaged file is refused, never half-shown) and rendered again by ``as_json``: the API shows
exactly what the back office's own text and CSV reports show. Reports are final once written
(a day run again writes the same bytes), so each file is kept in memory by its modification
time and size, and listing a year of days reads only the new ones.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

from directbroker.adapters.http.broker.breaks_port import UnreadableReport
from directbroker.backoffice.break_report import (
    REPORT_FOLDER,
    ReportError,
    as_json,
    parse_iso,
    read_report,
    report_path,
)

Stamp = tuple[int, int]


class RecordedBreaks:
    """:class:`~directbroker.adapters.http.broker.breaks_port.BreaksPort` over a data
    directory."""

    def __init__(self, data_dir: Path) -> None:
        self._data_dir = data_dir
        self._cache: dict[Path, tuple[Stamp, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    async def days(self) -> list[dict[str, Any]]:
        """Every day reconciled, newest first, with its counts."""
        return await asyncio.to_thread(self._days)

    async def report(self, day: int) -> dict[str, Any] | None:
        """The report of ``day``, or ``None`` when the day was not reconciled."""
        return await asyncio.to_thread(self._report, day)

    def _days(self) -> list[dict[str, Any]]:
        folder = self._data_dir.joinpath(*REPORT_FOLDER)
        if not folder.is_dir():
            return []
        found: list[tuple[int, Path]] = []
        for path in folder.glob("????-??-??.json"):
            try:
                found.append((parse_iso(path.stem), path))
            except ValueError:
                continue
        listed: list[dict[str, Any]] = []
        for _day, path in sorted(found, reverse=True):
            try:
                document = self._read(path)
            except UnreadableReport:
                listed.append({"date": path.stem, "readable": False})
                continue
            if document is None:  # removed since the folder was listed
                continue
            summary = document["summary"]
            listed.append({
                "date": document["date"], "readable": True, "clean": document["clean"],
                "open": summary["open"], "unexplained": summary["unexplained"],
                "resolved": summary["resolved"],
                "by_code": {code: sum(row.values()) for code, row in summary["by_code"].items()},
            })  # fmt: skip
        return listed

    def _report(self, day: int) -> dict[str, Any] | None:
        return self._read(report_path(self._data_dir, day))

    def _read(self, path: Path) -> dict[str, Any] | None:
        """The report at ``path`` (None when there is none), from memory when the file has not
        changed since it was last read."""
        try:
            status = path.stat()
        except FileNotFoundError:
            return None
        stamp = (status.st_mtime_ns, status.st_size)
        with self._lock:
            cached = self._cache.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        try:
            document = as_json(read_report(path))
        except ReportError as exc:
            if not path.exists():
                return None
            raise UnreadableReport(
                f"the reconciliation report of {path.stem} is unreadable"
            ) from exc
        with self._lock:
            self._cache[path] = (stamp, document)
        return document

"""The breaks family's port: the back office's daily reconciliations with the clearing firm
(``D/backoffice/recon/YYYY-MM-DD.json``, ADR 0027) as JSON-ready data, read back as written.

The reports are files the back office writes at each day's end, so the port is asynchronous:
an implementation reads them off the event loop."""

from __future__ import annotations

from typing import Any, Protocol


class BreaksPort(Protocol):
    """The days reconciled and each day's break report."""

    async def days(self) -> list[dict[str, Any]]:
        """Every day reconciled, newest first: its date (YYYY-MM-DD), whether it is clean, how
        many breaks are open, unexplained and resolved, and the open breaks by code."""
        ...

    async def report(self, day: int) -> dict[str, Any] | None:
        """The break report of ``day`` (YYYYMMDD) as persisted, or ``None`` when the day was
        not reconciled. Raises :class:`UnreadableReport` when its file cannot be read."""
        ...


class UnreadableReport(Exception):
    """A day's report exists but cannot be read back (a damaged file)."""

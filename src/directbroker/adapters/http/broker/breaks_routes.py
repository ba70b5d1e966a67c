"""Broker API clearing breaks (an extension beside Alpaca's, for the firm's staff): the back
office's daily reconciliation with the clearing firm (ADR 0027), read only.

- ``GET /v1/firm/breaks/days``: the days reconciled, newest first, with their counts.
- ``GET /v1/firm/breaks?date=YYYY-MM-DD&status=open&kind=CASH_BREAK``: a day's breaks (the
  latest day reconciled when ``date`` is left out), each with its code, account, symbol, our
  and the clearing firm's values, the day it was first seen and its age in business days.

Operations and compliance staff (and administrators). A date that is not YYYY-MM-DD is 422 and
a day not reconciled 404, both with :attr:`RejectCode.INVALID_DATE`'s number.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query

from directbroker.adapters.http.broker.auth import StaffPrincipal, staff
from directbroker.adapters.http.broker.breaks_port import BreaksPort, UnreadableReport
from directbroker.adapters.http.broker.errors import BrokerApiError
from directbroker.adapters.http.broker.ports import BrokerPorts
from directbroker.adapters.http.openapi import DATE_PATTERN
from directbroker.adapters.http.ports import Role
from directbroker.backoffice.break_report import parse_iso
from directbroker.backoffice.breaks import CODE_ORDER, BreakCode
from directbroker.domain.rejects import RejectCode

Reader = Annotated[StaffPrincipal, Depends(staff(Role.OPERATIONS, Role.COMPLIANCE))]
Status = Literal["open", "resolved", "all"]


def _day(text: str) -> int:
    try:
        return parse_iso(text)
    except ValueError:
        raise BrokerApiError.invalid(
            f"date must be a calendar day as YYYY-MM-DD: {text!r}", RejectCode.INVALID_DATE
        ) from None


def _rows(report: dict[str, Any], status: Status, kind: BreakCode | None) -> list[dict[str, Any]]:
    rows = [
        {"status": name, **record}
        for name, key in (("open", "breaks"), ("resolved", "resolved"))
        if status in (name, "all")
        for record in report[key]
    ]
    return [row for row in rows if kind is None or row["code"] == kind.value]


def breaks_router(ports: BrokerPorts) -> APIRouter:
    """The clearing breaks routes."""
    port: BreaksPort | None = ports.breaks
    assert port is not None, "mounted only when the breaks port is set"
    router = APIRouter(prefix="/v1/firm/breaks", tags=["breaks"])

    @router.get("/days", summary="Days reconciled with the clearing firm, newest first")
    async def days(actor: Reader) -> dict[str, Any]:
        return {"days": await port.days()}

    @router.get("", summary="A day's reconciliation breaks, with their ages")
    async def breaks(
        actor: Reader,
        date: Annotated[
            str | None,
            Query(
                description="YYYY-MM-DD (default: the latest day reconciled)",
                json_schema_extra={"pattern": DATE_PATTERN},
            ),
        ] = None,
        status: Annotated[Status, Query(description="open, resolved (that day) or all")] = "open",
        kind: Annotated[BreakCode | None, Query(description="one break code")] = None,
    ) -> dict[str, Any]:
        if date is None:
            listed = await port.days()
            if not listed:
                raise BrokerApiError.not_found(
                    "no day has been reconciled with the clearing firm yet",
                    RejectCode.INVALID_DATE,
                )
            date = str(listed[0]["date"])
        day = _day(date)
        try:
            report = await port.report(day)
        except UnreadableReport as exc:
            raise BrokerApiError(
                503, 50_300_000 + RejectCode.INVALID_DATE.number, str(exc)
            ) from None
        if report is None:
            raise BrokerApiError.not_found(
                f"{date} was not reconciled with the clearing firm", RejectCode.INVALID_DATE
            )
        rows = _rows(report, status, kind)
        totals = {code.value: 0 for code in CODE_ORDER}
        for row in rows:
            totals[row["code"]] += 1
        return {
            "date": report["date"],
            "clean": report["clean"],
            "status": status,
            "kind": None if kind is None else kind.value,
            "summary": report["summary"],
            "totals": {code: count for code, count in totals.items() if count},
            "breaks": rows,
        }

    return router

"""Broker API staff reports (an extension beside Alpaca's): ``GET /v1/reports/606`` (SEC Rule
606(a) order routing, a quarter by month) and ``GET /v1/reports/605`` (Rule 605-style execution
quality, a month by venue and order size) and ``GET /v1/reports/monthly`` (the monthly activity
report: JSON, CSV, text or the HTML page with charts). Compliance, operations and risk staff."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse, Response

from directbroker.adapters.http.broker.auth import StaffPrincipal, staff
from directbroker.adapters.http.broker.ports import BrokerPorts
from directbroker.adapters.http.broker.reports_port import ReportsPort
from directbroker.adapters.http.ports import Role
from directbroker.backoffice.monthly_html import as_html
from directbroker.backoffice.monthly_render import as_csv, as_json, as_text

Reader = Annotated[StaffPrincipal, Depends(staff(Role.COMPLIANCE, Role.OPERATIONS, Role.RISK))]
Year = Annotated[int, Query(ge=1971, le=2260, description="The calendar year.")]
MONTH_PATTERN = r"^(?:197[1-9]|19[89][0-9]|2[01][0-9][0-9]|22[0-5][0-9]|2260)-(?:0[1-9]|1[0-2])$"
Month = Annotated[str, Query(pattern=MONTH_PATTERN, description="YYYY-MM")]
MONTHLY_MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "text": "text/plain; charset=utf-8",
    "html": "text/html; charset=utf-8",
}


def reports_router(ports: BrokerPorts) -> APIRouter:
    """The reports."""
    port: ReportsPort | None = ports.reports
    assert port is not None, "mounted only when the reports port is set"
    router = APIRouter(prefix="/v1/reports", tags=["reports"])

    @router.get("/606", summary="Rule 606(a) order routing report for a quarter")
    async def rule606(
        actor: Reader, year: Year, quarter: Annotated[int, Query(ge=1, le=4)]
    ) -> dict[str, Any]:
        return port.rule606(year, quarter)

    @router.get("/605", summary="Rule 605-style execution quality for a month")
    async def rule605(
        actor: Reader,
        month: Month,
    ) -> dict[str, Any]:
        year, number = month.split("-")
        return port.rule605(int(year), int(number))

    @router.get(
        "/monthly",
        summary="Monthly activity report: accounts, trades, shares, assets",
        responses={
            200: {
                "description": "The report: JSON, or CSV, text or an HTML page with charts.",
                "content": {
                    "application/json": {"schema": {"type": "object"}},
                    **{
                        media.split(";")[0]: {"schema": {"type": "string"}}
                        for media in MONTHLY_MEDIA.values()
                    },
                },
            }
        },
    )
    async def monthly(
        actor: Reader,
        month: Month,
        format: Annotated[
            str, Query(pattern="^(json|csv|text|html)$", description="json, csv, text or html")
        ] = "json",
    ) -> Response:
        year, number = month.split("-")
        report = port.monthly(int(year), int(number))
        if format == "json":
            return JSONResponse(as_json(report))
        body = {"csv": as_csv, "text": as_text, "html": as_html}[format](report)
        return Response(body, media_type=MONTHLY_MEDIA[format])

    return router

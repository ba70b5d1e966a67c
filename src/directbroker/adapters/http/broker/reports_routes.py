"""Broker API staff reports (an extension beside Alpaca's): ``GET /v1/reports/606`` (SEC Rule
606(a) order routing, a quarter by month) and ``GET /v1/reports/605`` (Rule 605-style execution
quality, a month by venue and order size). Compliance, operations and risk staff."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from directbroker.adapters.http.broker.auth import StaffPrincipal, staff
from directbroker.adapters.http.broker.ports import BrokerPorts
from directbroker.adapters.http.broker.reports_port import ReportsPort
from directbroker.adapters.http.ports import Role

Reader = Annotated[StaffPrincipal, Depends(staff(Role.COMPLIANCE, Role.OPERATIONS, Role.RISK))]
Year = Annotated[int, Query(ge=1971, le=2260, description="The calendar year.")]
MONTH_PATTERN = r"^(?:197[1-9]|19[89][0-9]|2[01][0-9][0-9]|22[0-5][0-9]|2260)-(?:0[1-9]|1[0-2])$"


def reports_router(ports: BrokerPorts) -> APIRouter:
    """The two reports."""
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
        month: Annotated[str, Query(pattern=MONTH_PATTERN, description="YYYY-MM")],
    ) -> dict[str, Any]:
        year, number = month.split("-")
        return port.rule605(int(year), int(number))

    return router

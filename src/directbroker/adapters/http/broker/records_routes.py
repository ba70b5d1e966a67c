"""Broker API books and records (an extension beside Alpaca's, for the firm's staff):
``GET /v1/firm/records/orders/{order_id}`` is an order's ticket as SEC Rule 17a-3(a)(6) asks
for it: terms, account, time of entry, who entered it, routing, executions, modifications and
cancellation with who asked, refusals. Compliance and operations staff."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path

from directbroker.adapters.http.broker.auth import StaffPrincipal, staff
from directbroker.adapters.http.broker.errors import BrokerApiError
from directbroker.adapters.http.broker.ports import BrokerPorts
from directbroker.adapters.http.broker.records_port import RecordsPort
from directbroker.adapters.http.ids import core_order_id
from directbroker.adapters.http.ports import Role
from directbroker.domain.rejects import RejectCode

Reader = Annotated[StaffPrincipal, Depends(staff(Role.COMPLIANCE, Role.OPERATIONS))]
OrderId = Annotated[str, Path(min_length=1, max_length=64, description="An order id.")]


def records_router(ports: BrokerPorts) -> APIRouter:
    """The order ticket route."""
    port: RecordsPort | None = ports.records
    assert port is not None, "mounted only when the records port is set"
    router = APIRouter(prefix="/v1/firm/records", tags=["records"])

    @router.get("/orders/{order_id}", summary="An order's ticket (Rule 17a-3(a)(6))")
    async def order_ticket(actor: Reader, order_id: OrderId) -> dict[str, Any]:
        ticket = port.order_ticket(core_order_id(order_id))
        if ticket is None:
            raise BrokerApiError.not_found(f"order not found: {order_id}", RejectCode.UNKNOWN_ORDER)
        return ticket

    return router

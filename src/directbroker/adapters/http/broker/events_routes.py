"""Broker API v1 account status events as Server-Sent Events (``/v1/events/accounts/status``).

As Alpaca's: without ``since``/``since_id`` only live events are sent; with them the past
events come first, then live ones, without a gap or a repeat (history is read and the live
feed opened in one step on the event loop that applies commits). When ``until``/``until_id``
is reached the stream ends. A comment line every few seconds keeps idle connections open.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from directbroker.adapters.http.broker.accounts_port import AccountsPort, StatusEvent
from directbroker.adapters.http.broker.auth import StaffPrincipal, staff
from directbroker.adapters.http.broker.errors import BrokerApiError
from directbroker.adapters.http.broker.event_shapes import STREAMS
from directbroker.adapters.http.openapi import TIME
from directbroker.adapters.http.ports import Role
from directbroker.adapters.http.shapes import iso
from directbroker.adapters.http.trading_routes import parse_time

HEARTBEAT_S = 10.0
EventsStaff = Annotated[StaffPrincipal, Depends(staff(Role.OPERATIONS, Role.COMPLIANCE))]


def sse_line(event: StatusEvent) -> str:
    """One event in Alpaca's account status shape, as an SSE message."""
    body = {
        "event_id": event.event_id,
        "account_id": event.account_id,
        "account_number": event.account_number,
        "at": iso(event.at_ns),
        "status_from": event.status_from,
        "status_to": event.status_to,
        "reason": event.reason,
    }
    return f"data: {json.dumps(body, separators=(',', ':'))}\n\n"


def events_router(port: AccountsPort) -> APIRouter:
    """The account status event stream."""
    router = APIRouter(tags=["events"])

    @router.get(
        "/events/accounts/status",
        summary="Account status events (SSE)",
        response_class=StreamingResponse,
        responses=STREAMS["accounts"],
    )
    async def account_status(
        actor: EventsStaff,
        since: Annotated[str | None, Query(json_schema_extra=TIME)] = None,
        until: Annotated[str | None, Query(json_schema_extra=TIME)] = None,
        since_id: int | None = None,
        until_id: int | None = None,
    ) -> StreamingResponse:
        if since is not None and since_id is not None:
            raise BrokerApiError.invalid("since and since_id cannot be used together")
        since_ns, until_ns = parse_time(since, "since"), parse_time(until, "until")
        replay = since_ns is not None or since_id is not None
        past = port.status_events(since_ns, until_ns, since_id, until_id) if replay else []
        last = max((e.event_id for e in port.status_events(None, None, None, None)[-1:]),
                   default=0)  # fmt: skip
        feed = port.subscribe_status(last)

        def done(event: StatusEvent) -> bool:
            return (until_id is not None and event.event_id >= until_id) or (
                until_ns is not None and event.at_ns >= until_ns
            )

        async def stream() -> AsyncIterator[str]:
            try:
                for old in past:
                    yield sse_line(old)
                if until_id is not None and last >= until_id:
                    return
                while True:
                    try:
                        event: StatusEvent | None = await asyncio.wait_for(feed.get(), HEARTBEAT_S)
                    except TimeoutError:
                        yield ": heartbeat\n\n"
                        continue
                    if event is None:
                        return
                    if until_ns is not None and event.at_ns > until_ns:
                        return
                    yield sse_line(event)
                    if done(event):
                        return
            finally:
                feed.close()

        return StreamingResponse(
            stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
        )

    return router

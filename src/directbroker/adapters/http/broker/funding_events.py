"""Server-Sent Event streams of the Broker API (Alpaca v1): transfer status, journal status and
trade events, from the read models' event logs; and margin calls issued and met
(``/v1/events/margin_calls``, an extension in the same conventions: Alpaca has none).

As Alpaca's: without ``since`` or ``since_id`` only live events are sent; with one, history
from there first, then live; with ``until`` or ``until_id`` the stream ends (200) once the
history up to there is sent. Each event is one ``data:`` line of JSON. A comment line
(``: heartbeat``) is sent while nothing happens, so a client can tell a quiet stream from a
dead one; a client too slow to keep up is told so in a comment and cut off (it reconnects with
``since_id`` and loses nothing). Events come only from committed broker events.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from directbroker.adapters.http.broker.auth import StaffPrincipal, staff
from directbroker.adapters.http.broker.errors import BrokerApiError
from directbroker.adapters.http.broker.event_shapes import STREAMS
from directbroker.adapters.http.broker.funding_port import (
    JOURNALS,
    MARGIN_CALLS,
    TRADES,
    TRANSFERS,
    FundingPort,
    StreamEntry,
)
from directbroker.adapters.http.broker.funding_shapes import render_stream_event
from directbroker.adapters.http.openapi import TIME
from directbroker.adapters.http.ports import Role

HEARTBEAT_S = 15.0
"""Seconds of quiet before a heartbeat comment."""

Watcher = Annotated[StaffPrincipal, Depends(staff(Role.OPERATIONS, Role.COMPLIANCE))]


def parse_bound(text: str | None, field: str, end: bool) -> int | None:
    """An RFC 3339 time or a ``YYYY-MM-DD`` date as ns since the epoch (a date's end when
    ``end``: ``until=2026-06-01`` includes that whole day); 422 otherwise."""
    if text is None or text == "":
        return None
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            start = datetime(day.year, day.month, day.day, tzinfo=UTC)
            ns = int(start.timestamp()) * 1_000_000_000
            return ns + (86_400 * 1_000_000_000 - 1 if end else 0)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise BrokerApiError.invalid(f"{field} {text!r:.40} is not a date or time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1_000_000) * 1_000


def _frame(entry: StreamEntry) -> bytes:
    return f"data: {json.dumps(render_stream_event(entry), separators=(',', ':'))}\n\n".encode()


def funding_events_router(port: FundingPort) -> APIRouter:
    """``/events/transfers/status``, ``/events/journals/status``, ``/events/trades`` and
    ``/events/margin_calls``."""
    router = APIRouter()

    def streamer(name: str):  # type: ignore[no-untyped-def]
        async def stream(
            actor: Watcher,
            since: Annotated[str | None, Query(json_schema_extra=TIME)] = None,
            until: Annotated[str | None, Query(json_schema_extra=TIME)] = None,
            since_id: int | None = None,
            until_id: int | None = None,
        ) -> StreamingResponse:
            if since is not None and since_id is not None:
                raise BrokerApiError.invalid("since and since_id cannot be used together")
            if until is not None and since is None:
                raise BrokerApiError.invalid("until needs since")
            if until_id is not None and since_id is None:
                raise BrokerApiError.invalid("until_id needs since_id")
            since_ns = parse_bound(since, "since", end=False)
            until_ns = parse_bound(until, "until", end=True)
            body = _events(port, name, since_ns, until_ns, since_id, until_id)
            return StreamingResponse(
                body,
                media_type="text/event-stream",
                headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
            )

        return stream

    for path, name, shape in (
        ("/events/transfers/status", TRANSFERS, "transfers"),
        ("/events/journals/status", JOURNALS, "journals"),
        ("/events/trades", TRADES, "trades"),
        ("/events/margin_calls", MARGIN_CALLS, "margin_calls"),
    ):
        router.add_api_route(
            path, streamer(name), methods=["GET"], response_class=StreamingResponse,
            responses=STREAMS[shape],
        )  # fmt: skip
    return router


async def _events(
    port: FundingPort,
    name: str,
    since_ns: int | None,
    until_ns: int | None,
    since_id: int | None,
    until_id: int | None,
) -> AsyncIterator[bytes]:
    log = port.stream(name)
    bounded = until_ns is not None or until_id is not None
    live = None if bounded else log.subscribe()
    last = 0
    try:
        yield b": connected\n\n"
        if since_ns is not None or since_id is not None:
            for entry in list(log.after(since_id or 0)):
                last = entry.event_id
                if since_ns is not None and entry.ts_ns < since_ns:
                    continue
                if (until_id is not None and entry.event_id > until_id) or (
                    until_ns is not None and entry.ts_ns > until_ns
                ):
                    return
                yield _frame(entry)
        elif live is not None:
            last = max((e.event_id for e in log.after(0)), default=0)
        if live is None:
            return
        while True:
            following = await live.get(HEARTBEAT_S)
            if following is None:
                if live.dropped:
                    yield b": you are reading too slowly; reconnect with since_id\n\n"
                    return
                yield b": heartbeat\n\n"
                continue
            if following.event_id <= last:
                continue
            last = following.event_id
            yield _frame(following)
    finally:
        if live is not None:
            live.close()

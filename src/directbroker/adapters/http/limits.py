"""A request body limit, enforced while the body is read and before anything parses it.

A body whose ``Content-Length`` is over the limit is answered 413 at once, unread. A body sent
without a length (chunked) is counted as it arrives: the request fails with 413 as soon as it
passes the limit. uvicorn reads a body only as the application asks for it (at most 64 KiB
ahead), so a 30 MB body costs the server about one limit's worth of memory, never 30 MB. The
413 closes the connection, so the rest of the body is never read.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from directbroker.domain.rejects import RejectCode

MAX_BODY_BYTES = 1_048_576
"""1 MiB: far above any order, watchlist or configuration body."""


def too_large_message(limit: int) -> str:
    """What a 413 says."""
    return f"{RejectCode.BODY_TOO_LARGE.text}: the limit is {limit} bytes"


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when a body passes the limit (FastAPI passes it on as is)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, too_large_message(limit), headers={"Connection": "close"})


class BodyLimit:
    """ASGI middleware: at most ``limit`` bytes of request body (see the module docstring)."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.limit:
            await _refuse(send, self.limit)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLarge(self.limit)
            return message

        await self.app(scope, counted, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            # Digits only; anything else the server itself refuses. Long text is just large.
            return int(text[:20]) if text.isdigit() else None
    return None


async def _refuse(send: Send, limit: int) -> None:
    code = 413 * 100_000 + RejectCode.BODY_TOO_LARGE.number
    body = json.dumps({"code": code, "message": too_large_message(limit)}).encode()
    headers: list[Any] = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})

"""Lets a signed-in browser call the APIs with its session cookie, and guards it against CSRF.

A request that carries a live session's cookie and no credentials of its own is presented to
the APIs with the session's key, in the very headers an API client sends
(``APCA-API-KEY-ID``/``APCA-API-SECRET-KEY`` for the Trading API, HTTP Basic for the Broker
API), so every route authorises it exactly as it would that key: there is no second
authorisation path to keep in step. A request that changes anything (any method but GET, HEAD
and OPTIONS) must also carry the session's CSRF token in ``X-CSRF-Token`` and, when the browser
names an ``Origin``, come from this server's own origin; otherwise it is refused with 403 and
nothing runs. A WebSocket handshake with the cookie from this origin is marked so the streams
accept ``{"action": "auth"}`` without a key. Pages under ``/ui`` get a strict Content Security
Policy.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from http.cookies import CookieError, SimpleCookie
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from directbroker.adapters.http.context import SESSION_CREDENTIALS
from directbroker.adapters.web.sessions import WebSession, WebSessions

COOKIE = "directbroker_session"
CSRF_HEADER = "x-csrf-token"
SESSION_SCOPE = "directbroker.web_session"
"""Where the middleware leaves the request's live session for the page routes."""
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CREDENTIAL_HEADERS = frozenset({b"apca-api-key-id", b"apca-api-secret-key", b"authorization"})
CSRF_REFUSED = 40_310_100
"""The error code of a refused cross-site or token-less change (403, our number 100)."""

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
PAGE_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
)


def _headers(scope: Scope) -> dict[bytes, bytes]:
    return {name.lower(): value for name, value in scope.get("headers", ())}


def cookie_token(headers: dict[bytes, bytes]) -> str | None:
    """The session token in a request's ``Cookie`` header, if any."""
    raw = headers.get(b"cookie")
    if not raw:
        return None
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw.decode("latin-1"))
    except CookieError:
        return None
    morsel = jar.get(COOKIE)
    return morsel.value if morsel is not None else None


def same_origin(headers: dict[bytes, bytes]) -> bool:
    """Whether the request's ``Origin`` (when it names one) is this server as the browser
    addressed it (its ``Host``)."""
    origin = headers.get(b"origin")
    if origin is None:
        return True
    host = headers.get(b"host", b"").decode("latin-1")
    parts = urlsplit(origin.decode("latin-1"))
    return parts.scheme in ("http", "https") and bool(host) and parts.netloc == host


def key_headers(session: WebSession) -> list[tuple[bytes, bytes]]:
    """The credential headers an API client with the session's key would send."""
    basic = base64.b64encode(f"{session.key_id}:{session.secret}".encode()).decode("ascii")
    return [
        (b"apca-api-key-id", session.key_id.encode()),
        (b"apca-api-secret-key", session.secret.encode()),
        (b"authorization", f"Basic {basic}".encode()),
    ]


class WebSessionMiddleware:
    """The ASGI middleware described in the module docstring."""

    def __init__(
        self, app: ASGIApp, sessions: WebSessions, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.app = app
        self.sessions = sessions
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        session = self._session(headers)
        if scope["type"] == "websocket":
            if session is not None and same_origin(headers) and b"origin" in headers:
                scope = {**scope, SESSION_CREDENTIALS: (session.key_id, session.secret)}
            await self.app(scope, receive, send)
            return
        if session is not None and not CREDENTIAL_HEADERS & headers.keys():
            if scope["method"] not in SAFE_METHODS and not (
                session.csrf_matches(headers.get(CSRF_HEADER.encode(), b"").decode("latin-1"))
                and same_origin(headers)
            ):
                await _refuse(send)
                return
            scope = {
                **scope,
                "headers": [*scope.get("headers", ()), *key_headers(session)],
                SESSION_SCOPE: session,
            }
        if str(scope.get("path", "")).startswith("/ui"):
            send = _with_page_headers(send)
        await self.app(scope, receive, send)

    def _session(self, headers: dict[bytes, bytes]) -> WebSession | None:
        return self.sessions.get(cookie_token(headers), self.clock())


async def _refuse(send: Send) -> None:
    body = json.dumps(
        {"code": CSRF_REFUSED, "message": "refused: missing or wrong CSRF token, or another origin"}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 403,
            "headers": [(b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode())],
        }
    )  # fmt: skip
    await send({"type": "http.response.body", "body": body})


def _with_page_headers(send: Send) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            present = {name.lower() for name, _ in message.get("headers", ())}
            extra = [(n, v) for n, v in PAGE_HEADERS if n not in present]
            message = {**message, "headers": [*message.get("headers", ()), *extra]}
        await send(message)

    return sending

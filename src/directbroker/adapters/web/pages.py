"""The screens' routes: sign-in and sign-out, the session's own description, the pages.

``POST /ui/login`` takes ``{"key_id", "secret"}`` as JSON (a cross-site form cannot send JSON
without the browser asking first, and the origin is checked too), verifies the key exactly as
the API does (the same rate limits for wrong secrets) and sets the session cookie: HttpOnly,
SameSite=Strict, Secure whenever the browser counts the address as secure (HTTPS or
loopback). ``GET /ui/session`` tells the page who is signed in, what the key may reach and
the CSRF token to send with changes. A page asked for without a session redirects to the
sign-in page, which returns to it afterwards.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.responses import Response as StarletteResponse

from directbroker.adapters.http.context import ApiContext
from directbroker.adapters.http.errors import ApiError, error_body, unauthorized
from directbroker.adapters.http.ports import STAFF_ROLES, Principal, Role
from directbroker.adapters.web.middleware import COOKIE, SESSION_SCOPE, same_origin
from directbroker.adapters.web.sessions import WebSession, WebSessions

STATIC = Path(__file__).parent / "static"
PAGES: dict[str, str] = {"trader": "trader.html", "pm": "pm.html", "ops": "ops.html"}
"""The screens by their path under ``/ui``."""
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]"})


def home_page(principal: Principal) -> str:
    """Where a user lands after signing in: staff at the console, managers at theirs."""
    if principal.roles & STAFF_ROLES:
        return "/ui/ops"
    if principal.role is Role.PORTFOLIO_MANAGER:
        return "/ui/pm"
    return "/ui/trader"


def safe_next(target: str | None) -> str | None:
    """A return address only when it is one of our own pages (no open redirect)."""
    if target and target.startswith("/ui/") and target.removeprefix("/ui/") in PAGES:
        return target
    return None


def describe(principal: Principal, session: WebSession) -> dict[str, Any]:
    """What a page needs to know about its user."""
    return {
        "user_id": principal.user_id,
        "key_id": principal.key_id,
        "role": principal.role.value,
        "roles": sorted(role.value for role in principal.roles),
        "staff": bool(principal.roles & STAFF_ROLES),
        "accounts": sorted(principal.accounts),
        "all_accounts": principal.all_accounts,
        "default_account": principal.default_account,
        "groups": sorted(principal.groups),
        "csrf": session.csrf,
        "home": home_page(principal),
    }


def _secure(request: Request) -> bool:
    host = (request.url.hostname or "").lower()
    return request.url.scheme == "https" or host in LOOPBACK_HOSTS or host == "::1"


def _set_cookie(response: StarletteResponse, request: Request, session: WebSession) -> None:
    response.set_cookie(
        COOKIE, session.token, httponly=True, samesite="strict", secure=_secure(request),
        path="/", max_age=None,
    )  # fmt: skip


def _peer(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def web_router(ctx: ApiContext, sessions: WebSessions) -> APIRouter:
    """The routes above over the API's context (its key directory and rate limits)."""
    router = APIRouter(include_in_schema=False)

    def sign_in(
        key_id: str | None, secret: str | None, request: Request
    ) -> tuple[Principal, WebSession]:
        principal = ctx.authenticate(key_id, secret, _peer(request))
        assert key_id is not None and secret is not None
        return principal, sessions.open(key_id, secret, principal.user_id, time.monotonic())

    def signed_in(session: WebSession) -> Principal | None:
        """The session's user as its key stands now (None once the key is revoked)."""
        return ctx.ports.directory.authenticate(session.key_id, session.secret)

    @router.get("/ui")
    @router.get("/ui/")
    async def ui_home(request: Request) -> Response:
        session = request.scope.get(SESSION_SCOPE)
        principal = signed_in(session) if isinstance(session, WebSession) else None
        if principal is None:
            return RedirectResponse("/ui/login", status_code=303)
        return RedirectResponse(home_page(principal), status_code=303)

    @router.get("/ui/login")
    async def login_page() -> Response:
        return FileResponse(STATIC / "login.html", media_type="text/html")

    @router.post("/ui/login")
    async def login(request: Request) -> Response:
        if not same_origin({k.lower(): v for k, v in request.headers.raw}):
            raise ApiError(403, 40_310_100, "refused: sign-in from another origin")
        if "application/json" not in request.headers.get("content-type", ""):
            raise ApiError(415, 41_500_000, "send the sign-in as application/json")
        try:
            body = await request.json()
        except ValueError:
            raise ApiError.invalid("the sign-in body is not JSON") from None
        if not isinstance(body, dict):
            raise ApiError.invalid("the sign-in body must be an object")
        key_id, secret = body.get("key_id"), body.get("secret")
        if not isinstance(key_id, str) or not isinstance(secret, str):
            raise unauthorized()
        principal, session = sign_in(key_id.strip(), secret.strip(), request)
        target = safe_next(body.get("next") if isinstance(body.get("next"), str) else None)
        response = JSONResponse({"next": target or home_page(principal)})
        _set_cookie(response, request, session)
        return response

    @router.get("/ui/ticket/{ticket}")
    async def ticket_login(ticket: str, request: Request, next: str | None = None) -> Response:
        held = sessions.redeem(ticket)
        if held is None:
            return RedirectResponse("/ui/login", status_code=303)
        try:
            principal, session = sign_in(held[0], held[1], request)
        except ApiError:
            return RedirectResponse("/ui/login", status_code=303)
        response = RedirectResponse(safe_next(next) or home_page(principal), status_code=303)
        _set_cookie(response, request, session)
        return response

    @router.post("/ui/logout")
    async def logout(request: Request) -> Response:
        session = request.scope.get(SESSION_SCOPE)
        if isinstance(session, WebSession):
            sessions.close(session.token)
        response = JSONResponse({"next": "/ui/login"})
        response.delete_cookie(COOKIE, path="/")
        return response

    @router.get("/ui/session")
    async def whoami(request: Request) -> Response:
        session = request.scope.get(SESSION_SCOPE)
        principal = signed_in(session) if isinstance(session, WebSession) else None
        if principal is None or not isinstance(session, WebSession):
            error = unauthorized()
            return JSONResponse(error_body(error), status_code=error.status)
        return JSONResponse(describe(principal, session))

    @router.get("/ui/{page}")
    async def screen(page: str, request: Request) -> Response:
        filename = PAGES.get(page)
        if filename is None:
            raise ApiError.not_found(f"no page {page!r}")
        session = request.scope.get(SESSION_SCOPE)
        if not isinstance(session, WebSession) or signed_in(session) is None:
            return RedirectResponse(f"/ui/login?next=/ui/{page}", status_code=303)
        return FileResponse(STATIC / filename, media_type="text/html")

    return router

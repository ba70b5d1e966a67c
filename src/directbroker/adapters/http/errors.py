"""Errors as Alpaca reports them: an HTTP status and a ``{"code": ..., "message": ...}`` body.

``code`` follows Alpaca's convention (the HTTP status followed by five digits) and puts our
stable reject number in those five digits, so ``code % 100000`` is the
:class:`~directbroker.domain.rejects.RejectCode` number a client can switch on, and the
status alone tells an Alpaca client what kind of failure it was.
"""

from __future__ import annotations

import contextlib
import math
import re

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from directbroker.adapters.http.ports import PortBusy, PortRejection
from directbroker.domain.rejects import DomainRejection, RejectCode, Stage

_STATUS_BY_CODE: dict[RejectCode, int] = {
    RejectCode.UNKNOWN_ORDER: 404,
    RejectCode.UNKNOWN_ACCOUNT: 404,
    RejectCode.RATE_LIMITED: 429,
    RejectCode.OVERLOADED: 429,
    RejectCode.JOURNAL_UNAVAILABLE: 503,
    RejectCode.CORE_HALTED: 503,
    RejectCode.REPLACE_TOO_LATE: 422,
    RejectCode.CHANGE_PENDING: 422,
    RejectCode.CLIENT_ID_REUSED: 422,
    RejectCode.DUPLICATE_ORDER_ID: 422,
    RejectCode.UNKNOWN_BLOCK: 404,
    RejectCode.UNKNOWN_GROUP: 404,
    RejectCode.GROUP_NOT_MANAGED: 403,
    RejectCode.BLOCK_ALREADY_ALLOCATED: 422,
    RejectCode.INVALID_ALLOCATION: 422,
    RejectCode.INVALID_STEP_OUT: 422,
    RejectCode.ALLOCATION_NOT_100_PERCENT: 422,
    RejectCode.DUPLICATE_GROUP: 409,
}

_STATUS_BY_STAGE: dict[Stage, int] = {
    Stage.VALIDATION: 422,
    Stage.RISK: 403,
    Stage.MATCHING: 422,
    Stage.ROUTING: 422,
    Stage.LEDGER: 403,
    Stage.RUNTIME: 503,
}


class ApiError(Exception):
    """Raised by a route to answer with an Alpaca-style error body."""

    def __init__(self, status: int, code: int, message: str) -> None:
        self.status = status
        self.code = code
        self.message = message
        super().__init__(f"{status} {code} {message}")

    @classmethod
    def from_reject(cls, code: RejectCode, message: str = "") -> ApiError:
        """The error for a domain reject code."""
        status = _STATUS_BY_CODE.get(code) or _STATUS_BY_STAGE[code.stage]
        return cls(status, status * 100_000 + code.number, message or code.text)

    @classmethod
    def invalid(cls, message: str, code: RejectCode = RejectCode.MALFORMED) -> ApiError:
        """A 422 for input the edge itself refuses."""
        return cls(422, 422 * 100_000 + code.number, message)

    @classmethod
    def not_found(cls, message: str, code: RejectCode = RejectCode.UNKNOWN_ORDER) -> ApiError:
        """A 404 (also what a caller gets for another customer's order: no existence leak)."""
        return cls(404, 404 * 100_000 + code.number, message)


def unauthorized() -> ApiError:
    """401: no key, an unknown key or a wrong secret (which of them is not said)."""
    return ApiError(401, 40_110_000, "request is not authorized")


def forbidden() -> ApiError:
    """403: a valid key asking for an account it may not touch."""
    return ApiError(403, 40_310_000, "forbidden: this key may not access the account")


def rate_limited() -> ApiError:
    """429: the key (or, for failed logins, the address) is over its rate limit."""
    return ApiError(429, 42_900_000 + RejectCode.RATE_LIMITED.number, "rate limit exceeded")


def error_body(error: ApiError) -> dict[str, object]:
    """The JSON body of an error."""
    return {"code": error.code, "message": error.message}


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for problem in exc.errors()[:5]:
        if problem.get("type") == "json_invalid":
            context = problem.get("ctx", {}).get("error", "")
            parts.append(f"the request body is not valid JSON ({context or 'decode error'})")
            continue
        location = ".".join(str(p) for p in problem.get("loc", ()) if p != "body")
        text = str(problem.get("msg", "invalid"))
        parts.append(f"{location}: {text}" if location else text)
    return "; ".join(parts) or "invalid request"


def _validation_code(exc: RequestValidationError) -> RejectCode:
    """The stable code a validator attached (``reject_<number>`` errors), else MALFORMED."""
    for problem in exc.errors():
        kind = str(problem.get("type", ""))
        if kind.startswith("reject_") and kind[7:].isdigit():
            with contextlib.suppress(KeyError):
                return RejectCode.from_number(int(kind[7:]))
    return RejectCode.MALFORMED


def _allowed_methods(request: Request) -> str:
    """Every method the API documents at this path (Starlette names only the first route's,
    and each method of a path is its own route). Where a fixed path and a template both match
    (``/v1/accounts/activities`` and ``/v1/accounts/{account_id}``), the one with the fewest
    parameters is the resource named, as the document reads."""
    app = request.app
    table: list[tuple[re.Pattern[str], int, frozenset[str]]] | None = getattr(
        app.state, "allowed_methods", None
    )
    if table is None:
        table = []
        for template, operations in app.openapi().get("paths", {}).items():
            pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
            methods = frozenset(m.upper() for m in operations)
            table.append((re.compile(pattern), template.count("{"), methods))
        app.state.allowed_methods = table
    path = request.url.path
    matched = [(params, ms) for pattern, params, ms in table if pattern.fullmatch(path)]
    fewest = min((params for params, _ in matched), default=0)
    return ", ".join(sorted({m for params, ms in matched if params == fewest for m in ms}))


def install_error_handlers(app: FastAPI) -> None:
    """Answer every failure, FastAPI's own included, in Alpaca's error shape."""

    async def on_api_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        headers = {"Retry-After": "1"} if exc.status in (429, 503) else None
        return JSONResponse(error_body(exc), status_code=exc.status, headers=headers)

    async def on_rejection(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, PortRejection | DomainRejection)
        detail = exc.message if isinstance(exc, PortRejection) else str(exc)
        return await on_api_error(request, ApiError.from_reject(exc.code, detail))

    async def on_busy(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, PortBusy)
        code = RejectCode.OVERLOADED
        error = ApiError(503, 503 * 100_000 + code.number, f"{code.text}: {exc.reason}")
        retry = str(max(1, math.ceil(exc.retry_after)))
        return JSONResponse(error_body(error), status_code=503, headers={"Retry-After": retry})

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        code = _validation_code(exc)
        return await on_api_error(request, ApiError.invalid(_validation_message(exc), code))

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 400:
            # A body FastAPI could not even decode (e.g. a number with thousands of digits).
            error = ApiError.invalid(f"the request body could not be parsed: {exc.detail}")
        elif exc.status_code == 413:
            # The body limit, hit while reading: the unread rest is dropped with the connection.
            error = ApiError(413, 413 * 100_000 + RejectCode.BODY_TOO_LARGE.number, exc.detail)
            return JSONResponse(error_body(error), 413, headers={"Connection": "close"})
        else:
            error = ApiError(exc.status_code, exc.status_code * 100_000, str(exc.detail))
            headers = dict(exc.headers or {})
            if exc.status_code == 405:
                headers["Allow"] = _allowed_methods(request) or headers.get("Allow", "")
            if headers:
                return JSONResponse(error_body(error), exc.status_code, headers=headers)
        return await on_api_error(request, error)

    app.add_exception_handler(ApiError, on_api_error)
    app.add_exception_handler(PortRejection, on_rejection)
    app.add_exception_handler(DomainRejection, on_rejection)
    app.add_exception_handler(PortBusy, on_busy)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)

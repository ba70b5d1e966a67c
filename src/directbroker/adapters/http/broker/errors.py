"""Broker API errors: Alpaca's ``{"code": <int>, "message": <str>}`` with an HTTP status.

Codes follow the Trading API's convention (:mod:`directbroker.adapters.http.errors`):
``status * 100000 + reject number``, so ``code % 100000`` is a stable
:class:`~directbroker.domain.rejects.RejectCode` number. 401 bad or missing credentials, 403 a
staff key without the role, 404 an unknown account or resource, 422 invalid input.

A family whose port refuses with a :class:`~directbroker.adapters.http.ports.PortRejection`
gets the status from :data:`BROKER_STATUS` (families add their own codes with
:func:`register_status`), else from the Trading API's table.
"""

from __future__ import annotations

import math

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from directbroker.adapters.http.errors import ApiError, error_body
from directbroker.adapters.http.ports import PortBusy, PortRejection
from directbroker.domain.rejects import DomainRejection, RejectCode

BROKER_PREFIX = "/v1"
"""Every Broker API path starts here."""

BROKER_STATUS: dict[RejectCode, int] = {
    RejectCode.UNKNOWN_ACCOUNT: 404,
    RejectCode.DUPLICATE_ACCOUNT: 409,
    RejectCode.MALFORMED: 422,
}
"""HTTP status of a reject code at the Broker API, where it differs from the Trading API's."""


def register_status(code: RejectCode, status: int) -> None:
    """Answer ``code`` with ``status`` at the Broker API (call at import time of a family)."""
    BROKER_STATUS[code] = status


class BrokerApiError(Exception):
    """Raised by a Broker API route to answer with an Alpaca-style error body."""

    def __init__(self, status: int, code: int, message: str) -> None:
        self.status = status
        self.code = code
        self.message = message
        super().__init__(f"{status} {code} {message}")

    @classmethod
    def from_reject(
        cls, code: RejectCode, message: str = "", status: int | None = None
    ) -> BrokerApiError:
        """The error for a domain reject code (status from :data:`BROKER_STATUS` if not given)."""
        if status is None:
            status = BROKER_STATUS.get(code) or ApiError.from_reject(code).status
        return cls(status, status * 100_000 + code.number, message or code.text)

    @classmethod
    def invalid(cls, message: str, code: RejectCode = RejectCode.MALFORMED) -> BrokerApiError:
        """422: input the Broker API refuses."""
        return cls.from_reject(code, message, 422)

    @classmethod
    def not_found(
        cls, message: str, code: RejectCode = RejectCode.UNKNOWN_ACCOUNT
    ) -> BrokerApiError:
        """404: an unknown account or resource."""
        return cls.from_reject(code, message, 404)

    @classmethod
    def unauthorized(cls) -> BrokerApiError:
        """401: no credentials, an unknown key or a wrong secret (which of them is not said)."""
        return cls(401, 40_110_000, "request is not authorized")

    @classmethod
    def forbidden(cls, message: str = "forbidden: this key lacks the role") -> BrokerApiError:
        """403: a valid key without the staff role the operation needs."""
        return cls(403, 40_310_000, message)

    @classmethod
    def rate_limited(cls) -> BrokerApiError:
        """429: over the rate limit (failed logins are charged to the address)."""
        code = RejectCode.RATE_LIMITED
        return cls(429, 42_900_000 + code.number, "rate limit exceeded")


def _render(error: BrokerApiError | ApiError) -> JSONResponse:
    headers = {"Retry-After": "1"} if error.status == 429 else None
    return JSONResponse(
        {"code": error.code, "message": error.message}, status_code=error.status, headers=headers
    )


def install_broker_error_handlers(app: FastAPI) -> None:
    """Render :class:`BrokerApiError` anywhere, and port refusals under ``/v1`` with the
    Broker API's statuses (elsewhere the handler installed before this one still answers)."""
    previous = app.exception_handlers.get(PortRejection)
    previous_domain = app.exception_handlers.get(DomainRejection)

    async def on_broker_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, BrokerApiError)
        return _render(exc)

    async def on_rejection(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, PortRejection | DomainRejection)
        fallback = previous if isinstance(exc, PortRejection) else previous_domain
        if not request.url.path.startswith(BROKER_PREFIX) and fallback is not None:
            answer = fallback(request, exc)
            return await answer if not isinstance(answer, Response) else answer
        detail = exc.message if isinstance(exc, PortRejection) else str(exc)
        return _render(BrokerApiError.from_reject(exc.code, detail))

    async def on_busy(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, PortBusy)
        code = RejectCode.OVERLOADED
        body = error_body(ApiError(503, 503 * 100_000 + code.number, f"{code.text}: {exc.reason}"))
        retry = str(max(1, math.ceil(exc.retry_after)))
        return JSONResponse(body, status_code=503, headers={"Retry-After": retry})

    app.add_exception_handler(BrokerApiError, on_broker_error)
    app.add_exception_handler(PortRejection, on_rejection)
    app.add_exception_handler(DomainRejection, on_rejection)
    if PortBusy not in app.exception_handlers:
        app.add_exception_handler(PortBusy, on_busy)

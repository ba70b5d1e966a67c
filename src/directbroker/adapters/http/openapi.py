"""What the OpenAPI document says about failures: every error status an operation can answer.

Any operation can be refused before its handler runs: 401 (no or wrong key), 403 (an account
the key may not touch, or a risk check), 404 (an order, account or symbol that does not exist
for this caller), 413 (a body over the limit), 422 (input the edge refuses), 429 (rate limit)
and 503 (the core is busy or down). 429 and 503 carry ``Retry-After``. All share one body:
``{"code": ..., "message": ...}``, where ``code % 100000`` is the stable reject number.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class ErrorBody(BaseModel):
    """An error, in Alpaca's shape."""

    code: int
    message: str


_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before retrying.",
        "schema": {"type": "integer", "minimum": 1},
        "required": True,
    }
}

_ERRORS: dict[int, tuple[str, dict[str, Any] | None]] = {
    401: ("No key, an unknown key or a wrong secret.", None),
    403: ("The key may not touch this account, or a risk check refused the order.", None),
    404: ("No such order, account, position or symbol for this caller.", None),
    413: ("The request body is larger than 1 MiB (the connection is closed).", None),
    422: ("The input is malformed or refused; the message says what to change.", None),
    429: ("Over the rate limit.", _RETRY_AFTER),
    503: ("The core is busy or unavailable; nothing was done.", _RETRY_AFTER),
}


def error_responses() -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` every operation declares (FastAPI merges the success response)."""
    responses: dict[int | str, dict[str, Any]] = {}
    for status, (description, headers) in _ERRORS.items():
        response: dict[str, Any] = {"model": ErrorBody, "description": description}
        if headers is not None:
            response["headers"] = headers
        responses[status] = response
    return responses

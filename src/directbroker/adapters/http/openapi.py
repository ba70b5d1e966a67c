"""What the OpenAPI document says about failures: every error status an operation can answer.

Any operation can be refused before its handler runs: 401 (no or wrong key), 403 (an account
the key may not touch, or a risk check), 404 (an order, account or symbol that does not exist
for this caller), 413 (a body over the limit), 422 (input the edge refuses), 429 (rate limit)
and 503 (the core is busy or down). 429 and 503 carry ``Retry-After``. All share one body:
``{"code": ..., "message": ...}``, where ``code % 100000`` is the stable reject number.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from fastapi import FastAPI
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
    409: ("The request conflicts with the account's state (e.g. a name already taken).", None),
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


SSE_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Server-Sent Events: ``data:`` lines of JSON, ``:`` heartbeats.",
        "content": {"text/event-stream": {"schema": {"type": "string"}}},
    }
}
"""``responses=`` of a Server-Sent Events route: its 200 is a ``text/event-stream``."""


def sse_response(data: dict[str, Any], description: str) -> dict[int | str, dict[str, Any]]:
    """``responses=`` of a Server-Sent Events route whose every ``data:`` line is one JSON
    object of the schema ``data``: before OpenAPI 3.2 a stream's ``schema`` describes each
    event (``data``, ``event``, ``id``, ``retry``), and ``contentSchema`` the JSON it carries."""
    event = {
        "type": "object",
        "required": ["data"],
        "properties": {
            "data": {
                "type": "string",
                "contentMediaType": "application/json",
                "contentSchema": data,
            },
            "event": {"type": "string"},
            "id": {"type": "string"},
            "retry": {"type": "integer"},
        },
    }
    return {200: {"description": description, "content": {"text/event-stream": {"schema": event}}}}


# --- Exact parameter and body schemas --------------------------------------------------------
#
# The API refuses with 422 whatever its schema does not admit, and accepts whatever it does:
# a schema-driven client (or fuzzer) can trust the document both ways. Where the valid values
# depend on the platform (the listed symbols), routes and bodies carry a placeholder
# (``x-directbroker-symbols``) that :func:`exact_openapi` fills with the app's own universe.

SYMBOLS_KEY = "x-directbroker-symbols"
"""Marks a string schema whose valid values are listed symbols: ``one`` (a symbol or asset
id, as positions and assets take), ``list`` (Alpaca's comma-separated ``symbols``) or
``name`` (a symbol only, as order bodies take)."""

MAX_SYMBOLS = 200
"""Symbols per market data request."""

_SPACE = r"\s*"
"""What ``str.strip()`` removes around each name (Python's ``\\s`` is the same set)."""

UNSIGNED = r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
"""A decimal number as text, as :func:`~directbroker.adapters.http.schemas.to_decimal` reads it
(without sign and surrounding spaces)."""

CLIENT_TEXT_PATTERN = (
    "^[^\\x00-\\x1f\\x7f-\\x9f\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069]*$"
)
"""Client-chosen ids and names: no control, line-separator or bidi characters (lone surrogates,
which no JSON encoder writes, are refused too but not spelt out: regex engines differ on them)."""


def _upper_sources() -> dict[str, str]:
    """For each ASCII capital, every character whose ``upper()`` is that capital alone."""
    sources: dict[str, list[str]] = {}
    for code in range(0x10000):
        char = chr(code)
        if 0xD800 <= code <= 0xDFFF:
            continue
        upper = char.upper()
        if len(upper) == 1 and "A" <= upper <= "Z":
            sources.setdefault(upper, []).append(char)
    return {key: "".join(chars) for key, chars in sources.items()}


_UPPER_SOURCES: dict[str, str] = {}


def case_insensitive(symbol: str) -> str:
    """A regex matching ``symbol`` in any case the API upper-cases to it."""
    if not _UPPER_SOURCES:
        _UPPER_SOURCES.update(_upper_sources())
    parts = []
    for char in symbol:
        sources = _UPPER_SOURCES.get(char)
        if sources is None:
            parts.append(re.escape(char))
        else:
            escaped = "".join(c if c.isalnum() else f"\\u{ord(c):04x}" for c in sources)
            parts.append(f"[{escaped}]")
    return "".join(parts)


def symbol_pattern(symbols: Iterable[str], exact_ids: Iterable[str] = ()) -> str:
    """One listed symbol (any case), or one of ``exact_ids`` as given (UUIDs: no escaping)."""
    names = [case_insensitive(s) for s in sorted(symbols)] + list(exact_ids)
    return f"^(?:{'|'.join(names)})$"


def symbol_list_pattern(symbols: Iterable[str], most: int = MAX_SYMBOLS) -> str:
    """Alpaca's ``symbols``: comma-separated listed symbols (any case, spaces and empty items
    ignored), at least one and at most ``most`` of them."""
    name = f"{_SPACE}(?:{'|'.join(case_insensitive(s) for s in sorted(symbols))}){_SPACE}"
    return f"^(?:{_SPACE},)*{name}(?:,(?:{_SPACE},)*{name}){{0,{most - 1}}}(?:,{_SPACE})*$"


def name_list_pattern(names: Iterable[str]) -> str:
    """Comma-separated names from a fixed set (any case; spaces and empty items ignored)."""
    one = f"{_SPACE}(?:{'|'.join(case_insensitive(n) for n in sorted(names))}){_SPACE}"
    return f"^(?:(?:{_SPACE},)*{one}(?:,(?:{_SPACE},)*{one})*(?:,{_SPACE})*|[,\\s]*)$"


def _fill_symbols(node: Any, patterns: dict[str, str]) -> None:
    if isinstance(node, dict):
        kind = node.pop(SYMBOLS_KEY, None)
        if isinstance(kind, str):
            node["pattern"] = patterns[kind]
        for value in node.values():
            _fill_symbols(value, patterns)
    elif isinstance(node, list):
        for value in node:
            _fill_symbols(value, patterns)


def exact_openapi(
    app: FastAPI, symbols: Callable[[], Iterable[str]], asset_ids: Callable[[str], str]
) -> None:
    """Make ``app`` serve its document with the symbol placeholders filled in (built once)."""
    plain = app.openapi

    def document() -> dict[str, Any]:
        if app.openapi_schema is None:
            built = plain()
            listed = sorted(symbols())
            _fill_symbols(built, {
                "one": symbol_pattern(listed, [asset_ids(s) for s in listed]),
                "list": symbol_list_pattern(listed),
                "name": symbol_pattern(listed),
            })  # fmt: skip
            app.openapi_schema = built
        return app.openapi_schema

    app.openapi = document  # type: ignore[method-assign]


_YEAR = r"(?:197[1-9]|19[89]\d|2[01]\d\d|22[0-5]\d|2260)"
_MONTH_DAY = (
    r"(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)"
    r"|(?:0[13578]|1[02])-31)"
)
_CLOCK = r"(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,6})?"
_OFFSET = r"(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)"

TIME_PATTERN = f"^(?:{_YEAR}-{_MONTH_DAY}(?:T{_CLOCK}{_OFFSET}?)?)?$"
"""An RFC 3339 time, or a date (midnight UTC), between 1971 and 2260, or nothing: what the
time parameters take. Nanoseconds since 1970 must fit an int64 whatever the offset, hence the
years; February 29 is accepted but not promised here (a pattern cannot tell leap years)."""

DAY_PATTERN = r"^(?:(?:\d{3}[1-9]|\d\d[1-9]\d|\d[1-9]\d\d|[1-9]\d{3})-" + _MONTH_DAY + r"[\s\S]*)?$"
"""A YYYY-MM-DD date (anything after the tenth character is ignored, as Alpaca does), or
nothing: what the calendar takes."""

DATE_PATTERN = f"^{_YEAR}-{_MONTH_DAY}$"
"""A YYYY-MM-DD date from 1971 to 2260 (February 29 not promised, as :data:`TIME_PATTERN`)."""

TIME = {"pattern": TIME_PATTERN}
"""``json_schema_extra`` for a time parameter."""


def one_of(values: Iterable[str]) -> dict[str, Any]:
    """``json_schema_extra`` for a string parameter with fixed values."""
    return {"enum": list(values)}


def symbols_param(kind: str) -> dict[str, Any]:
    """``json_schema_extra`` for a symbol parameter (see :data:`SYMBOLS_KEY`)."""
    return {SYMBOLS_KEY: kind}


WHOLE_PATTERN = r"^\s*\+?0{0,20}(?:[1-9]\d{0,7}|100000000)(?:\.0{0,20})?\s*$"
"""A whole number of shares as text, 1 to 100,000,000 (the largest order any venue takes)."""

PERCENT_PATTERN = (
    r"^\s*\+?0{0,20}(?:100(?:\.0{0,20})?|[1-9]\d?(?:\.\d{0,20})?|\.\d{0,19}[1-9]\d{0,19})\s*$"
)
"""A percentage as text: above 0, at most 100."""

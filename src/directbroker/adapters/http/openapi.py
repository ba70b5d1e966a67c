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


NULL: dict[str, Any] = {"type": "null"}

QUANTITY: dict[str, Any] = {
    "anyOf": [
        {"type": "integer", "minimum": 1, "maximum": 100_000_000},
        {"type": "string", "pattern": WHOLE_PATTERN},
    ]
}
"""Whole shares, 1 to 100,000,000, as a JSON number or text."""

_SUB_DOLLAR = r"0{0,20}\.(?:\d{0,3}[1-9]|\d{0,2}[1-9]\d|\d?[1-9]\d\d|[1-9]\d{3})0{0,20}"
_DOLLARS = r"0{0,20}(?:[1-9]\d{0,5}(?:\.\d{0,2}0{0,20})?|1000000(?:\.0{0,20})?)"
PRICE: dict[str, Any] = {
    "anyOf": [
        {"type": "number", "minimum": 1, "maximum": 1_000_000, "multipleOf": 0.01},
        {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1, "multipleOf": 0.0001},
        {"type": "string", "pattern": rf"^\s*\+?(?:{_DOLLARS}|{_SUB_DOLLAR})\s*$"},
    ]
}
"""A price on the Reg NMS tick: whole cents from $1.00 to $1,000,000, 1/100 cent below $1."""

TRAIL_PRICE: dict[str, Any] = {
    "anyOf": [
        {"type": "number", "exclusiveMinimum": 0, "maximum": 1_000_000, "multipleOf": 0.0001},
        {"type": "string", "pattern": rf"^\s*\+?(?:{_DOLLARS}|{_SUB_DOLLAR})\s*$"},
    ]
}
"""A trail amount: positive, at most four decimals (it need not be on the tick)."""

TRAIL_PERCENT: dict[str, Any] = {
    "anyOf": [
        {"type": "number", "minimum": 0.01, "maximum": 50, "multipleOf": 0.01},
        {
            "type": "string",
            "pattern": r"^\s*\+?0{0,20}(?:50(?:\.0{0,20})?|[1-4]?\d(?:\.\d{0,2}0{0,20})?"
            r"|\.(?:0[1-9]|[1-9]\d?)0{0,20})\s*$",
        },
    ]
}
"""A trail in percent, 0.01 to 50 in steps of 0.01 (text: no leading zero trick for 0)."""

PEG_TYPE: dict[str, Any] = {
    "enum": ["midpoint", "primary", "market"],
    "description": "DirectBroker extension (Alpaca has no pegged orders): with "
    '"type": "peg", what the order follows: the midpoint of the venue\'s quote, the best '
    "quote on its own side (primary) or on the other side (market). The simulated venues "
    "carry midpoint pegs; a peg no venue on the route carries is refused (42204008).",
}
PEG_CAP = "Optional cap: a buy peg never pays more, a sell peg never takes less."
PEG_PLAIN: dict[str, Any] = {
    "time_in_force": {"enum": ["day", "gtc", "ioc"]},
    "extended_hours": {"const": False},
    "hidden": {"const": False},
    "post_only": {"const": "no"},
}
"""A peg works in the regular session and is never reserve, hidden or post-only."""


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [*schema["anyOf"], NULL]} if "anyOf" in schema else {"anyOf": [schema, NULL]}


def _absent_or_null(*names: str) -> dict[str, Any]:
    return {"properties": dict.fromkeys(names, NULL)}


def _given(
    *names: str, schemas: dict[str, dict[str, Any]], without: tuple[str, ...] = ()
) -> dict[str, Any]:
    """``names`` given (as ``schemas`` say), ``without`` absent or null."""
    properties = {n: schemas[n] for n in names} | _nulls(*without)
    return {"required": list(names), "properties": properties}


def order_schema(schema: dict[str, Any]) -> None:
    """POST /v2/orders as one schema per order type: which prices each needs and forbids,
    which times in force and order classes it takes (pydantic's own schema, tightened)."""
    props = schema["properties"]
    props["symbol"] = {"type": "string", SYMBOLS_KEY: "name"}
    props["qty"] = QUANTITY
    props["notional"] = NULL | {"description": "Not offered: the venues trade whole shares."}
    props["display_qty"] = _nullable(QUANTITY)
    for name in ("limit_price", "stop_price"):
        props[name] = _nullable(PRICE)
    props["trail_price"] = _nullable(TRAIL_PRICE)
    props["trail_percent"] = _nullable(TRAIL_PERCENT)
    schema["required"] = sorted({*schema.get("required", ()), "qty"})
    exits = {"take_profit": props["take_profit"], "stop_loss": props["stop_loss"]}
    prices = {"limit_price": PRICE, "stop_price": PRICE}
    simple = {
        "properties": {"order_class": {"enum": ["simple", ""]}}
        | _absent_or_null("take_profit", "stop_loss")["properties"]
    }
    bracket = {
        "required": ["order_class", "take_profit", "stop_loss"],
        "properties": {"order_class": {"const": "bracket"}, **_strip_null(exits)},
    }
    oto = {
        "required": ["order_class"],
        "properties": {"order_class": {"const": "oto"}},
        "oneOf": [
            _given("take_profit", schemas=_strip_null(exits), without=("stop_loss",)),
            _given("stop_loss", schemas=_strip_null(exits), without=("take_profit",)),
        ],
    }
    classes = [simple, bracket, oto]
    no_trail = _absent_or_null("trail_price", "trail_percent")["properties"]
    continuous = {"time_in_force": {"enum": ["day", "gtc", "ioc", "fok"]}}

    def kind(name: str, extra: dict[str, Any], *more: dict[str, Any]) -> dict[str, Any]:
        return {
            "title": f"{name} order",
            "required": ["type", *extra.get("required", [])],
            "properties": {"type": {"const": name}, **extra.get("properties", {})},
            "allOf": list(more),
        }

    market = kind("market", {"properties": {**_nulls("limit_price", "stop_price"), **no_trail,
                                            "time_in_force": {"not": {"const": "gtc"}}}},
                  {"anyOf": classes})  # fmt: skip
    limit = kind(
        "limit", {"properties": {**_nulls("stop_price"), **no_trail}},
        {"anyOf": [
            _given("limit_price", schemas=prices) | {"anyOf": classes},
            {"required": ["order_class", "take_profit", "stop_loss"],
             "properties": {"order_class": {"const": "oco"}, **_strip_null(exits),
                            "limit_price": _nullable(PRICE)}},
        ]},
    )  # fmt: skip
    stop = kind("stop", _given("stop_price", schemas=prices) | {"properties": {
        **_given("stop_price", schemas=prices)["properties"], **_nulls("limit_price"),
        **no_trail, **continuous}}, {"anyOf": classes})  # fmt: skip
    stop_limit = kind("stop_limit", {"required": ["stop_price", "limit_price"], "properties": {
        **prices, **no_trail, **continuous}}, {"anyOf": classes})  # fmt: skip
    trailing = kind(
        "trailing_stop",
        {"properties": {**_nulls("limit_price", "stop_price"), **continuous}},
        {"anyOf": classes},
        {"oneOf": [
            _given("trail_price", schemas={"trail_price": TRAIL_PRICE},
                   without=("trail_percent",)),
            _given("trail_percent", schemas={"trail_percent": TRAIL_PERCENT},
                   without=("trail_price",)),
        ]},
    )  # fmt: skip
    peg = kind("peg", {"required": ["peg_type"], "properties": {
        "peg_type": PEG_TYPE, "limit_price": _nullable(PRICE) | {"description": PEG_CAP},
        **_nulls("stop_price", "display_qty"), **no_trail, **PEG_PLAIN}}, simple)  # fmt: skip
    for variant in (market, limit, stop, stop_limit, trailing):
        variant["properties"]["peg_type"] = NULL
    schema["oneOf"] = [market, limit, stop, stop_limit, trailing, peg]
    schema["discriminator"] = {"propertyName": "type"}


def _nulls(*names: str) -> dict[str, Any]:
    return dict.fromkeys(names, NULL)


def _strip_null(schemas: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The schemas without their ``null`` alternative (a value that must be given)."""
    out = {}
    for name, schema in schemas.items():
        options = [s for s in schema.get("anyOf", [schema]) if s != NULL]
        out[name] = options[0] if len(options) == 1 else {"anyOf": options}
    return out


def replace_schema(schema: dict[str, Any]) -> None:
    """PATCH /v2/orders/{id}: a replace keeps the time in force; numbers as orders take them."""
    props = schema["properties"]
    props["qty"] = _nullable(QUANTITY)
    props["time_in_force"] = NULL | {"description": "Cannot be changed by a replace."}
    for name in ("limit_price", "stop_price"):
        props[name] = _nullable(PRICE)
    # A percent for a percent-trailing stop, a price otherwise: what both take.
    props["trail"] = _nullable(TRAIL_PERCENT)


def _required_value(schema: dict[str, Any], name: str) -> dict[str, Any]:
    """``name`` must be given, and not as ``null``."""
    value = _strip_null({name: schema["properties"][name]})
    return {"required": [name], "properties": value}


def new_watchlist_schema(schema: dict[str, Any]) -> None:
    """POST /v2/watchlists: the name is required."""
    schema["required"] = ["name"]
    schema["properties"]["name"] = _strip_null({"name": schema["properties"]["name"]})["name"]
    schema.pop("anyOf", None)


def watchlist_update_schema(schema: dict[str, Any]) -> None:
    """PUT /v2/watchlists/{id}: a name, symbols, or both."""
    schema["anyOf"] = [_required_value(schema, "name"), _required_value(schema, "symbols")]


def exit_schema(schema: dict[str, Any]) -> None:
    """A take-profit or stop-loss leg: its prices on the tick, as an order's."""
    for name, value in schema["properties"].items():
        value.clear()
        value.update(PRICE if name in schema.get("required", ()) else _nullable(PRICE))

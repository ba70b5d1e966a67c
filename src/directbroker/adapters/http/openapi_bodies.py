"""What the OpenAPI document says about request bodies: orders (one schema per order type,
the pegged-order extension included), replaces, exit legs and watchlists.

Each ``*_schema`` function is a pydantic ``json_schema_extra`` hook that tightens the model's
own schema to what the edge really accepts, so schemathesis's valid cases are accepted.
"""

from __future__ import annotations

from typing import Any

from directbroker.adapters.http.openapi import SYMBOLS_KEY, WHOLE_PATTERN

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

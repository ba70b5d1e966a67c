"""Request bodies as Alpaca documents them, parsed strictly.

Numbers are accepted as JSON numbers or strings (Alpaca's SDKs send floats, its docs show
strings) and become ``Decimal`` at once; NaN, infinities, booleans, absurd magnitudes and text
that is not a number are refused here, before anything else runs. Unknown fields are refused
too: a misspelt ``limit_prce`` must not silently become a market order. Booleans and integers
are strict JSON types: ``"yes"``, ``"true"`` or ``1`` is not ``true``, ``"2"`` is not ``2``
(though ``2.0`` is, as JSON Schema's ``integer`` says). Client-chosen ids and
names refuse control and bidi characters with their own reject code.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StrictBool,
    StrictStr,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from directbroker.adapters.http.openapi import CLIENT_TEXT_PATTERN, SYMBOLS_KEY
from directbroker.adapters.http.openapi_bodies import (
    exit_schema,
    new_watchlist_schema,
    order_schema,
    replace_schema,
    watchlist_update_schema,
)
from directbroker.domain.broker_messages import CheckWhen, ConfirmEmail
from directbroker.domain.rejects import RejectCode
from directbroker.domain.routing import SMART

MAX_MAGNITUDE_DIGITS = 15
"""Numbers with more integer digits than this are refused before any arithmetic is tried."""

MAX_CLIENT_TEXT = 128
"""Alpaca's limit for ``client_order_id``; watchlist names get the same."""

BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f" + "".join(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))
)
"""Characters that reorder how text is displayed: an id holding them can look like another."""


def reject_error(code: RejectCode, message: str) -> PydanticCustomError:
    """A validation error that carries a stable reject code (the error handler reports it)."""
    return PydanticCustomError(f"reject_{code.number}", message)


def check_client_text(value: str) -> str:
    """Text a client names things with (order ids, watchlist names): 1-128 characters, none of
    them control characters (NUL, CR, LF, ...), line separators, surrogates or bidi controls,
    which could forge log lines or make one id display as another."""
    if not 0 < len(value) <= MAX_CLIENT_TEXT:
        raise reject_error(
            RejectCode.INVALID_CLIENT_TEXT, f"must be 1 to {MAX_CLIENT_TEXT} characters"
        )
    for char in value:
        if char in BIDI_CONTROLS or unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp"):
            raise reject_error(
                RejectCode.INVALID_CLIENT_TEXT,
                f"must not contain control or bidi characters (found U+{ord(char):04X})",
            )
    return value


ClientText = Annotated[
    StrictStr,
    AfterValidator(check_client_text),
    WithJsonSchema(
        {
            "type": "string",
            "minLength": 1,
            "maxLength": MAX_CLIENT_TEXT,
            "pattern": CLIENT_TEXT_PATTERN,
        }
    ),
]
"""A client-chosen id or name, checked by :func:`check_client_text`."""


def to_decimal(value: object) -> Decimal:
    """A finite, reasonably sized ``Decimal`` from a JSON number or numeric string."""
    if isinstance(value, bool):
        raise ValueError("must be a number, not true/false")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        # repr is the shortest text that round-trips, i.e. what the client wrote.
        number = Decimal(repr(value))
    elif isinstance(value, str):
        text = value.strip()
        if not text or len(text) > 40:
            raise ValueError("must be a number")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"{value!r} is not a number") from None
    else:
        raise ValueError("must be a number or a numeric string")
    if not number.is_finite():
        raise ValueError("must be a finite number (NaN and infinity are not allowed)")
    if number and number.adjusted() >= MAX_MAGNITUDE_DIGITS:
        raise ValueError("is too large")
    return number


Num = Annotated[
    Decimal,
    PlainValidator(to_decimal),
    WithJsonSchema({"anyOf": [{"type": "number"}, {"type": "string"}]}),
]
"""A number given as a JSON number or a string."""


def to_whole(value: object) -> int:
    """An integer from a JSON number with no fraction (``2`` or ``2.0``, as JSON Schema's
    ``integer`` admits both); not from text or true/false."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a whole number")
    if isinstance(value, float) and not value.is_integer():
        raise ValueError("must be a whole number")
    return int(value)


WholeNumber = Annotated[int, PlainValidator(to_whole), WithJsonSchema({"type": "integer"})]
"""A whole JSON number."""


class ApiSide(str, Enum):
    """Alpaca's sides, plus ``sell_short`` for an explicit short sale (our extension)."""

    BUY = "buy"
    SELL = "sell"
    SELL_SHORT = "sell_short"


class ApiOrderType(str, Enum):
    """Alpaca's order types (on-open and on-close orders are market/limit with opg/cls), plus
    ``peg`` (our extension: Alpaca has no pegged orders), whose kind is ``peg_type``."""

    MARKET = "market"
    LIMIT = "limit"
    STOP = "stop"
    STOP_LIMIT = "stop_limit"
    TRAILING_STOP = "trailing_stop"
    PEG = "peg"


class ApiPegType(str, Enum):
    """What a ``peg`` order follows (our extension): the midpoint of the venue's quote, the
    same-side best quote (primary peg) or the contra-side best quote (market peg)."""

    MIDPOINT = "midpoint"
    PRIMARY = "primary"
    MARKET = "market"


class ApiTimeInForce(str, Enum):
    """Alpaca's times in force."""

    DAY = "day"
    GTC = "gtc"
    OPG = "opg"
    CLS = "cls"
    IOC = "ioc"
    FOK = "fok"


class ApiOrderClass(str, Enum):
    """Alpaca's equity order classes (``""`` means simple, as Alpaca allows)."""

    SIMPLE = "simple"
    EMPTY = ""
    BRACKET = "bracket"
    OCO = "oco"
    OTO = "oto"


class ApiPostOnly(str, Enum):
    """What a post-only order does if it would take liquidity (our extension)."""

    NO = "no"
    REJECT = "reject"
    REPRICE = "reprice"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TakeProfitBody(_Strict):
    """A bracket's or OTO's take-profit leg."""

    model_config = ConfigDict(json_schema_extra=exit_schema)

    limit_price: Num


class StopLossBody(_Strict):
    """A bracket's, OTO's or OCO's stop-loss leg; with ``limit_price`` a stop-limit."""

    model_config = ConfigDict(json_schema_extra=exit_schema)

    stop_price: Num
    limit_price: Num | None = None


class OrderBody(_Strict):
    """POST /v2/orders. ``route``, ``display_qty``, ``hidden`` and ``post_only`` are
    DirectBroker extensions: the venue (or SMART) and a limit order's display attributes; so
    are ``"type": "peg"`` and ``peg_type`` (a pegged order, ``limit_price`` its optional cap).
    Its document is one schema per order type (:func:`order_schema`): what each type needs."""

    model_config = ConfigDict(json_schema_extra=order_schema)

    symbol: str = Field(min_length=1, max_length=16)
    qty: Num | None = None
    notional: Num | None = None
    side: ApiSide
    type: ApiOrderType
    time_in_force: ApiTimeInForce
    limit_price: Num | None = None
    stop_price: Num | None = None
    trail_price: Num | None = None
    trail_percent: Num | None = None
    extended_hours: StrictBool = False
    client_order_id: ClientText | None = None
    order_class: ApiOrderClass = ApiOrderClass.SIMPLE
    take_profit: TakeProfitBody | None = None
    stop_loss: StopLossBody | None = None
    position_intent: str | None = Field(default=None, max_length=16)
    route: str = Field(default=SMART, min_length=1, max_length=16)
    display_qty: Num | None = None
    hidden: StrictBool = False
    post_only: ApiPostOnly = ApiPostOnly.NO
    peg_type: ApiPegType | None = None


class ReplaceBody(_Strict):
    """PATCH /v2/orders/{id}: new total quantity and prices (omitted ones stay)."""

    model_config = ConfigDict(json_schema_extra=replace_schema)

    qty: Num | None = None
    time_in_force: ApiTimeInForce | None = None
    limit_price: Num | None = None
    stop_price: Num | None = None
    trail: Num | None = None
    client_order_id: ClientText | None = None


class WatchlistBody(_Strict):
    """PUT /v2/watchlists/{id}: a new name, new symbols, or both."""

    model_config = ConfigDict(json_schema_extra=watchlist_update_schema)

    name: ClientText | None = None
    symbols: list[Annotated[str, Field(json_schema_extra={SYMBOLS_KEY: "one"})]] | None = Field(
        default=None, max_length=1_000
    )


class NewWatchlistBody(WatchlistBody):
    """POST /v2/watchlists: a name (unique in the account) and optional symbols."""

    model_config = ConfigDict(json_schema_extra=new_watchlist_schema)


class WatchlistSymbolBody(_Strict):
    """POST /v2/watchlists/{id}: add one symbol."""

    symbol: str = Field(min_length=1, max_length=16, json_schema_extra={SYMBOLS_KEY: "name"})


_CHECK_WHEN: dict[str, Any] = {"enum": [c.value for c in CheckWhen]}
_MULTIPLIER = r"^\s*\+?0{0,20}[124](?:\.0{0,20})?(?:[eE][+-]?0{1,3})?\s*$"


class ConfigurationsBody(_Strict):
    """PATCH /v2/account/configurations (alpaca-py sends every field, unset ones as null)."""

    dtbp_check: str | None = Field(default=None, max_length=8, json_schema_extra=_CHECK_WHEN)
    pdt_check: str | None = Field(default=None, max_length=8, json_schema_extra=_CHECK_WHEN)
    fractional_trading: StrictBool | None = None
    max_margin_multiplier: (
        Annotated[
            Decimal,
            PlainValidator(to_decimal),
            WithJsonSchema(
                {"anyOf": [{"enum": [1, 2, 4]}, {"type": "string", "pattern": _MULTIPLIER}]}
            ),
        ]
        | None
    ) = None
    no_shorting: StrictBool | None = None
    suspend_trade: StrictBool | None = None
    trade_confirm_email: str | None = Field(
        default=None, max_length=8, json_schema_extra={"enum": [e.value for e in ConfirmEmail]}
    )
    ptp_no_exception_entry: StrictBool | None = None
    max_options_trading_level: WholeNumber | None = Field(
        default=None, json_schema_extra={"minimum": 0, "maximum": 3}
    )

"""The institutional desk's request bodies (``/v2/blocks`` and its allocations), as the
OpenAPI document states them: a block, its allocation instruction, each account's shares and
each step-out to another broker-dealer."""

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from directbroker.domain.block_messages import MAX_STEP_OUTS
from directbroker.domain.numbers import MAX_QUANTITY
from directbroker.domain.portfolio_messages import AllocationMethod

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
"""A group or account id as the desk names them."""
PRICE_PATTERN = (
    r"^(?:[1-9][0-9]{0,5}(?:\.[0-9]{1,4})?"
    r"|0?\.(?:[1-9][0-9]{0,3}|0[1-9][0-9]{0,2}|00[1-9][0-9]?|000[1-9]))$"
)
"""A positive price in dollars below $1,000,000 with at most four decimals (zero is not one)."""


def _whole(value: object) -> object:
    """JSON Schema's integer: a number with no fraction (``5.0`` is one), never a boolean or
    text."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be an integer")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("must be an integer")
        return int(value)
    return value


Whole = Annotated[int, BeforeValidator(_whole)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AccountShare(_Body):
    """One account's shares of a block (FIX AllocAccount 79 / AllocQty 80)."""

    account: str = Field(pattern=ID_PATTERN)
    qty: Whole = Field(gt=0, le=MAX_QUANTITY)


class StepOutBody(_Body):
    """Shares of the block given up to another broker-dealer (a step-out): booked to that
    broker's give-up account at the average price, not to any account of the group. ``qty`` is
    of the whole block; a partial fill gives the step-out the same fraction of what filled."""

    broker: str = Field(pattern=r"^[A-Z0-9]{1,16}$")
    qty: Whole = Field(gt=0, le=MAX_QUANTITY)


class AllocationBody(_Body):
    """How to split a block's fills. ``weights`` line up with the group's accounts (none for
    ``equal`` and ``net_liquidation``); or ``accounts`` name each account's shares (``shares``
    only; with step-outs they add up to what the step-outs leave of the block). ``step_outs``
    are carved out first; the accounts split the rest by ``method``."""

    method: AllocationMethod
    weights: list[Annotated[int, Field(ge=0, le=10**12), BeforeValidator(_whole)]] = Field(
        default_factory=list, max_length=10_000
    )
    accounts: list[AccountShare] = Field(default_factory=list, max_length=10_000)
    step_outs: list[StepOutBody] = Field(default_factory=list, max_length=MAX_STEP_OUTS)


class BlockBody(_Body):
    """A block for a group: one order (market, or limit with ``limit_price``), routed ``SMART``
    or to a named venue; ``allocation`` given now is applied when the order is done, otherwise
    send one to ``/v2/blocks/{block_id}/allocations`` after the fills."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "oneOf": [
                {"properties": {"type": {"const": "market"}, "limit_price": {"type": "null"}}},
                {"properties": {"type": {"const": "limit"},
                                "limit_price": {"type": "string", "pattern": PRICE_PATTERN}},
                 "required": ["limit_price"]},
            ]
        },
    )  # fmt: skip

    group_id: str = Field(pattern=ID_PATTERN)
    symbol: str = Field(pattern=r"^[A-Z][A-Z0-9.]{0,11}$")
    side: Literal["buy", "sell"]
    type: Literal["market", "limit"]
    qty: Whole = Field(gt=0, le=MAX_QUANTITY)
    limit_price: str | None = Field(None, pattern=PRICE_PATTERN)
    time_in_force: Literal["day", "gtc", "ioc", "fok"] = "day"
    route: str = Field("SMART", pattern=r"^[A-Z]{1,8}$")
    client_order_id: str = Field("", max_length=128, pattern=r"^[!-~]*$")
    allocation: AllocationBody | None = None

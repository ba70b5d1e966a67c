"""The funding requests' bodies, exact both ways: what the document admits is what the routes
accept (Alpaca's ``CreateACHRelationshipRequest``, ``CreateACHTransferRequest`` and
``CreateJournalRequest``, as alpaca-py sends them).

Every rule a schema can state is stated here, so a request the document calls valid reaches
the core and one it calls invalid is refused with 422 before it does. What a schema cannot
state stays with the core: the ABA check digit, whether the accounts exist, whether the money
or the shares are there (404, 403 or 409 there). Patterns use ``[0-9]`` rather than ``\\d``,
which would admit other scripts' digits that the money parser also takes.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictFloat, StrictInt

UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
"""A UUID in canonical lower-case text (the ids this API issues)."""

_CENTS = r"(?:\.[0-9]{0,2}0{0,20})?"
MONEY_PATTERN = (
    r"^\+?0{0,20}(?:[1-9][0-9]{0,9}" + _CENTS + r"|10000000000(?:\.0{0,20})?"
    r"|\.(?:0[1-9]|[1-9][0-9]?)0{0,20}|0\.(?:0[1-9]|[1-9][0-9]?)0{0,20})$"
)
"""Dollars as text: whole cents above zero, at most $10,000,000,000 (the core's largest
amount)."""


def whole_cents(value: float) -> float:
    """The number as written (its shortest decimal form) has at most two decimals. Binary
    division cannot tell: 54796628.8 / 0.01 is not a whole float, though the amount is."""
    if Decimal(repr(value)) % Decimal("0.01"):
        raise ValueError("Input should be a multiple of 0.01")
    return value


CENTS_SCHEMA = {"multipleOf": 0.01}
"""What the document says of a JSON number of whole cents (:func:`whole_cents` checks it)."""

Money = Annotated[
    Annotated[str, Field(pattern=MONEY_PATTERN)]
    | Annotated[StrictInt, Field(ge=1, le=10_000_000_000)]
    | Annotated[
        StrictFloat,
        Field(gt=0, le=10_000_000_000, json_schema_extra=CENTS_SCHEMA),
        AfterValidator(whole_cents),
    ],
    Field(description="Dollars: whole cents above zero, as text or a JSON number."),
]

SHARES_PATTERN = r"^\+?0{0,20}(?:[1-9][0-9]{0,7}|100000000)(?:\.0{0,20})?$"
Shares = Annotated[
    Annotated[str, Field(pattern=SHARES_PATTERN)]
    | Annotated[StrictInt, Field(ge=1, le=100_000_000)]
    | Annotated[StrictFloat, Field(ge=1, le=100_000_000, multiple_of=1)],
    Field(description="Whole shares, 1 to 100,000,000 (fractional journals are not offered)."),
]

AccountId = Annotated[str, Field(pattern=UUID_PATTERN)]
ShortText = Annotated[str, Field(max_length=256)]
Named = Annotated[str, Field(min_length=1, max_length=256, pattern=r"\S")]


class AchBody(BaseModel):
    """``CreateACHRelationshipRequest`` (Plaid processor tokens are not offered)."""

    model_config = ConfigDict(extra="ignore")
    account_owner_name: Named
    bank_account_type: Literal["CHECKING", "SAVINGS"]
    bank_account_number: Annotated[str, Field(pattern=r"^[0-9]{4,17}$")]
    bank_routing_number: Annotated[str, Field(pattern=r"^[0-9]{9}$")]
    nickname: ShortText | None = None


class TransferBody(BaseModel):
    """``CreateACHTransferRequest``: immediate ACH through an approved relationship."""

    model_config = ConfigDict(extra="ignore")
    amount: Money
    direction: Literal["INCOMING", "OUTGOING"]
    relationship_id: AccountId
    timing: Literal["immediate"] = "immediate"
    transfer_type: Literal["ach"] = "ach"


class _Journal(BaseModel):
    model_config = ConfigDict(extra="ignore")
    from_account: AccountId
    to_account: AccountId
    description: Annotated[str, Field(max_length=1024)] | None = None


class CashJournal(_Journal):
    """A JNLC: cash from one account to another."""

    entry_type: Literal["JNLC"]
    amount: Money


class SecurityJournal(_Journal):
    """A JNLS: whole shares of one symbol from one account to another."""

    entry_type: Literal["JNLS"]
    symbol: Annotated[str, Field(pattern=r"^[A-Za-z0-9.]{1,12}$")]
    qty: Shares


JournalBody = Annotated[CashJournal | SecurityJournal, Field(discriminator="entry_type")]
"""``CreateJournalRequest``: a JNLC or a JNLS, each with its own fields."""

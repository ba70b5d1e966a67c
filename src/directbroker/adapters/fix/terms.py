"""The vocabulary every FIX client message shares: versions, session terms, refusals, and
the fields (ids, account, prices, quantities, side) read the same way in every request.

Values are read strictly: prices and quantities are plain decimals (no sign, no exponent)
turned into exact integers, never floats; ids are printable ASCII of bounded length; the
account must be one the session may act on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from directbroker.domain.instruments import is_on_tick
from directbroker.domain.numbers import parse_price, parse_quantity
from directbroker.domain.orders import Side
from directbroker.domain.rejects import DomainRejection, RejectCode
from directbroker.protocols.fix.message import FixMessage

MAX_CLIENT_ID = 128
"""The longest ClOrdID accepted (the client API's limit for ``client_order_id``)."""

_NUMBER = re.compile(r"^\d+(\.\d*)?$|^\.\d+$")
"""FIX Price and Qty values: plain decimals, no sign, no exponent."""


class FixVersion(str, Enum):
    """The BeginString (8) values served."""

    FIX42 = "FIX.4.2"
    FIX44 = "FIX.4.4"


class SessionKind(str, Enum):
    """What a client session is for."""

    ORDER_ENTRY = "order_entry"
    DROP_COPY = "drop_copy"


@dataclass(frozen=True, slots=True)
class SessionTerms:
    """What one FIX session may do: its kind, its version, the accounts it acts on and the
    account groups it may place block orders for."""

    session_id: str
    kind: SessionKind
    version: FixVersion
    accounts: frozenset[str]
    groups: frozenset[str] = frozenset()


class BusinessReason(str, Enum):
    """BusinessRejectReason (380) values used (``NOT_AUTHORIZED`` is 4.4's; 4.2 says Other)."""

    OTHER = "0"
    UNKNOWN_ID = "1"
    UNSUPPORTED_MESSAGE_TYPE = "3"
    FIELD_MISSING = "5"
    NOT_AUTHORIZED = "6"


class FixRefusal(Exception):
    """A request refused at the FIX edge; nothing reached the platform.

    ``business`` refusals are answered with a BusinessMessageReject (the message cannot name
    an order we could report on: no ClOrdID, an account the session may not use, a block
    order); the others with an ExecutionReport OrdStatus 8 (a new order) or an
    OrderCancelReject (a cancel or replace)."""

    def __init__(
        self,
        code: RejectCode,
        detail: str = "",
        *,
        business: BusinessReason | None = None,
    ) -> None:
        self.code = code
        self.detail = detail or code.text
        self.business = business
        super().__init__(self.text)

    @property
    def text(self) -> str:
        """The Text (58) sent back: the stable code first, then what is wrong."""
        return f"{self.code.number} {self.detail}"


SIDES = {"1": Side.BUY, "2": Side.SELL, "5": Side.SELL_SHORT, "6": Side.SELL_SHORT_EXEMPT}


_VERSIONS = frozenset(v.value for v in FixVersion)


def version_of(message: FixMessage, terms: SessionTerms) -> FixVersion:
    """The message's BeginString when it is one we serve, else the session's."""
    begin = message.get(8) or ""
    return FixVersion(begin) if begin in _VERSIONS else terms.version


def refuse(code: RejectCode, detail: str = "") -> FixRefusal:
    return FixRefusal(code, detail)


def client_id(message: FixMessage, tag: int, name: str) -> str:
    """A client id (ClOrdID, OrigClOrdID): 1-128 printable ASCII characters."""
    value = message.get(tag)
    if value is None or value == "":
        raise FixRefusal(
            RejectCode.MALFORMED,
            f"{name} ({tag}) is required",
            business=BusinessReason.FIELD_MISSING,
        )
    if len(value) > MAX_CLIENT_ID or not all(" " <= char <= "~" for char in value):
        raise FixRefusal(
            RejectCode.INVALID_CLIENT_TEXT,
            f"{name} ({tag}) must be 1-{MAX_CLIENT_ID} printable ASCII characters",
            business=BusinessReason.OTHER,
        )
    return value


def account_of(message: FixMessage, terms: SessionTerms, version: FixVersion) -> str:
    """Account (1): an account or a group the session may act on; optional when the session
    has exactly one account (and no group)."""
    account = message.get(1)
    if account is None or account == "":
        if len(terms.accounts) == 1 and not terms.groups:
            return next(iter(terms.accounts))
        raise FixRefusal(
            RejectCode.MALFORMED,
            "Account (1) is required: this session acts on several accounts",
            business=BusinessReason.FIELD_MISSING,
        )
    if account not in terms.accounts and account not in terms.groups:
        reason = BusinessReason.NOT_AUTHORIZED
        if version is FixVersion.FIX42:
            reason = BusinessReason.OTHER
        raise FixRefusal(
            RejectCode.ACCOUNT_NOT_PERMITTED,
            f"this session may not act on account {account}",
            business=reason,
        )
    return account


def plain_number(text: str, tag: int, name: str) -> Decimal:
    if not _NUMBER.match(text) or len(text) > 24:
        raise refuse(RejectCode.MALFORMED, f"{name} ({tag}) {text!r} is not a plain decimal")
    return Decimal(text)


def price_of(message: FixMessage, tag: int, name: str) -> int | None:
    """A price tag as exact price units on the Reg NMS tick, or None when absent."""
    text = message.get(tag)
    if text is None:
        return None
    value = plain_number(text, tag, name)
    try:
        units = parse_price(value)
    except DomainRejection as exc:
        raise refuse(exc.code, f"{name} ({tag}) {text}: {exc.code.text}") from None
    if not is_on_tick(units):
        raise refuse(
            RejectCode.PRICE_OFF_TICK, f"{name} ({tag}) {text} is off tick: whole cents from $1"
        )
    return units


def quantity_of(message: FixMessage, tag: int, name: str) -> int | None:
    """A share quantity (whole shares only), or None when absent."""
    text = message.get(tag)
    if text is None:
        return None
    value = plain_number(text, tag, name)
    try:
        return parse_quantity(value)
    except DomainRejection as exc:
        if exc.code is RejectCode.QUANTITY_NOT_INTEGRAL:
            raise refuse(
                RejectCode.WHOLE_SHARES_ONLY, f"{name} ({tag}) {text}: whole shares only"
            ) from None
        raise refuse(exc.code, f"{name} ({tag}) {text}: {exc.code.text}") from None


def side_of(message: FixMessage) -> Side:
    """Side (54): 1 buy, 2 sell (long), 5 sell short, 6 sell short exempt."""
    text = message.get(54)
    side = SIDES.get(text or "")
    if side is None:
        raise refuse(RejectCode.MALFORMED, f"Side (54) {text!r} is not 1, 2, 5 or 6")
    return side

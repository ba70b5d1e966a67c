"""Customer accounts and the values the books report about them.

Money is an ``int`` count of $0.0001, the same unit as prices, so a notional (price x shares) is
already money and valuations need no conversion. Cash that actually moves (deposits, the net
amount of a trade, fees) is always a whole number of cents; see ADR 0004 for the rounding rules.
Dates are ``int`` YYYYMMDD: the core never reads a clock and never does calendar arithmetic itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import Enum

from directbroker.domain.numbers import PRICE_SCALE
from directbroker.domain.rejects import DomainRejection, RejectCode

CENT = PRICE_SCALE // 100
"""One cent in money units ($0.0001)."""

MAX_AMOUNT = 10_000_000_000 * PRICE_SCALE
"""The largest single cash movement accepted ($10 billion); larger is a typo or an attack."""

CASH_ASSET = "$USD"
"""The ledger asset name for US dollars ('$' never appears in a ticker, so it cannot collide)."""


class AccountType(str, Enum):
    """Whether the firm lends to the account (Regulation T margin) or not."""

    CASH = "cash"
    MARGIN = "margin"


class Registration(str, Enum):
    """Who owns the account, which decides tax treatment and who may instruct it."""

    INDIVIDUAL = "individual"
    JOINT = "joint"
    IRA = "ira"
    CORPORATE = "corporate"
    AVERAGE_PRICE = "average_price"
    """The firm's own average-price account: block orders fill here and are allocated out at
    the average price, so it pays no commission or fees (each account pays on its share), may
    sell what it has not yet received, and never gets a margin call."""
    STEP_OUT = "step_out"
    """Another broker-dealer's give-up account: what a block steps out to that broker is booked
    here at the average price (its position is what the broker takes or delivers, its cash
    what it owes or is owed), transit like the average-price account: no commission or fees
    (the step-in broker charges its own customer), no position check, no margin call."""


TRANSIT_REGISTRATIONS = frozenset({Registration.AVERAGE_PRICE, Registration.STEP_OUT})
"""The firm's pass-through accounts, booked without charges, position checks or margin calls."""


class AccountStatus(str, Enum):
    """What the account may do. Executions still post in every state but CLOSED, because a fill
    is a fact from the street; the OMS is what stops new opening orders."""

    ACTIVE = "active"
    RESTRICTED = "restricted"
    CLOSE_ONLY = "close_only"
    CLOSED = "closed"


def round_half_up(units: int, step: int = CENT) -> int:
    """``units`` rounded to a multiple of ``step``, halves away from zero (as on a confirm)."""
    magnitude = (abs(units) + step // 2) // step * step
    return magnitude if units >= 0 else -magnitude


def ceil_to(units: int, step: int = CENT) -> int:
    """``units`` rounded up (towards +infinity) to a multiple of ``step``: requirements and fees
    are rounded against the customer so the firm is never under-reserved."""
    return -(-units // step) * step


def floor_to(units: int, step: int = CENT) -> int:
    """``units`` rounded down (towards -infinity) to a multiple of ``step``: buying power and
    withdrawable cash are rounded against the customer for the same reason."""
    return units // step * step


def parse_money(text: str | int | Decimal) -> int:
    """Turn a positive dollar amount with at most two decimals into money units.

    Used at the edges (API, CLI, FIX) for deposits and withdrawals; refuses negatives, zero,
    NaN, text that is not a number, fractions of a cent and absurd sizes.
    """
    if isinstance(text, bool):
        raise DomainRejection(RejectCode.INVALID_AMOUNT, f"amount {text!r}")
    try:
        value = Decimal(text) if not isinstance(text, Decimal) else text
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise DomainRejection(RejectCode.INVALID_AMOUNT, f"amount {text!r}") from exc
    if not value.is_finite():
        raise DomainRejection(RejectCode.INVALID_AMOUNT, f"amount {text!r}")
    cents = value * 100
    if cents != cents.to_integral_value():
        raise DomainRejection(RejectCode.INVALID_AMOUNT, f"amount {text} has more than 2 decimals")
    units = int(cents) * CENT
    if units <= 0 or units > MAX_AMOUNT:
        raise DomainRejection(RejectCode.INVALID_AMOUNT, f"amount {text}")
    return units


def format_money(units: int) -> str:
    """Render money units as dollars with cents (sub-cent valuations keep four places)."""
    value = Decimal(units) / PRICE_SCALE
    places = Decimal("0.01") if units % CENT == 0 else Decimal("0.0001")
    return str(value.quantize(places))


def is_valid_amount(value: object) -> bool:
    """Whether a field carried a usable cash amount: an int of whole cents in range."""
    return type(value) is int and 0 < value <= MAX_AMOUNT and value % CENT == 0


@dataclass(frozen=True, slots=True)
class Posting:
    """One leg of a journal entry: ``amount`` of ``asset`` into (positive) or out of (negative)
    ``book_account``. The legs of an entry sum to zero per asset."""

    book_account: str
    asset: str
    amount: int


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """A balanced, immutable set of postings with why it happened. ``business_date`` is when it
    was posted; on trade entries ``price`` and ``trade_date`` are memos of the execution (0
    otherwise), so positions and tax lots can be rebuilt exactly from the entries even where the
    cash principal was rounded to the cent."""

    entry_id: int
    kind: str
    account: str
    reference: str
    business_date: int
    postings: tuple[Posting, ...]
    price: int = 0
    trade_date: int = 0


@dataclass(frozen=True, slots=True)
class TaxLot:
    """Shares opened together at one price (negative quantity for a short lot)."""

    quantity: int
    price: int
    trade_date: int
    execution_id: str


@dataclass(frozen=True, slots=True)
class PositionView:
    """A position as the books see it now. ``cost_basis`` is signed like ``quantity`` (a short's
    basis is the proceeds, negative); ``average_cost`` is rounded half up to $0.0001."""

    account: str
    symbol: str
    quantity: int
    average_cost: int
    cost_basis: int
    mark: int
    market_value: int
    unrealized_pnl: int
    realized_pnl: int
    day_pnl: int
    lots: tuple[TaxLot, ...]


@dataclass(frozen=True, slots=True)
class AccountValues:
    """What an account is worth and may do right now; the OMS's buying-power check reads this.

    Cash is split into settled (free), unsettled (net of trades not yet settled) and held (deposits
    not yet withdrawable). Short market value is reported positive. ``margin_deficiency`` is how
    far equity is below the maintenance requirement; while it is positive the account is
    liquidation-only.
    """

    account: str
    account_type: AccountType
    status: AccountStatus
    settled_cash: int
    unsettled_cash: int
    held_cash: int
    cash: int
    long_market_value: int
    short_market_value: int
    equity: int
    reg_t_requirement: int
    maintenance_requirement: int
    excess_equity: int
    sma: int
    buying_power: int
    withdrawable_cash: int
    unrealized_pnl: int
    realized_pnl: int
    day_pnl: int
    margin_deficiency: int

    @property
    def net_liquidation_value(self) -> int:
        """Equity by another name, used to weight allocations and rebalancing."""
        return self.equity

    @property
    def liquidation_only(self) -> bool:
        """Whether only position-reducing orders are allowed (an unmet margin call)."""
        return self.margin_deficiency > 0

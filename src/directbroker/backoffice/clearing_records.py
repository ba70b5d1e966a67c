"""The records that cross the clearing hand-off, one per line of a clearing file.

The firm is a fully disclosed introducing broker: its customers' trades clear through, and
their accounts are carried at, a clearing firm. Each business day the firm sends the clearing
firm its trade file (one :class:`TradeRecord` per execution) and its money file (one
:class:`MoneyRecord` per cash movement that is not a trade); the clearing firm books them and
sends back what it holds: an activity file (:class:`ActivityRecord`, one per trade or cash
movement it booked that day), a position file (:class:`PositionRecord`, every non-zero
position at the end of the day) and a balance file (:class:`BalanceRecord`, every account's
cash). The reconciliation compares those with the firm's own books.

These are the parsed forms; the CSV layouts (and their parsers, which name the line of any bad
record) live in :mod:`directbroker.backoffice.clearing_files`. Money is in $0.0001 units,
dates are YYYYMMDD.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class ShortMarking(str, Enum):
    """Reg SHO marking of a sale (``""`` for a buy)."""

    NONE = ""
    LONG = "long"
    SHORT = "short"
    SHORT_EXEMPT = "short_exempt"


@dataclass(frozen=True, slots=True)
class TradeRecord:
    """One execution in the firm's end-of-day trade file."""

    execution_id: str
    order_id: str
    account: str
    side: str
    """``buy`` or ``sell``; the marking says which kind of sale."""
    marking: ShortMarking
    quantity: int
    price: int
    symbol: str
    capacity: str
    """``A`` agency (the firm acts for its customer), ``P`` principal."""
    commission: int
    sec_fee: int
    taf_fee: int
    net_amount: int
    """What the trade does to the account's cash: negative for a purchase (principal plus
    commission), positive for a sale (principal less commission and fees)."""
    trade_date: int
    settlement_date: int
    venue: str


@dataclass(frozen=True, slots=True)
class MoneyRecord:
    """One cash movement in the firm's end-of-day money file (deposit, withdrawal, journal,
    adjustment): ``amount`` is what it does to the account's cash."""

    reference: str
    account: str
    kind: str
    amount: int
    business_date: int


@dataclass(frozen=True, slots=True)
class ActivityRecord:
    """One item the clearing firm booked on a day: a trade (``kind="trade"``, keyed by the
    execution id) or a cash movement (``kind`` the movement's, keyed by its reference)."""

    reference: str
    account: str
    kind: str
    symbol: str
    side: str
    quantity: int
    price: int
    net_amount: int
    business_date: int


@dataclass(frozen=True, slots=True)
class PositionRecord:
    """A position the clearing firm carries at the end of ``as_of`` (short negative)."""

    account: str
    symbol: str
    quantity: int
    as_of: int


@dataclass(frozen=True, slots=True)
class BalanceRecord:
    """An account's trade-date cash balance at the clearing firm at the end of ``as_of``."""

    account: str
    cash: int
    as_of: int

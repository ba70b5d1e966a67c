"""A customer order's status (FIX OrdStatus) and the shape of order groups.

Values are the stable strings written to journals and APIs; :attr:`OrdStatus.fix_code` is the
FIX tag 39 value the FIX acceptor puts on execution reports. The legal moves between statuses
live in one table in ``directbroker.engines.oms.status``; this module only names them.
"""

from __future__ import annotations

from enum import Enum


class OrdStatus(str, Enum):
    """Where a customer (parent) order is in its life, as FIX OrdStatus (tag 39) defines it.

    ``REPLACED`` is Alpaca's: an order whose cancel/replace took effect is done, and a new order
    (with its own id) carries on under the new terms. ``SUSPENDED`` is a
    contingent leg (bracket or OTO) waiting for its primary order to fill; ``DONE_FOR_DAY`` is
    a GTC order taken off the venues at the close that goes back to work at the next open.
    """

    PENDING_NEW = "pending_new"
    NEW = "new"
    PARTIALLY_FILLED = "partially_filled"
    FILLED = "filled"
    DONE_FOR_DAY = "done_for_day"
    CANCELED = "canceled"
    REPLACED = "replaced"
    PENDING_CANCEL = "pending_cancel"
    REJECTED = "rejected"
    SUSPENDED = "suspended"
    EXPIRED = "expired"
    PENDING_REPLACE = "pending_replace"

    @property
    def fix_code(self) -> str:
        """The FIX OrdStatus (39) character."""
        return _FIX_CODES[self]

    @property
    def is_terminal(self) -> bool:
        """Whether nothing can happen to the order any more."""
        return self in TERMINAL_STATUSES

    @property
    def is_pending(self) -> bool:
        """Whether a request is waiting for a venue's answer."""
        return self in (OrdStatus.PENDING_NEW, OrdStatus.PENDING_CANCEL, OrdStatus.PENDING_REPLACE)


_FIX_CODES = {
    OrdStatus.NEW: "0",
    OrdStatus.PARTIALLY_FILLED: "1",
    OrdStatus.FILLED: "2",
    OrdStatus.DONE_FOR_DAY: "3",
    OrdStatus.CANCELED: "4",
    OrdStatus.REPLACED: "5",
    OrdStatus.PENDING_CANCEL: "6",
    OrdStatus.REJECTED: "8",
    OrdStatus.SUSPENDED: "9",
    OrdStatus.PENDING_NEW: "A",
    OrdStatus.EXPIRED: "C",
    OrdStatus.PENDING_REPLACE: "E",
}

TERMINAL_STATUSES = frozenset(
    {
        OrdStatus.FILLED,
        OrdStatus.CANCELED,
        OrdStatus.REJECTED,
        OrdStatus.EXPIRED,
        OrdStatus.REPLACED,
    }
)


class OrderClass(str, Enum):
    """How a customer's order is linked to others (the Alpaca ``order_class`` values).

    A bracket is an entry with a take-profit limit and a stop-loss that wait for the entry to
    fill and cancel each other; OCO is two working orders where a fill on one reduces or
    cancels the other; OTO is an entry with one contingent order that starts when it fills.
    """

    SIMPLE = "simple"
    BRACKET = "bracket"
    OCO = "oco"
    OTO = "oto"


class LegRole(str, Enum):
    """What an order is within its group."""

    PRIMARY = "primary"
    TAKE_PROFIT = "take_profit"
    STOP_LOSS = "stop_loss"


class KillSwitchScope(str, Enum):
    """Whom a kill switch stops."""

    FIRM = "firm"
    ACCOUNT = "account"
    SYMBOL = "symbol"


class DayTradingRule(str, Enum):
    """Which FINRA Rule 4210 day-trading regime margin accounts are held to.

    ``INTRADAY_MARGIN`` is the 2026 intraday margin standard (no order may create or increase
    an intraday margin deficit); ``PATTERN_DAY_TRADER`` is the older rule (no fourth day trade
    in five business days with equity under $25,000).
    """

    INTRADAY_MARGIN = "intraday_margin"
    PATTERN_DAY_TRADER = "pattern_day_trader"


class CashViolation(str, Enum):
    """A Regulation T cash-account violation."""

    GOOD_FAITH = "good_faith"
    """A security bought with unsettled sale proceeds was sold before those proceeds settled."""
    FREE_RIDING = "free_riding"
    """A security bought without funds to pay for it was sold before it was paid for."""

"""Commands the ledger core accepts and the events it emits.

The ledger is the broker's books: customer accounts, cash and securities as balanced double-entry
postings, positions with FIFO tax lots, and account values for buying power. Money fields are ints
of $0.0001 (whole cents where cash moves); dates are ints YYYYMMDD supplied by the caller, since
the core reads no clock. Every command that moves money carries a caller-chosen id so a retry
cannot post twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from directbroker.domain.accounts import AccountStatus, AccountType, Posting, Registration
from directbroker.domain.messages import Command, Event
from directbroker.domain.orders import Side
from directbroker.domain.rejects import RejectCode

# --- commands -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OpenAccount(Command):
    """Create an account as the core knows it (the opening workflow lives in the back office).

    ``max_order_notional`` and ``max_position_notional`` are per-account limits the OMS checks
    (0 means no limit beyond buying power)."""

    account: str
    owner: str
    account_type: AccountType
    registration: Registration
    max_order_notional: int = 0
    max_position_notional: int = 0


@dataclass(frozen=True, slots=True)
class ChangeAccountStatus(Command):
    """Restrict, set close-only, reactivate or close an account (closing needs it empty)."""

    account: str
    status: AccountStatus
    reason: str = ""


@dataclass(frozen=True, slots=True)
class ChangeAccountLimits(Command):
    """Replace an account's per-order and per-position notional limits (0 = none)."""

    account: str
    max_order_notional: int
    max_position_notional: int


@dataclass(frozen=True, slots=True)
class Deposit(Command):
    """Cash arrived for an account. With ``hold_until`` (a date) the funds count towards equity
    and buying power at once but cannot be withdrawn until the hold is released (ACH risk)."""

    account: str
    transfer_id: str
    amount: int
    hold_until: int | None = None


@dataclass(frozen=True, slots=True)
class Withdraw(Command):
    """Send cash out of an account; refused beyond the withdrawable cash."""

    account: str
    transfer_id: str
    amount: int


@dataclass(frozen=True, slots=True)
class ReleaseHold(Command):
    """Make a held deposit withdrawable before its date (the funds cleared early)."""

    transfer_id: str


@dataclass(frozen=True, slots=True)
class AdjustCash(Command):
    """A correction: a new posting between the customer's cash and the firm's adjustments
    account (never an edit of an old one). ``amount`` is signed, in whole cents."""

    account: str
    adjustment_id: str
    amount: int
    reason: str


@dataclass(frozen=True, slots=True)
class RecordExecution(Command):
    """A customer execution from the OMS. ``execution_id`` makes it idempotent; ``trade_date`` is
    the business day it traded (settlement is computed from it on the NYSE calendar)."""

    account: str
    execution_id: str
    symbol: str
    side: Side
    quantity: int
    price: int
    trade_date: int
    order_id: str = ""


@dataclass(frozen=True, slots=True)
class SettleDue(Command):
    """Settle every trade whose settlement date is on or before ``as_of_date``."""

    as_of_date: int


@dataclass(frozen=True, slots=True)
class StartBusinessDay(Command):
    """Open a new business day: roll start-of-day positions for day P&L, take the last marks as
    prior closes, and release deposit holds that have come due."""

    date: int


@dataclass(frozen=True, slots=True)
class UpdateMark(Command):
    """The consolidated market's price for a symbol moved; re-mark the positions holding it."""

    symbol: str
    price: int


@dataclass(frozen=True, slots=True)
class RecordPriorClose(Command):
    """The official prior close for a symbol, the base of today's day P&L."""

    symbol: str
    price: int


# --- events ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AccountOpened(Event):
    """An account exists in the books."""

    account: str
    owner: str
    account_type: AccountType
    registration: Registration
    ts_ns: int


@dataclass(frozen=True, slots=True)
class AccountStatusChanged(Event):
    """An account's status changed."""

    account: str
    old_status: AccountStatus
    new_status: AccountStatus
    reason: str
    ts_ns: int


@dataclass(frozen=True, slots=True)
class AccountLimitsChanged(Event):
    """An account's notional limits changed."""

    account: str
    max_order_notional: int
    max_position_notional: int
    ts_ns: int


@dataclass(frozen=True, slots=True)
class PostingsRecorded(Event):
    """One journal entry. The postings travel as parallel tuples (the journal codec handles
    tuples of scalars); :attr:`postings` puts them back together."""

    entry_id: int
    kind: str
    account: str
    reference: str
    business_date: int
    book_accounts: tuple[str, ...]
    assets: tuple[str, ...]
    amounts: tuple[int, ...]
    ts_ns: int
    price: int = 0
    trade_date: int = 0

    @property
    def postings(self) -> tuple[Posting, ...]:
        """The entry's legs as value objects."""
        return tuple(
            Posting(b, a, n)
            for b, a, n in zip(self.book_accounts, self.assets, self.amounts, strict=True)
        )


@dataclass(frozen=True, slots=True)
class DepositCredited(Event):
    """A deposit was credited (to held cash when ``hold_until`` is set)."""

    account: str
    transfer_id: str
    amount: int
    hold_until: int | None
    ts_ns: int


@dataclass(frozen=True, slots=True)
class CashWithdrawn(Event):
    """A withdrawal left the account."""

    account: str
    transfer_id: str
    amount: int
    ts_ns: int


@dataclass(frozen=True, slots=True)
class HoldReleased(Event):
    """Held deposit funds became withdrawable."""

    account: str
    transfer_id: str
    amount: int
    ts_ns: int


@dataclass(frozen=True, slots=True)
class ExecutionRecorded(Event):
    """A customer execution was booked. ``principal`` is price x quantity rounded to the cent;
    ``net_amount`` is what the customer's cash moves by at settlement (signed)."""

    account: str
    execution_id: str
    symbol: str
    side: Side
    quantity: int
    price: int
    principal: int
    commission: int
    sec_fee: int
    taf_fee: int
    net_amount: int
    realized_pnl: int
    trade_date: int
    settlement_date: int
    ts_ns: int


@dataclass(frozen=True, slots=True)
class PositionChanged(Event):
    """A position's quantity and cost changed because of an execution."""

    account: str
    symbol: str
    quantity: int
    cost_basis: int
    realized_pnl: int
    ts_ns: int


@dataclass(frozen=True, slots=True)
class TradesSettled(Event):
    """An account's trades due on ``settlement_date`` settled: its settled cash moved by
    ``cash_amount``."""

    account: str
    settlement_date: int
    executions: int
    cash_amount: int
    ts_ns: int


@dataclass(frozen=True, slots=True)
class BusinessDayStarted(Event):
    """The ledger's business date moved forward."""

    date: int
    ts_ns: int


@dataclass(frozen=True, slots=True)
class MarginCallIssued(Event):
    """Equity fell below the maintenance requirement: the account is liquidation-only until the
    ``deficiency`` is met by a deposit, a sale or the market."""

    account: str
    deficiency: int
    equity: int
    maintenance_requirement: int
    ts_ns: int


@dataclass(frozen=True, slots=True)
class MarginCallMet(Event):
    """Equity is back at or above maintenance; the account may open positions again."""

    account: str
    equity: int
    ts_ns: int


@dataclass(frozen=True, slots=True)
class LedgerRejected(Event):
    """The ledger refused a command; nothing changed."""

    command: str
    reference: str
    code: RejectCode
    detail: str
    ts_ns: int

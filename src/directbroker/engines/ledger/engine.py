"""The ledger core: the broker's books behind the :class:`~directbroker.engines.core.Core` shape.

One handler per command, registered in one table. Handlers validate every field before they
change anything, so a rejected command leaves the state (and its hash) exactly as it was. The
query methods are what the OMS, risk and the API read between commands.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable
from typing import Any

from directbroker.domain.accounts import (
    CASH_ASSET,
    AccountValues,
    JournalEntry,
    PositionView,
    Registration,
)
from directbroker.domain.funding_messages import JournalCash, JournalSecurities, ReturnDeposit
from directbroker.domain.ledger_messages import (
    AdjustCash,
    ChangeAccountLimits,
    ChangeAccountStatus,
    Deposit,
    LedgerRejected,
    OpenAccount,
    RecordExecution,
    RecordPriorClose,
    ReleaseHold,
    SettleDue,
    StartBusinessDay,
    UpdateMark,
    Withdraw,
)
from directbroker.domain.messages import Event, Message
from directbroker.domain.rejects import RejectCode
from directbroker.engines.ledger import accounts, cash, chart, journals, trading
from directbroker.engines.ledger.fees import FeeSchedule
from directbroker.engines.ledger.positions import Position
from directbroker.engines.ledger.settlement import SettlementCalendar
from directbroker.engines.ledger.state import LedgerState
from directbroker.engines.ledger.trading import LedgerConfig
from directbroker.engines.ledger.validation import Rejection
from directbroker.engines.ledger.valuation import MarginRules

_Handler = Callable[[LedgerState, LedgerConfig, Any, int], list[Event]]


def _plain(handler: Callable[[LedgerState, Any, int], list[Event]]) -> _Handler:
    return lambda state, _config, command, ts_ns: handler(state, command, ts_ns)


_HANDLERS: dict[type[Message], _Handler] = {
    OpenAccount: _plain(accounts.open_account),
    ChangeAccountStatus: _plain(accounts.change_status),
    ChangeAccountLimits: _plain(accounts.change_limits),
    Deposit: _plain(cash.deposit),
    Withdraw: _plain(cash.withdraw),
    ReleaseHold: _plain(cash.release_hold),
    AdjustCash: _plain(cash.adjust_cash),
    RecordExecution: trading.record_execution,
    SettleDue: _plain(trading.settle_due),
    StartBusinessDay: trading.start_business_day,
    UpdateMark: _plain(trading.update_mark),
    RecordPriorClose: _plain(trading.set_prior_close),
    JournalCash: _plain(journals.journal_cash),
    JournalSecurities: _plain(journals.journal_securities),
    ReturnDeposit: _plain(journals.return_deposit),
}


_REFERENCE_FIELDS = (
    "execution_id",
    "transfer_id",
    "adjustment_id",
    "journal_id",
    "account",
    "symbol",
)


def _reference(command: Message) -> str:
    for field in _REFERENCE_FIELDS:
        value = getattr(command, field, None)
        if isinstance(value, str):
            return value[:64]
    return ""


class LedgerCore:
    """Accounts, the double-entry book, positions and account values for one partition."""

    def __init__(
        self,
        calendar: SettlementCalendar,
        fees: FeeSchedule | None = None,
        rules: MarginRules | None = None,
    ) -> None:
        self._config = LedgerConfig(calendar, fees if fees is not None else FeeSchedule())
        self._rules = rules if rules is not None else MarginRules()
        self._state = LedgerState(self._rules)
        self._by_account: dict[str, list[Position]] = {}
        """Each account's positions, a read-side index (not state): positions are only ever
        added, so it follows the state's table by taking in what was added since."""
        self._indexed: tuple[int, int] = (0, 0)
        """Which positions table the index follows (its id) and how many it has taken in."""

    # --- Core --------------------------------------------------------------------------------

    def handle(self, command: Message, ts_ns: int) -> list[Event]:
        """Apply one command; a refused command becomes one ``LedgerRejected`` event."""
        handler = _HANDLERS.get(type(command))
        try:
            if handler is None:
                raise Rejection(RejectCode.MALFORMED, f"the ledger does not handle {command!r}")
            return handler(self._state, self._config, command, ts_ns)
        except Rejection as rejection:
            return [
                LedgerRejected(
                    type(command).__name__,
                    _reference(command),
                    rejection.code,
                    rejection.detail[:256],
                    ts_ns,
                )
            ]

    def snapshot(self) -> bytes:
        """Canonical bytes of the whole state."""
        return self._state.snapshot()

    def restore(self, data: bytes) -> None:
        """Replace the state with a snapshot's."""
        self._state = LedgerState.restore(data, self._rules)

    def state_hash(self) -> str:
        """sha256 of the snapshot."""
        return hashlib.sha256(self.snapshot()).hexdigest()

    # --- queries -----------------------------------------------------------------------------

    @property
    def business_date(self) -> int:
        """The current business date (0 before the first ``StartBusinessDay``)."""
        return self._state.business_date

    def has_account(self, account: str) -> bool:
        """Whether the account exists."""
        return account in self._state.accounts

    def registration(self, account: str) -> Registration | None:
        """Who owns the account (None if unknown): the desk books give-ups only into
        step-out accounts."""
        record = self._state.accounts.get(account)
        return record.registration if record is not None else None

    def account_values(self, account: str) -> AccountValues:
        """Real-time values of an account; KeyError if unknown."""
        return self._state.values(account)

    def buying_power(self, account: str) -> int:
        """What the account can buy now in money units (0 if unknown or liquidation-only)."""
        if account not in self._state.accounts:
            return 0
        return self._state.values(account).buying_power

    def position(self, account: str, symbol: str) -> PositionView | None:
        """One position (None if the account never held the symbol)."""
        position = self._state.positions.get((account, symbol))
        return position.view() if position is not None else None

    def positions(self, account: str) -> list[PositionView]:
        """The account's positions by symbol, flat ones included while they carry P&L."""
        mine = self._positions_by_account().get(account, [])
        return [p.view() for p in sorted(mine, key=lambda position: position.symbol)]

    def _positions_by_account(self) -> dict[str, list[Position]]:
        """The index behind :meth:`positions` (scanning every account's positions for each
        account made valuing the whole firm quadratic in its size)."""
        table = self._state.positions
        known, taken = self._indexed
        if known != id(table) or taken > len(table):
            self._by_account, taken = {}, 0
        if taken < len(table):
            for (account, _), position in itertools.islice(table.items(), taken, None):
                self._by_account.setdefault(account, []).append(position)
            self._indexed = (id(table), len(table))
        return self._by_account

    def positions_in(self, symbol: str) -> list[PositionView]:
        """Every open position in a symbol (for exposure views)."""
        holders = self._state.by_symbol.get(symbol, {})
        return [holders[a].view() for a in sorted(holders) if holders[a].quantity]

    def postings(self, account: str | None = None, since_entry_id: int = 0) -> list[JournalEntry]:
        """Journal entries, all or those of one account, after ``since_entry_id``."""
        book = self._state.book
        if account is None:
            return book.entries[since_entry_id:]
        return book.entries_for(account, since_entry_id)

    def balance(self, book_account: str, asset: str = CASH_ASSET) -> int:
        """A book account's balance in one asset."""
        return self._state.book.balance(book_account, asset)

    def balances(self) -> dict[tuple[str, str], int]:
        """Every non-zero balance by (book account, asset)."""
        return self._state.book.balances()

    def trial_balance(self) -> dict[str, int]:
        """Sum of all balances per asset; every value is zero when the books balance."""
        return self._state.book.trial_balance()

    def cash_balance(self, account: str) -> int:
        """Settled cash of a customer account."""
        return self._state.book.balance(chart.customer_cash(account), CASH_ASSET)

    def marks(self) -> dict[str, int]:
        """The current mark per symbol."""
        return dict(self._state.marks)

    def prior_closes(self) -> dict[str, int]:
        """The prior close per symbol."""
        return dict(self._state.prior_close)

    def accounts(self) -> list[str]:
        """Every account id, sorted."""
        return sorted(self._state.accounts)

    @property
    def rules(self) -> MarginRules:
        """The margin rules in force."""
        return self._rules

    @property
    def state(self) -> LedgerState:
        """The raw state, for the rebuild check and tests (do not mutate)."""
        return self._state

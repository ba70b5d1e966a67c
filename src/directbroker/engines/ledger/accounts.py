"""Handlers for account lifecycle commands: open, change status, change limits."""

from __future__ import annotations

from directbroker.domain.accounts import (
    CASH_ASSET,
    AccountStatus,
    AccountType,
    Registration,
)
from directbroker.domain.ledger_messages import (
    AccountLimitsChanged,
    AccountOpened,
    AccountStatusChanged,
    ChangeAccountLimits,
    ChangeAccountStatus,
    OpenAccount,
)
from directbroker.domain.messages import Event
from directbroker.domain.rejects import RejectCode
from directbroker.engines.ledger import chart
from directbroker.engines.ledger.state import AccountRecord, LedgerState
from directbroker.engines.ledger.validation import (
    Rejection,
    require_enum,
    require_id,
    require_int,
    require_text,
)


def known_account(state: LedgerState, value: object, *, open_only: bool = False) -> str:
    """The id of an existing account (and, with ``open_only``, one that is not closed)."""
    account = require_id(value, "account")
    record = state.accounts.get(account)
    if record is None:
        raise Rejection(RejectCode.UNKNOWN_ACCOUNT, account)
    if open_only and record.status is AccountStatus.CLOSED:
        raise Rejection(RejectCode.ACCOUNT_CLOSED, account)
    return account


def _limit(value: object, field: str) -> int:
    limit = require_int(value, field)
    if limit < 0:
        raise Rejection(RejectCode.INVALID_AMOUNT, f"{field} {limit}")
    return limit


def open_account(state: LedgerState, command: OpenAccount, ts_ns: int) -> list[Event]:
    """Create an active account with no balances."""
    account = require_id(command.account, "account")
    owner = require_id(command.owner, "owner")
    account_type = require_enum(command.account_type, AccountType, "account_type")
    registration = require_enum(command.registration, Registration, "registration")
    max_order = _limit(command.max_order_notional, "max_order_notional")
    max_position = _limit(command.max_position_notional, "max_position_notional")
    if account in state.accounts:
        raise Rejection(RejectCode.DUPLICATE_ACCOUNT, account)
    if account_type is AccountType.MARGIN and registration is Registration.IRA:
        raise Rejection(RejectCode.INVALID_ATTRIBUTES, "an IRA cannot borrow on margin")
    state.accounts[account] = AccountRecord(
        account,
        owner,
        account_type,
        registration,
        AccountStatus.ACTIVE,
        max_order,
        max_position,
    )
    return [AccountOpened(account, owner, account_type, registration, ts_ns)]


def _is_empty(state: LedgerState, account: str) -> bool:
    book = state.book
    cash_books = (
        chart.customer_cash(account),
        chart.customer_unsettled(account),
        chart.customer_held(account),
    )
    if any(book.balance(name, CASH_ASSET) for name in cash_books):
        return False
    if any(p.quantity for (a, _), p in state.positions.items() if a == account):
        return False
    return not state.pending_debits.get(account) and not any(
        item.account == account for items in state.pending.values() for item in items
    )


def change_status(state: LedgerState, command: ChangeAccountStatus, ts_ns: int) -> list[Event]:
    """Move between active, restricted and close-only; close an empty account (final)."""
    account = known_account(state, command.account)
    status = require_enum(command.status, AccountStatus, "status")
    reason = require_text(command.reason, "reason")
    record = state.accounts[account]
    old = record.status
    if old is AccountStatus.CLOSED or old is status:
        raise Rejection(RejectCode.INVALID_STATUS_CHANGE, f"{old.value} -> {status.value}")
    if status is AccountStatus.CLOSED and not _is_empty(state, account):
        raise Rejection(RejectCode.ACCOUNT_NOT_FLAT, account)
    record.status = status
    return [AccountStatusChanged(account, old, status, reason, ts_ns)]


def change_limits(state: LedgerState, command: ChangeAccountLimits, ts_ns: int) -> list[Event]:
    """Replace the account's notional limits."""
    account = known_account(state, command.account, open_only=True)
    max_order = _limit(command.max_order_notional, "max_order_notional")
    max_position = _limit(command.max_position_notional, "max_position_notional")
    record = state.accounts[account]
    record.max_order_notional, record.max_position_notional = max_order, max_position
    return [AccountLimitsChanged(account, max_order, max_position, ts_ns)]

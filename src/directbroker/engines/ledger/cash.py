"""Handlers for cash movements: deposits (optionally held), withdrawals, hold releases and
corrections. Each is one balanced journal entry against the outside world or the firm."""

from __future__ import annotations

from directbroker.domain.accounts import (
    CASH_ASSET,
    CENT,
    MAX_AMOUNT,
    AccountType,
    Posting,
    is_valid_amount,
)
from directbroker.domain.ledger_messages import (
    AdjustCash,
    CashWithdrawn,
    Deposit,
    DepositCredited,
    HoldReleased,
    ReleaseHold,
    Withdraw,
)
from directbroker.domain.messages import Event
from directbroker.domain.rejects import RejectCode
from directbroker.engines.ledger import chart
from directbroker.engines.ledger.accounts import known_account
from directbroker.engines.ledger.calls import check_margin_calls
from directbroker.engines.ledger.state import LedgerState
from directbroker.engines.ledger.validation import (
    Rejection,
    require_date,
    require_id,
    require_text,
)


def _amount(value: object) -> int:
    if not is_valid_amount(value):
        raise Rejection(RejectCode.INVALID_AMOUNT, f"amount {value!r}")
    assert isinstance(value, int)
    return value


def _new_transfer(state: LedgerState, value: object, field: str = "transfer_id") -> str:
    transfer_id = require_id(value, field)
    if transfer_id in state.transfer_ids:
        raise Rejection(RejectCode.DUPLICATE_TRANSFER, transfer_id)
    return transfer_id


def _track_sma(state: LedgerState, account: str, amount: int) -> None:
    if state.accounts[account].account_type is AccountType.MARGIN:
        state.sma[account] += amount


def deposit(state: LedgerState, command: Deposit, ts_ns: int) -> list[Event]:
    """Credit cash (to held cash when ``hold_until`` is given) from the outside world."""
    account = known_account(state, command.account, open_only=True)
    transfer_id = _new_transfer(state, command.transfer_id)
    amount = _amount(command.amount)
    hold_until = command.hold_until
    if hold_until is not None:
        hold_until = require_date(hold_until, "hold_until")
    target = chart.customer_cash(account) if hold_until is None else chart.customer_held(account)
    state.transfer_ids.add(transfer_id)
    if hold_until is not None:
        state.holds[transfer_id] = (account, amount, hold_until)
    _track_sma(state, account, amount)
    entry = state.post(
        "deposit",
        account,
        transfer_id,
        [Posting(target, CASH_ASSET, amount), Posting(chart.EXTERNAL_BANK, CASH_ASSET, -amount)],
        ts_ns,
    )
    events: list[Event] = [DepositCredited(account, transfer_id, amount, hold_until, ts_ns), entry]
    return events + check_margin_calls(state, [account], ts_ns)


def withdraw(state: LedgerState, command: Withdraw, ts_ns: int) -> list[Event]:
    """Pay cash out, never more than the withdrawable cash."""
    account = known_account(state, command.account, open_only=True)
    transfer_id = _new_transfer(state, command.transfer_id)
    amount = _amount(command.amount)
    available = state.values(account).withdrawable_cash
    if amount > available:
        raise Rejection(RejectCode.INSUFFICIENT_FUNDS, f"asked {amount}, withdrawable {available}")
    state.transfer_ids.add(transfer_id)
    _track_sma(state, account, -amount)
    entry = state.post(
        "withdrawal",
        account,
        transfer_id,
        [
            Posting(chart.customer_cash(account), CASH_ASSET, -amount),
            Posting(chart.EXTERNAL_BANK, CASH_ASSET, amount),
        ],
        ts_ns,
    )
    return [CashWithdrawn(account, transfer_id, amount, ts_ns), entry]


def release(state: LedgerState, transfer_id: str, ts_ns: int) -> list[Event]:
    """Move a held deposit to settled cash (the hold must be open)."""
    account, amount, _ = state.holds.pop(transfer_id)
    entry = state.post(
        "hold_release",
        account,
        transfer_id,
        [
            Posting(chart.customer_held(account), CASH_ASSET, -amount),
            Posting(chart.customer_cash(account), CASH_ASSET, amount),
        ],
        ts_ns,
    )
    return [HoldReleased(account, transfer_id, amount, ts_ns), entry]


def release_hold(state: LedgerState, command: ReleaseHold, ts_ns: int) -> list[Event]:
    """Release one hold on request."""
    transfer_id = require_id(command.transfer_id, "transfer_id")
    if transfer_id not in state.holds:
        raise Rejection(RejectCode.UNKNOWN_HOLD, transfer_id)
    return release(state, transfer_id, ts_ns)


def adjust_cash(state: LedgerState, command: AdjustCash, ts_ns: int) -> list[Event]:
    """Post a signed correction between the customer's cash and the firm's adjustments."""
    account = known_account(state, command.account)
    adjustment_id = _new_transfer(state, command.adjustment_id, "adjustment_id")
    amount = command.amount
    if type(amount) is not int or amount == 0 or abs(amount) > MAX_AMOUNT or amount % CENT:
        raise Rejection(RejectCode.INVALID_AMOUNT, f"amount {amount!r}")
    reason = require_text(command.reason, "reason")
    if not reason:
        raise Rejection(RejectCode.MALFORMED, "a correction needs a reason")
    state.transfer_ids.add(adjustment_id)
    _track_sma(state, account, amount)
    entry = state.post(
        "adjustment",
        account,
        adjustment_id,
        [
            Posting(chart.customer_cash(account), CASH_ASSET, amount),
            Posting(chart.FIRM_ADJUSTMENTS, CASH_ASSET, -amount),
        ],
        ts_ns,
    )
    return [entry, *check_margin_calls(state, [account], ts_ns)]

"""Handlers for funding's side of the books: cash and share journals between customer accounts,
and deposits the bank returned. Each is one balanced entry; each validates everything first.

A share journal moves the sender's oldest tax lots, with their cost and trade dates, to the
receiver: a journal is a transfer of ownership between the firm's customers, not a sale, so it
realizes no P&L. Day P&L treats the shares as leaving (and arriving) at the mark, so neither
account's day P&L jumps by the value moved.
"""

from __future__ import annotations

from directbroker.domain.accounts import CASH_ASSET, Posting, TaxLot
from directbroker.domain.funding_messages import (
    CashJournaled,
    DepositReturned,
    JournalCash,
    JournalSecurities,
    ReturnDeposit,
    SecuritiesJournaled,
)
from directbroker.domain.ledger_messages import PositionChanged
from directbroker.domain.messages import Event
from directbroker.domain.rejects import RejectCode
from directbroker.engines.ledger import chart
from directbroker.engines.ledger.accounts import known_account
from directbroker.engines.ledger.calls import check_margin_calls
from directbroker.engines.ledger.cash import _amount, _new_transfer, _track_sma
from directbroker.engines.ledger.positions import Position
from directbroker.engines.ledger.state import LedgerState
from directbroker.engines.ledger.validation import (
    Rejection,
    require_id,
    require_quantity,
    require_symbol,
    require_text,
)
from directbroker.engines.ledger.valuation import remark


def _two_accounts(state: LedgerState, sender: object, receiver: object) -> tuple[str, str]:
    source = known_account(state, sender, open_only=True)
    target = known_account(state, receiver, open_only=True)
    if source == target:
        raise Rejection(RejectCode.JOURNAL_SAME_ACCOUNT, source)
    return source, target


def journal_cash(state: LedgerState, command: JournalCash, ts_ns: int) -> list[Event]:
    """Move withdrawable cash from one account to another."""
    source, target = _two_accounts(state, command.from_account, command.to_account)
    journal_id = _new_transfer(state, command.journal_id, "journal_id")
    amount = _amount(command.amount)
    available = state.values(source).withdrawable_cash
    if amount > available:
        raise Rejection(
            RejectCode.JOURNAL_OVERDRAWS_CASH, f"asked {amount}, withdrawable {available}"
        )
    state.transfer_ids.add(journal_id)
    _track_sma(state, source, -amount)
    _track_sma(state, target, amount)
    entry = state.post(
        "journal_cash",
        source,
        journal_id,
        [
            Posting(chart.customer_cash(source), CASH_ASSET, -amount),
            Posting(chart.customer_cash(target), CASH_ASSET, amount),
        ],
        ts_ns,
    )
    events: list[Event] = [CashJournaled(journal_id, source, target, amount, ts_ns), entry]
    return events + check_margin_calls(state, [target], ts_ns)


def journal_securities(state: LedgerState, command: JournalSecurities, ts_ns: int) -> list[Event]:
    """Move long shares (oldest lots first) from one account to another."""
    source, target = _two_accounts(state, command.from_account, command.to_account)
    journal_id = _new_transfer(state, command.journal_id, "journal_id")
    symbol = require_symbol(command.symbol)
    quantity = require_quantity(command.quantity)
    sender = state.positions.get((source, symbol))
    held = sender.quantity if sender is not None else 0
    if quantity > held:
        raise Rejection(RejectCode.JOURNAL_EXCEEDS_POSITION, f"moving {quantity}, long {held}")
    existing = state.positions.get((target, symbol))
    if existing is not None and existing.quantity < 0:
        raise Rejection(RejectCode.JOURNAL_RECEIVER_SHORT, f"{target} is short {symbol}")
    assert sender is not None
    receiver = state.position_for(target, symbol)
    mark = state.marks.get(symbol, 0)
    lots = _take_lots(sender, quantity)
    cost = sum(lot.quantity * lot.price for lot in lots)
    _move(state, sender, -quantity, -cost, mark, [])
    _move(state, receiver, quantity, cost, mark, lots)
    state.transfer_ids.add(journal_id)
    entry = state.post(
        "journal_securities",
        source,
        journal_id,
        [
            Posting(chart.customer_securities(source), symbol, -quantity),
            Posting(chart.customer_securities(target), symbol, quantity),
        ],
        ts_ns,
        price=mark,
    )
    events: list[Event] = [
        SecuritiesJournaled(journal_id, source, target, symbol, quantity, cost, ts_ns),
        entry,
    ]
    for position in (sender, receiver):
        events.append(
            PositionChanged(
                position.account,
                symbol,
                position.quantity,
                position.cost_basis,
                position.realized_pnl,
                ts_ns,
            )
        )
    return events + check_margin_calls(state, [source], ts_ns)


def _take_lots(position: Position, quantity: int) -> list[TaxLot]:
    """Remove ``quantity`` long shares from the front of the lots; returns what was taken."""
    taken: list[TaxLot] = []
    remaining = quantity
    while remaining:
        lot = position.lots[0]
        part = min(remaining, lot.quantity)
        taken.append(TaxLot(part, lot.price, lot.trade_date, lot.execution_id))
        if part == lot.quantity:
            position.lots.popleft()
        else:
            position.lots[0] = TaxLot(
                lot.quantity - part, lot.price, lot.trade_date, lot.execution_id
            )
        remaining -= part
    return taken


def _move(
    state: LedgerState, position: Position, delta: int, cost: int, mark: int, lots: list[TaxLot]
) -> None:
    totals = state.totals[position.account]
    totals.add(position, -1)
    position.lots.extend(lots)
    position.quantity += delta
    position.cost_basis += cost
    position.day_flow += delta * mark
    remark(position, mark, state.rules)
    position.sod_value = position.sod_quantity * state.prior_close.get(position.symbol, 0)
    totals.add(position, 1)


def return_deposit(state: LedgerState, command: ReturnDeposit, ts_ns: int) -> list[Event]:
    """Take a held deposit back out to the bank (an ACH return)."""
    transfer_id = require_id(command.transfer_id, "transfer_id")
    reason = require_text(command.reason, "reason")
    hold = state.holds.get(transfer_id)
    if hold is None:
        raise Rejection(RejectCode.UNKNOWN_HOLD, transfer_id)
    account, amount, _ = state.holds.pop(transfer_id)
    _track_sma(state, account, -amount)
    entry = state.post(
        "deposit_return",
        account,
        transfer_id,
        [
            Posting(chart.customer_held(account), CASH_ASSET, -amount),
            Posting(chart.EXTERNAL_BANK, CASH_ASSET, amount),
        ],
        ts_ns,
    )
    events: list[Event] = [DepositReturned(account, transfer_id, amount, reason, ts_ns), entry]
    return events + check_margin_calls(state, [account], ts_ns)

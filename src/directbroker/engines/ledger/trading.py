"""Handlers for trading and the business day: executions, settlement, marks and prior closes.

An execution posts trade-date entries (the customer's position and unsettled cash against the
clearing counterparty, commission income, fees payable) and queues its settlement; ``SettleDue``
moves the money from unsettled to settled on the settlement date. A quote update re-values only
the positions indexed under its symbol.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from directbroker.domain.accounts import (
    CASH_ASSET,
    TRANSIT_REGISTRATIONS,
    AccountType,
    Posting,
)
from directbroker.domain.ledger_messages import (
    BusinessDayStarted,
    ExecutionRecorded,
    PositionChanged,
    RecordExecution,
    RecordPriorClose,
    SettleDue,
    StartBusinessDay,
    TradesSettled,
    UpdateMark,
)
from directbroker.domain.messages import Event
from directbroker.domain.orders import Side
from directbroker.domain.rejects import RejectCode
from directbroker.engines.ledger import chart
from directbroker.engines.ledger.accounts import known_account
from directbroker.engines.ledger.calls import check_margin_calls
from directbroker.engines.ledger.cash import release
from directbroker.engines.ledger.fees import FeeSchedule, principal_of
from directbroker.engines.ledger.settlement import (
    SETTLEMENT_CYCLE,
    PendingSettlement,
    SettlementCalendar,
)
from directbroker.engines.ledger.state import LedgerState
from directbroker.engines.ledger.validation import (
    Rejection,
    require_date,
    require_enum,
    require_id,
    require_price,
    require_quantity,
    require_symbol,
)
from directbroker.engines.ledger.valuation import remark, sma_change

SHORT_SIDES = (Side.SELL_SHORT, Side.SELL_SHORT_EXEMPT)


@dataclass(frozen=True, slots=True)
class LedgerConfig:
    """What the ledger is constructed with: reference data and policy, not state."""

    calendar: SettlementCalendar
    fees: FeeSchedule


def record_execution(
    state: LedgerState, config: LedgerConfig, command: RecordExecution, ts_ns: int
) -> list[Event]:
    """Book one customer execution on its trade date and queue its settlement."""
    account = known_account(state, command.account, open_only=True)
    execution_id = require_id(command.execution_id, "execution_id")
    symbol = require_symbol(command.symbol)
    side = require_enum(command.side, Side, "side")
    quantity = require_quantity(command.quantity)
    price = require_price(command.price)
    trade_date = require_date(command.trade_date, "trade_date")
    order_id = require_id(command.order_id, "order_id") if command.order_id != "" else ""
    if execution_id in state.execution_ids:
        raise Rejection(RejectCode.DUPLICATE_EXECUTION, execution_id)
    calendar = config.calendar
    try:
        if not calendar.is_business_day(trade_date):
            raise Rejection(RejectCode.INVALID_DATE, f"trade date {trade_date}")
        settlement_date = calendar.add_business_days(trade_date, SETTLEMENT_CYCLE)
    except ValueError as exc:
        raise Rejection(RejectCode.INVALID_DATE, f"trade date {trade_date}: {exc}") from exc
    record = state.accounts[account]
    existing = state.positions.get((account, symbol))
    held = existing.quantity if existing is not None else 0
    transit = record.registration in TRANSIT_REGISTRATIONS
    if side is Side.SELL and quantity > held and not transit:
        raise Rejection(RejectCode.INSUFFICIENT_POSITION, f"selling {quantity}, long {held}")
    if (
        side in SHORT_SIDES
        and not transit
        and (record.account_type is AccountType.CASH or held > 0)
    ):
        raise Rejection(RejectCode.SHORT_SALE_NOT_ALLOWED, f"{record.account_type.value}, {held}")

    # Everything below is computed before the first mutation and cannot fail.
    fees = config.fees
    delta = quantity if side is Side.BUY else -quantity
    principal = principal_of(quantity, price)
    ticket = (account, order_id)
    filled, charged = state.order_fills.get(ticket, (0, 0)) if order_id else (0, 0)
    commission = 0 if transit else fees.commission.total(filled + quantity) - charged
    sec_fee = 0 if transit else fees.sec_fee(side, principal, trade_date)
    taf_fee = 0 if transit else fees.taf_fee(side, quantity, trade_date)
    if side is Side.BUY:
        net = -(principal + commission)
    else:
        net = principal - commission - sec_fee - taf_fee
    street_cash = principal if side is Side.BUY else -principal

    state.execution_ids.add(execution_id)
    if order_id:
        state.order_fills[ticket] = (filled + quantity, charged + commission)
    position = state.position_for(account, symbol)
    totals = state.totals[account]
    totals.add(position, -1)
    old_quantity = position.quantity
    realized = position.apply(delta, price, trade_date, execution_id)
    remark(position, state.marks.setdefault(symbol, price), state.rules)
    position.sod_value = position.sod_quantity * state.prior_close.get(symbol, 0)
    totals.add(position, 1)
    if record.account_type is AccountType.MARGIN:
        state.sma[account] += sma_change(net, delta, price, old_quantity, state.rules)
    state.pending.setdefault(settlement_date, []).append(
        PendingSettlement(account, execution_id, symbol, net, street_cash, -delta)
    )
    if net < 0:
        state.pending_debits[account] -= net
    entry = state.post(
        "execution",
        account,
        execution_id,
        [
            Posting(chart.customer_unsettled(account), CASH_ASSET, net),
            Posting(chart.STREET_UNSETTLED, CASH_ASSET, street_cash),
            Posting(chart.FIRM_COMMISSIONS, CASH_ASSET, commission),
            Posting(chart.SEC_FEES_PAYABLE, CASH_ASSET, sec_fee),
            Posting(chart.TAF_PAYABLE, CASH_ASSET, taf_fee),
            Posting(chart.customer_securities(account), symbol, delta),
            Posting(chart.STREET_UNSETTLED, symbol, -delta),
        ],
        ts_ns,
        price=price,
        trade_date=trade_date,
    )
    events: list[Event] = [
        ExecutionRecorded(
            account,
            execution_id,
            symbol,
            side,
            quantity,
            price,
            principal,
            commission,
            sec_fee,
            taf_fee,
            net,
            realized,
            trade_date,
            settlement_date,
            ts_ns,
        ),
        entry,
        PositionChanged(
            account, symbol, position.quantity, position.cost_basis, position.realized_pnl, ts_ns
        ),
    ]
    return events + check_margin_calls(state, [account], ts_ns)


def settle_due(state: LedgerState, command: SettleDue, ts_ns: int) -> list[Event]:
    """Settle every queued execution due on or before ``as_of_date``, moving its net money from
    unsettled to settled cash: one entry per execution (so each trade's settlement can be traced)
    and one ``TradesSettled`` summary per account and date."""
    as_of = require_date(command.as_of_date, "as_of_date")
    events: list[Event] = []
    for date in sorted(d for d in state.pending if d <= as_of):
        by_account: dict[str, list[PendingSettlement]] = defaultdict(list)
        for item in state.pending.pop(date):
            by_account[item.account].append(item)
        for account in sorted(by_account):
            items = by_account[account]
            for item in items:
                events.append(_settle(state, item, ts_ns))
            cash = sum(item.customer_cash for item in items)
            events.append(TradesSettled(account, date, len(items), cash, ts_ns))
            if not state.pending_debits.get(account):
                state.pending_debits.pop(account, None)
    return events


def _settle(state: LedgerState, item: PendingSettlement, ts_ns: int) -> Event:
    account = item.account
    if item.customer_cash < 0:
        state.pending_debits[account] += item.customer_cash
    return state.post(
        "settlement",
        account,
        item.execution_id,
        [
            Posting(chart.customer_unsettled(account), CASH_ASSET, -item.customer_cash),
            Posting(chart.customer_cash(account), CASH_ASSET, item.customer_cash),
            Posting(chart.STREET_UNSETTLED, CASH_ASSET, -item.street_cash),
            Posting(chart.STREET_SETTLED, CASH_ASSET, item.street_cash),
            Posting(chart.STREET_UNSETTLED, item.symbol, -item.street_shares),
            Posting(chart.STREET_SETTLED, item.symbol, item.street_shares),
        ],
        ts_ns,
    )


def start_business_day(
    state: LedgerState, config: LedgerConfig, command: StartBusinessDay, ts_ns: int
) -> list[Event]:
    """Roll the day: last marks become prior closes, positions take their start-of-day size,
    per-order commission tickets close, and holds due today are released."""
    date = require_date(command.date, "date")
    try:
        business = config.calendar.is_business_day(date)
    except ValueError as exc:
        raise Rejection(RejectCode.INVALID_DATE, f"{date}: {exc}") from exc
    if not business or date <= state.business_date:
        raise Rejection(RejectCode.INVALID_DATE, f"{date} after {state.business_date}")
    state.business_date = date
    state.prior_close.update(state.marks)
    state.order_fills.clear()
    for position in state.positions.values():
        totals = state.totals[position.account]
        totals.add(position, -1)
        position.sod_quantity = position.quantity
        position.day_flow = 0
        position.sod_value = position.sod_quantity * state.prior_close.get(position.symbol, 0)
        totals.add(position, 1)
        if not position.quantity:
            state.by_symbol[position.symbol].pop(position.account, None)
    events: list[Event] = [BusinessDayStarted(date, ts_ns)]
    for transfer_id in sorted(t for t, (_, _, due) in state.holds.items() if due <= date):
        events.extend(release(state, transfer_id, ts_ns))
    return events


def update_mark(state: LedgerState, command: UpdateMark, ts_ns: int) -> list[Event]:
    """Re-mark the positions in one symbol: O(positions held in it), not O(all positions)."""
    symbol = require_symbol(command.symbol)
    price = require_price(command.price)
    state.marks[symbol] = price
    holders = state.by_symbol.get(symbol)
    if not holders:
        return []
    margin_accounts = []
    for account, position in holders.items():
        state.revalue(position, price)
        if state.accounts[account].account_type is AccountType.MARGIN:
            margin_accounts.append(account)
    return check_margin_calls(state, margin_accounts, ts_ns)


def set_prior_close(state: LedgerState, command: RecordPriorClose, ts_ns: int) -> list[Event]:
    """Record the official prior close, the base of today's day P&L."""
    symbol = require_symbol(command.symbol)
    price = require_price(command.price)
    state.prior_close[symbol] = price
    for position in state.by_symbol.get(symbol, {}).values():
        state.revalue(position, position.mark)
    return []

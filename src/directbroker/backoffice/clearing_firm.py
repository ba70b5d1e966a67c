"""The simulated clearing firm: it books the firm's trade and money files and reports back.

A pure function of its inputs, so a test can run it a day at a time and a reconciliation can
be proven against it: given its position and balance files of the day before (the whole state
a clearing firm shows its introducing broker), the firm's trade and money files of the day, and
the faults it was told to make, :func:`clear_day` returns the day's activity, positions and
balances.

A clean day books every trade (a purchase adds its shares, a sale takes them away, the net
amount goes to cash) and every cash movement, so its positions and cash equal the firm's books.
A :class:`ClearingFault` makes it misbook one item the way real clearing breaks happen: a
trade it never booked, booked at a wrong price or quantity, to a wrong account, or twice, or
cash that differs. With ``fix_after_days`` it corrects the item that many business days later
(cancelling what it booked wrong and booking what was right), so breaks age and then clear.
The misbooking is recomputed from the fault's own day's files (:func:`misbook`), so nothing
besides the files needs keeping.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import Enum

from directbroker.backoffice.clearing_fields import format_cash_field, format_price_field
from directbroker.backoffice.clearing_records import (
    ActivityRecord,
    BalanceRecord,
    MoneyRecord,
    PositionRecord,
    TradeRecord,
)
from directbroker.domain.accounts import round_half_up
from directbroker.runtime.schedule import BusinessCalendar

TRADE = "trade"
CANCEL = "_cancel"
"""Suffix of the kind of a row that reverses an earlier booking (``trade_cancel``)."""
ADJUSTMENT = "adjustment"
FIRST = "first"
"""A fault's target meaning the first trade of the day's file (or its first account)."""
SUSPENSE = "SUSPENSE"
"""Where a misdirected trade goes when the day has no other account to send it to."""

DEFAULT_PRICE_ERROR = 100
"""$0.01, when a wrong-price fault names no amount."""
DEFAULT_QUANTITY_ERROR = 1
DEFAULT_CASH_DIFFERENCE = 10_000
"""$1.00, when a cash-difference fault names no amount."""


class FaultKind(str, Enum):
    """How the clearing firm gets an item wrong."""

    MISSING_TRADE = "missing_trade"
    WRONG_PRICE = "wrong_price"
    WRONG_QUANTITY = "wrong_quantity"
    WRONG_ACCOUNT = "wrong_account"
    DUPLICATE = "duplicate"
    CASH_DIFFERENCE = "cash_difference"


@dataclass(frozen=True, slots=True)
class ClearingFault:
    """One misbooking to make on ``date``.

    ``target`` is an execution id (an account for a cash difference) or :data:`FIRST`.
    ``amount`` is what is added: price units to the price, shares to the quantity, cash units
    to the account's cash (0: the defaults above). ``to_account`` is where a wrong-account
    trade goes (empty: the next other account of the day). ``fix_after_days`` > 0: the
    clearing firm corrects it that many business days later."""

    date: int
    kind: FaultKind
    target: str = FIRST
    amount: int = 0
    fix_after_days: int = 0
    to_account: str = ""


@dataclass(frozen=True, slots=True)
class Misbooking:
    """What a fault did: the rows that should have been booked and the rows that were."""

    fault: ClearingFault
    right: tuple[ActivityRecord, ...]
    wrong: tuple[ActivityRecord, ...]
    note: str


@dataclass(frozen=True, slots=True)
class ClearingDay:
    """The clearing firm's three files of a day, and a line per fault applied or corrected."""

    date: int
    activity: tuple[ActivityRecord, ...]
    positions: tuple[PositionRecord, ...]
    balances: tuple[BalanceRecord, ...]
    notes: tuple[str, ...]


def trade_activity(trade: TradeRecord, date: int) -> ActivityRecord:
    """A trade as the clearing firm books it on ``date``."""
    return ActivityRecord(
        trade.execution_id, trade.account, TRADE, trade.symbol, trade.side, trade.quantity,
        trade.price, trade.net_amount, date,
    )  # fmt: skip


def money_activity(money: MoneyRecord, date: int) -> ActivityRecord:
    """A cash movement as the clearing firm books it on ``date``."""
    return ActivityRecord(
        money.reference, money.account, money.kind, "", "", 0, 0, money.amount, date
    )


def fix_date(fault: ClearingFault, calendar: BusinessCalendar) -> int:
    """The business day the clearing firm corrects ``fault`` (0: never)."""
    if fault.fix_after_days <= 0:
        return 0
    return calendar.add_business_days(fault.date, fault.fix_after_days)


def _net(trade: TradeRecord, quantity: int, price: int) -> int:
    principal = round_half_up(quantity * price)
    if trade.side == "buy":
        return -(principal + trade.commission)
    return principal - trade.commission - trade.sec_fee - trade.taf_fee


def misbook(
    fault: ClearingFault, trades: Sequence[TradeRecord], money: Sequence[MoneyRecord]
) -> Misbooking | None:
    """What ``fault`` does to the files of its day, booked that day (None: its target is not
    in them)."""
    kind = fault.kind
    accounts = sorted({t.account for t in trades} | {m.account for m in money})
    if kind is FaultKind.CASH_DIFFERENCE:
        account = accounts[0] if fault.target == FIRST and accounts else fault.target
        if account == FIRST:
            return None
        amount = fault.amount or DEFAULT_CASH_DIFFERENCE
        row = ActivityRecord(
            f"ADJ-{fault.date}-{account}", account, ADJUSTMENT, "", "", 0, 0, amount, fault.date
        )
        note = f"cash_difference: {account} cash off by {format_cash_field(amount)}"
        return Misbooking(fault, (), (row,), note)
    found = [t for t in trades if fault.target in (FIRST, t.execution_id)][:1]
    if not found:
        return None
    trade = found[0]
    right = trade_activity(trade, fault.date)
    what = f"{kind.value}: {trade.execution_id}"
    if kind is FaultKind.MISSING_TRADE:
        return Misbooking(fault, (right,), (), f"{what} not booked")
    if kind is FaultKind.DUPLICATE:
        return Misbooking(fault, (right,), (right, right), f"{what} booked twice")
    if kind is FaultKind.WRONG_ACCOUNT:
        others = [a for a in accounts if a != trade.account]
        later = [a for a in others if a > trade.account]
        to = fault.to_account or (later or others or [SUSPENSE])[0]
        wrong = replace(right, account=to)
        return Misbooking(fault, (right,), (wrong,), f"{what} booked to {to}")
    if kind is FaultKind.WRONG_PRICE:
        price = trade.price + (fault.amount or DEFAULT_PRICE_ERROR)
        if price <= 0:
            return None
        wrong = replace(right, price=price, net_amount=_net(trade, trade.quantity, price))
        note = f"{what} booked at {format_price_field(price)}"
        return Misbooking(fault, (right,), (wrong,), note)
    quantity = trade.quantity + (fault.amount or DEFAULT_QUANTITY_ERROR)
    if quantity <= 0:
        return None
    wrong = replace(right, quantity=quantity, net_amount=_net(trade, quantity, trade.price))
    return Misbooking(fault, (right,), (wrong,), f"{what} booked as {quantity} shares")


def corrections(misbooking: Misbooking, date: int) -> list[ActivityRecord]:
    """The rows that correct a misbooking on ``date``: each wrong row cancelled, each right
    row booked (a row both wrong and right stays as it is)."""
    wrong = Counter(misbooking.wrong)
    right = Counter(misbooking.right)
    cancels = [
        replace(row, kind=row.kind + CANCEL, net_amount=-row.net_amount, business_date=date)
        for row in (wrong - right).elements()
    ]
    return cancels + [replace(row, business_date=date) for row in (right - wrong).elements()]


def clear_day(
    date: int,
    positions: Sequence[PositionRecord],
    balances: Sequence[BalanceRecord],
    trades: Sequence[TradeRecord],
    money: Sequence[MoneyRecord],
    faults: Sequence[ClearingFault] = (),
    fixes: Sequence[Misbooking] = (),
) -> ClearingDay:
    """Book a day: the day before's ``positions`` and ``balances``, the firm's ``trades`` and
    ``money`` of ``date``, the ``faults`` to make today and the earlier misbookings to correct
    today (``fixes``). Returns the day's activity, positions and balances."""
    activity = [trade_activity(t, date) for t in trades] + [money_activity(m, date) for m in money]
    notes: list[str] = []
    for fault in faults:
        done = misbook(fault, trades, money)
        if done is None:
            notes.append(f"{fault.kind.value}: no {fault.target} on {date}, nothing misbooked")
            continue
        if done.right and done.right[0] not in activity:
            notes.append(f"{done.note}: already misbooked by another fault, left alone")
            continue
        at = activity.index(done.right[0]) if done.right else len(activity)
        activity[at : at + len(done.right)] = list(done.wrong)
        notes.append(done.note)
    for fix in fixes:
        activity.extend(corrections(fix, date))
        notes.append(f"corrected: {fix.note} (misbooked on {fix.fault.date})")
    carried, cash = _carry(date, positions, balances, activity)
    return ClearingDay(date, tuple(activity), carried, cash, tuple(notes))


def _carry(
    date: int,
    positions: Sequence[PositionRecord],
    balances: Sequence[BalanceRecord],
    activity: Sequence[ActivityRecord],
) -> tuple[tuple[PositionRecord, ...], tuple[BalanceRecord, ...]]:
    shares: dict[tuple[str, str], int] = {}
    for position in positions:
        shares[(position.account, position.symbol)] = position.quantity
    cash = {balance.account: balance.cash for balance in balances}
    for row in activity:
        cash[row.account] = cash.get(row.account, 0) + row.net_amount
        if row.kind in (TRADE, TRADE + CANCEL):
            delta = row.quantity if row.side == "buy" else -row.quantity
            if row.kind != TRADE:
                delta = -delta
            key = (row.account, row.symbol)
            shares[key] = shares.get(key, 0) + delta
    return (
        tuple(
            PositionRecord(account, symbol, quantity, date)
            for (account, symbol), quantity in sorted(shares.items())
            if quantity
        ),
        tuple(BalanceRecord(account, amount, date) for account, amount in sorted(cash.items())),
    )

"""What the firm sends its clearing firm for a business day, taken from its books.

The trade file holds every execution the books recorded with that trade date, in journal
order: the customers' and the firm's own transit accounts' (average price, step-outs), since
the clearing firm carries both. Every trade is the firm acting as agent for its customer
(capacity ``A``); a sale carries its Reg SHO marking. The money file holds every cash movement
into or out of a customer's cash that is not a trade (deposits, withdrawals, journals,
adjustments), so that the clearing firm's cash can be reconciled to the books'.
"""

from __future__ import annotations

from directbroker.backoffice.books import BookedExecution, FirmBooks
from directbroker.backoffice.clearing_records import MoneyRecord, ShortMarking, TradeRecord
from directbroker.domain.orders import Side

AGENCY = "A"

_SIDES: dict[Side, tuple[str, ShortMarking]] = {
    Side.BUY: ("buy", ShortMarking.NONE),
    Side.SELL: ("sell", ShortMarking.LONG),
    Side.SELL_SHORT: ("sell", ShortMarking.SHORT),
    Side.SELL_SHORT_EXEMPT: ("sell", ShortMarking.SHORT_EXEMPT),
}


def trade_record(execution: BookedExecution) -> TradeRecord:
    """One execution as a line of the trade file."""
    side, marking = _SIDES[execution.side]
    return TradeRecord(
        execution.execution_id, execution.order_id, execution.account, side, marking,
        execution.quantity, execution.price, execution.symbol, AGENCY, execution.commission,
        execution.sec_fee, execution.taf_fee, execution.net_amount, execution.trade_date,
        execution.settlement_date, execution.venue,
    )  # fmt: skip


def trade_records(books: FirmBooks, date: int) -> list[TradeRecord]:
    """The day's trade file: every execution with trade date ``date``, in journal order."""
    return [trade_record(execution) for execution in books.executions.get(date, ())]


def money_records(books: FirmBooks, date: int) -> list[MoneyRecord]:
    """The day's money file: every cash movement of business date ``date``, in journal order.

    Two movements of one account under one reference and kind are one line (their sum), since
    the file's key is (reference, account, kind); a sum of zero is no line."""
    totals: dict[tuple[str, str, str], int] = {}
    for movement in books.movements.get(date, ()):
        key = (movement.reference, movement.account, movement.kind)
        totals[key] = totals.get(key, 0) + movement.amount
    return [
        MoneyRecord(reference, account, kind, amount, date)
        for (reference, account, kind), amount in totals.items()
        if amount
    ]

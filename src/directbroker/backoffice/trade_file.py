"""What the firm sends its clearing firm for a business day, taken from its books.

A day's files carry what the books recorded after the end of the previous business day, up to
the end of this one (``BrokerDayEnded``): so every execution and cash movement is sent once,
and the clearing firm's positions and cash at the end of the day are the books' at their
:class:`~directbroker.backoffice.books.DayClose`. Nearly everything recorded in that window
has the day's own date; what does not (an as-of allocation, a transfer recorded in the evening
after its day ended) keeps its own date and goes with the next day's files, as clearing firms
take as-of items.

The trade file holds every execution: the customers' and the firm's own transit accounts'
(average price, step-outs), since the clearing firm carries both. Every trade is the firm
acting as agent for its customer (capacity ``A``); a sale carries its Reg SHO marking. The
money file holds every movement of a customer's cash that is not a trade (deposits,
withdrawals, journals, adjustments), so the clearing firm's cash can be reconciled to the
books'.

:class:`HandOff` is fed by the books' day-end hook (``FirmBooks(on_day_end=...)``, or the
listener of whoever owns the fold calls :meth:`HandOff.day_ended`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from directbroker.backoffice.books import BookedExecution, CashMovement, DayClose, FirmBooks
from directbroker.backoffice.clearing_records import MoneyRecord, ShortMarking, TradeRecord
from directbroker.domain.orders import Side

AGENCY = "A"

_SIDES: dict[Side, tuple[str, ShortMarking]] = {
    Side.BUY: ("buy", ShortMarking.NONE),
    Side.SELL: ("sell", ShortMarking.LONG),
    Side.SELL_SHORT: ("sell", ShortMarking.SHORT),
    Side.SELL_SHORT_EXEMPT: ("sell", ShortMarking.SHORT_EXEMPT),
}

T = TypeVar("T")


def trade_record(execution: BookedExecution) -> TradeRecord:
    """One execution as a line of the trade file."""
    side, marking = _SIDES[execution.side]
    return TradeRecord(
        execution.execution_id, execution.order_id, execution.account, side, marking,
        execution.quantity, execution.price, execution.symbol, AGENCY, execution.commission,
        execution.sec_fee, execution.taf_fee, execution.net_amount, execution.trade_date,
        execution.settlement_date, execution.venue,
    )  # fmt: skip


def money_records(movements: Sequence[CashMovement]) -> list[MoneyRecord]:
    """Cash movements as lines of the money file, in order. Two movements of one account
    under one reference and kind are one line (their sum), since that is the file's key; a
    sum of zero is no line."""
    totals: dict[tuple[str, str, str], list[int]] = {}
    for movement in movements:
        key = (movement.reference, movement.account, movement.kind)
        found = totals.setdefault(key, [0, movement.business_date])
        found[0] += movement.amount
    return [
        MoneyRecord(reference, account, kind, amount, date)
        for (reference, account, kind), (amount, date) in totals.items()
        if amount
    ]


@dataclass(frozen=True, slots=True)
class HandOffDay:
    """One ended business day's trade and money records, and the books' executions and
    movements they were made from (what the reconciliation compares the clearing firm's
    activity with: the same window, as-of items included)."""

    date: int
    trades: tuple[TradeRecord, ...]
    money: tuple[MoneyRecord, ...]
    executions: tuple[BookedExecution, ...] = ()
    movements: tuple[CashMovement, ...] = ()


class HandOff:
    """Each ended day's files, cut from the books at every day end."""

    def __init__(self) -> None:
        self.days: dict[int, HandOffDay] = {}
        self._executions: dict[int, int] = {}
        self._movements: dict[int, int] = {}

    def day_ended(self, close: DayClose, books: FirmBooks) -> None:
        """The books stand at the end of ``close.date``: take what they recorded since the
        last day end (a :data:`~directbroker.backoffice.books.DayEndListener`)."""
        executions = _since(books.executions, self._executions)
        movements = _since(books.movements, self._movements)
        self.days[close.date] = HandOffDay(
            close.date,
            tuple(trade_record(execution) for execution in executions),
            tuple(money_records(movements)),
            tuple(executions),
            tuple(movements),
        )


def _since(by_date: Mapping[int, list[T]], taken: dict[int, int]) -> list[T]:
    """The items appended to ``by_date`` since the last call (by date, then in order)."""
    fresh: list[T] = []
    for date in sorted(by_date):
        items = by_date[date]
        start = taken.get(date, 0)
        if start < len(items):
            fresh.extend(items[start:])
            taken[date] = len(items)
    return fresh

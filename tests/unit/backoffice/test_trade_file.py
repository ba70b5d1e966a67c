"""The day's trade and money files from the books: every execution of the trade date once,
with its side and Reg SHO marking, agency capacity, fees and dates; every cash movement that
is not a trade; nothing from another day."""

from __future__ import annotations

from directbroker.backoffice.clearing_records import MoneyRecord, ShortMarking
from directbroker.backoffice.trade_file import money_records, trade_records
from directbroker.domain.accounts import AccountType, Registration
from directbroker.domain.ledger_messages import (
    AdjustCash,
    Deposit,
    OpenAccount,
    RecordExecution,
    Withdraw,
)
from directbroker.domain.orders import Side
from tests.unit.backoffice.ledger_books import SESSIONS, LedgerBooks

DAY, NEXT = SESSIONS[0], SESSIONS[1]


def _firm() -> LedgerBooks:
    firm = LedgerBooks()
    firm.run([
        OpenAccount("C1", "ann", AccountType.CASH, Registration.INDIVIDUAL),
        OpenAccount("M1", "bob", AccountType.MARGIN, Registration.INDIVIDUAL),
        OpenAccount("AVG", "firm", AccountType.MARGIN, Registration.AVERAGE_PRICE),
    ])  # fmt: skip
    firm.start(DAY)
    firm.run([
        Deposit("C1", "dep-1", 100_000_000),
        Deposit("M1", "dep-2", 500_000_000),
        RecordExecution("C1", "X1", "AAA", Side.BUY, 100, 105_000, DAY, "o1"),
        RecordExecution("C1", "X2", "AAA", Side.SELL, 40, 106_000, DAY, "o2"),
        RecordExecution("M1", "X3", "BBB", Side.SELL_SHORT, 10, 2_000_000, DAY, "o3"),
        RecordExecution("M1", "X4", "BBB", Side.SELL_SHORT_EXEMPT, 5, 2_000_000, DAY, "o4"),
        RecordExecution("AVG", "X5", "CCC", Side.BUY, 300, 500_000, DAY, "o5"),
        AdjustCash("M1", "adj-1", -12_300, "fee correction"),
    ])  # fmt: skip
    firm.start(NEXT)
    firm.run([
        RecordExecution("C1", "X6", "AAA", Side.SELL, 60, 107_000, NEXT, "o6"),
        Withdraw("C1", "w-1", 10_000_000),
    ])  # fmt: skip
    return firm


def test_the_trade_file_holds_each_execution_of_the_day_once_in_order() -> None:
    firm = _firm()
    trades = trade_records(firm.books, DAY)
    assert [t.execution_id for t in trades] == ["X1", "X2", "X3", "X4", "X5"]
    assert [t.execution_id for t in trade_records(firm.books, NEXT)] == ["X6"]
    assert trade_records(firm.books, SESSIONS[5]) == []


def test_sides_carry_the_reg_sho_marking_and_agency_capacity() -> None:
    trades = {t.execution_id: t for t in trade_records(_firm().books, DAY)}
    assert [(trades[x].side, trades[x].marking) for x in ("X1", "X2", "X3", "X4")] == [
        ("buy", ShortMarking.NONE),
        ("sell", ShortMarking.LONG),
        ("sell", ShortMarking.SHORT),
        ("sell", ShortMarking.SHORT_EXEMPT),
    ]
    assert {t.capacity for t in trades.values()} == {"A"}


def test_a_trade_carries_the_books_figures() -> None:
    firm = _firm()
    books = {e.execution_id: e for e in firm.books.executions[DAY]}
    for trade in trade_records(firm.books, DAY):
        booked = books[trade.execution_id]
        assert (trade.account, trade.symbol, trade.quantity, trade.price) == (
            booked.account, booked.symbol, booked.quantity, booked.price,
        )  # fmt: skip
        assert (trade.commission, trade.sec_fee, trade.taf_fee, trade.net_amount) == (
            booked.commission, booked.sec_fee, booked.taf_fee, booked.net_amount,
        )  # fmt: skip
        assert (trade.trade_date, trade.settlement_date) == (DAY, NEXT)
        assert trade.order_id == booked.order_id
    sale = next(t for t in trade_records(firm.books, DAY) if t.execution_id == "X3")
    assert sale.net_amount == 10 * 2_000_000 - sale.commission - sale.sec_fee - sale.taf_fee
    assert sale.commission > 0


def test_the_money_file_holds_the_cash_movements_that_are_not_trades() -> None:
    firm = _firm()
    assert money_records(firm.books, DAY) == [
        MoneyRecord("dep-1", "C1", "deposit", 100_000_000, DAY),
        MoneyRecord("dep-2", "M1", "deposit", 500_000_000, DAY),
        MoneyRecord("adj-1", "M1", "adjustment", -12_300, DAY),
    ]
    assert [(m.reference, m.amount) for m in money_records(firm.books, NEXT)] == [
        ("w-1", -10_000_000)
    ]

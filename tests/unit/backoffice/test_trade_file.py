"""The day's trade and money files from the books: every execution recorded since the last
day end once, with its side and Reg SHO marking, agency capacity, fees and dates; every cash
movement that is not a trade; what is recorded after a day's end goes with the next day."""

from __future__ import annotations

from directbroker.backoffice.clearing_records import MoneyRecord, ShortMarking
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

DAY, NEXT, THIRD = SESSIONS[0], SESSIONS[1], SESSIONS[2]


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
    firm.start(THIRD)
    return firm


def test_the_trade_file_holds_each_execution_of_the_day_once_in_order() -> None:
    days = _firm().handoff.days
    assert [t.execution_id for t in days[DAY].trades] == ["X1", "X2", "X3", "X4", "X5"]
    assert [t.execution_id for t in days[NEXT].trades] == ["X6"]
    assert THIRD not in days


def test_sides_carry_the_reg_sho_marking_and_agency_capacity() -> None:
    trades = {t.execution_id: t for t in _firm().handoff.days[DAY].trades}
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
    trades = firm.handoff.days[DAY].trades
    for trade in trades:
        booked = books[trade.execution_id]
        assert (trade.account, trade.symbol, trade.quantity, trade.price) == (
            booked.account, booked.symbol, booked.quantity, booked.price,
        )  # fmt: skip
        assert (trade.commission, trade.sec_fee, trade.taf_fee, trade.net_amount) == (
            booked.commission, booked.sec_fee, booked.taf_fee, booked.net_amount,
        )  # fmt: skip
        assert (trade.trade_date, trade.settlement_date) == (DAY, NEXT)
        assert trade.order_id == booked.order_id
    sale = next(t for t in trades if t.execution_id == "X3")
    assert sale.net_amount == 10 * 2_000_000 - sale.commission - sale.sec_fee - sale.taf_fee
    assert sale.commission > 0


def test_the_money_file_holds_the_cash_movements_that_are_not_trades() -> None:
    days = _firm().handoff.days
    assert days[DAY].money == (
        MoneyRecord("dep-1", "C1", "deposit", 100_000_000, DAY),
        MoneyRecord("dep-2", "M1", "deposit", 500_000_000, DAY),
        MoneyRecord("adj-1", "M1", "adjustment", -12_300, DAY),
    )
    assert days[NEXT].money == (MoneyRecord("w-1", "C1", "withdrawal", -10_000_000, NEXT),)


def test_what_is_recorded_after_a_days_end_goes_with_the_next_day() -> None:
    firm = LedgerBooks()
    firm.run([OpenAccount("C1", "ann", AccountType.CASH, Registration.INDIVIDUAL)])
    firm.start(DAY)
    firm.run([Deposit("C1", "dep-1", 100_000_000)])
    firm.end()
    firm.run([Deposit("C1", "late", 5_000_000)])
    firm.start(NEXT)
    firm.start(THIRD)
    days = firm.handoff.days
    assert [m.reference for m in days[DAY].money] == ["dep-1"]
    assert days[NEXT].money == (MoneyRecord("late", "C1", "deposit", 5_000_000, DAY),)

"""Worked examples: a day trade in a cash account, T+1 settlement across holidays, deposits with
holds, withdrawals, and the rejections that must change nothing."""

from __future__ import annotations

from directbroker.domain.accounts import CASH_ASSET, AccountStatus, AccountType, Registration
from directbroker.domain.ledger_messages import (
    AdjustCash,
    ChangeAccountStatus,
    Deposit,
    ExecutionRecorded,
    OpenAccount,
    RecordExecution,
    ReleaseHold,
    SettleDue,
    TradesSettled,
    Withdraw,
)
from directbroker.domain.orders import Side
from directbroker.domain.rejects import RejectCode
from directbroker.engines.ledger import chart
from tests.unit.ledger.conftest import Books, dollars

MON, TUE = 20250303, 20250304


def test_day_trade_in_a_cash_account(books: Books) -> None:
    books.open("C1", AccountType.CASH, cash=10_000)
    books.day(MON)
    # Buy 100 at $50: 5,000 payable on Tuesday. Buying power 5,000; withdrawable 5,000.
    books.trade("C1", Side.BUY, 100, "ABC", 50, MON)
    v = books.core.account_values("C1")
    assert (v.settled_cash, v.unsettled_cash) == (dollars(10_000), dollars(-5_000))
    assert v.buying_power == dollars(5_000)
    assert v.withdrawable_cash == dollars(5_000)
    # Sell them the same day at $51: principal 5,100; Section 31 5,100 x 27.80/1e6 = 0.14178
    # -> 0.15; TAF 0.0166 -> 0.02; net 5,099.83. Unsettled nets to +99.83.
    books.trade("C1", Side.SELL, 100, "ABC", 51, MON)
    v = books.core.account_values("C1")
    assert v.settled_cash == dollars(10_000)
    assert v.unsettled_cash == dollars("99.83")
    assert v.buying_power == dollars("10099.83")  # unsettled proceeds may buy in a cash account
    assert v.withdrawable_cash == dollars(5_000)  # ... but the purchase still takes 5,000 Tuesday
    assert v.realized_pnl == dollars(100)
    assert v.day_pnl == dollars(100)
    # Tuesday (T+1) both settle: settled cash 10,099.83, nothing unsettled.
    events = books.do(SettleDue(TUE))
    assert [e.executions for e in events if isinstance(e, TradesSettled)] == [2]
    v = books.core.account_values("C1")
    assert (v.settled_cash, v.unsettled_cash) == (dollars("10099.83"), 0)
    assert v.withdrawable_cash == dollars("10099.83")


def test_t_plus_one_across_a_holiday_weekend_and_an_early_close(books: Books) -> None:
    books.open("C1", AccountType.CASH, cash=1_000)
    books.day(20250829)
    # Friday 29 Aug 2025; Monday 1 Sep is Labor Day: settles Tuesday 2 Sep.
    (executed, *_) = books.trade("C1", Side.BUY, 10, "ABC", 10, 20250829)
    assert isinstance(executed, ExecutionRecorded)
    assert executed.settlement_date == 20250902
    assert books.do(SettleDue(20250901)) == []
    assert [type(e) for e in books.do(SettleDue(20250902)) if isinstance(e, TradesSettled)]
    # Thursday 3 Jul 2025 closes early (still a business day); Friday 4 Jul is a holiday.
    (executed, *_) = books.trade("C1", Side.SELL, 10, "ABC", 10, 20250703)
    assert isinstance(executed, ExecutionRecorded)
    assert executed.settlement_date == 20250707


def test_deposit_hold_blocks_withdrawal_until_released(books: Books) -> None:
    books.open("C1", AccountType.CASH)
    books.do(Deposit("C1", "ach-1", dollars(500), hold_until=20250310))
    v = books.core.account_values("C1")
    assert (v.held_cash, v.buying_power, v.withdrawable_cash) == (dollars(500), dollars(500), 0)
    assert books.reject(Withdraw("C1", "w1", dollars(1))) is RejectCode.INSUFFICIENT_FUNDS
    books.do(ReleaseHold("ach-1"))
    assert books.core.account_values("C1").withdrawable_cash == dollars(500)
    assert books.reject(ReleaseHold("ach-1")) is RejectCode.UNKNOWN_HOLD
    books.do(Withdraw("C1", "w1", dollars(500)))
    assert books.core.account_values("C1").cash == 0
    # Holds also release when their date's business day starts.
    books.do(Deposit("C1", "ach-2", dollars(70), hold_until=20250304))
    books.day(20250304)
    assert books.core.account_values("C1").withdrawable_cash == dollars(70)


def test_rejections_change_nothing(books: Books) -> None:
    books.open("C1", AccountType.CASH, cash=100)
    assert books.reject(Withdraw("C1", "w1", dollars("100.01"))) is RejectCode.INSUFFICIENT_FUNDS
    assert books.reject(Deposit("C1", "d1", -dollars(5))) is RejectCode.INVALID_AMOUNT
    assert books.reject(Deposit("C1", "d1", 0)) is RejectCode.INVALID_AMOUNT
    assert books.reject(Deposit("C1", "d1", "12.50")) is RejectCode.INVALID_AMOUNT  # type: ignore[arg-type]
    assert books.reject(Deposit("C1", "d1", "abc")) is RejectCode.INVALID_AMOUNT  # type: ignore[arg-type]
    assert books.reject(Deposit("C1", "d1", 1.5)) is RejectCode.INVALID_AMOUNT  # type: ignore[arg-type]
    assert books.reject(Deposit("C1", "d1", 12_345)) is RejectCode.INVALID_AMOUNT  # $1.2345
    assert books.reject(Deposit("nobody", "d1", dollars(1))) is RejectCode.UNKNOWN_ACCOUNT
    books.do(Deposit("C1", "d1", dollars(1)))
    assert books.reject(Deposit("C1", "d1", dollars(1))) is RejectCode.DUPLICATE_TRANSFER
    assert (
        books.reject(OpenAccount("C1", "o", AccountType.CASH, Registration.JOINT))
        is RejectCode.DUPLICATE_ACCOUNT
    )
    sell = RecordExecution("C1", "x1", "ABC", Side.SELL, 1, dollars(10), MON)
    assert books.reject(sell) is RejectCode.INSUFFICIENT_POSITION
    short = RecordExecution("C1", "x1", "ABC", Side.SELL_SHORT, 1, dollars(10), MON)
    assert books.reject(short) is RejectCode.SHORT_SALE_NOT_ALLOWED
    weekend = RecordExecution("C1", "x1", "ABC", Side.BUY, 1, dollars(10), 20250301)
    assert books.reject(weekend) is RejectCode.INVALID_DATE
    books.do(RecordExecution("C1", "x1", "ABC", Side.BUY, 1, dollars(10), MON))
    again = RecordExecution("C1", "x1", "ABC", Side.BUY, 1, dollars(10), MON)
    assert books.reject(again) is RejectCode.DUPLICATE_EXECUTION
    assert books.reject(RecordExecution("C1", "x2", "ABC", Side.BUY, 0, 1, MON)) is (
        RejectCode.QUANTITY_NOT_POSITIVE
    )
    assert books.reject(SettleDue("tomorrow")) is RejectCode.INVALID_DATE  # type: ignore[arg-type]


def test_status_changes_and_closing(books: Books) -> None:
    books.open("C1", AccountType.CASH, cash=10)
    books.do(ChangeAccountStatus("C1", AccountStatus.CLOSE_ONLY, "review"))
    assert books.core.account_values("C1").status is AccountStatus.CLOSE_ONLY
    assert (
        books.reject(ChangeAccountStatus("C1", AccountStatus.CLOSED)) is RejectCode.ACCOUNT_NOT_FLAT
    )
    books.do(Withdraw("C1", "w", dollars(10)))
    books.do(ChangeAccountStatus("C1", AccountStatus.CLOSED, "customer request"))
    assert books.reject(Deposit("C1", "d9", dollars(1))) is RejectCode.ACCOUNT_CLOSED
    assert (
        books.reject(ChangeAccountStatus("C1", AccountStatus.ACTIVE))
        is RejectCode.INVALID_STATUS_CHANGE
    )
    assert books.core.buying_power("C1") == 0


def test_corrections_are_new_postings(books: Books) -> None:
    books.open("C1", AccountType.CASH, cash=100)
    before = books.core.postings("C1")
    books.do(AdjustCash("C1", "adj-1", -dollars(3), "fee refund reversed"))
    after = books.core.postings("C1")
    assert after[: len(before)] == before  # nothing edited
    assert after[-1].kind == "adjustment"
    assert books.core.balance(chart.FIRM_ADJUSTMENTS, CASH_ASSET) == dollars(3)
    assert books.core.cash_balance("C1") == dollars(97)
    assert set(books.core.trial_balance().values()) == {0}

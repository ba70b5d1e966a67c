"""The firm's average-price account: a transit account for block orders. It pays no commission
or fees (each account pays on its share), may hand on shares before the street's sale settles
them in, and never gets a margin call; every entry still balances."""

from __future__ import annotations

from directbroker.domain.accounts import AccountType, Registration
from directbroker.domain.ledger_messages import (
    ExecutionRecorded,
    MarginCallIssued,
    OpenAccount,
    RecordExecution,
)
from directbroker.domain.orders import Side
from directbroker.domain.rejects import RejectCode
from directbroker.engines.ledger import FeeSchedule
from directbroker.engines.ledger.fees import CommissionSchedule
from tests.unit.ledger.conftest import Books, dollars

DAY = 20260601
AVG = "AVGPX"


def books() -> Books:
    fees = FeeSchedule(commission=CommissionSchedule(per_order=dollars("1.00")))
    ledger = Books(fees)
    ledger.day(DAY)
    ledger.do(OpenAccount(AVG, "firm", AccountType.MARGIN, Registration.AVERAGE_PRICE))
    ledger.open("C1", cash=1_000)
    return ledger


def test_it_pays_no_commission_or_fees_where_a_customer_does() -> None:
    ledger = books()
    (avg,) = [e for e in ledger.trade(AVG, Side.SELL, 100, "AAPL", "10.00", DAY, "B")
              if isinstance(e, ExecutionRecorded)]  # fmt: skip
    assert (avg.commission, avg.sec_fee, avg.taf_fee) == (0, 0, 0)
    assert avg.net_amount == dollars("1000.00")
    (customer,) = [e for e in ledger.trade("C1", Side.BUY, 10, "AAPL", "10.00", DAY, "B")
                   if isinstance(e, ExecutionRecorded)]  # fmt: skip
    assert customer.commission == dollars("1.00")


def test_it_may_sell_what_it_does_not_hold_but_a_customer_may_not() -> None:
    ledger = books()
    ledger.trade(AVG, Side.SELL, 100, "AAPL", "10.00", DAY)
    position = ledger.core.position(AVG, "AAPL")
    assert position is not None and position.quantity == -100
    code = ledger.reject(RecordExecution("C1", "xx", "AAPL", Side.SELL, 1, dollars(10), DAY))
    assert code is RejectCode.INSUFFICIENT_POSITION


def test_it_never_gets_a_margin_call_and_the_books_balance() -> None:
    ledger = books()
    events = ledger.trade(AVG, Side.BUY, 10_000, "AAPL", "100.00", DAY)
    assert not [e for e in events if isinstance(e, MarginCallIssued)]
    assert ledger.core.account_values(AVG).cash == -dollars("1000000.00")
    assert all(total == 0 for total in ledger.core.trial_balance().values())

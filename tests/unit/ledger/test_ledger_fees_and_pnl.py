"""Worked examples: commission schedules, Section 31 and TAF by trade date, FIFO lots and
realized P&L, day P&L against the prior close."""

from __future__ import annotations

from directbroker.domain.accounts import AccountType
from directbroker.domain.ledger_messages import ExecutionRecorded, RecordPriorClose, UpdateMark
from directbroker.domain.orders import Side
from directbroker.engines.ledger import CommissionSchedule, FeeSchedule
from tests.unit.ledger.conftest import Books, dollars

MON, TUE = 20250303, 20250304


def test_commission_schedule() -> None:
    # $0.005 a share, at least $1.00, at most $3.00.
    schedule = CommissionSchedule(per_share=50, minimum=dollars(1), maximum=dollars(3))
    assert schedule.total(100) == dollars(1)  # 0.50 -> minimum 1.00
    assert schedule.total(400) == dollars(2)  # 400 x 0.005
    assert schedule.total(1_000) == dollars(3)  # 5.00 -> maximum 3.00
    # $4.95 a trade plus $0.0035 a share (rounded half up to the cent).
    flat = CommissionSchedule(per_share=35, per_order=dollars("4.95"))
    assert flat.total(101) == dollars("5.30")  # 4.95 + 0.3535 = 5.3035 -> 5.30
    assert flat.total(0) == 0


def test_an_order_filled_in_pieces_pays_the_minimum_once() -> None:
    fees = FeeSchedule(CommissionSchedule(per_share=50, minimum=dollars(1)))
    books = Books(fees)
    books.open("C1", AccountType.CASH, cash=10_000)
    books.day(MON)
    (first, *_) = books.trade("C1", Side.BUY, 150, "ABC", 10, MON, order_id="o1")
    (second, *_) = books.trade("C1", Side.BUY, 250, "ABC", 10, MON, order_id="o1")
    assert isinstance(first, ExecutionRecorded) and isinstance(second, ExecutionRecorded)
    # 150 shares: 0.75 -> minimum 1.00. All 400: 2.00, so the second fill pays 1.00 more.
    assert (first.commission, second.commission) == (dollars(1), dollars(1))
    assert first.net_amount == -dollars(1_501)


def test_section_31_and_taf_by_trade_date() -> None:
    fees = FeeSchedule()
    principal = dollars(10_000)
    # $27.80 per million on 15 Jan 2025: 0.278 -> 0.28.
    assert fees.sec_fee(Side.SELL, principal, 20250115) == dollars("0.28")
    # $0.00 per million from 14 May 2025.
    assert fees.sec_fee(Side.SELL, principal, 20250602) == 0
    # $8.00 per million on 1 Jun 2023: 0.08.
    assert fees.sec_fee(Side.SELL, principal, 20230601) == dollars("0.08")
    assert fees.sec_fee(Side.BUY, principal, 20250115) == 0
    # TAF $0.000166 a share: 100 -> 0.0166 -> 0.02; 60,000 -> 9.96 -> capped at 8.30.
    assert fees.taf_fee(Side.SELL, 100, 20250115) == dollars("0.02")
    assert fees.taf_fee(Side.SELL_SHORT, 60_000, 20250115) == dollars("8.30")
    assert fees.taf_fee(Side.BUY, 100, 20250115) == 0


def test_fifo_lots_and_realized_pnl(books: Books) -> None:
    books.open("C1", AccountType.CASH, cash=10_000)
    books.day(MON)
    books.trade("C1", Side.BUY, 100, "ABC", 10, MON)
    books.day(TUE)
    books.trade("C1", Side.BUY, 100, "ABC", 12, TUE)
    # Sell 150 at $15: FIFO closes 100 @ 10 (+500) and 50 @ 12 (+150) = 650.
    (executed, *_) = books.trade("C1", Side.SELL, 150, "ABC", 15, TUE)
    assert isinstance(executed, ExecutionRecorded)
    assert executed.realized_pnl == dollars(650)
    position = books.core.position("C1", "ABC")
    assert position is not None
    assert position.quantity == 50
    assert [(lot.quantity, lot.price, lot.trade_date) for lot in position.lots] == [
        (50, dollars(12), TUE)
    ]
    assert (position.average_cost, position.cost_basis) == (dollars(12), dollars(600))
    books.do(UpdateMark("ABC", dollars(13)))
    assert books.core.position("C1", "ABC").unrealized_pnl == dollars(50)  # type: ignore[union-attr]


def test_average_cost_of_mixed_lots(books: Books) -> None:
    books.open("C1", AccountType.CASH, cash=10_000)
    books.day(MON)
    books.trade("C1", Side.BUY, 2, "ABC", "10.00", MON)
    books.trade("C1", Side.BUY, 1, "ABC", "10.01", MON)
    position = books.core.position("C1", "ABC")
    assert position is not None
    # (20.00 + 10.01) / 3 = 10.00333... -> 10.0033
    assert position.average_cost == dollars("10.0033")


def test_day_pnl_against_the_prior_close(books: Books) -> None:
    books.open("C1", AccountType.CASH, cash=10_000)
    books.day(MON)
    books.trade("C1", Side.BUY, 100, "ABC", 10, MON)
    books.day(TUE)
    books.do(RecordPriorClose("ABC", dollars(11)))
    books.trade("C1", Side.BUY, 50, "ABC", "11.50", TUE)
    books.do(UpdateMark("ABC", dollars(12)))
    # Overnight 100 x (12 - 11) = 100, today's 50 x (12 - 11.50) = 25: day P&L 125.
    position = books.core.position("C1", "ABC")
    assert position is not None and position.day_pnl == dollars(125)
    assert books.core.account_values("C1").day_pnl == dollars(125)
    # Unrealized is against cost: 150 x 12 - (1,000 + 575) = 225.
    assert position.unrealized_pnl == dollars(225)


def test_sub_penny_principal_rounds_half_up_to_the_cent(books: Books) -> None:
    books.open("C1", AccountType.CASH, cash=100)
    books.day(MON)
    # 3 shares at the $10.005 midpoint = 30.015 -> principal 30.02; the lot keeps 10.005.
    (executed, *_) = books.trade("C1", Side.BUY, 3, "ABC", "10.005", MON)
    assert isinstance(executed, ExecutionRecorded)
    assert executed.principal == dollars("30.02")
    assert books.core.position("C1", "ABC").cost_basis == dollars("30.015")  # type: ignore[union-attr]

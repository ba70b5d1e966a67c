"""Worked examples: a margin purchase, a margin call, a short sale and its cover.

Amounts in comments are dollars; the code works in $0.0001 units via ``dollars``. Default fees:
no commission, Section 31 at $27.80 per million (in force 2024-05-22 to 2025-05-13) and FINRA TAF
at $0.000166 a share, both on sales only and rounded up to the cent.
"""

from __future__ import annotations

from directbroker.domain.ledger_messages import (
    Deposit,
    MarginCallIssued,
    MarginCallMet,
    SettleDue,
    UpdateMark,
)
from directbroker.domain.orders import Side
from tests.unit.ledger.conftest import Books, dollars

MON, TUE = 20250303, 20250304


def test_margin_purchase(books: Books) -> None:
    books.open("M1", cash=10_000)
    books.day(MON)
    # Buy 200 XYZ at $100 = $20,000 with $10,000 of cash: the firm lends $10,000.
    books.trade("M1", Side.BUY, 200, "XYZ", 100, MON)
    v = books.core.account_values("M1")
    assert v.settled_cash == dollars(10_000)
    assert v.unsettled_cash == dollars(-20_000)  # payable to the street on T+1
    assert v.cash == dollars(-10_000)  # the debit balance
    assert v.long_market_value == dollars(20_000)
    assert v.equity == dollars(10_000)  # 20,000 - 10,000
    assert v.reg_t_requirement == dollars(10_000)  # 50% of 20,000
    assert v.maintenance_requirement == dollars(5_000)  # 25% of 20,000
    assert v.excess_equity == dollars(5_000)
    # SMA: +10,000 deposit, -10,000 Reg T on the purchase = 0, so no buying power is left.
    assert v.sma == 0
    assert v.buying_power == 0
    assert v.withdrawable_cash == 0

    books.do(SettleDue(TUE))
    v = books.core.account_values("M1")
    assert (v.settled_cash, v.unsettled_cash) == (dollars(-10_000), 0)

    # XYZ rises to $120: MV 24,000, equity 14,000, Reg T 12,000 -> SMA 2,000, BP 2 x 2,000.
    books.do(UpdateMark("XYZ", dollars(120)))
    v = books.core.account_values("M1")
    assert v.equity == dollars(14_000)
    assert v.sma == dollars(2_000)
    assert v.buying_power == dollars(4_000)
    assert v.unrealized_pnl == dollars(4_000)


def test_margin_call_and_liquidation_only(books: Books) -> None:
    books.open("M1", cash=10_000)
    books.day(MON)
    books.trade("M1", Side.BUY, 200, "XYZ", 100, MON)
    # At $66: MV 13,200, debit 10,000, equity 3,200 < maintenance 3,300 (25%): a $100 call.
    events = books.do(UpdateMark("XYZ", dollars(66)))
    calls = [e for e in events if isinstance(e, MarginCallIssued)]
    assert len(calls) == 1
    assert calls[0].deficiency == dollars(100)
    v = books.core.account_values("M1")
    assert v.liquidation_only and v.buying_power == 0
    # A second tick down does not issue a second call.
    assert not [
        e for e in books.do(UpdateMark("XYZ", dollars(65.9))) if isinstance(e, MarginCallIssued)
    ]
    books.do(UpdateMark("XYZ", dollars(66)))
    # Depositing $100 brings equity to 3,300 = maintenance: the call is met.
    events = books.do(Deposit("M1", "meet-call", dollars(100)))
    assert [type(e) for e in events if isinstance(e, MarginCallMet)] == [MarginCallMet]
    assert not books.core.account_values("M1").liquidation_only


def test_short_sale_and_cover(books: Books) -> None:
    books.open("S1", cash=10_000)
    books.day(MON)
    # Short 100 XYZ at $50: proceeds 5,000; Section 31 5,000 x 27.80/1e6 = 0.139 -> 0.14;
    # TAF 100 x 0.000166 = 0.0166 -> 0.02. Net credit 4,999.84.
    (executed, *_) = books.trade("S1", Side.SELL_SHORT, 100, "XYZ", 50, MON)
    assert executed.sec_fee == dollars("0.14")  # type: ignore[attr-defined]
    assert executed.taf_fee == dollars("0.02")  # type: ignore[attr-defined]
    v = books.core.account_values("S1")
    assert v.cash == dollars("14999.84")
    assert v.short_market_value == dollars(5_000)
    assert v.equity == dollars("9999.84")
    assert v.reg_t_requirement == dollars(2_500)
    # FINRA 4210 short at >= $5: greater of $5.00 x 100 = 500 and 30% x 5,000 = 1,500.
    assert v.maintenance_requirement == dollars(1_500)
    position = books.core.position("S1", "XYZ")
    assert position is not None
    assert (position.quantity, position.cost_basis) == (-100, dollars(-5_000))

    # Cover at $45: realize (50 - 45) x 100 = 500.
    books.trade("S1", Side.BUY, 100, "XYZ", 45, MON)
    position = books.core.position("S1", "XYZ")
    assert position is not None
    assert (position.quantity, position.realized_pnl, position.lots) == (0, dollars(500), ())
    v = books.core.account_values("S1")
    assert v.cash == dollars("10499.84")  # 10,000 + 500 - 0.16 fees
    assert v.equity == dollars("10499.84")
    assert v.realized_pnl == dollars(500)


def test_low_priced_short_needs_the_per_share_minimum(books: Books) -> None:
    books.open("S1", cash=10_000)
    books.day(MON)
    # Short 1,000 at $2: under $2.50 a share -> greater of 2.50 x 1,000 and 100% MV = 2,500.
    books.trade("S1", Side.SELL_SHORT, 1_000, "PENY", 2, MON)
    assert books.core.account_values("S1").maintenance_requirement == dollars(2_500)

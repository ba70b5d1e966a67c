"""The simulated clearing firm: a clean day books every trade and cash movement onto the day
before's positions and balances; each fault misbooks exactly its item; a fix cancels what was
wrong and books what was right, so the positions and cash come back to the clean ones."""

from __future__ import annotations

import pytest

from directbroker.backoffice.clearing_firm import (
    DEFAULT_CASH_DIFFERENCE,
    DEFAULT_PRICE_ERROR,
    SUSPENSE,
    ClearingDay,
    ClearingFault,
    FaultKind,
    clear_day,
    corrections,
    fix_date,
    misbook,
)
from directbroker.backoffice.clearing_records import (
    ActivityRecord,
    BalanceRecord,
    MoneyRecord,
    PositionRecord,
    ShortMarking,
    TradeRecord,
)

DAY = 20261130
NEXT = 20261201


def _trade(
    execution_id: str, account: str, side: str, quantity: int, price: int, symbol: str = "AAPL"
) -> TradeRecord:
    principal = quantity * price
    commission = 10_000
    net = -(principal + commission) if side == "buy" else principal - commission - 100
    marking = ShortMarking.NONE if side == "buy" else ShortMarking.LONG
    return TradeRecord(
        execution_id, "o-" + execution_id, account, side, marking, quantity, price, symbol, "A",
        commission, 100 if side == "sell" else 0, 0, net, DAY, NEXT, "ARCA",
    )  # fmt: skip


T1 = _trade("E1", "A1", "buy", 100, 1_500_000)
T2 = _trade("E2", "A1", "sell", 40, 1_510_000)
T3 = _trade("E3", "A2", "buy", 10, 2_000_000, "MSFT")
TRADES = [T1, T2, T3]
MONEY = [MoneyRecord("dep-7", "A2", "deposit", 50_000_000, DAY)]
POSITIONS = [PositionRecord("A1", "AAPL", 5, 20261127), PositionRecord("A3", "IBM", -3, 20261127)]
BALANCES = [BalanceRecord("A1", 200_000_000, 20261127), BalanceRecord("A3", 1_000, 20261127)]


def _clean() -> ClearingDay:
    return clear_day(DAY, POSITIONS, BALANCES, TRADES, MONEY)


def _positions(day: ClearingDay) -> dict[tuple[str, str], int]:
    return {(p.account, p.symbol): p.quantity for p in day.positions}


def _cash(day: ClearingDay) -> dict[str, int]:
    return {b.account: b.cash for b in day.balances}


def test_a_clean_day_books_every_trade_and_movement() -> None:
    day = _clean()
    assert [(a.reference, a.kind) for a in day.activity] == [
        ("E1", "trade"), ("E2", "trade"), ("E3", "trade"), ("dep-7", "deposit"),
    ]  # fmt: skip
    assert _positions(day) == {("A1", "AAPL"): 65, ("A2", "MSFT"): 10, ("A3", "IBM"): -3}
    assert _cash(day) == {
        "A1": 200_000_000 + T1.net_amount + T2.net_amount,
        "A2": T3.net_amount + 50_000_000,
        "A3": 1_000,
    }
    assert all(p.as_of == DAY for p in day.positions)
    assert all(b.as_of == DAY for b in day.balances)
    assert all(a.business_date == DAY for a in day.activity)
    assert day.notes == ()


def test_a_position_that_goes_flat_leaves_the_file_and_the_cash_stays() -> None:
    sale = _trade("E9", "A3", "buy", 3, 1_000_000, "IBM")
    day = clear_day(DAY, POSITIONS, BALANCES, [sale], [])
    assert ("A3", "IBM") not in _positions(day)
    assert _cash(day)["A3"] == 1_000 + sale.net_amount


def test_missing_trade_is_not_booked() -> None:
    day = clear_day(DAY, POSITIONS, BALANCES, TRADES, MONEY,
                    [ClearingFault(DAY, FaultKind.MISSING_TRADE, "E3")])  # fmt: skip
    assert "E3" not in [a.reference for a in day.activity]
    assert ("A2", "MSFT") not in _positions(day)
    assert _cash(day)["A2"] == 50_000_000
    assert day.notes == ("missing_trade: E3 not booked",)


def test_first_targets_the_first_trade_of_the_file() -> None:
    day = clear_day(DAY, POSITIONS, BALANCES, TRADES, MONEY,
                    [ClearingFault(DAY, FaultKind.MISSING_TRADE)])  # fmt: skip
    assert [a.reference for a in day.activity] == ["E2", "E3", "dep-7"]


def test_wrong_price_books_the_trade_at_another_price_and_cash() -> None:
    fault = ClearingFault(DAY, FaultKind.WRONG_PRICE, "E2", 500)
    day = clear_day(DAY, POSITIONS, BALANCES, TRADES, MONEY, [fault])
    booked = next(a for a in day.activity if a.reference == "E2")
    assert booked.price == T2.price + 500
    assert booked.net_amount == T2.net_amount + 40 * 500
    assert _cash(day)["A1"] == _cash(_clean())["A1"] + 40 * 500
    assert _positions(day) == _positions(_clean())
    default = clear_day(DAY, (), (), TRADES, (), [ClearingFault(DAY, FaultKind.WRONG_PRICE, "E1")])
    assert default.activity[0].price == T1.price + DEFAULT_PRICE_ERROR
    assert default.activity[0].net_amount == T1.net_amount - 100 * DEFAULT_PRICE_ERROR


def test_wrong_quantity_books_other_shares_and_their_cash() -> None:
    fault = ClearingFault(DAY, FaultKind.WRONG_QUANTITY, "E1", -30)
    day = clear_day(DAY, POSITIONS, BALANCES, TRADES, MONEY, [fault])
    booked = day.activity[0]
    assert booked.quantity == 70
    assert booked.net_amount == -(70 * T1.price + T1.commission)
    assert _positions(day)[("A1", "AAPL")] == 35


def test_wrong_account_books_the_trade_elsewhere() -> None:
    day = clear_day(DAY, POSITIONS, BALANCES, TRADES, MONEY,
                    [ClearingFault(DAY, FaultKind.WRONG_ACCOUNT, "E1")])  # fmt: skip
    assert day.activity[0].account == "A2"
    assert _positions(day)[("A1", "AAPL")] == 5 - 40
    assert _positions(day)[("A2", "AAPL")] == 100
    named = ClearingFault(DAY, FaultKind.WRONG_ACCOUNT, "E3", to_account="ZZ")
    assert clear_day(DAY, (), (), TRADES, MONEY, [named]).activity[2].account == "ZZ"
    alone = clear_day(DAY, (), (), [T1], (), [ClearingFault(DAY, FaultKind.WRONG_ACCOUNT)])
    assert alone.activity[0].account == SUSPENSE


def test_duplicate_books_the_trade_twice() -> None:
    day = clear_day(DAY, POSITIONS, BALANCES, TRADES, MONEY,
                    [ClearingFault(DAY, FaultKind.DUPLICATE, "E2")])  # fmt: skip
    assert [a.reference for a in day.activity] == ["E1", "E2", "E2", "E3", "dep-7"]
    assert _positions(day)[("A1", "AAPL")] == 65 - 40
    assert _cash(day)["A1"] == _cash(_clean())["A1"] + T2.net_amount


def test_cash_difference_books_an_adjustment() -> None:
    fault = ClearingFault(DAY, FaultKind.CASH_DIFFERENCE, "A3", -2_500)
    day = clear_day(DAY, POSITIONS, BALANCES, TRADES, MONEY, [fault])
    assert day.activity[-1] == ActivityRecord(
        f"ADJ-{DAY}-A3", "A3", "adjustment", "", "", 0, 0, -2_500, DAY
    )
    assert _cash(day) == {**_cash(_clean()), "A3": 1_000 - 2_500}
    assert _positions(day) == _positions(_clean())
    first = clear_day(DAY, (), (), TRADES, MONEY, [ClearingFault(DAY, FaultKind.CASH_DIFFERENCE)])
    assert _cash(first)["A1"] == _cash(clear_day(DAY, (), (), TRADES, MONEY))["A1"] + (
        DEFAULT_CASH_DIFFERENCE
    )


def test_a_fault_with_no_target_that_day_changes_nothing() -> None:
    day = clear_day(DAY, POSITIONS, BALANCES, TRADES, MONEY,
                    [ClearingFault(DAY, FaultKind.DUPLICATE, "E404")])  # fmt: skip
    assert (day.activity, day.positions, day.balances) == (
        _clean().activity, _clean().positions, _clean().balances,
    )  # fmt: skip
    assert "nothing misbooked" in day.notes[0]
    empty = clear_day(DAY, (), (), (), (), [ClearingFault(DAY, FaultKind.CASH_DIFFERENCE)])
    assert empty.balances == ()


def test_two_faults_on_one_trade_apply_the_first() -> None:
    faults = [ClearingFault(DAY, FaultKind.MISSING_TRADE, "E1"),
              ClearingFault(DAY, FaultKind.DUPLICATE, "E1")]  # fmt: skip
    day = clear_day(DAY, (), (), TRADES, MONEY, faults)
    assert [a.reference for a in day.activity] == ["E2", "E3", "dep-7"]
    assert "already misbooked" in day.notes[1]


@pytest.mark.parametrize(
    "fault",
    [
        ClearingFault(DAY, FaultKind.MISSING_TRADE, "E3", fix_after_days=1),
        ClearingFault(DAY, FaultKind.WRONG_PRICE, "E2", 777, fix_after_days=1),
        ClearingFault(DAY, FaultKind.WRONG_QUANTITY, "E1", 5, fix_after_days=1),
        ClearingFault(DAY, FaultKind.WRONG_ACCOUNT, "E1", fix_after_days=1),
        ClearingFault(DAY, FaultKind.DUPLICATE, "E2", fix_after_days=1),
        ClearingFault(DAY, FaultKind.CASH_DIFFERENCE, "A1", 12_300, fix_after_days=1),
    ],
    ids=lambda fault: fault.kind.value,
)
def test_a_fix_brings_the_positions_and_cash_back_to_the_clean_ones(
    fault: ClearingFault,
) -> None:
    wrong = clear_day(DAY, POSITIONS, BALANCES, TRADES, MONEY, [fault])
    clean = _clean()
    assert (_positions(wrong), _cash(wrong)) != (_positions(clean), _cash(clean))
    done = misbook(fault, TRADES, MONEY)
    assert done is not None
    fixed = clear_day(NEXT, wrong.positions, wrong.balances, (), (), (), [done])
    again = clear_day(NEXT, clean.positions, clean.balances, (), ())
    assert (_positions(fixed), _cash(fixed)) == (_positions(again), _cash(again))
    assert all(a.business_date == NEXT for a in fixed.activity)
    assert fixed.notes == (f"corrected: {done.note} (misbooked on {DAY})",)


def test_a_fix_cancels_the_wrong_row_and_books_the_right_one() -> None:
    done = misbook(ClearingFault(DAY, FaultKind.WRONG_PRICE, "E1", 100), TRADES, MONEY)
    assert done is not None
    cancel, rebook = corrections(done, NEXT)
    assert (cancel.kind, cancel.reference, cancel.price, cancel.business_date) == (
        "trade_cancel", "E1", T1.price + 100, NEXT,
    )  # fmt: skip
    assert cancel.net_amount == -done.wrong[0].net_amount
    assert (rebook.kind, rebook.price, rebook.net_amount) == ("trade", T1.price, T1.net_amount)
    duplicate = misbook(ClearingFault(DAY, FaultKind.DUPLICATE, "E1"), TRADES, MONEY)
    assert duplicate is not None
    assert [row.kind for row in corrections(duplicate, NEXT)] == ["trade_cancel"]


class _Weekdays:
    def is_business_day(self, date: int) -> bool:
        return True

    def is_early_close(self, date: int) -> bool:
        return False

    def add_business_days(self, date: int, days: int) -> int:
        return date + days


def test_the_fix_date_counts_business_days() -> None:
    assert fix_date(ClearingFault(DAY, FaultKind.DUPLICATE, fix_after_days=2), _Weekdays()) == (
        DAY + 2
    )
    assert fix_date(ClearingFault(DAY, FaultKind.DUPLICATE), _Weekdays()) == 0

"""The reconciliation's rules: each clearing fault gives the right break at item level, the
holdings breaks it causes name it and are explained by it, a clean day has no break, and an
unexplained holdings difference says so."""

from __future__ import annotations

from dataclasses import replace

from directbroker.backoffice.books import AccountBalances
from directbroker.backoffice.clearing_records import BalanceRecord, PositionRecord
from directbroker.backoffice.recon import BreakCode, Unit, break_key, money, reconcile
from tests.unit.backoffice.recon_fixtures import (
    DAY,
    activity_of,
    codes,
    mirror,
    opening_close,
    rebook,
    run,
    sample_day,
)


def test_a_clean_day_has_no_break() -> None:
    day = sample_day()
    assert run(day, mirror(day)) == []


def test_an_empty_day_on_both_sides_has_no_break() -> None:
    day = sample_day()
    day.executions, day.movements = [], []
    assert run(day, mirror(day)) == []


def test_a_missing_trade_is_missing_at_clearing_and_explains_its_holdings_breaks() -> None:
    day = sample_day()
    files = mirror(day)
    dropped = [a for a in files.activity if a.reference != "O1.2"]
    breaks = run(day, rebook(files, dropped, opening_close(day)))
    assert codes(breaks) == ["MISSING_AT_CLEARING", "POSITION_BREAK", "CASH_BREAK"]
    missing, position, cash = breaks
    assert (missing.account, missing.symbol, missing.reference) == ("C1", "AAPL", "O1.2")
    assert "O1.2" in missing.message and "clearing did not" in missing.message
    assert (position.account, position.symbol) == ("C1", "AAPL")
    assert (position.ours, position.theirs, position.difference) == (150, 100, -50)
    assert position.caused_by == (missing.key,) and position.explained
    lost = day.executions[1].net_amount
    assert cash.account == "C1" and cash.difference == -lost and cash.unit is Unit.CASH
    assert cash.caused_by == (missing.key,) and cash.explained


def test_a_wrong_price_is_a_price_mismatch_and_a_cash_break() -> None:
    day = sample_day()
    files = mirror(day)
    wrong = [
        replace(a, price=a.price + 100, net_amount=a.net_amount - 20 * 100)
        if a.reference == "O2.1"
        else a
        for a in files.activity
    ]
    breaks = run(day, rebook(files, wrong, opening_close(day)))
    assert codes(breaks) == ["PRICE_MISMATCH", "CASH_BREAK"]
    price, cash = breaks
    assert (price.account, price.symbol, price.reference) == ("C2", "MSFT", "O2.1")
    assert (price.ours, price.theirs, price.difference) == (410_0000, 410_0100, 100)
    assert price.unit is Unit.PRICE and money(price.theirs) in price.message
    assert cash.account == "C2" and cash.difference == -2_000 and cash.explained
    assert cash.caused_by == (price.key,)


def test_a_wrong_quantity_is_a_quantity_mismatch_with_position_and_cash_breaks() -> None:
    day = sample_day()
    files = mirror(day)
    e = day.executions[0]
    wrong = [
        replace(a, quantity=90, net_amount=-(90 * e.price + e.commission))
        if a.reference == e.execution_id
        else a
        for a in files.activity
    ]
    breaks = run(day, rebook(files, wrong, opening_close(day)))
    assert codes(breaks) == ["QUANTITY_MISMATCH", "POSITION_BREAK", "CASH_BREAK"]
    quantity, position, cash = breaks
    assert (quantity.ours, quantity.theirs, quantity.difference) == (100, 90, -10)
    assert position.difference == -10 and position.explained
    assert cash.difference == 10 * e.price and cash.explained
    assert position.caused_by == cash.caused_by == (quantity.key,)


def test_a_wrong_side_is_a_quantity_mismatch_of_the_signed_quantity() -> None:
    day = sample_day()
    files = mirror(day)
    wrong = [replace(a, side="sell") if a.reference == "O2.1" else a for a in files.activity]
    breaks = run(day, rebook(files, wrong, opening_close(day)))
    assert codes(breaks)[0] == "QUANTITY_MISMATCH"
    assert (breaks[0].ours, breaks[0].theirs) == (20, -20)


def test_a_wrong_account_is_an_account_mismatch_with_breaks_in_both_accounts() -> None:
    day = sample_day()
    files = mirror(day)
    wrong = [replace(a, account="C2") if a.reference == "O1.1" else a for a in files.activity]
    breaks = run(day, rebook(files, wrong, opening_close(day)))
    assert codes(breaks) == [
        "ACCOUNT_MISMATCH", "POSITION_BREAK", "POSITION_BREAK", "CASH_BREAK", "CASH_BREAK",
    ]  # fmt: skip
    mismatch = breaks[0]
    assert (mismatch.account, mismatch.other_account, mismatch.reference) == ("C1", "C2", "O1.1")
    assert "C1" in mismatch.message and "C2" in mismatch.message
    assert [(b.account, b.symbol, b.difference) for b in breaks[1:3]] == [
        ("C1", "AAPL", -100),
        ("C2", "AAPL", 100),
    ]
    assert [b.account for b in breaks[3:]] == ["C1", "C2"]
    assert breaks[3].difference == -breaks[4].difference
    assert all(b.caused_by == (mismatch.key,) and b.explained for b in breaks[1:])


def test_a_duplicate_is_duplicate_at_clearing_with_twice_the_holdings() -> None:
    day = sample_day()
    files = mirror(day)
    twice = [*files.activity, activity_of(day.executions[2])]
    breaks = run(day, rebook(files, twice, opening_close(day)))
    assert codes(breaks) == ["DUPLICATE_AT_CLEARING", "POSITION_BREAK", "CASH_BREAK"]
    duplicate, position, cash = breaks
    assert (duplicate.account, duplicate.reference) == ("C2", "O2.1")
    assert (duplicate.ours, duplicate.theirs, duplicate.unit) == (1, 2, Unit.COUNT)
    assert position.difference == 20 and cash.difference == day.executions[2].net_amount
    assert position.explained and cash.explained


def test_a_cash_difference_alone_is_an_unexplained_cash_break() -> None:
    day = sample_day()
    files = mirror(day)
    files.balances = [
        replace(b, cash=b.cash - 1_0000) if b.account == "C1" else b for b in files.balances
    ]
    breaks = run(day, files)
    assert codes(breaks) == ["CASH_BREAK"]
    assert breaks[0].difference == -1_0000 and breaks[0].caused_by == ()
    assert not breaks[0].explained


def test_a_movement_booked_for_another_amount_is_an_amount_mismatch() -> None:
    day = sample_day()
    files = mirror(day)
    wrong = [
        replace(a, net_amount=4_000_0000) if a.reference == "DEP-1" else a for a in files.activity
    ]
    breaks = run(day, rebook(files, wrong, opening_close(day)))
    assert codes(breaks) == ["AMOUNT_MISMATCH", "CASH_BREAK"]
    assert (breaks[0].reference, breaks[0].difference) == ("DEP-1", -1_000_0000)
    assert breaks[1].caused_by == (breaks[0].key,) and breaks[1].explained


def test_a_trade_whose_commission_differs_is_an_amount_mismatch() -> None:
    day = sample_day()
    files = mirror(day)
    wrong = [
        replace(a, net_amount=a.net_amount - 5_000) if a.reference == "O3.1" else a
        for a in files.activity
    ]
    breaks = run(day, rebook(files, wrong, opening_close(day)))
    assert codes(breaks) == ["AMOUNT_MISMATCH", "CASH_BREAK"]
    assert breaks[0].symbol == "MSFT" and breaks[0].unit is Unit.CASH


def test_something_only_clearing_booked_is_unknown_at_clearing() -> None:
    day = sample_day()
    files = mirror(day)
    stranger = replace(activity_of(day.executions[0]), reference="X9.1", account="C9")
    breaks = run(day, rebook(files, [*files.activity, stranger], opening_close(day)))
    assert codes(breaks) == ["UNKNOWN_AT_CLEARING", "POSITION_BREAK", "CASH_BREAK"]
    assert breaks[0].account == "C9" and "we did not" in breaks[0].message
    assert "nothing on our books" in breaks[1].message and breaks[1].explained


def test_an_account_the_clearing_firm_does_not_carry_breaks() -> None:
    day = sample_day()
    files = mirror(day)
    files.positions = [p for p in files.positions if p.account != "C2"]
    files.balances = [b for b in files.balances if b.account != "C2"]
    breaks = run(day, files)
    assert codes(breaks) == ["POSITION_BREAK", "CASH_BREAK"]
    assert all(b.account == "C2" for b in breaks)
    assert "does not carry" in breaks[1].message and not breaks[1].explained


def test_a_position_only_at_clearing_breaks() -> None:
    day = sample_day()
    files = mirror(day)
    files.positions.append(PositionRecord("C1", "TSLA", 7, DAY))
    breaks = run(day, files)
    assert [(b.code, b.symbol, b.ours, b.theirs) for b in breaks] == [
        (BreakCode.POSITION_BREAK, "TSLA", 0, 7)
    ]


def test_accounts_limit_our_side_but_not_theirs() -> None:
    day = sample_day()
    files = mirror(day)
    firm = {"AVG-1": AccountBalances("AVG-1", 1, 0, 0, {"AAPL": 3})}
    close = day.close()
    close = replace(close, balances={**close.balances, **firm})
    args = (DAY, day.executions, day.movements, close, files.activity, files.positions)
    assert len(reconcile(*args, files.balances)) == 2
    assert reconcile(*args, files.balances, accounts={"C1", "C2"}) == []
    extra = [*files.balances, BalanceRecord("AVG-1", 5, DAY)]
    assert codes(reconcile(*args, extra, accounts={"C1", "C2"})) == ["CASH_BREAK"]


def test_a_journal_between_two_accounts_pairs_by_account() -> None:
    day = sample_day()
    day.movements += [
        replace(day.movements[0], reference="J-1", account="C1", amount=-100_0000, kind="journal"),
        replace(day.movements[0], reference="J-1", account="C2", amount=100_0000, kind="journal"),
    ]
    assert run(day, mirror(day)) == []
    files = mirror(day)
    files.activity = [a for a in files.activity if not (a.reference == "J-1" and a.account == "C2")]
    breaks = run(day, rebook(files, files.activity, opening_close(day)))
    assert codes(breaks) == ["MISSING_AT_CLEARING", "CASH_BREAK"]
    assert (breaks[0].account, breaks[0].reference) == ("C2", "J-1")


def test_items_of_other_days_are_left_out_of_the_day() -> None:
    day = sample_day()
    files = mirror(day)
    late = replace(day.executions[0], execution_id="O9.1", trade_date=DAY + 1)
    breaks = reconcile(
        DAY, [*day.executions, late], day.movements, day.close(), files.activity,
        files.positions, files.balances,
    )  # fmt: skip
    assert breaks == []


def test_breaks_come_in_a_stable_order_with_stable_keys() -> None:
    day = sample_day()
    files = mirror(day)
    shuffled = list(reversed(files.activity))
    wrong = [
        replace(a, price=a.price + 1) if a.reference in ("O1.2", "O3.1") else a for a in shuffled
    ]
    first = run(day, replace(files, activity=wrong))
    day.executions.reverse()
    again = run(day, replace(files, activity=list(reversed(wrong))))
    assert first == again
    assert [(b.account, b.reference) for b in first] == [("C1", "O1.2"), ("C1", "O3.1")]
    assert first[0].key == break_key(BreakCode.PRICE_MISMATCH, "C1", "AAPL", "O1.2")


def test_something_only_clearing_booked_twice_is_one_unknown_break_counting_both() -> None:
    day = sample_day()
    files = mirror(day)
    stranger = replace(activity_of(day.executions[0]), reference="X9.1")
    breaks = run(day, rebook(files, [*files.activity, stranger, stranger], opening_close(day)))
    unknown = [b for b in breaks if b.code is BreakCode.UNKNOWN_AT_CLEARING]
    assert [(b.reference, b.ours, b.theirs) for b in unknown] == [("X9.1", 0, 2)]
    assert "2 times" in unknown[0].message
    position = next(b for b in breaks if b.code is BreakCode.POSITION_BREAK)
    assert position.difference == 200 and position.explained


def test_a_movement_in_the_wrong_account_is_an_account_mismatch_in_cash() -> None:
    day = sample_day()
    files = mirror(day)
    wrong = [replace(a, account="C1") if a.reference == "DEP-1" else a for a in files.activity]
    breaks = run(day, rebook(files, wrong, opening_close(day)))
    assert codes(breaks) == ["ACCOUNT_MISMATCH", "CASH_BREAK", "CASH_BREAK"]
    mismatch = breaks[0]
    assert (mismatch.account, mismatch.other_account, mismatch.unit) == ("C2", "C1", Unit.CASH)
    assert mismatch.ours == mismatch.theirs == 5_000_0000
    assert all(b.explained and b.caused_by == (mismatch.key,) for b in breaks[1:])


def test_items_of_one_reference_and_different_kinds_are_matched_apart() -> None:
    day = sample_day()
    returned = replace(day.movements[0], kind="deposit_returned", amount=-5_000_0000)
    day.movements.append(returned)
    assert run(day, mirror(day)) == []
    files = mirror(day)
    kept = [a for a in files.activity if a.kind != "deposit_returned"]
    breaks = run(day, rebook(files, kept, opening_close(day)))
    assert codes(breaks) == ["MISSING_AT_CLEARING", "CASH_BREAK"]
    assert breaks[0].reference == "DEP-1" and "-5000.0000 deposit_returned" in breaks[0].message
    assert breaks[1].difference == 5_000_0000 and breaks[1].explained


def test_break_keys_stay_unique_when_our_books_hold_an_item_twice() -> None:
    day = sample_day()
    day.executions.append(day.executions[0])
    files = mirror(day)
    kept = [a for a in files.activity if a.reference != "O1.1"]
    breaks = run(day, rebook(files, kept, opening_close(day)))
    missing = [b for b in breaks if b.code is BreakCode.MISSING_AT_CLEARING]
    assert [(b.reference, b.ours) for b in missing] == [("O1.1", 2)]
    assert len({b.key for b in breaks}) == len(breaks)

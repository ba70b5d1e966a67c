"""Reconciliation invariants over generated days of books: identical books and files have no
break; a clearing firm that drops any one item gives exactly one MISSING_AT_CLEARING for it,
plus the position and cash breaks it causes, each naming it and explained by it; and any one
misbooked trade (missing, twice, another account, price or quantity off) is exactly its own
break, which explains every holdings break."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from directbroker.backoffice.books import AccountBalances
from directbroker.backoffice.recon import TRADE_KIND, BreakCode
from directbroker.domain.orders import Side
from tests.unit.backoffice.recon_fixtures import (
    Day,
    execution,
    mirror,
    movement,
    opening_close,
    rebook,
    run,
)

ACCOUNTS = ("C1", "C2", "C3")
SYMBOLS = ("AAPL", "MSFT", "SPY")
SIDES = (Side.BUY, Side.SELL, Side.SELL_SHORT)


@st.composite
def days(draw: st.DrawFn) -> Day:
    opening = {
        name: AccountBalances(
            name,
            draw(st.integers(0, 10_000_000_0000)),
            0,
            0,
            draw(st.dictionaries(st.sampled_from(SYMBOLS), st.integers(-500, 500).filter(bool))),
        )
        for name in draw(st.sets(st.sampled_from(ACCOUNTS)))
    }
    trades = draw(
        st.lists(
            st.tuples(
                st.sampled_from(ACCOUNTS),
                st.sampled_from(SYMBOLS),
                st.sampled_from(SIDES),
                st.integers(1, 1_000),
                st.integers(1, 500_0000),
                st.integers(0, 5_0000),
            ),
            max_size=12,
        )
    )
    executions = [
        execution(f"O{n}.1", account, symbol, side, qty, price, commission=commission)
        for n, (account, symbol, side, qty, price, commission) in enumerate(trades)
    ]
    cash = draw(
        st.lists(
            st.tuples(st.sampled_from(ACCOUNTS), st.integers(-1_000_0000, 1_000_0000).filter(bool)),
            max_size=4,
        )
    )
    movements = [movement(f"M{n}", account, amount) for n, (account, amount) in enumerate(cash)]
    return Day(executions, movements, opening)


@settings(max_examples=150, deadline=None)
@given(days())
def test_identical_books_and_files_have_no_break(day: Day) -> None:
    assert run(day, mirror(day)) == []


@settings(max_examples=150, deadline=None)
@given(days(), st.data())
def test_a_dropped_item_is_one_missing_break_with_its_consequences(
    day: Day, data: st.DataObject
) -> None:
    files = mirror(day)
    if not files.activity:
        return
    dropped = data.draw(st.sampled_from(files.activity))
    kept = [a for a in files.activity if a is not dropped]
    breaks = run(day, rebook(files, kept, opening_close(day)))
    items = [b for b in breaks if b.code.item_level]
    assert [(b.code, b.account, b.reference) for b in items] == [
        (BreakCode.MISSING_AT_CLEARING, dropped.account, dropped.reference)
    ]
    missing = items[0]
    holdings = [b for b in breaks if not b.code.item_level]
    expected = []
    if dropped.kind == TRADE_KIND:
        expected.append((BreakCode.POSITION_BREAK, dropped.account, dropped.symbol))
    if dropped.net_amount:
        expected.append((BreakCode.CASH_BREAK, dropped.account, ""))
    assert [(b.code, b.account, b.symbol) for b in holdings] == expected
    for brk in holdings:
        assert brk.caused_by == (missing.key,) and brk.explained
        signed = dropped.quantity if dropped.side == "buy" else -dropped.quantity
        lost = signed if brk.code is BreakCode.POSITION_BREAK else dropped.net_amount
        assert brk.difference == -lost


FAULTS = {
    "missing": BreakCode.MISSING_AT_CLEARING,
    "duplicate": BreakCode.DUPLICATE_AT_CLEARING,
    "account": BreakCode.ACCOUNT_MISMATCH,
    "price": BreakCode.PRICE_MISMATCH,
    "quantity": BreakCode.QUANTITY_MISMATCH,
}


@settings(max_examples=150, deadline=None)
@given(days(), st.sampled_from(sorted(FAULTS)), st.integers(1, 500), st.data())
def test_a_misbooked_trade_is_its_one_break_and_explains_every_holdings_break(
    day: Day, fault: str, error: int, data: st.DataObject
) -> None:
    files = mirror(day)
    trades = [a for a in files.activity if a.kind == TRADE_KIND]
    if not trades:
        return
    target = data.draw(st.sampled_from(trades))
    commission = next(e.commission for e in day.executions if e.execution_id == target.reference)
    if fault == "missing":
        wrong = []
    elif fault == "duplicate":
        wrong = [target, target]
    elif fault == "account":
        other = data.draw(st.sampled_from([a for a in ACCOUNTS if a != target.account]))
        wrong = [replace(target, account=other)]
    else:
        price = target.price + error if fault == "price" else target.price
        quantity = target.quantity + error if fault == "quantity" else target.quantity
        principal = price * quantity
        net = -(principal + commission) if target.side == "buy" else principal - commission
        wrong = [replace(target, price=price, quantity=quantity, net_amount=net)]
    booked = [a for a in files.activity if a is not target] + wrong
    breaks = run(day, rebook(files, booked, opening_close(day)))
    items = [b for b in breaks if b.code.item_level]
    assert [(b.code, b.reference) for b in items] == [(FAULTS[fault], target.reference)]
    holdings = [b for b in breaks if not b.code.item_level]
    assert holdings  # every one of these faults moves shares or cash
    assert all(b.explained and b.caused_by == (items[0].key,) for b in holdings)

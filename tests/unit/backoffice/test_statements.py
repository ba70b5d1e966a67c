"""Monthly statements: the figures recomputed from the entries the test fed the books
(opening and closing cash, activity with its running balance, positions at the month-end
marks, fees, a margin account's debit balance), the PDF's text read back, the same bytes every
time, and a property: whatever the activity, each statement's activity carries its opening
cash to its closing cash and opens where the month before closed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from directbroker.backoffice.customer_documents import ACCOUNT_STATEMENT, documents_for_month
from directbroker.backoffice.statements import NoMonthClose, statement, statement_pdf
from directbroker.domain.accounts import AccountType
from directbroker.domain.orders import Side
from tests.unit.backoffice.hand_books import FIRM, HandBooks, text_of


def dollars(units: int) -> str:
    return f"{Decimal(units) / 10_000:,.2f}"


def two_months() -> HandBooks:
    """November: Alice deposits and buys. December: Alice sells some and withdraws, Bob (a
    margin account opened in December) buys on margin."""
    hand = HandBooks()
    hand.open("ALICE")
    hand.start(20261130)
    hand.cash("ALICE", 20_000 * 10_000)
    hand.trade("ALICE", Side.BUY, 100, "AAPL", 150_0000, commission=1_0000)
    hand.mark("AAPL", 151_0000)
    hand.end()
    hand.start(20261201)
    hand.open("BOB", AccountType.MARGIN)
    hand.cash("BOB", 5_000 * 10_000)
    hand.trade("BOB", Side.BUY, 60, "MSFT", 400_0000, commission=1_0000)
    hand.trade("ALICE", Side.SELL, 30, "AAPL", 160_0000, 1_0000, 1200, 400)
    hand.cash("ALICE", -1_000 * 10_000, "withdrawal")
    hand.end()
    hand.start(20261231)
    hand.mark("AAPL", 170_0000)
    hand.mark("MSFT", 390_0000)
    hand.end()
    hand.start(20270104)
    hand.cash("ALICE", 7 * 10_000)  # January's: not on December's statement
    hand.end()
    return hand


def test_one_statement_per_customer_account_open_in_the_month() -> None:
    hand = two_months()
    november = documents_for_month(hand.books, 2026, 11, FIRM)
    assert [(d.account, d.kind, d.date) for d in november] == [
        ("ALICE", ACCOUNT_STATEMENT, 20261130)
    ]
    december = documents_for_month(hand.books, 2026, 12, FIRM)
    assert [(d.account, d.date) for d in december] == [("ALICE", 20261231), ("BOB", 20261231)]
    with pytest.raises(NoMonthClose):
        documents_for_month(hand.books, 2027, 2, FIRM)


def test_figures_recomputed_from_the_entries() -> None:
    hand = two_months()
    alice = hand.books.accounts["ALICE"]
    nov = statement(hand.books, alice, 2026, 11)
    dec = statement(hand.books, alice, 2026, 12)
    bought = 100 * 150_0000 + 1_0000
    sold = 30 * 160_0000 - 1_0000 - 1200 - 400
    assert nov.opening.cash == 0
    assert nov.closing.cash == 20_000 * 10_000 - bought
    assert dec.opening == nov.closing
    assert dec.closing.cash == nov.closing.cash + sold - 1_000 * 10_000
    assert [line.amount for line in dec.activity] == [sold, -1_000 * 10_000]
    assert dec.activity[-1].balance == dec.closing.cash
    assert dict(dec.closing.positions) == {"AAPL": 70}
    assert dec.market_value == 70 * 170_0000
    assert dec.equity == dec.closing.cash + 70 * 170_0000
    assert (dec.commission, dec.sec_fees, dec.taf_fees) == (1_0000, 1200, 400)
    assert not dec.margin


def test_a_margin_accounts_debit_balance() -> None:
    hand = two_months()
    bob = statement(hand.books, hand.books.accounts["BOB"], 2026, 12)
    cost = 60 * 400_0000 + 1_0000
    assert bob.margin and bob.opening.cash == 0
    assert bob.closing.cash == 5_000 * 10_000 - cost
    assert bob.debit_balance == cost - 5_000 * 10_000
    assert bob.equity == 5_000 * 10_000 - cost + 60 * 390_0000


def test_the_pdf_carries_the_figures() -> None:
    hand = two_months()
    dec = statement(hand.books, hand.books.accounts["BOB"], 2026, 12)
    text = text_of(statement_pdf(dec, FIRM))
    for figure in (
        "2026-12",
        dollars(dec.closing.cash),
        dollars(dec.debit_balance),
        dollars(dec.equity),
        "Buy 60 MSFT @ 400.00",
        "390.00",
        dollars(60 * 390_0000),
        "Deposit",
        "5,000.00",
        "Margin",
        "SIPC",
        FIRM.name,
        FIRM.clearing_firm,
        "Page 1 of 1",
    ):
        assert figure in text, figure


def test_the_same_statement_is_the_same_bytes() -> None:
    one = documents_for_month(two_months().books, 2026, 12, FIRM)
    two = documents_for_month(two_months().books, 2026, 12, FIRM)
    assert [d.content for d in one] == [d.content for d in two]


ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(["deposit", "withdrawal", "buy", "sell", "end"]),
        st.integers(1, 500),
    ),
    max_size=40,
)
DAYS = [20261127, 20261130, 20261201, 20261215, 20261231, 20270104, 20270129, 20270201]


@settings(max_examples=60, deadline=None)
@given(ACTIONS)
def test_activity_carries_opening_to_closing(actions: list[tuple[str, int]]) -> None:
    hand = HandBooks()
    hand.open("A", AccountType.MARGIN)
    days = iter(DAYS)
    hand.start(next(days))
    for action, amount in actions:
        if action == "end":
            hand.end()
            following = next(days, None)
            if following is None:
                break
            hand.start(following)
        elif action in ("deposit", "withdrawal"):
            sign = 1 if action == "deposit" else -1
            hand.cash("A", sign * amount * 10_000, action)
        else:
            side = Side.BUY if action == "buy" else Side.SELL
            hand.trade("A", side, amount, "XYZ", 12_3400, commission=1_0000, sec_fee=amount)
    else:
        hand.end()
    account = hand.books.accounts["A"]
    previous = None
    for year, month in sorted(hand.books.month_closes):
        found = statement(hand.books, account, year, month)
        moved = sum(line.amount for line in found.activity)
        assert found.closing.cash == found.opening.cash + moved
        assert found.activity == [] or found.activity[-1].balance == found.closing.cash
        if previous is not None:
            assert found.opening == previous.closing
        previous = found


def test_a_long_month_runs_onto_more_pages_with_every_line() -> None:
    hand = HandBooks()
    hand.open("A")
    hand.start(20261201)
    hand.cash("A", 1_000_000 * 10_000)
    fills = [hand.trade("A", Side.BUY, 10 + n, "XYZ", 20_0000 + n * 100) for n in range(90)]
    hand.end()
    found = statement(hand.books, hand.books.accounts["A"], 2026, 12)
    text = text_of(statement_pdf(found, FIRM))
    assert "Page 1 of 3" in text and "Page 3 of 3" in text
    assert text.count("Cash balance") == 3  # the activity's heading on each page it spans
    for fill in fills:
        assert dollars(fill.net_amount) in text
    assert f"Closing cash balance {dollars(found.closing.cash)}" in text

"""Trade confirmations: one per account that traded, every Rule 10b-10 figure of every
execution on it, totals recomputed from the executions, the PDF's text read back, and the
same bytes every time."""

from __future__ import annotations

from decimal import Decimal

from directbroker.backoffice.books import DayClose
from directbroker.backoffice.confirmations import confirmation, confirmation_pdf
from directbroker.backoffice.customer_documents import TRADE_CONFIRMATION, documents_for_day
from directbroker.domain.accounts import AccountType, Registration
from directbroker.domain.ledger_messages import AccountOpened, ExecutionRecorded
from directbroker.domain.orders import Side
from tests.unit.backoffice.hand_books import FIRM, HandBooks, text_of

DAY = 20261201


def dollars(units: int) -> str:
    return f"{Decimal(units) / 10_000:,.2f}"


def traded_day() -> tuple[HandBooks, list[ExecutionRecorded]]:
    hand = HandBooks()
    hand.open("ALICE")
    hand.open("BOB", AccountType.MARGIN)
    hand.open("QUIET")
    hand.start(DAY)
    hand.cash("ALICE", 100_000 * 10_000)
    fills = [
        hand.trade("ALICE", Side.BUY, 100, "AAPL", 187_2300, commission=1_0000),
        hand.trade("BOB", Side.SELL_SHORT, 250, "MSFT", 410_1250, 1_0000, 2_1400, 6300),
        hand.trade("ALICE", Side.SELL, 40, "AAPL", 188_0000, 1_0000, 1400, 1000),
    ]
    return hand, fills


def close_of(hand: HandBooks) -> DayClose:
    hand.end()
    return hand.books.month_closes[(DAY // 10_000, DAY // 100 % 100)]


def test_one_confirmation_per_account_that_traded() -> None:
    hand, _ = traded_day()
    issued = documents_for_day(hand.books, close_of(hand), FIRM)
    assert [(d.account, d.kind, d.date) for d in issued] == [
        ("ALICE", TRADE_CONFIRMATION, DAY), ("BOB", TRADE_CONFIRMATION, DAY),
    ]  # fmt: skip
    assert all(d.content.startswith(b"%PDF-") for d in issued)


def test_the_firms_own_accounts_get_no_confirmation() -> None:
    hand = HandBooks()
    hand.start(DAY)
    hand._take(AccountOpened("AVG", "firm", AccountType.CASH, Registration.AVERAGE_PRICE, 1))
    hand.trade("AVG", Side.BUY, 10, "AAPL", 100_0000)
    assert documents_for_day(hand.books, close_of(hand), FIRM) == []


def test_totals_are_the_sums_of_the_executions() -> None:
    hand, fills = traded_day()
    alice = [f for f in fills if f.account == "ALICE"]
    confirm = confirmation(hand.books, "ALICE", DAY)
    assert [e.execution_id for e in confirm.executions] == [f.execution_id for f in alice]
    assert confirm.net_amount == sum(f.net_amount for f in alice)
    assert confirm.commission == sum(f.commission for f in alice)
    assert confirm.bought == alice[0].principal and confirm.sold == alice[1].principal
    assert confirm.fees == sum(f.sec_fee + f.taf_fee for f in alice)
    # A buy costs principal plus commission; a sale pays principal less commission and fees.
    buy, sale = alice
    assert buy.net_amount == -(buy.quantity * buy.price) - buy.commission
    expected = sale.quantity * sale.price - sale.commission - sale.sec_fee - sale.taf_fee
    assert sale.net_amount == expected


def test_the_pdf_carries_every_figure_of_every_execution() -> None:
    hand, fills = traded_day()
    bob = next(f for f in fills if f.account == "BOB")
    pdf = confirmation_pdf(confirmation(hand.books, "BOB", DAY), FIRM)
    text = text_of(pdf)
    for figure in (
        "2026-12-01",
        "2026-12-02",
        "Sell short",
        "250",
        "MSFT",
        "410.125",
        dollars(bob.principal),
        dollars(bob.commission),
        dollars(bob.sec_fee),
        dollars(bob.taf_fee),
        dollars(bob.net_amount),
        "Agent",
        bob.execution_id,
        FIRM.name,
        FIRM.address,
        FIRM.clearing_firm,
        "agent",
        "SIPC",
    ):
        assert figure in text, figure
    assert "AAPL" not in text  # another account's trades are not on it


def test_the_same_confirmation_is_the_same_bytes() -> None:
    first, _ = traded_day()
    second, _ = traded_day()
    one = documents_for_day(first.books, close_of(first), FIRM)
    two = documents_for_day(second.books, close_of(second), FIRM)
    assert [d.content for d in one] == [d.content for d in two]
    other = confirmation_pdf(confirmation(first.books, "ALICE", DAY), FIRM)
    assert other == one[0].content
    assert one[0].content != one[1].content

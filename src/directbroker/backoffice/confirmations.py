"""Trade confirmations: what SEC Rule 10b-10 says a customer must be told about each trade,
for one account and one trade date, from the executions the books recorded.

Each execution carries its trade date and time, settlement date, side with its Reg SHO
marking, quantity, symbol, price, principal, commission, SEC fee, FINRA TAF and net amount,
the capacity the firm acted in (always agent: the firm routes to venues and never trades
against its customers), the venue and the order and execution ids. The figures are the
books' own (exact $0.0001 units); the PDF only writes them out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from directbroker.backoffice.books import BookedExecution, FirmBooks
from directbroker.backoffice.pdf_layout import (
    Column,
    DocumentPdf,
    FirmDetails,
    day,
    money,
    price,
    shares,
)
from directbroker.backoffice.periods import EASTERN
from directbroker.domain.orders import Side

CAPACITY = "Agent"
"""The firm acts as its customers' agent on every trade."""

SIDE_LABELS = {
    Side.BUY: "Buy",
    Side.SELL: "Sell",
    Side.SELL_SHORT: "Sell short",
    Side.SELL_SHORT_EXEMPT: "Sell short exempt",
}
"""How each side is printed: a short sale is marked as one (Reg SHO)."""

DISCLOSURES = (
    "The firm acted as your agent in each transaction above and routed your order to the "
    "venue shown. Commission is the firm's charge; the SEC fee (Section 31) and the FINRA "
    "Trading Activity Fee apply to sales only and are passed through at cost. The net amount "
    "is what your account is debited (negative) or credited (positive) on the settlement "
    "date. The firm may receive payment or rebates from venues for routing orders; the source "
    "and nature of any such payment for a transaction, and the firm's quarterly Rule 606 "
    "order routing reports, are available on written request. Short sales are marked as such; "
    "short positions are subject to borrowing and may be bought in. Please review this "
    "confirmation promptly and report any discrepancy to the firm and to the clearing firm "
    "in writing within ten days; otherwise it will be taken as correct. Securities in your "
    "account are protected by SIPC up to $500,000 (including $250,000 for cash); see sipc.org."
)


@dataclass(frozen=True, slots=True)
class Confirmation:
    """One account's executions on one trade date, and their totals ($0.0001 units)."""

    account: str
    trade_date: int
    executions: tuple[BookedExecution, ...]

    @property
    def bought(self) -> int:
        """Principal of the purchases."""
        return sum(e.principal for e in self.executions if e.side is Side.BUY)

    @property
    def sold(self) -> int:
        """Principal of the sales (long and short)."""
        return sum(e.principal for e in self.executions if e.side is not Side.BUY)

    @property
    def commission(self) -> int:
        """Commission charged."""
        return sum(e.commission for e in self.executions)

    @property
    def fees(self) -> int:
        """SEC fees and TAF charged."""
        return sum(e.sec_fee + e.taf_fee for e in self.executions)

    @property
    def net_amount(self) -> int:
        """What the account's cash moves by at settlement (signed)."""
        return sum(e.net_amount for e in self.executions)


def confirmation(books: FirmBooks, account: str, trade_date: int) -> Confirmation:
    """The account's confirmation for ``trade_date`` (possibly with no executions)."""
    found = tuple(e for e in books.executions.get(trade_date, ()) if e.account == account)
    return Confirmation(account, trade_date, found)


def accounts_traded(books: FirmBooks, trade_date: int) -> list[str]:
    """Customer accounts with executions on ``trade_date``, in the order they first traded
    (an account the books never opened is taken as a customer's)."""
    seen: dict[str, None] = {}
    for execution in books.executions.get(trade_date, ()):
        record = books.accounts.get(execution.account)
        if record is None or record.customer:
            seen.setdefault(execution.account, None)
    return list(seen)


def time_of(ts_ns: int) -> str:
    """The execution time in the market's time zone."""
    return datetime.fromtimestamp(ts_ns // 1_000_000_000, EASTERN).strftime("%H:%M:%S ET")


_TRADES = (
    Column("#", 7, "L"), Column("Trade date/time", 34, "L"), Column("Settles", 18, "L"),
    Column("Side", 24, "L"), Column("Quantity", 17), Column("Symbol", 16, "L"),
    Column("Price", 20), Column("Principal", 24), Column("Commission", 18),
    Column("SEC fee", 14), Column("TAF", 12), Column("Net amount", 26),
)  # fmt: skip
_REFERENCES = (
    Column("#", 7, "L"), Column("Capacity", 16, "L"), Column("Venue", 18, "L"),
    Column("Liquidity", 16, "L"), Column("Order id", 90, "L"), Column("Execution id", 100, "L"),
)  # fmt: skip


def _trade_row(number: int, e: BookedExecution) -> list[str]:
    return [
        str(number), f"{day(e.trade_date)} {time_of(e.ts_ns)}", day(e.settlement_date),
        SIDE_LABELS[e.side], shares(e.quantity), e.symbol, price(e.price), money(e.principal),
        money(e.commission), money(e.sec_fee), money(e.taf_fee), money(e.net_amount),
    ]  # fmt: skip


def _reference_row(number: int, e: BookedExecution) -> list[str]:
    venue = e.venue or "Allocation"
    return [str(number), CAPACITY, venue, e.liquidity or "-", e.order_id, e.execution_id]


def confirmation_pdf(confirm: Confirmation, firm: FirmDetails) -> bytes:
    """The confirmation as a PDF (the same bytes for the same confirmation)."""
    pdf = DocumentPdf(firm, "Trade Confirmation", confirm.account, confirm.trade_date, True)
    pdf.fields(
        [
            ("Account", confirm.account),
            ("Trade date", day(confirm.trade_date)),
            ("Executions", str(len(confirm.executions))),
            ("Clearing firm", firm.clearing_firm),
        ],
        align="L",
    )
    executions: Sequence[BookedExecution] = confirm.executions
    pdf.heading("Executions")
    pdf.table(_TRADES, [_trade_row(n, e) for n, e in enumerate(executions, 1)])
    pdf.heading("Order routing and capacity")
    pdf.table(_REFERENCES, [_reference_row(n, e) for n, e in enumerate(executions, 1)])
    pdf.heading("Totals for the trade date")
    pdf.fields(
        [
            ("Purchases (principal)", money(confirm.bought)),
            ("Sales (principal)", money(confirm.sold)),
            ("Commission", money(confirm.commission)),
            ("SEC fees and TAF", money(confirm.fees)),
            ("Net amount", money(confirm.net_amount)),
        ]
    )
    pdf.heading("Disclosures")
    pdf.paragraph(DISCLOSURES)
    return pdf.output()

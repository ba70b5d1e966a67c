"""Monthly account statements: the account between two month-end closes of the books.

The period runs from the last day close of the month before (exclusive; of the last month the
books closed, should a month have none) to this month's (inclusive), by the moment the books
closed, so the activity listed is exactly what moved the balances from one close to the
other: opening cash plus every trade's net amount and every cash movement is the closing
cash, to the $0.0001. Positions are valued at the month-end marks (the last sale). A margin
account also shows its debit balance (cash owed to the firm) and its equity. The firm's
details and the disclosures a customer statement carries (SIPC, the clearing firm that
carries the account, how to report an error) close the document.
"""

from __future__ import annotations

from dataclasses import dataclass

from directbroker.backoffice.books import (
    AccountBalances,
    AccountRecord,
    BookedExecution,
    CashMovement,
    DayClose,
    FirmBooks,
)
from directbroker.backoffice.confirmations import SIDE_LABELS
from directbroker.backoffice.pdf_layout import (
    Column,
    DocumentPdf,
    FirmDetails,
    day,
    money,
    price,
    shares,
)
from directbroker.domain.accounts import AccountType

MOVEMENT_LABELS = {
    "deposit": "Deposit",
    "withdrawal": "Withdrawal",
    "journal_cash": "Cash journal",
    "adjustment": "Adjustment",
    "return": "Returned transfer",
}

DISCLOSURES = (
    "The firm introduces your account to the clearing firm named below, which carries it on "
    "a fully disclosed basis: it holds your cash and securities, settles your trades and "
    "keeps your account's books. The firm is a member of FINRA and SIPC. SIPC protects "
    "securities customers of its members up to $500,000 (including $250,000 for claims for "
    "cash); an explanatory brochure is available at sipc.org. SIPC does not protect against "
    "a decline in market value. Market values use the last sale of each security on the "
    "last business day of the month and are for information only. A margin account's debit "
    "balance is a loan from the firm, secured by the account, on which interest is charged; "
    "securities in a margin account may be lent or sold without notice to meet a margin "
    "call. Please review this statement promptly. Report any inaccuracy or discrepancy at "
    "once to the firm and to the clearing firm, and confirm it in writing, to protect your "
    "rights, including any under the Securities Investor Protection Act. A financial "
    "statement of the firm is available for your inspection at its office or by mail on "
    "request."
)


class NoMonthClose(ValueError):
    """The books have no day close in the month asked for."""


@dataclass(frozen=True, slots=True)
class ActivityLine:
    """One line of a statement's activity: a trade or a cash movement, with the cash
    balance after it."""

    date: int
    ts_ns: int
    description: str
    reference: str
    amount: int
    balance: int


@dataclass(frozen=True, slots=True)
class Statement:
    """One account's month: the closes it runs between and what happened between them."""

    account: AccountRecord
    year: int
    month: int
    opening: AccountBalances
    closing: AccountBalances
    close: DayClose
    executions: tuple[BookedExecution, ...]
    movements: tuple[CashMovement, ...]

    @property
    def date(self) -> int:
        """The statement date: the month's last business day."""
        return self.close.date

    @property
    def activity(self) -> list[ActivityLine]:
        """Trades and cash movements in the order the books took them, with running cash."""
        items: list[tuple[int, int, int, str, str, int]] = [
            (e.ts_ns, 0, e.trade_date, _trade_text(e), e.execution_id, e.net_amount)
            for e in self.executions
        ]
        items.extend(
            (m.ts_ns, 1, m.business_date, MOVEMENT_LABELS.get(m.kind, m.kind), m.reference,
             m.amount)
            for m in self.movements
        )  # fmt: skip
        items.sort(key=lambda item: (item[0], item[1]))
        balance = self.opening.cash
        lines = []
        for ts_ns, _, date, text, reference, amount in items:
            balance += amount
            lines.append(ActivityLine(date, ts_ns, text, reference, amount, balance))
        return lines

    @property
    def commission(self) -> int:
        """Commission paid in the month."""
        return sum(e.commission for e in self.executions)

    @property
    def sec_fees(self) -> int:
        """SEC fees paid in the month."""
        return sum(e.sec_fee for e in self.executions)

    @property
    def taf_fees(self) -> int:
        """FINRA TAF paid in the month."""
        return sum(e.taf_fee for e in self.executions)

    @property
    def market_value(self) -> int:
        """The month-end positions at the month-end marks (short positions negative)."""
        return self.closing.market_value(self.close.marks)

    @property
    def equity(self) -> int:
        """Closing cash plus the positions' market value."""
        return self.closing.equity(self.close.marks)

    @property
    def margin(self) -> bool:
        """Whether the firm lends to the account."""
        return self.account.account_type is AccountType.MARGIN

    @property
    def debit_balance(self) -> int:
        """Cash the account owes the firm at month end (0 when it has a credit)."""
        return max(0, -self.closing.cash)


def statement(books: FirmBooks, account: AccountRecord, year: int, month: int) -> Statement:
    """The account's statement for the month (:class:`NoMonthClose` when no day of it
    ended)."""
    close = books.month_closes.get((year, month))
    if close is None:
        raise NoMonthClose(f"no business day of {year:04d}-{month:02d} has ended on the books")
    earlier = [key for key in books.month_closes if key < (year, month)]
    before = books.month_closes[max(earlier)] if earlier else None
    after_ns = before.ts_ns if before is not None else -1
    first = before.date if before is not None else 0
    name = account.account

    def inside(ts_ns: int) -> bool:
        return after_ns < ts_ns <= close.ts_ns

    executions = tuple(
        e for e in books.executions_between(first, close.date)
        if e.account == name and inside(e.ts_ns)
    )  # fmt: skip
    movements = tuple(
        m for m in books.movements_between(first, close.date)
        if m.account == name and inside(m.ts_ns)
    )  # fmt: skip
    opening = before.of(name) if before is not None else AccountBalances(name)
    return Statement(account, year, month, opening, close.of(name), close, executions, movements)


def open_during(account: AccountRecord, year: int, month: int) -> bool:
    """Whether a customer account was open at some time in the month (opened on or before
    its last day, not closed before its first)."""
    first, last = year * 10_000 + month * 100 + 1, year * 10_000 + month * 100 + 31
    return account.opened_date <= last and not (0 < account.closed_date < first)


def _trade_text(e: BookedExecution) -> str:
    return f"{SIDE_LABELS[e.side]} {shares(e.quantity)} {e.symbol} @ {price(e.price)}"


_ACTIVITY = (
    Column("Date", 20, "L"), Column("Activity", 62, "L"), Column("Reference", 56, "L"),
    Column("Amount", 26), Column("Cash balance", 27),
)  # fmt: skip
_POSITIONS = (
    Column("Symbol", 30, "L"), Column("Long/short", 30, "L"), Column("Quantity", 35),
    Column("Month-end mark", 45), Column("Market value", 51),
)  # fmt: skip


def _positions(st: Statement) -> list[list[str]]:
    marks = st.close.marks
    rows = []
    for symbol in sorted(st.closing.positions):
        quantity = st.closing.positions[symbol]
        mark = marks.get(symbol, 0)
        rows.append([
            symbol, "Long" if quantity > 0 else "Short", shares(quantity), price(mark),
            money(quantity * mark),
        ])  # fmt: skip
    return rows


def statement_pdf(st: Statement, firm: FirmDetails) -> bytes:
    """The statement as a PDF (the same bytes for the same statement)."""
    pdf = DocumentPdf(firm, "Account Statement", st.account.account, st.date)
    period = f"{st.year:04d}-{st.month:02d}"
    pdf.fields(
        [
            ("Account", st.account.account),
            ("Account type", st.account.account_type.value.capitalize()),
            ("Statement period", f"{period} (through {day(st.date)})"),
            ("Clearing firm", firm.clearing_firm),
        ],
        align="L",
    )
    pdf.heading("Account summary")
    pdf.fields(
        [
            ("Opening cash balance", money(st.opening.cash)),
            ("Closing cash balance", money(st.closing.cash)),
            ("Market value of positions", money(st.market_value)),
            ("Total equity", money(st.equity)),
        ]
    )
    pdf.heading("Activity")
    rows = [
        [day(line.date), line.description, line.reference[:34], money(line.amount),
         money(line.balance)]
        for line in st.activity
    ]  # fmt: skip
    pdf.table(_ACTIVITY, rows)
    pdf.heading("Positions at month end")
    pdf.table(_POSITIONS, _positions(st))
    pdf.heading("Fees and commissions paid this month")
    pdf.fields(
        [
            ("Commission", money(st.commission)),
            ("SEC fees", money(st.sec_fees)),
            ("FINRA TAF", money(st.taf_fees)),
            ("Total", money(st.commission + st.sec_fees + st.taf_fees)),
        ]
    )
    pdf.heading("Margin")
    if st.margin:
        pdf.fields(
            [
                ("Debit balance", money(st.debit_balance)),
                ("Long market value", money(_long_value(st))),
                ("Short market value", money(_long_value(st) - st.market_value)),
                ("Equity", money(st.equity)),
            ]
        )
    else:
        pdf.paragraph("Cash account: the firm does not lend to this account.", 8)
    pdf.heading("Disclosures")
    pdf.paragraph(DISCLOSURES)
    pdf.paragraph(f"{firm.name}, {firm.address}. {firm.phone}, {firm.email}.")
    return pdf.output()


def _long_value(st: Statement) -> int:
    marks = st.close.marks
    return sum(q * marks.get(s, 0) for s, q in st.closing.positions.items() if q > 0)

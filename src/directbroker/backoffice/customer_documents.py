"""What the end-of-day and end-of-month runs issue to customers: a trade confirmation for
every account that traded that day, and a statement for every customer account open during
the month. Each is a PDF with the kind, date and name the Broker API lists it under (Alpaca's
document types ``trade_confirmation`` and ``account_statement``).
"""

from __future__ import annotations

from dataclasses import dataclass

from directbroker.backoffice.books import DayClose, FirmBooks
from directbroker.backoffice.confirmations import accounts_traded, confirmation, confirmation_pdf
from directbroker.backoffice.pdf_layout import FirmDetails, day
from directbroker.backoffice.statements import open_during, statement, statement_pdf

TRADE_CONFIRMATION = "trade_confirmation"
ACCOUNT_STATEMENT = "account_statement"
KINDS = (TRADE_CONFIRMATION, ACCOUNT_STATEMENT)


@dataclass(frozen=True, slots=True)
class IssuedDocument:
    """A document for one account. ``date`` is YYYYMMDD: the trade date of a confirmation,
    the last business day of a statement's month."""

    account: str
    kind: str
    date: int
    name: str
    content: bytes


def document_name(kind: str, date: int) -> str:
    """The name a document is listed under: a confirmation's trade date, a statement's
    month."""
    if kind == ACCOUNT_STATEMENT:
        return f"Account statement {day(date)[:7]}"
    return f"Trade confirmation {day(date)}"


def documents_for_day(books: FirmBooks, close: DayClose, firm: FirmDetails) -> list[IssuedDocument]:
    """The confirmations for the day ``close`` ended (one per account that traded)."""
    issued = []
    for account in accounts_traded(books, close.date):
        content = confirmation_pdf(confirmation(books, account, close.date), firm)
        name = document_name(TRADE_CONFIRMATION, close.date)
        issued.append(IssuedDocument(account, TRADE_CONFIRMATION, close.date, name, content))
    return issued


def documents_for_month(
    books: FirmBooks, year: int, month: int, firm: FirmDetails
) -> list[IssuedDocument]:
    """The statements for the month (one per customer account open during it); raises
    :class:`~directbroker.backoffice.statements.NoMonthClose` when no day of it ended."""
    issued = []
    for record in books.customers():
        if not open_during(record, year, month):
            continue
        found = statement(books, record, year, month)
        name = document_name(ACCOUNT_STATEMENT, found.date)
        content = statement_pdf(found, firm)
        issued.append(IssuedDocument(record.account, ACCOUNT_STATEMENT, found.date, name, content))
    return issued

"""Books folded from hand-made journal entries: accounts, deposits, trades with their fees,
last sales and day ends, as the broker core would journal them, for the customer documents'
tests. Each trade posts its net amount to the account's unsettled cash and its shares to its
securities, as the ledger does on the trade date."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

import pypdf

from directbroker.backoffice.books import FirmBooks
from directbroker.backoffice.pdf_layout import FirmDetails
from directbroker.domain.accounts import CASH_ASSET, AccountType, Registration
from directbroker.domain.broker_messages import BrokerDayEnded, BrokerDayStarted
from directbroker.domain.ledger_messages import (
    AccountOpened,
    ExecutionRecorded,
    PostingsRecorded,
)
from directbroker.domain.marketdata_messages import TradePrinted
from directbroker.domain.messages import Event
from directbroker.domain.orders import Side
from directbroker.engines.ledger import chart
from directbroker.runtime.schedule import NEW_YORK, from_date, to_date

FIRM = FirmDetails(
    "Example Securities LLC", "1 Example Plaza, New York, NY 10006", "+1 212 555 0199",
    "help@example.test", "Example Clearing Corp.", "0999",
)  # fmt: skip


def text_of(pdf: bytes) -> str:
    """Every page's extracted text, joined."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


@dataclass
class HandBooks:
    """A :class:`FirmBooks` fed entry by entry."""

    books: FirmBooks = field(default_factory=FirmBooks)
    date: int = 0
    ts_ns: int = 0
    entries: int = 0

    def _take(self, *events: Event, message: Event | None = None) -> None:
        self.ts_ns += 1_000_000_000
        self.books.take(message or events[0], events, self.ts_ns)

    def open(self, account: str, account_type: AccountType = AccountType.CASH) -> None:
        """Open a customer account."""
        self.ts_ns += 1
        opened = AccountOpened(account, account, account_type, Registration.INDIVIDUAL, self.ts_ns)
        self._take(opened)

    def start(self, date: int) -> None:
        """Start a business day (the clock jumps to 09:30 New York time)."""
        self.date = date
        self.ts_ns = int(datetime.combine(to_date(date), time(9, 30), NEW_YORK).timestamp())
        self.ts_ns *= 1_000_000_000
        self._take(BrokerDayStarted(date, self.ts_ns))

    def end(self) -> None:
        """End the business day."""
        self._take(BrokerDayEnded(self.date, self.ts_ns + 1_000_000_000))

    def mark(self, symbol: str, price: int) -> None:
        """A last sale on the tape."""
        self.ts_ns += 1
        printed = TradePrinted(1, symbol, "XNAS", 1, price, 100, None, "", self.ts_ns)
        self.books.take(printed, (), self.ts_ns)

    def cash(self, account: str, amount: int, kind: str = "deposit") -> None:
        """Cash in (positive) or out (negative), from or to the bank."""
        self.entries += 1
        legs = (chart.EXTERNAL_BANK, chart.customer_cash(account))
        posted = PostingsRecorded(
            self.entries, kind, account, f"ref-{self.entries}", self.date, legs,
            (CASH_ASSET, CASH_ASSET), (-amount, amount), self.ts_ns + 1_000_000_000,
        )  # fmt: skip
        self._take(posted)

    def trade(
        self, account: str, side: Side, quantity: int, symbol: str, price: int,
        commission: int = 0, sec_fee: int = 0, taf_fee: int = 0,
    ) -> ExecutionRecorded:  # fmt: skip
        """An execution and its trade-date postings; returns what was recorded."""
        self.entries += 1
        principal = quantity * price // 100 * 100
        sign = -1 if side is Side.BUY else 1
        net = sign * principal - commission - sec_fee - taf_fee
        ts = self.ts_ns + 1_000_000_000
        settles = from_date(to_date(self.date) + timedelta(days=1))
        execution = ExecutionRecorded(
            account, f"E{self.entries}", symbol, side, quantity, price, principal, commission,
            sec_fee, taf_fee, net, 0, self.date, settles, ts,
        )  # fmt: skip
        legs = (chart.customer_unsettled(account), chart.customer_securities(account))
        posted = PostingsRecorded(
            self.entries, "execution", account, f"E{self.entries}", self.date, legs,
            (CASH_ASSET, symbol), (net, -sign * quantity), ts,
        )  # fmt: skip
        self._take(posted, execution)
        return execution

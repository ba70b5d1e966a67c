"""Settlement: the calendar port and the queue of trades waiting for their settlement date.

The engine never does date arithmetic: a :class:`SettlementCalendar` given at construction (in
production, ``directbroker.adapters.calendar.XnysCalendar`` over ``exchange_calendars``) says
which days are business days and what date is N business days after another.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

SETTLEMENT_CYCLE = 1
"""US equities settle T+1 business days (since 28 May 2024)."""


class SettlementCalendar(Protocol):
    """Business-day arithmetic over dates as ints YYYYMMDD."""

    def is_business_day(self, date: int) -> bool:
        """Whether the exchange is open (early closes are business days)."""
        ...

    def add_business_days(self, date: int, days: int) -> int:
        """The business day ``days`` sessions after ``date``; raises ValueError out of range."""
        ...


@dataclass(frozen=True, slots=True)
class PendingSettlement:
    """One execution's money and shares still to move at settlement.

    ``customer_cash`` is the signed net amount for the customer; ``street_cash`` and
    ``street_shares`` are the clearing counterparty's signed sides of the trade.
    """

    account: str
    execution_id: str
    symbol: str
    customer_cash: int
    street_cash: int
    street_shares: int

    def as_list(self) -> list[object]:
        """Canonical plain form for snapshots."""
        return [
            self.account,
            self.execution_id,
            self.symbol,
            self.customer_cash,
            self.street_cash,
            self.street_shares,
        ]

"""The broker's books: customer accounts, a double-entry ledger of cash and securities,
positions with FIFO tax lots and P&L, settlement on the NYSE calendar, and real-time account
values (Reg T, maintenance, SMA, buying power, margin calls).

Owns: every movement of customer money and shares, as balanced postings that are never edited.
May import: ``directbroker.domain``, ``directbroker.engines.core``, the standard library and
``msgpack`` (snapshots). Business-day arithmetic comes in through the
:class:`~directbroker.engines.ledger.settlement.SettlementCalendar` port.
"""

from directbroker.engines.ledger.book import Book, UnbalancedEntry
from directbroker.engines.ledger.engine import LedgerCore
from directbroker.engines.ledger.fees import (
    FINRA_TAF_RATES,
    SEC_SECTION_31_RATES,
    CommissionSchedule,
    FeeSchedule,
    SecFeeRate,
    TafRate,
)
from directbroker.engines.ledger.rebuild import RebuiltBooks, rebuild
from directbroker.engines.ledger.settlement import SETTLEMENT_CYCLE, SettlementCalendar
from directbroker.engines.ledger.valuation import MarginRules

__all__ = [
    "FINRA_TAF_RATES",
    "SEC_SECTION_31_RATES",
    "SETTLEMENT_CYCLE",
    "Book",
    "CommissionSchedule",
    "FeeSchedule",
    "LedgerCore",
    "MarginRules",
    "RebuiltBooks",
    "SecFeeRate",
    "SettlementCalendar",
    "TafRate",
    "UnbalancedEntry",
    "rebuild",
]

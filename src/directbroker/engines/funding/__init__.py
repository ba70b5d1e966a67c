"""Funding: ACH bank relationships, transfers through the bank and journals between accounts.

Owns the funding records (their statuses, what queued outflows reserve) and the rules that
decide whether a request or a bank's report is acceptable. It knows nothing of the books: the
broker core asks the ledger for the facts these rules need (withdrawable cash, free shares) and
posts the money when a transfer or journal is booked (engines/broker/funding.py). Imports the
domain only.
"""

from directbroker.engines.funding.aba import is_valid_routing_number
from directbroker.engines.funding.book import FundingBook, JournalRecord, Relationship, Transfer
from directbroker.engines.funding.rules import (
    Refusal,
    check_journal,
    check_relationship,
    check_transfer,
    report_allowed,
)

__all__ = [
    "FundingBook",
    "JournalRecord",
    "Refusal",
    "Relationship",
    "Transfer",
    "check_journal",
    "check_relationship",
    "check_transfer",
    "is_valid_routing_number",
    "report_allowed",
]

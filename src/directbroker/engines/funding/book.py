"""The funding records and what they reserve: relationships, transfers and journals, by id.

A queued outflow (a withdrawal or a journal out, not yet booked) reserves its cash or shares
so that two requests cannot both spend the same dollars; the reservation ends when the item is
booked, refused or canceled. Reservations are derived from the records, never stored, so a
snapshot cannot disagree with them.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass
from typing import Any

from directbroker.domain.funding_messages import (
    JNLC,
    JNLS,
    JOURNAL_QUEUED,
    OUTGOING,
    REL_CANCELED,
    TRANSFER_QUEUED,
)


@dataclass(slots=True)
class Relationship:
    """An ACH link between a brokerage account and a bank account."""

    relationship_id: str
    account: str
    owner_name: str
    bank_account_type: str
    bank_account_number: str
    routing_number: str
    nickname: str
    status: str
    created_ns: int
    updated_ns: int


@dataclass(slots=True)
class Transfer:
    """Money moving between an account and its bank."""

    transfer_id: str
    account: str
    relationship_id: str
    direction: str
    amount: int
    status: str
    reason: str
    created_ns: int
    updated_ns: int


@dataclass(slots=True)
class JournalRecord:
    """Cash or shares moving between two of the firm's accounts."""

    journal_id: str
    entry_type: str
    from_account: str
    to_account: str
    amount: int
    symbol: str
    quantity: int
    price: int
    description: str
    status: str
    reason: str
    created_ns: int
    updated_ns: int


class FundingBook:
    """Every funding record of the broker core."""

    def __init__(self) -> None:
        self.relationships: dict[str, Relationship] = {}
        self.transfers: dict[str, Transfer] = {}
        self.journals: dict[str, JournalRecord] = {}

    def knows(self, item_id: str) -> bool:
        """Whether any record already has this id (ids are unique across kinds)."""
        return (
            item_id in self.relationships or item_id in self.transfers or item_id in (self.journals)
        )

    def active_relationship(self, account: str) -> Relationship | None:
        """The account's relationship that is not canceled (there is at most one)."""
        for item in self.relationships.values():
            if item.account == account and item.status != REL_CANCELED:
                return item
        return None

    def reserved_cash(self, account: str, excluding: str = "") -> int:
        """Cash promised to queued withdrawals and queued cash journals out of ``account``."""
        total = 0
        for transfer in self.transfers.values():
            if (
                transfer.account == account
                and transfer.direction == OUTGOING
                and transfer.status == TRANSFER_QUEUED
                and transfer.transfer_id != excluding
            ):
                total += transfer.amount
        for journal in self.journals.values():
            if (
                journal.from_account == account
                and journal.entry_type == JNLC
                and journal.status == JOURNAL_QUEUED
                and journal.journal_id != excluding
            ):
                total += journal.amount
        return total

    def reserved_shares(self, account: str, symbol: str, excluding: str = "") -> int:
        """Shares promised to queued share journals out of ``account``."""
        return sum(
            journal.quantity
            for journal in self.journals.values()
            if journal.from_account == account
            and journal.entry_type == JNLS
            and journal.symbol == symbol
            and journal.status == JOURNAL_QUEUED
            and journal.journal_id != excluding
        )

    # --- snapshots ------------------------------------------------------------------------

    def to_plain(self) -> list[Any]:
        """Canonical plain data (sorted by id)."""
        return [
            [list(astuple(r)) for _, r in sorted(self.relationships.items())],
            [list(astuple(t)) for _, t in sorted(self.transfers.items())],
            [list(astuple(j)) for _, j in sorted(self.journals.items())],
        ]

    @classmethod
    def from_plain(cls, plain: list[Any]) -> FundingBook:
        """The book :meth:`to_plain` described."""
        book = cls()
        relationships, transfers, journals = plain
        book.relationships = {r[0]: Relationship(*r) for r in relationships}
        book.transfers = {t[0]: Transfer(*t) for t in transfers}
        book.journals = {j[0]: JournalRecord(*j) for j in journals}
        return book

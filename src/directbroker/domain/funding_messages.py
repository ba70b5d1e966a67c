"""Commands and events of funding: ACH bank relationships, transfers through the bank, and
journals of cash or shares between accounts.

Statuses travel as Alpaca's own words (``QUEUED``, ``SENT_TO_CLEARING``, ``queued``,
``executed``...), so the read models and the Broker API need no translation table. Money is
int $0.0001 in whole cents; shares are whole. Ids (relationship, transfer, journal) are chosen
by the caller, since the core generates none. ``actor`` says who asked: a staff user id, or
``system:bank`` for the simulated bank's answers.

Every event carries the whole record as it is after the change, so a read model (or a late SSE
subscriber replaying history) needs no earlier event to render it.
"""

from __future__ import annotations

from dataclasses import dataclass

from directbroker.domain.messages import Command, Event
from directbroker.domain.rejects import RejectCode

BANK_ACTOR = "system:bank"
"""The actor of every answer the (simulated) bank and clearing firm give."""

# --- statuses (Alpaca's words) ----------------------------------------------------------------

REL_QUEUED, REL_APPROVED, REL_CANCELED = "QUEUED", "APPROVED", "CANCELED"

INCOMING, OUTGOING = "INCOMING", "OUTGOING"
TRANSFER_QUEUED = "QUEUED"
TRANSFER_SENT = "SENT_TO_CLEARING"
TRANSFER_COMPLETE = "COMPLETE"
TRANSFER_RETURNED = "RETURNED"
TRANSFER_REJECTED = "REJECTED"
TRANSFER_CANCELED = "CANCELED"

JNLC, JNLS = "JNLC", "JNLS"
JOURNAL_QUEUED = "queued"
JOURNAL_EXECUTED = "executed"
JOURNAL_REJECTED = "rejected"
JOURNAL_CANCELED = "canceled"

RELATIONSHIP, TRANSFER, JOURNAL = "relationship", "transfer", "journal"
"""What a :class:`BankReport` is about."""


# --- commands -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CreateAchRelationship(Command):
    """Link a bank account to a brokerage account for ACH transfers (the bank approves it)."""

    relationship_id: str
    account: str
    owner_name: str
    bank_account_type: str
    bank_account_number: str
    routing_number: str
    nickname: str = ""
    actor: str = ""


@dataclass(frozen=True, slots=True)
class DeleteAchRelationship(Command):
    """Unlink a bank account (its status becomes CANCELED)."""

    relationship_id: str
    account: str
    actor: str = ""


@dataclass(frozen=True, slots=True)
class RequestTransfer(Command):
    """Move money between the account and its approved bank: ``INCOMING`` is a deposit,
    ``OUTGOING`` a withdrawal (checked against withdrawable cash now, and again when sent)."""

    transfer_id: str
    account: str
    relationship_id: str
    direction: str
    amount: int
    actor: str = ""


@dataclass(frozen=True, slots=True)
class CancelTransfer(Command):
    """Cancel a transfer the bank has not taken yet (status QUEUED)."""

    transfer_id: str
    account: str
    actor: str = ""


@dataclass(frozen=True, slots=True)
class RequestJournal(Command):
    """Move cash (JNLC, ``amount``) or shares (JNLS, ``symbol`` and ``quantity``) from one
    account to another; it executes when clearing books it (or is refused then)."""

    journal_id: str
    entry_type: str
    from_account: str
    to_account: str
    amount: int = 0
    symbol: str = ""
    quantity: int = 0
    description: str = ""
    actor: str = ""


@dataclass(frozen=True, slots=True)
class CancelJournal(Command):
    """Cancel a journal still queued."""

    journal_id: str
    actor: str = ""


@dataclass(frozen=True, slots=True)
class BankReport(Command):
    """The bank's (or clearing's) answer about one item: ``kind`` is relationship, transfer
    or journal; ``status`` the status it moves to; ``reason`` e.g. an ACH return code. A
    report that does not fit the item's status is refused and changes nothing, so a report
    sent twice (a restart) acts once."""

    kind: str
    reference: str
    status: str
    reason: str = ""
    actor: str = BANK_ACTOR


# --- ledger commands (the books' side of funding) -----------------------------------------------


@dataclass(frozen=True, slots=True)
class ReturnDeposit(Command):
    """The bank returned a held deposit: take the held cash back out to the bank."""

    transfer_id: str
    reason: str = ""


@dataclass(frozen=True, slots=True)
class JournalCash(Command):
    """Move settled cash between two customer accounts (refused beyond withdrawable cash)."""

    journal_id: str
    from_account: str
    to_account: str
    amount: int


@dataclass(frozen=True, slots=True)
class JournalSecurities(Command):
    """Move long shares between two customer accounts, oldest tax lots first, with their cost
    and dates (a journal is not a sale)."""

    journal_id: str
    from_account: str
    to_account: str
    symbol: str
    quantity: int


# --- events ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AchRelationshipUpdated(Event):
    """A bank relationship was created or changed status."""

    relationship_id: str
    account: str
    owner_name: str
    bank_account_type: str
    bank_account_number: str
    routing_number: str
    nickname: str
    status_from: str
    status_to: str
    actor: str
    created_ns: int
    ts_ns: int


@dataclass(frozen=True, slots=True)
class TransferUpdated(Event):
    """A transfer was requested or changed status (``status_from`` is empty when new)."""

    transfer_id: str
    account: str
    relationship_id: str
    direction: str
    amount: int
    status_from: str
    status_to: str
    reason: str
    actor: str
    created_ns: int
    ts_ns: int


@dataclass(frozen=True, slots=True)
class JournalUpdated(Event):
    """A journal was requested or changed status (``status_from`` is empty when new).
    ``price`` is the mark a JNLS was booked at (0 until executed)."""

    journal_id: str
    entry_type: str
    from_account: str
    to_account: str
    amount: int
    symbol: str
    quantity: int
    price: int
    description: str
    status_from: str
    status_to: str
    reason: str
    actor: str
    created_ns: int
    ts_ns: int


@dataclass(frozen=True, slots=True)
class CashJournaled(Event):
    """Cash moved between two accounts in the books."""

    journal_id: str
    from_account: str
    to_account: str
    amount: int
    ts_ns: int


@dataclass(frozen=True, slots=True)
class SecuritiesJournaled(Event):
    """Shares moved between two accounts in the books (``cost`` is the cost basis moved)."""

    journal_id: str
    from_account: str
    to_account: str
    symbol: str
    quantity: int
    cost: int
    ts_ns: int


@dataclass(frozen=True, slots=True)
class DepositReturned(Event):
    """A held deposit went back to the bank."""

    account: str
    transfer_id: str
    amount: int
    reason: str
    ts_ns: int


@dataclass(frozen=True, slots=True)
class FundingRejected(Event):
    """A funding command was refused; nothing changed."""

    command: str
    reference: str
    code: RejectCode
    message: str
    ts_ns: int

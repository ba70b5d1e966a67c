"""What funding accepts: the field checks of each request and the status moves a bank's report
may make. Each check returns a refusal (a reject code and a message) or None; nothing here
changes state, so a refused input leaves no trace but its rejection event.
"""

from __future__ import annotations

from directbroker.domain.accounts import is_valid_amount
from directbroker.domain.funding_messages import (
    INCOMING,
    JNLC,
    JNLS,
    JOURNAL,
    JOURNAL_EXECUTED,
    JOURNAL_QUEUED,
    JOURNAL_REJECTED,
    OUTGOING,
    REL_APPROVED,
    REL_QUEUED,
    RELATIONSHIP,
    TRANSFER,
    TRANSFER_COMPLETE,
    TRANSFER_QUEUED,
    TRANSFER_REJECTED,
    TRANSFER_RETURNED,
    TRANSFER_SENT,
    CreateAchRelationship,
    RequestJournal,
    RequestTransfer,
)
from directbroker.domain.numbers import MAX_QUANTITY
from directbroker.domain.rejects import RejectCode
from directbroker.engines.funding.aba import is_valid_routing_number
from directbroker.engines.funding.book import FundingBook

Refusal = tuple[RejectCode, str]

BANK_ACCOUNT_TYPES = frozenset({"CHECKING", "SAVINGS"})
MAX_TEXT = 256
MAX_ID = 64

_MOVES: dict[str, frozenset[tuple[str, str]]] = {
    RELATIONSHIP: frozenset({(REL_QUEUED, REL_APPROVED)}),
    TRANSFER: frozenset(
        {
            (TRANSFER_QUEUED, TRANSFER_SENT),
            (TRANSFER_QUEUED, TRANSFER_REJECTED),
            (TRANSFER_SENT, TRANSFER_COMPLETE),
            (TRANSFER_SENT, TRANSFER_RETURNED),
        }
    ),
    JOURNAL: frozenset({(JOURNAL_QUEUED, JOURNAL_EXECUTED), (JOURNAL_QUEUED, JOURNAL_REJECTED)}),
}
"""The status moves the bank and clearing may report, by kind of item."""


def is_id(value: object) -> bool:
    """Non-empty text of at most 64 characters without ':' (ids name book accounts)."""
    return type(value) is str and 0 < len(value) <= MAX_ID and ":" not in value


def is_text(value: object, limit: int = MAX_TEXT) -> bool:
    """Bounded text (may be empty)."""
    return type(value) is str and len(value) <= limit


def _new_id(book: FundingBook, value: object, field: str) -> Refusal | None:
    if not is_id(value):
        return RejectCode.INVALID_ID, f"{field} {value!r:.80}"
    assert isinstance(value, str)
    if book.knows(value):
        return RejectCode.DUPLICATE_FUNDING_ID, f"{field} {value} is taken"
    return None


def check_relationship(cmd: CreateAchRelationship, book: FundingBook) -> Refusal | None:
    """A new ACH relationship: well-formed bank details, a valid ABA routing number, and no
    other active relationship on the account (one bank per account, as Alpaca)."""
    refusal = _new_id(book, cmd.relationship_id, "relationship_id")
    if refusal is not None:
        return refusal
    if not is_id(cmd.account):
        return RejectCode.INVALID_ID, f"account {cmd.account!r:.80}"
    owner = cmd.owner_name
    if not is_text(owner) or not str(owner).strip():
        return RejectCode.INVALID_BANK_ACCOUNT, "account_owner_name is required"
    if cmd.bank_account_type not in BANK_ACCOUNT_TYPES:
        return (
            RejectCode.INVALID_BANK_ACCOUNT,
            f"bank_account_type {cmd.bank_account_type!r:.40} is not CHECKING or SAVINGS",
        )
    number = cmd.bank_account_number
    if type(number) is not str or not 4 <= len(number) <= 17 or not number.isdigit():
        return RejectCode.INVALID_BANK_ACCOUNT, "bank_account_number must be 4 to 17 digits"
    if not number.isascii():
        return RejectCode.INVALID_BANK_ACCOUNT, "bank_account_number must be 4 to 17 digits"
    if not is_valid_routing_number(cmd.routing_number):
        return (
            RejectCode.INVALID_ROUTING_NUMBER,
            f"bank_routing_number {cmd.routing_number!r:.40} fails the ABA check",
        )
    if not is_text(cmd.nickname) or not is_text(cmd.actor):
        return RejectCode.MALFORMED, "nickname and actor must be short text"
    active = book.active_relationship(cmd.account)
    if active is not None:
        return (
            RejectCode.RELATIONSHIP_EXISTS,
            f"account {cmd.account} already has relationship {active.relationship_id} "
            f"({active.status}); delete it first",
        )
    return None


def check_transfer(cmd: RequestTransfer, book: FundingBook) -> Refusal | None:
    """A new ACH transfer through the account's approved relationship (the money check is the
    broker core's: it needs the books)."""
    refusal = _new_id(book, cmd.transfer_id, "transfer_id")
    if refusal is not None:
        return refusal
    if not is_id(cmd.account) or not is_id(cmd.relationship_id) or not is_text(cmd.actor):
        return RejectCode.INVALID_ID, "account and relationship_id must be ids"
    if cmd.direction not in (INCOMING, OUTGOING):
        return RejectCode.INVALID_TRANSFER, f"direction {cmd.direction!r:.40}"
    if not is_valid_amount(cmd.amount):
        return RejectCode.INVALID_AMOUNT, f"amount {cmd.amount!r:.40}"
    relationship = book.relationships.get(cmd.relationship_id)
    if relationship is None or relationship.account != cmd.account:
        return (
            RejectCode.UNKNOWN_RELATIONSHIP,
            f"no relationship {cmd.relationship_id} for account {cmd.account}",
        )
    if relationship.status != REL_APPROVED:
        return (
            RejectCode.RELATIONSHIP_NOT_APPROVED,
            f"relationship {cmd.relationship_id} is {relationship.status}",
        )
    return None


def check_journal(cmd: RequestJournal, book: FundingBook) -> Refusal | None:
    """A new journal: two different accounts, and an amount (JNLC) or a symbol and a whole
    number of shares (JNLS), never both."""
    refusal = _new_id(book, cmd.journal_id, "journal_id")
    if refusal is not None:
        return refusal
    if not is_id(cmd.from_account) or not is_id(cmd.to_account):
        return RejectCode.INVALID_ID, "from_account and to_account must be account ids"
    if cmd.from_account == cmd.to_account:
        return RejectCode.JOURNAL_SAME_ACCOUNT, f"from and to are both {cmd.from_account}"
    if not is_text(cmd.description, 1024) or not is_text(cmd.actor):
        return RejectCode.MALFORMED, "description and actor must be short text"
    if cmd.entry_type == JNLC:
        if cmd.symbol or cmd.quantity:
            return RejectCode.INVALID_JOURNAL, "a cash journal takes an amount, not shares"
        if not is_valid_amount(cmd.amount):
            return RejectCode.INVALID_AMOUNT, f"amount {cmd.amount!r:.40}"
        return None
    if cmd.entry_type == JNLS:
        if cmd.amount:
            return RejectCode.INVALID_JOURNAL, "a security journal takes shares, not an amount"
        symbol, quantity = cmd.symbol, cmd.quantity
        if type(symbol) is not str or not 0 < len(symbol) <= 12 or not symbol.isascii():
            return RejectCode.INVALID_JOURNAL, f"symbol {symbol!r:.40}"
        if type(quantity) is not int or not 0 < quantity <= MAX_QUANTITY:
            return RejectCode.INVALID_JOURNAL, f"qty {quantity!r:.40} (whole shares only)"
        return None
    return RejectCode.INVALID_JOURNAL, f"entry_type {cmd.entry_type!r:.40} is not JNLC or JNLS"


def report_allowed(kind: str, current: str, new: str) -> bool:
    """Whether the bank (or clearing) may move an item of ``kind`` from ``current`` to ``new``."""
    moves = _MOVES.get(kind)
    return moves is not None and (current, new) in moves

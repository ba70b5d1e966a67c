"""The broker core's funding desk: the funding engine's records and rules joined to the books.

The funding engine (engines/funding) decides what is well formed and which status moves are
allowed; this desk adds what needs the books and the working orders, and posts the money:

- withdrawable now = the ledger's withdrawable cash (settled, not held, not needed for margin)
  less what working buy orders reserve and what queued withdrawals and cash journals out of
  the account already promised;
- free shares = the long position less working sells and queued share journals out;
- a deposit is credited to held cash when the bank sends it to clearing, released when it
  completes, and taken back if the bank returns it; a withdrawal and a journal are booked when
  sent (checked again then: the account may have traded since), and refused if they no longer
  fit.

Every refusal is one ``FundingRejected`` event and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from directbroker.domain.accounts import AccountStatus
from directbroker.domain.funding_messages import (
    INCOMING,
    JNLC,
    JOURNAL,
    JOURNAL_CANCELED,
    JOURNAL_EXECUTED,
    JOURNAL_QUEUED,
    JOURNAL_REJECTED,
    OUTGOING,
    REL_APPROVED,
    REL_CANCELED,
    REL_QUEUED,
    RELATIONSHIP,
    TRANSFER,
    TRANSFER_CANCELED,
    TRANSFER_COMPLETE,
    TRANSFER_QUEUED,
    TRANSFER_REJECTED,
    TRANSFER_RETURNED,
    TRANSFER_SENT,
    AchRelationshipUpdated,
    BankReport,
    CancelJournal,
    CancelTransfer,
    CreateAchRelationship,
    DeleteAchRelationship,
    FundingRejected,
    JournalCash,
    JournalSecurities,
    JournalUpdated,
    RequestJournal,
    RequestTransfer,
    ReturnDeposit,
    TransferUpdated,
)
from directbroker.domain.ledger_messages import Deposit, LedgerRejected, ReleaseHold, Withdraw
from directbroker.domain.messages import Event, Message
from directbroker.domain.order_status import OrdStatus
from directbroker.domain.orders import Side
from directbroker.domain.rejects import RejectCode
from directbroker.engines.funding import (
    FundingBook,
    JournalRecord,
    Refusal,
    Relationship,
    Transfer,
    check_journal,
    check_relationship,
    check_transfer,
    report_allowed,
)
from directbroker.engines.ledger import LedgerCore
from directbroker.engines.oms import Parent

HOLD_UNTIL_CLEARED = 99_991_231
"""A deposit's hold date when only the bank's clearing releases it (never by the calendar)."""

FUNDING_COMMANDS: tuple[type[Message], ...] = (
    CreateAchRelationship,
    DeleteAchRelationship,
    RequestTransfer,
    CancelTransfer,
    RequestJournal,
    CancelJournal,
    BankReport,
)

_Handler = Callable[[Any, int], list[Event]]


class FundingDesk:
    """Funding inside the broker core (same thread, same journal, same snapshot)."""

    def __init__(self, ledger: LedgerCore, open_orders: Callable[[str], Iterable[Parent]]) -> None:
        self.ledger = ledger
        self._open_orders = open_orders
        self.book = FundingBook()

    def handlers(self) -> dict[type[Message], _Handler]:
        """The broker core's dispatch entries for funding."""
        return {
            CreateAchRelationship: self._create_relationship,
            DeleteAchRelationship: self._delete_relationship,
            RequestTransfer: self._request_transfer,
            CancelTransfer: self._cancel_transfer,
            RequestJournal: self._request_journal,
            CancelJournal: self._cancel_journal,
            BankReport: self._bank_report,
        }

    # --- facts from the books ------------------------------------------------------------

    def _account_refusal(self, account: str) -> Refusal | None:
        if not self.ledger.has_account(account):
            return RejectCode.UNKNOWN_ACCOUNT, f"account {account} not found"
        if self.ledger.account_values(account).status is AccountStatus.CLOSED:
            return RejectCode.ACCOUNT_CLOSED, f"account {account} is closed"
        return None

    def withdrawable(self, account: str, excluding: str = "") -> int:
        """Cash the account may send out now (see the module docstring)."""
        values = self.ledger.account_values(account)
        reserved = sum(
            order.reserve_price * (order.quantity - order.cum_quantity)
            for order in self._open_orders(account)
            if order.status is not OrdStatus.SUSPENDED
        )
        promised = self.book.reserved_cash(account, excluding)
        return max(0, values.withdrawable_cash - reserved - promised)

    def free_shares(self, account: str, symbol: str, excluding: str = "") -> int:
        """Long shares not promised to working sells or queued share journals."""
        view = self.ledger.position(account, symbol)
        held = view.quantity if view is not None else 0
        selling = sum(
            order.quantity - order.cum_quantity
            for order in self._open_orders(account)
            if order.symbol == symbol and order.side is Side.SELL
        )
        return max(0, held - selling - self.book.reserved_shares(account, symbol, excluding))

    # --- relationships ---------------------------------------------------------------------

    def _create_relationship(self, cmd: CreateAchRelationship, ts: int) -> list[Event]:
        refusal = check_relationship(cmd, self.book) or self._account_refusal(cmd.account)
        if refusal is not None:
            return [_rejected(cmd, cmd.relationship_id, refusal, ts)]
        item = Relationship(
            cmd.relationship_id, cmd.account, cmd.owner_name.strip(), cmd.bank_account_type,
            cmd.bank_account_number, cmd.routing_number, cmd.nickname, REL_QUEUED, ts, ts,
        )  # fmt: skip
        self.book.relationships[item.relationship_id] = item
        return [_relationship_event(item, "", cmd.actor, ts)]

    def _delete_relationship(self, cmd: DeleteAchRelationship, ts: int) -> list[Event]:
        item = self.book.relationships.get(cmd.relationship_id)
        if item is None or item.account != cmd.account or item.status == REL_CANCELED:
            refusal = (RejectCode.UNKNOWN_RELATIONSHIP, f"no relationship {cmd.relationship_id}")
            return [_rejected(cmd, cmd.relationship_id, refusal, ts)]
        before = item.status
        item.status, item.updated_ns = REL_CANCELED, ts
        return [_relationship_event(item, before, cmd.actor, ts)]

    # --- transfers -------------------------------------------------------------------------

    def _request_transfer(self, cmd: RequestTransfer, ts: int) -> list[Event]:
        refusal = check_transfer(cmd, self.book) or self._account_refusal(cmd.account)
        if refusal is None and cmd.direction == OUTGOING:
            available = self.withdrawable(cmd.account)
            if cmd.amount > available:
                refusal = (
                    RejectCode.WITHDRAWAL_EXCEEDS_WITHDRAWABLE,
                    f"withdrawal of {_dollars(cmd.amount)} is more than the withdrawable "
                    f"{_dollars(available)}",
                )
        if refusal is not None:
            return [_rejected(cmd, cmd.transfer_id, refusal, ts)]
        item = Transfer(
            cmd.transfer_id, cmd.account, cmd.relationship_id, cmd.direction, cmd.amount,
            TRANSFER_QUEUED, "", ts, ts,
        )  # fmt: skip
        self.book.transfers[item.transfer_id] = item
        return [_transfer_event(item, "", cmd.actor, ts)]

    def _cancel_transfer(self, cmd: CancelTransfer, ts: int) -> list[Event]:
        item = self.book.transfers.get(cmd.transfer_id)
        if item is None or item.account != cmd.account:
            refusal = (RejectCode.UNKNOWN_TRANSFER, f"no transfer {cmd.transfer_id}")
            return [_rejected(cmd, cmd.transfer_id, refusal, ts)]
        if item.status != TRANSFER_QUEUED:
            refusal = (RejectCode.TRANSFER_NOT_CANCELABLE, f"the transfer is {item.status}")
            return [_rejected(cmd, cmd.transfer_id, refusal, ts)]
        return self._move_transfer(item, TRANSFER_CANCELED, "canceled on request", cmd.actor, ts)

    def _move_transfer(
        self,
        item: Transfer,
        status: str,
        reason: str,
        actor: str,
        ts: int,
        booked: Iterable[Event] = (),
    ) -> list[Event]:
        before = item.status
        item.status, item.reason, item.updated_ns = status, reason, ts
        return [*booked, _transfer_event(item, before, actor, ts)]

    def _transfer_report(self, item: Transfer, cmd: BankReport, ts: int) -> list[Event]:
        status, actor = cmd.status, cmd.actor
        if status == TRANSFER_SENT:
            if item.direction == INCOMING:
                booking: Message = Deposit(
                    item.account, item.transfer_id, item.amount, HOLD_UNTIL_CLEARED
                )
            else:
                available = self.withdrawable(item.account, excluding=item.transfer_id)
                if item.amount > available:
                    reason = f"withdrawable cash is {_dollars(available)} now"
                    return self._move_transfer(item, TRANSFER_REJECTED, reason, actor, ts)
                booking = Withdraw(item.account, item.transfer_id, item.amount)
            return self._book(item, booking, status, actor, ts)
        if status == TRANSFER_COMPLETE and item.direction == INCOMING:
            return self._book(item, ReleaseHold(item.transfer_id), status, actor, ts)
        if status == TRANSFER_RETURNED:
            reason = cmd.reason or "returned by the bank"
            return self._book(item, ReturnDeposit(item.transfer_id, reason), status, actor, ts)
        return self._move_transfer(item, status, cmd.reason, actor, ts)

    def _book(
        self, item: Transfer, booking: Message, status: str, actor: str, ts: int
    ) -> list[Event]:
        posted = self.ledger.handle(booking, ts)
        refused = next((e for e in posted if isinstance(e, LedgerRejected)), None)
        if refused is not None:
            return self._move_transfer(item, TRANSFER_REJECTED, refused.detail, actor, ts)
        return self._move_transfer(item, status, "", actor, ts, posted)

    # --- journals --------------------------------------------------------------------------

    def _request_journal(self, cmd: RequestJournal, ts: int) -> list[Event]:
        refusal = (
            check_journal(cmd, self.book)
            or self._account_refusal(cmd.from_account)
            or self._account_refusal(cmd.to_account)
            or self._journal_fits(cmd.entry_type, cmd.from_account, cmd.to_account,
                                  cmd.amount, cmd.symbol, cmd.quantity)
        )  # fmt: skip
        if refusal is not None:
            return [_rejected(cmd, cmd.journal_id, refusal, ts)]
        item = JournalRecord(
            cmd.journal_id, cmd.entry_type, cmd.from_account, cmd.to_account, cmd.amount,
            cmd.symbol, cmd.quantity, 0, cmd.description, JOURNAL_QUEUED, "", ts, ts,
        )  # fmt: skip
        self.book.journals[item.journal_id] = item
        return [_journal_event(item, "", cmd.actor, ts)]

    def _journal_fits(
        self, entry_type: str, sender: str, receiver: str, amount: int, symbol: str,
        quantity: int, excluding: str = "",
    ) -> Refusal | None:  # fmt: skip
        if entry_type == JNLC:
            available = self.withdrawable(sender, excluding)
            if amount > available:
                return (
                    RejectCode.JOURNAL_OVERDRAWS_CASH,
                    f"journal of {_dollars(amount)} is more than {sender}'s withdrawable "
                    f"{_dollars(available)}",
                )
            return None
        free = self.free_shares(sender, symbol, excluding)
        if quantity > free:
            return (
                RejectCode.JOURNAL_EXCEEDS_POSITION,
                f"journal of {quantity} {symbol} is more than {sender}'s {free} free shares",
            )
        view = self.ledger.position(receiver, symbol)
        if view is not None and view.quantity < 0:
            return RejectCode.JOURNAL_RECEIVER_SHORT, f"{receiver} is short {symbol}"
        return None

    def _cancel_journal(self, cmd: CancelJournal, ts: int) -> list[Event]:
        item = self.book.journals.get(cmd.journal_id)
        if item is None:
            refusal = (RejectCode.UNKNOWN_JOURNAL, f"no journal {cmd.journal_id}")
            return [_rejected(cmd, cmd.journal_id, refusal, ts)]
        if item.status != JOURNAL_QUEUED:
            refusal = (RejectCode.JOURNAL_NOT_CANCELABLE, f"the journal is {item.status}")
            return [_rejected(cmd, cmd.journal_id, refusal, ts)]
        return self._move_journal(item, JOURNAL_CANCELED, "canceled on request", cmd.actor, ts)

    def _move_journal(
        self, item: JournalRecord, status: str, reason: str, actor: str, ts: int,
        booked: Iterable[Event] = (),
    ) -> list[Event]:  # fmt: skip
        before = item.status
        item.status, item.reason, item.updated_ns = status, reason, ts
        return [*booked, _journal_event(item, before, actor, ts)]

    def _journal_report(self, item: JournalRecord, cmd: BankReport, ts: int) -> list[Event]:
        if cmd.status != JOURNAL_EXECUTED:
            return self._move_journal(item, cmd.status, cmd.reason, cmd.actor, ts)
        refusal = (
            self._account_refusal(item.from_account)
            or self._account_refusal(item.to_account)
            or self._journal_fits(item.entry_type, item.from_account, item.to_account,
                                  item.amount, item.symbol, item.quantity, item.journal_id)
        )  # fmt: skip
        if refusal is not None:
            return self._move_journal(item, JOURNAL_REJECTED, refusal[1], cmd.actor, ts)
        booking: Message
        if item.entry_type == JNLC:
            booking = JournalCash(item.journal_id, item.from_account, item.to_account, item.amount)
        else:
            booking = JournalSecurities(
                item.journal_id, item.from_account, item.to_account, item.symbol, item.quantity
            )
            item.price = self.ledger.marks().get(item.symbol, 0)
        posted = self.ledger.handle(booking, ts)
        refused = next((e for e in posted if isinstance(e, LedgerRejected)), None)
        if refused is not None:
            item.price = 0
            return self._move_journal(item, JOURNAL_REJECTED, refused.detail, cmd.actor, ts)
        return self._move_journal(item, JOURNAL_EXECUTED, "", cmd.actor, ts, posted)

    # --- the bank's reports ----------------------------------------------------------------

    def _bank_report(self, cmd: BankReport, ts: int) -> list[Event]:
        item: Relationship | Transfer | JournalRecord | None
        if cmd.kind == RELATIONSHIP:
            item = self.book.relationships.get(cmd.reference)
            missing = RejectCode.UNKNOWN_RELATIONSHIP
        elif cmd.kind == TRANSFER:
            item = self.book.transfers.get(cmd.reference)
            missing = RejectCode.UNKNOWN_TRANSFER
        elif cmd.kind == JOURNAL:
            item = self.book.journals.get(cmd.reference)
            missing = RejectCode.UNKNOWN_JOURNAL
        else:
            refusal = (RejectCode.MALFORMED, f"kind {cmd.kind!r:.40}")
            return [_rejected(cmd, cmd.reference, refusal, ts)]
        if item is None:
            return [_rejected(cmd, cmd.reference, (missing, f"{cmd.reference!r:.80}"), ts)]
        if not report_allowed(cmd.kind, item.status, cmd.status) or not isinstance(cmd.reason, str):
            refusal = (
                RejectCode.UNEXPECTED_BANK_REPORT,
                f"{cmd.kind} {cmd.reference} is {item.status}, not movable to {cmd.status!r:.40}",
            )
            return [_rejected(cmd, cmd.reference, refusal, ts)]
        if isinstance(item, Relationship):
            before = item.status
            item.status, item.updated_ns = REL_APPROVED, ts
            return [_relationship_event(item, before, cmd.actor, ts)]
        if isinstance(item, Transfer):
            if cmd.status == TRANSFER_RETURNED and item.direction != INCOMING:
                refusal = (RejectCode.UNEXPECTED_BANK_REPORT, "only deposits are returned")
                return [_rejected(cmd, cmd.reference, refusal, ts)]
            return self._transfer_report(item, cmd, ts)
        return self._journal_report(item, cmd, ts)


def _dollars(units: int) -> str:
    return f"${units // 10_000:,}.{units % 10_000 // 100:02d}"


def _rejected(command: Message, reference: object, refusal: Refusal, ts: int) -> FundingRejected:
    text = reference[:64] if type(reference) is str else repr(reference)[:64]
    return FundingRejected(type(command).__name__, text, refusal[0], refusal[1], ts)


def _relationship_event(item: Relationship, before: str, actor: str, ts: int) -> Event:
    return AchRelationshipUpdated(
        item.relationship_id, item.account, item.owner_name, item.bank_account_type,
        item.bank_account_number, item.routing_number, item.nickname, before, item.status,
        actor, item.created_ns, ts,
    )  # fmt: skip


def _transfer_event(item: Transfer, before: str, actor: str, ts: int) -> Event:
    return TransferUpdated(
        item.transfer_id, item.account, item.relationship_id, item.direction, item.amount,
        before, item.status, item.reason, actor, item.created_ns, ts,
    )  # fmt: skip


def _journal_event(item: JournalRecord, before: str, actor: str, ts: int) -> Event:
    return JournalUpdated(
        item.journal_id, item.entry_type, item.from_account, item.to_account, item.amount,
        item.symbol, item.quantity, item.price, item.description, before, item.status,
        item.reason, actor, item.created_ns, ts,
    )  # fmt: skip

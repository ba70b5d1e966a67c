"""A simulated bank and clearing firm that answer funding requests after a delay.

The real counterparts answer ACH relationships, transfers and journals hours or days later;
this one answers after configurable delays (seconds by default), deterministically: what it
says depends only on the request (a bank account number ending in ``return_suffix`` has its
deposits returned, R01), and when it says it depends only on the time of the last status
change. Its answers enter the broker core as journaled inputs (:class:`BankReport`, actor
``system:bank``) through the platform's input sources, so replay is exact.

It follows what the broker core commits (never its state while running) and, at start-up,
picks up whatever was still pending in the core's funding book, so a restart answers the
requests a crash left waiting; a report the core already took is refused there, so none acts
twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from directbroker.app.platform import Platform
from directbroker.domain.funding_messages import (
    INCOMING,
    JOURNAL,
    JOURNAL_EXECUTED,
    JOURNAL_QUEUED,
    REL_APPROVED,
    REL_QUEUED,
    RELATIONSHIP,
    TRANSFER,
    TRANSFER_COMPLETE,
    TRANSFER_QUEUED,
    TRANSFER_RETURNED,
    TRANSFER_SENT,
    AchRelationshipUpdated,
    BankReport,
    JournalUpdated,
    TransferUpdated,
)
from directbroker.domain.messages import Message
from directbroker.engines.funding import FundingBook
from directbroker.runtime.sequencer import Outcome

_S = 1_000_000_000


@dataclass(frozen=True, slots=True)
class BankConfig:
    """How long the simulated bank and clearing take to answer, and which deposits bounce."""

    approve_after_s: float = 1.0
    """A new ACH relationship is approved (micro-deposits verified) after this long."""
    clear_after_s: float = 1.0
    """A queued transfer is taken by the bank (sent to clearing) after this long."""
    settle_after_s: float = 2.0
    """A transfer sent to clearing completes (or a deposit is returned) after this long."""
    journal_after_s: float = 0.5
    """A queued journal is booked by clearing after this long."""
    return_suffix: str = "9999"
    """Deposits from bank accounts whose number ends so are returned (R01, no funds)."""


_Key = tuple[str, str]


class SimulatedBank:
    """Schedules the bank's answers; :meth:`due` hands over those whose time has come."""

    def __init__(self, config: BankConfig | None = None) -> None:
        self.config = config or BankConfig()
        self._due: dict[_Key, tuple[int, str, str]] = {}
        self._bank_accounts: dict[str, str] = {}
        self._relationship_of: dict[str, str] = {}

    # --- following the core ---------------------------------------------------------------

    def resume(self, book: FundingBook) -> None:
        """Take up whatever the core's funding book still waits on (start-up only)."""
        for rel in book.relationships.values():
            self._bank_accounts[rel.relationship_id] = rel.bank_account_number
            self._relationship(rel.relationship_id, rel.status, rel.updated_ns)
        for item in book.transfers.values():
            self._relationship_of[item.transfer_id] = item.relationship_id
            self._transfer(item.transfer_id, item.direction, item.status, item.updated_ns)
        for journal in book.journals.values():
            self._journal(journal.journal_id, journal.status, journal.updated_ns)

    def on_commit(self, inputs: Sequence[Message], outcomes: Sequence[Outcome]) -> None:
        """Follow one durable broker batch (a platform listener, on the platform thread)."""
        for outcome in outcomes:
            for event in outcome.events:
                if isinstance(event, AchRelationshipUpdated):
                    self._bank_accounts[event.relationship_id] = event.bank_account_number
                    self._relationship(event.relationship_id, event.status_to, event.ts_ns)
                elif isinstance(event, TransferUpdated):
                    self._relationship_of[event.transfer_id] = event.relationship_id
                    self._transfer(event.transfer_id, event.direction, event.status_to,
                                   event.ts_ns)  # fmt: skip
                elif isinstance(event, JournalUpdated):
                    self._journal(event.journal_id, event.status_to, event.ts_ns)

    def _schedule(self, key: _Key, at_ns: int, status: str, reason: str = "") -> None:
        self._due[key] = (at_ns, status, reason)

    def _relationship(self, rel_id: str, status: str, ts: int) -> None:
        key = (RELATIONSHIP, rel_id)
        if status == REL_QUEUED:
            self._schedule(key, ts + int(self.config.approve_after_s * _S), REL_APPROVED)
        else:
            self._due.pop(key, None)

    def _transfer(self, transfer_id: str, direction: str, status: str, ts: int) -> None:
        key = (TRANSFER, transfer_id)
        if status == TRANSFER_QUEUED:
            self._schedule(key, ts + int(self.config.clear_after_s * _S), TRANSFER_SENT)
        elif status == TRANSFER_SENT:
            at = ts + int(self.config.settle_after_s * _S)
            number = self._bank_accounts.get(self._relationship_of.get(transfer_id, ""), "")
            suffix = self.config.return_suffix
            if direction == INCOMING and suffix and number.endswith(suffix):
                self._schedule(key, at, TRANSFER_RETURNED, "R01 insufficient funds")
            else:
                self._schedule(key, at, TRANSFER_COMPLETE)
        else:
            self._due.pop(key, None)

    def _journal(self, journal_id: str, status: str, ts: int) -> None:
        key = (JOURNAL, journal_id)
        if status == JOURNAL_QUEUED:
            self._schedule(key, ts + int(self.config.journal_after_s * _S), JOURNAL_EXECUTED)
        else:
            self._due.pop(key, None)

    # --- answering --------------------------------------------------------------------------

    def due(self, now_ns: int) -> list[Message]:
        """The answers due by ``now_ns``, oldest first (each handed over once)."""
        ready = sorted(
            (at, kind, ref) for (kind, ref), (at, _, _) in self._due.items() if at <= now_ns
        )
        reports: list[Message] = []
        for _, kind, ref in ready:
            _, status, reason = self._due.pop((kind, ref))
            reports.append(BankReport(kind, ref, status, reason))
        return reports

    def pending(self) -> int:
        """How many answers are scheduled."""
        return len(self._due)


def attach_bank(platform: Platform, config: BankConfig | None = None) -> SimulatedBank:
    """A simulated bank answering ``platform``'s broker core (build before it starts)."""
    bank = SimulatedBank(config)
    bank.resume(platform.broker.funding.book)
    platform.on_broker_commit(bank.on_commit)
    platform.add_input_source(bank.due)
    return bank

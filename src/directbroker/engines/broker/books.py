"""The ledger as account opening sees it (:class:`directbroker.engines.onboarding.Books`)."""

from __future__ import annotations

from directbroker.domain.accounts import AccountStatus, AccountType, Registration
from directbroker.domain.ledger_messages import ChangeAccountStatus, LedgerRejected, OpenAccount
from directbroker.domain.messages import Event
from directbroker.domain.rejects import RejectCode
from directbroker.engines.ledger import LedgerCore


class BrokenBooks(Exception):
    """The ledger refused what onboarding had already checked: the core's state is wrong."""


class LedgerBooks:
    """Opens and closes ledger accounts for the onboarding engine, within the same input."""

    def __init__(self, ledger: LedgerCore) -> None:
        self._ledger = ledger

    def has_account(self, account: str) -> bool:
        """Whether the ledger holds the account."""
        return self._ledger.has_account(account)

    def open_account(self, account: str, account_type: AccountType, ts_ns: int) -> list[Event]:
        """An individual account, owned by its own id (the KYC record names the person)."""
        opened = OpenAccount(account, account, account_type, Registration.INDIVIDUAL)
        events = self._ledger.handle(opened, ts_ns)
        if any(type(e) is LedgerRejected for e in events):
            raise BrokenBooks(f"the ledger refused to open {account}: {events!r}")
        return events

    def close_account(
        self, account: str, reason: str, ts_ns: int
    ) -> list[Event] | tuple[RejectCode, str]:
        """Close the ledger account; the ledger's refusal (nothing changed) if it is not empty."""
        if self._ledger.account_values(account).status is AccountStatus.CLOSED:
            return []
        events = self._ledger.handle(
            ChangeAccountStatus(account, AccountStatus.CLOSED, reason), ts_ns
        )
        for event in events:
            if type(event) is LedgerRejected:
                return event.code, "close every position and withdraw the cash first"
        return events

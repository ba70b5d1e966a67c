"""A broker core with two funded accounts, driven input by input (funding tests)."""

from __future__ import annotations

from directbroker.domain.accounts import AccountType, Registration
from directbroker.domain.broker_messages import StartBrokerDay
from directbroker.domain.funding_messages import (
    BankReport,
    CreateAchRelationship,
    FundingRejected,
)
from directbroker.domain.ledger_messages import Deposit, OpenAccount, RecordExecution
from directbroker.domain.messages import Event, Message
from directbroker.domain.orders import Side
from directbroker.engines.broker import BrokerConfig, BrokerCore, DirectedRouting
from directbroker.engines.ledger import LedgerCore
from directbroker.testing.broker_harness import dollars, shared_calendar

ROUTING = "021000021"
"""A real ABA routing number (it passes the checksum)."""


class Desk:
    """A broker core fed by hand with a monotonic clock."""

    def __init__(self) -> None:
        router = DirectedRouting(("NSDQ",), {"AAPL": "NSDQ"})
        self.core = BrokerCore(LedgerCore(shared_calendar()), router, BrokerConfig())
        self.ts = 0
        self.send(StartBrokerDay(20260601))
        for account, kind in (("A1", AccountType.CASH), ("A2", AccountType.CASH),
                              ("M1", AccountType.MARGIN)):  # fmt: skip
            self.send(OpenAccount(account, "o", kind, Registration.INDIVIDUAL))
        self.send(Deposit("A1", "seed-A1", dollars("1000.00")))

    def send(self, message: Message) -> list[Event]:
        self.ts += 1
        return self.core.handle(message, self.ts)

    def refused(self, message: Message) -> FundingRejected:
        """``message`` is refused with one event and the state hash does not move."""
        before = self.core.state_hash()
        events = self.send(message)
        assert len(events) == 1, events
        assert self.core.state_hash() == before
        rejected = events[0]
        assert isinstance(rejected, FundingRejected), rejected
        return rejected

    def link(self, account: str = "A1", rel: str = "r1", number: str = "123456789") -> None:
        """An approved ACH relationship."""
        self.send(CreateAchRelationship(rel, account, "Ann Lee", "CHECKING", number, ROUTING))
        self.send(BankReport("relationship", rel, "APPROVED"))

    def buy(self, account: str, symbol: str, quantity: int, price: str) -> None:
        """A long position booked straight in the ledger (no order flow needed)."""
        self.ts += 1
        execution = RecordExecution(
            account, f"x{self.ts}", symbol, Side.BUY, quantity, dollars(price), 20260601
        )
        self.core.ledger.handle(execution, self.ts)

    def values(self, account: str):  # type: ignore[no-untyped-def]
        return self.core.ledger.account_values(account)

    def balanced(self) -> bool:
        return all(v == 0 for v in self.core.ledger.trial_balance().values())

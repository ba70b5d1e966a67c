"""Fixtures for the ledger's worked examples: the real NYSE calendar and a ledger driver."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from directbroker.adapters.calendar import XnysCalendar
from directbroker.domain.accounts import AccountType, Registration
from directbroker.domain.ledger_messages import (
    Deposit,
    LedgerRejected,
    OpenAccount,
    RecordExecution,
    StartBusinessDay,
)
from directbroker.domain.messages import Command, Event
from directbroker.domain.orders import Side
from directbroker.domain.rejects import RejectCode
from directbroker.engines.ledger import FeeSchedule, LedgerCore

_CALENDAR: XnysCalendar | None = None


def xnys() -> XnysCalendar:
    """One XNYS calendar per test session (it takes about a second to build)."""
    global _CALENDAR  # noqa: PLW0603
    if _CALENDAR is None:
        _CALENDAR = XnysCalendar(2022, 2027)
    return _CALENDAR


def dollars(amount: int | float | str) -> int:
    """Money units for a dollar amount written in a test (exact via str)."""
    from decimal import Decimal

    return int(Decimal(str(amount)) * 10_000)


class Books:
    """Drives a ledger core the way the sequencer would, with a monotonic timestamp."""

    def __init__(self, fees: FeeSchedule | None = None) -> None:
        self.core = LedgerCore(xnys(), fees)
        self.ts = 0
        self.executions = 0

    def send(self, command: Command) -> list[Event]:
        self.ts += 1
        return self.core.handle(command, self.ts)

    def do(self, *commands: Command) -> list[Event]:
        events: list[Event] = []
        for command in commands:
            produced = self.send(command)
            rejected = [e for e in produced if isinstance(e, LedgerRejected)]
            assert not rejected, rejected
            events.extend(produced)
        return events

    def reject(self, command: Command) -> RejectCode:
        """Send a command that must be refused; assert it changed nothing."""
        before = self.core.state_hash()
        events = self.send(command)
        assert len(events) == 1 and isinstance(events[0], LedgerRejected), events
        assert self.core.state_hash() == before
        return events[0].code

    def open(self, account: str, kind: AccountType = AccountType.MARGIN, cash: int = 0) -> None:
        self.do(OpenAccount(account, "owner-" + account, kind, Registration.INDIVIDUAL))
        if cash:
            self.do(Deposit(account, f"dep-{account}-{self.ts}", dollars(cash)))

    def day(self, date: int) -> list[Event]:
        return self.do(StartBusinessDay(date))

    def trade(
        self,
        account: str,
        side: Side,
        quantity: int,
        symbol: str,
        price: str | int | float,
        trade_date: int,
        order_id: str = "",
    ) -> list[Event]:
        self.executions += 1
        return self.do(
            RecordExecution(
                account,
                f"x{self.executions}",
                symbol,
                side,
                quantity,
                dollars(price),
                trade_date,
                order_id,
            )
        )


@pytest.fixture
def books() -> Iterator[Books]:
    """A fresh ledger on the NYSE calendar with no commissions."""
    yield Books()

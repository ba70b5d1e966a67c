"""A small, real, deterministic engine: cash accounts with deposits and transfers.

It exists to test the runtime. "Applied exactly once" is visible in its balances (money is
conserved by transfers, so the total equals the sum of deposits applied), rejections are
journaled events like any engine's, and a negative balance is a broken invariant that raises.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import msgpack

from directbroker.domain.messages import Command, Event, Message
from directbroker.domain.rejects import RejectCode

MAX_AMOUNT = 10**12


@dataclass(frozen=True, slots=True)
class CashDeposit(Command):
    """Add ``amount`` (cents) to ``account``, opening it if new."""

    account: str
    amount: int


@dataclass(frozen=True, slots=True)
class CashTransfer(Command):
    """Move ``amount`` from ``source`` to ``target``; refused if the source is short."""

    source: str
    target: str
    amount: int


@dataclass(frozen=True, slots=True)
class CashDeposited(Event):
    """A deposit was credited; ``balance`` is the account's new balance."""

    account: str
    amount: int
    balance: int


@dataclass(frozen=True, slots=True)
class CashTransferred(Event):
    """A transfer was applied."""

    source: str
    target: str
    amount: int


@dataclass(frozen=True, slots=True)
class CashRejected(Event):
    """A command changed nothing, for the stated reason."""

    code: RejectCode
    detail: str


class CashEngine:
    """Implements :class:`directbroker.engines.core.Core` over a dict of balances."""

    def __init__(self) -> None:
        self.balances: dict[str, int] = {}

    def handle(self, command: Message, ts_ns: int) -> list[Event]:
        """Validate fully, then mutate: there is no rollback."""
        if isinstance(command, CashTransfer):
            return self._transfer(command)
        if isinstance(command, CashDeposit):
            if not 0 < command.amount <= MAX_AMOUNT or not command.account:
                return [CashRejected(RejectCode.MALFORMED, "bad deposit")]
            balance = self.balances.get(command.account, 0) + command.amount
            self.balances[command.account] = balance
            return [CashDeposited(command.account, command.amount, balance)]
        return [CashRejected(RejectCode.MALFORMED, f"unknown command {command.type_tag}")]

    def _transfer(self, command: CashTransfer) -> list[Event]:
        source, target, amount = command.source, command.target, command.amount
        if not 0 < amount <= MAX_AMOUNT or source == target or not target:
            return [CashRejected(RejectCode.MALFORMED, "bad transfer")]
        balances = self.balances
        available = balances.get(source, 0)
        if available < amount:
            return [CashRejected(RejectCode.INSUFFICIENT_BUYING_POWER, "insufficient funds")]
        balances[source] = available - amount
        balances[target] = balances.get(target, 0) + amount
        if balances[source] < 0:  # pragma: no cover - guarded above; an invariant, not input
            raise AssertionError(f"negative balance in {source}")
        return [CashTransferred(source, target, amount)]

    def snapshot(self) -> bytes:
        """Balances sorted by account: equal states give equal bytes."""
        data: bytes = msgpack.packb(sorted(self.balances.items()), use_bin_type=True)
        return data

    def restore(self, data: bytes) -> None:
        """Replace the balances with a snapshot's."""
        self.balances = {str(k): int(v) for k, v in msgpack.unpackb(data, raw=False)}

    def state_hash(self) -> str:
        """sha256 of the canonical snapshot."""
        return hashlib.sha256(self.snapshot()).hexdigest()

    @property
    def total(self) -> int:
        """The sum of all balances (equals the sum of applied deposits)."""
        return sum(self.balances.values())

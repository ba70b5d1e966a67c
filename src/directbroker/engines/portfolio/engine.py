"""The portfolio core: account groups and block allocations, behind the ``Core`` shape.

It knows accounts only by id and takes net liquidation values as command inputs, so it never
reads the ledger; the OMS books each ``BlockAllocated`` allocation into the ledger as executions
at the block's average price.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import msgpack

from directbroker.domain.messages import Event, Message
from directbroker.domain.orders import Side
from directbroker.domain.portfolio_messages import (
    AccountGroupChanged,
    AccountGroupCreated,
    AllocateBlock,
    AllocationMethod,
    BlockAllocated,
    ChangeAccountGroup,
    CreateAccountGroup,
    PortfolioRejected,
)
from directbroker.domain.rejects import RejectCode
from directbroker.engines.portfolio.allocation import AllocationError, allocate

MAX_GROUP_SIZE = 10_000
MAX_ID_LENGTH = 64


@dataclass(frozen=True, slots=True)
class AccountGroup:
    """A named list of accounts; the order is the tie-break order for remainders."""

    group: str
    name: str
    accounts: tuple[str, ...]


class _Refused(Exception):
    def __init__(self, code: RejectCode, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


def _id(value: object, field: str) -> str:
    if type(value) is not str or not 0 < len(value) <= MAX_ID_LENGTH:
        raise _Refused(RejectCode.INVALID_ID, f"{field} {value!r}")
    return value


def _members(value: object) -> tuple[str, ...]:
    if not isinstance(value, tuple) or not 0 < len(value) <= MAX_GROUP_SIZE:
        raise _Refused(RejectCode.MALFORMED, "a group needs 1 to 10,000 accounts")
    accounts = tuple(_id(a, "account") for a in value)
    if len(set(accounts)) != len(accounts):
        raise _Refused(RejectCode.MALFORMED, "an account is listed twice")
    return accounts


class PortfolioCore:
    """Account groups and the allocations made for them."""

    def __init__(self) -> None:
        self._groups: dict[str, AccountGroup] = {}
        self._allocations: dict[str, BlockAllocated] = {}

    def handle(self, command: Message, ts_ns: int) -> list[Event]:
        """Apply one command; refusals become a ``PortfolioRejected``."""
        try:
            if isinstance(command, CreateAccountGroup):
                return self._create(command, ts_ns)
            if isinstance(command, ChangeAccountGroup):
                return self._change(command, ts_ns)
            if isinstance(command, AllocateBlock):
                return self._allocate(command, ts_ns)
            raise _Refused(RejectCode.MALFORMED, f"the portfolio core does not handle {command!r}")
        except _Refused as refused:
            reference = next(
                (
                    v
                    for f in ("allocation_id", "group")
                    if isinstance(v := getattr(command, f, None), str)
                ),
                "",
            )
            return [
                PortfolioRejected(
                    type(command).__name__, reference[:64], refused.code, refused.detail, ts_ns
                )
            ]

    def _create(self, command: CreateAccountGroup, ts_ns: int) -> list[Event]:
        group = _id(command.group, "group")
        accounts = _members(command.accounts)
        name = command.name if type(command.name) is str and len(command.name) <= 256 else None
        if name is None:
            raise _Refused(RejectCode.MALFORMED, "name must be text")
        if group in self._groups:
            raise _Refused(RejectCode.DUPLICATE_GROUP, group)
        self._groups[group] = AccountGroup(group, name, accounts)
        return [AccountGroupCreated(group, accounts, name, ts_ns, command.actor)]

    def _change(self, command: ChangeAccountGroup, ts_ns: int) -> list[Event]:
        group = _id(command.group, "group")
        accounts = _members(command.accounts)
        existing = self._groups.get(group)
        if existing is None:
            raise _Refused(RejectCode.UNKNOWN_GROUP, group)
        self._groups[group] = AccountGroup(group, existing.name, accounts)
        return [AccountGroupChanged(group, accounts, ts_ns, command.actor)]

    def _allocate(self, command: AllocateBlock, ts_ns: int) -> list[Event]:
        allocation_id = _id(command.allocation_id, "allocation_id")
        group = self._groups.get(_id(command.group, "group"))
        if group is None:
            raise _Refused(RejectCode.UNKNOWN_GROUP, str(command.group))
        symbol = _id(command.symbol, "symbol")
        if not isinstance(command.side, Side) or not isinstance(command.method, AllocationMethod):
            raise _Refused(RejectCode.MALFORMED, "side and method must be known values")
        if allocation_id in self._allocations:
            raise _Refused(RejectCode.DUPLICATE_ALLOCATION, allocation_id)
        for field in ("fill_quantities", "fill_prices", "weights"):
            if not isinstance(getattr(command, field), tuple):
                raise _Refused(RejectCode.MALFORMED, f"{field} must be a list")
        try:
            average, residual, quantities = allocate(
                command.method,
                len(group.accounts),
                command.weights,
                command.fill_quantities,
                command.fill_prices,
            )
        except AllocationError as exc:
            raise _Refused(exc.code, exc.detail) from exc
        event = BlockAllocated(
            allocation_id,
            group.group,
            symbol,
            command.side,
            command.method,
            average,
            group.accounts,
            tuple(quantities),
            residual,
            ts_ns,
        )
        self._allocations[allocation_id] = event
        return [event]

    # --- queries -----------------------------------------------------------------------------

    def group(self, group: str) -> AccountGroup | None:
        """A group by id."""
        return self._groups.get(group)

    def allocation(self, allocation_id: str) -> BlockAllocated | None:
        """A past allocation by id."""
        return self._allocations.get(allocation_id)

    # --- Core --------------------------------------------------------------------------------

    def _plain(self) -> dict[str, Any]:
        return {
            "groups": [
                [g.group, g.name, list(g.accounts)] for _, g in sorted(self._groups.items())
            ],
            "allocations": [
                [
                    a.allocation_id,
                    a.group,
                    a.symbol,
                    a.side.value,
                    a.method.value,
                    a.average_price,
                    list(a.accounts),
                    list(a.quantities),
                    a.residual,
                    a.ts_ns,
                ]
                for _, a in sorted(self._allocations.items())
            ],
        }

    def snapshot(self) -> bytes:
        """Canonical bytes of the state."""
        data: bytes = msgpack.packb(self._plain(), use_bin_type=True)
        return data

    def restore(self, data: bytes) -> None:
        """Replace the state with a snapshot's."""
        plain = msgpack.unpackb(data, raw=False, strict_map_key=True)
        self._groups = {g: AccountGroup(g, n, tuple(a)) for g, n, a in plain["groups"]}
        self._allocations = {
            row[0]: BlockAllocated(
                row[0],
                row[1],
                row[2],
                Side(row[3]),
                AllocationMethod(row[4]),
                row[5],
                tuple(row[6]),
                tuple(row[7]),
                row[8],
                row[9],
            )
            for row in plain["allocations"]
        }

    def state_hash(self) -> str:
        """sha256 of the snapshot."""
        return hashlib.sha256(self.snapshot()).hexdigest()

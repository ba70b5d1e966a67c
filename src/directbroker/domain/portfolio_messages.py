"""Institutional portfolio management: account groups, block allocation and rebalancing.

A portfolio manager trades one block for a group of accounts and allocates the fills afterwards.
The allocation result and the proposed rebalancing orders are domain values so the OMS and the
ledger can use them without importing the portfolio engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from directbroker.domain.messages import Command, Event
from directbroker.domain.orders import Side
from directbroker.domain.rejects import RejectCode

PERCENT_SCALE = 10_000
"""Percentages are ints in basis points: 10,000 is 100%."""


class AllocationMethod(str, Enum):
    """How a block's filled quantity is split across a group's accounts.

    EQUAL ignores weights; PERCENT takes basis points summing to exactly 10,000; RATIO takes any
    positive ints; SHARES takes each account's shares of the whole block (a partial fill is
    split pro rata to them); NET_LIQUIDATION takes each account's net liquidation value, as
    supplied by the caller from the ledger at allocation time.
    """

    EQUAL = "equal"
    PERCENT = "percent"
    RATIO = "ratio"
    SHARES = "shares"
    NET_LIQUIDATION = "net_liquidation"


@dataclass(frozen=True, slots=True)
class Allocation:
    """One account's share of a block, all at the block's average price."""

    account: str
    quantity: int
    price: int


@dataclass(frozen=True, slots=True)
class ProposedOrder:
    """An order a rebalance would send, for a person to review first."""

    account: str
    symbol: str
    side: Side
    quantity: int
    reference_price: int


# --- commands -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CreateAccountGroup(Command):
    """Define a group of accounts managed together (their order fixes remainder tie-breaks)."""

    group: str
    accounts: tuple[str, ...]
    name: str = ""
    actor: str = ""
    """Who made the group (a staff user id); the broker core requires one."""


@dataclass(frozen=True, slots=True)
class ChangeAccountGroup(Command):
    """Replace a group's member accounts."""

    group: str
    accounts: tuple[str, ...]
    actor: str = ""
    """Who changed the group (a staff user id); the broker core requires one."""


@dataclass(frozen=True, slots=True)
class AllocateBlock(Command):
    """Allocate a block's fills (``fill_quantities`` at ``fill_prices``) across a group.

    ``weights`` line up with the group's accounts and mean what ``method`` says (empty for
    EQUAL). The fills may be partial: only what filled is allocated.
    """

    allocation_id: str
    group: str
    symbol: str
    side: Side
    fill_quantities: tuple[int, ...]
    fill_prices: tuple[int, ...]
    method: AllocationMethod
    weights: tuple[int, ...] = ()


# --- events ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AccountGroupCreated(Event):
    """A group exists."""

    group: str
    accounts: tuple[str, ...]
    name: str
    ts_ns: int
    actor: str = ""


@dataclass(frozen=True, slots=True)
class AccountGroupChanged(Event):
    """A group's members changed."""

    group: str
    accounts: tuple[str, ...]
    ts_ns: int
    actor: str = ""


@dataclass(frozen=True, slots=True)
class BlockAllocated(Event):
    """A block was allocated. ``quantities`` line up with ``accounts`` and sum to the filled
    quantity; every account gets ``average_price`` (the fills' VWAP rounded half up to $0.0001).
    ``residual`` is the block's exact notional minus ``average_price`` x filled quantity, in
    money units, which the firm's average-price account absorbs. With step-outs, the accounts'
    ``quantities`` sum to what the step-outs leave of the filled quantity."""

    allocation_id: str
    group: str
    symbol: str
    side: Side
    method: AllocationMethod
    average_price: int
    accounts: tuple[str, ...]
    quantities: tuple[int, ...]
    residual: int
    ts_ns: int
    step_out_brokers: tuple[str, ...] = ()
    """Brokers given up part of the block (booked to their give-up accounts at the average
    price); ``quantities`` and ``step_out_quantities`` together sum to the filled quantity."""
    step_out_quantities: tuple[int, ...] = ()

    @property
    def allocations(self) -> tuple[Allocation, ...]:
        """The non-zero allocations as value objects."""
        return tuple(
            Allocation(a, q, self.average_price)
            for a, q in zip(self.accounts, self.quantities, strict=True)
            if q
        )


@dataclass(frozen=True, slots=True)
class PortfolioRejected(Event):
    """The portfolio core refused a command; nothing changed."""

    command: str
    reference: str
    code: RejectCode
    detail: str
    ts_ns: int

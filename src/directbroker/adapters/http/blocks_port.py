"""The institutional desk's port: account groups, block orders and group exposure.

Commands are the broker core's (``PlaceBlockOrder``, ``InstructBlockAllocation``,
``CreateAccountGroup`` ...), built by the routes with the caller as ``actor``; the port admits
them through the platform's bounded gate and answers once they are durable, raising
:class:`~directbroker.adapters.http.ports.PortRejection` when the core refused (nothing
changed). Views come from read models fed by committed events, never from a core. Who may see
which group is the routes' business (:meth:`Principal.manages`), not the port's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from directbroker.domain.block_messages import InstructBlockAllocation, PlaceBlockOrder
from directbroker.domain.orders import Side
from directbroker.domain.portfolio_messages import ChangeAccountGroup, CreateAccountGroup

if TYPE_CHECKING:
    from directbroker.adapters.http.ports import OrderView


@dataclass(frozen=True, slots=True)
class GroupView:
    """An account group: its members in allocation order (the remainder tie-break order)."""

    group: str
    name: str
    accounts: tuple[str, ...]
    changed_by: str
    created_ns: int
    updated_ns: int


@dataclass(frozen=True, slots=True)
class AllocationView:
    """One account's share of a block, at the block's average price."""

    account: str
    quantity: int
    price: int


@dataclass(frozen=True, slots=True)
class StepOutView:
    """Shares of a block given up to another broker-dealer: ``quantity`` as instructed (of the
    whole block), ``allocated`` what was booked to its give-up account (None until then)."""

    broker: str
    quantity: int
    allocated: int | None = None


@dataclass(frozen=True, slots=True)
class BlockView:
    """A block order as its manager sees it. ``order`` is the parent as the router works it
    (status, fills, average price, venue children); ``shares`` each account's share of the
    whole block as pre-trade risk checked it; ``allocations`` what was booked.

    ``status``: ``working`` (the parent is not done), ``awaiting_allocation`` (done, filled,
    no instruction yet), ``allocated``, or ``finished`` (done with nothing filled)."""

    block_id: str
    client_order_id: str
    group: str
    accounts: tuple[str, ...]
    shares: tuple[int, ...]
    symbol: str
    side: Side
    quantity: int
    parent_account: str
    method: str
    weights: tuple[int, ...]
    manager: str
    placed_ns: int
    status: str
    order: OrderView | None = None
    allocations: tuple[AllocationView, ...] = ()
    average_price: int | None = None
    residual: int = 0
    allocated_ns: int | None = None
    step_outs: tuple[StepOutView, ...] = ()


@dataclass(frozen=True, slots=True)
class AccountExposure:
    """One account's values and P&L (money in $0.0001) and whether it is in a margin call."""

    account: str
    equity: int
    cash: int
    long_value: int
    short_value: int
    unrealized_pnl: int
    realized_pnl: int
    day_pnl: int
    margin_deficiency: int


@dataclass(frozen=True, slots=True)
class SymbolExposure:
    """A symbol across the group: long and short holdings and its share of gross exposure."""

    symbol: str
    long_quantity: int
    short_quantity: int
    long_value: int
    short_value: int
    share_bps: int


@dataclass(frozen=True, slots=True)
class GroupExposure:
    """A group's exposure and P&L, by account and by symbol, as of the accounts' last
    commits."""

    group: str
    accounts: tuple[AccountExposure, ...]
    symbols: tuple[SymbolExposure, ...]


class BlocksPort(Protocol):
    """Groups, blocks and exposure."""

    def groups(self) -> list[GroupView]:
        """Every account group, by id."""
        ...

    def group(self, group_id: str) -> GroupView | None:
        """One group; None when there is none."""
        ...

    def blocks(self, groups: frozenset[str] | None) -> list[BlockView]:
        """Blocks of ``groups`` (None: every group), newest first."""
        ...

    def block(self, block_id: str) -> BlockView | None:
        """One block by id (the routes check the caller manages its group)."""
        ...

    def exposure(self, group_id: str) -> GroupExposure | None:
        """A group's exposure and P&L; None for an unknown group."""
        ...

    async def place_block(self, command: PlaceBlockOrder) -> BlockView:
        """Place a block; answered once durable with the block as first recorded."""
        ...

    async def instruct(self, command: InstructBlockAllocation) -> BlockView:
        """Give a block its allocation instruction (booked at once if its parent is done)."""
        ...

    async def cancel_block(self, block_id: str, actor: str = "") -> BlockView:
        """Cancel what is left of a block's parent (its fills are then allocated); ``actor``
        is who asked, for the order ticket."""
        ...

    async def change_group(self, command: CreateAccountGroup | ChangeAccountGroup) -> GroupView:
        """Create a group or replace its members (staff); answered once durable."""
        ...

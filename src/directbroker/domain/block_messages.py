"""Block orders: one order for an account group, worked as one parent, allocated after it fills.

A portfolio manager places a block for a group; the broker core works it as one parent order in
the firm's average-price account (so the router and the venues see one order), and once the
parent is done books each account's share at the fills' average price. How the fills are split
is the allocation instruction: given with the order (pre-allocation, as FIX AllocAccount 79 /
AllocQty 80 in the NoAllocs 78 group carry it) or sent afterwards
(:class:`InstructBlockAllocation`). The split itself is
:func:`directbroker.engines.portfolio.allocate`; the events are
:class:`~directbroker.domain.portfolio_messages.BlockAllocated` and the ledger's executions.
"""

from __future__ import annotations

from dataclasses import dataclass

from directbroker.domain.messages import Command, Event
from directbroker.domain.orders import OrderType, Side, TimeInForce
from directbroker.domain.portfolio_messages import AllocationMethod
from directbroker.domain.rejects import RejectCode
from directbroker.domain.routing import SMART

AVERAGE_PRICE_ACCOUNT = "FIRM-AVGPX"
"""The firm's average-price account, where every block's parent order lives and fills: it
holds the street's fills until they are allocated and keeps the rounding residual."""

STEP_OUT_PREFIX = "STEPOUT-"
"""A step-out broker's give-up account is this prefix and the broker's id (``STEPOUT-GSCO``)."""
MAX_STEP_OUTS = 8
"""Step-outs one block may name (FIX allocations to other brokers are a handful at most)."""


def step_out_account(broker: str) -> str:
    """The give-up account of step-out broker ``broker``."""
    return STEP_OUT_PREFIX + broker


@dataclass(frozen=True, slots=True)
class PlaceBlockOrder(Command):
    """A block for ``group``. ``method`` (with ``weights`` lined up with the group's accounts,
    or ``accounts``/``quantities`` naming each account's shares) is the allocation instruction
    given with the order; without one the block waits for an
    :class:`InstructBlockAllocation` after it fills. ``actor`` is the manager's user id."""

    block_id: str
    client_order_id: str
    group: str
    symbol: str
    side: Side
    order_type: OrderType
    quantity: int
    actor: str
    limit_price: int | None = None
    time_in_force: TimeInForce = TimeInForce.DAY
    route: str = SMART
    method: AllocationMethod | None = None
    weights: tuple[int, ...] = ()
    accounts: tuple[str, ...] = ()
    quantities: tuple[int, ...] = ()
    step_out_brokers: tuple[str, ...] = ()
    """Brokers (MPID-like ids) given up part of the block; lined up with
    ``step_out_quantities``, shares of the whole block. The group's accounts split the rest."""
    step_out_quantities: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class InstructBlockAllocation(Command):
    """How to allocate a block (replacing any instruction it had): applied at once when its
    parent is already done, else when it is. ``weights`` line up with the block's accounts;
    or ``accounts``/``quantities`` name the accounts and their shares (the rest get none).
    ``step_out_brokers``/``step_out_quantities`` give shares of the block up to other brokers
    (replacing any step-outs given before)."""

    block_id: str
    actor: str
    method: AllocationMethod
    weights: tuple[int, ...] = ()
    accounts: tuple[str, ...] = ()
    quantities: tuple[int, ...] = ()
    step_out_brokers: tuple[str, ...] = ()
    step_out_quantities: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class BlockOrderPlaced(Event):
    """A block was accepted and its parent ``block_id`` placed in ``parent_account``.
    ``shares`` are each account's share of the whole block as pre-trade risk checked it."""

    block_id: str
    client_order_id: str
    group: str
    accounts: tuple[str, ...]
    shares: tuple[int, ...]
    parent_account: str
    symbol: str
    side: Side
    quantity: int
    method: str
    weights: tuple[int, ...]
    actor: str
    ts_ns: int
    step_out_brokers: tuple[str, ...] = ()
    step_out_quantities: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class BlockAllocationInstructed(Event):
    """A block has a (new) allocation instruction; ``weights`` line up with its accounts."""

    block_id: str
    method: AllocationMethod
    weights: tuple[int, ...]
    actor: str
    ts_ns: int
    step_out_brokers: tuple[str, ...] = ()
    step_out_quantities: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class BlockRejected(Event):
    """The broker core refused a block command (``command``); nothing changed."""

    command: str
    block_id: str
    group: str
    code: RejectCode
    message: str
    ts_ns: int


@dataclass(frozen=True, slots=True)
class BlockFinished(Event):
    """A block's parent is done and nothing more will be allocated: it filled nothing, or its
    fills were allocated (``allocated`` shares)."""

    block_id: str
    filled: int
    allocated: int
    ts_ns: int


BLOCK_COMMANDS = (PlaceBlockOrder, InstructBlockAllocation)
"""The block commands the broker core takes."""

"""The institutional desk's read model: account groups and block orders, from committed events.

Rebuilt from the broker journal at start-up and fed every broker commit on the API's event loop
(as the other edge read models are, docs/adr/0011), so a manager's queries never touch the
broker core. A block's parent order (its status, fills and venue children) is the orders read
model's; this model keeps what is the block's own: its accounts, its instruction and its
allocations.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from directbroker.adapters.http.blocks_port import (
    AllocationView,
    BlockView,
    GroupView,
    StepOutView,
)
from directbroker.domain.block_messages import (
    BlockAllocationInstructed,
    BlockFinished,
    BlockOrderPlaced,
)
from directbroker.domain.messages import Event
from directbroker.domain.portfolio_messages import (
    AccountGroupChanged,
    AccountGroupCreated,
    BlockAllocated,
)

WORKING = "working"
AWAITING = "awaiting_allocation"
ALLOCATED = "allocated"
FINISHED = "finished"


class BlockViews:
    """Groups and blocks by id. Owned by the API's event loop."""

    def __init__(self) -> None:
        self.groups: dict[str, GroupView] = {}
        self.blocks: dict[str, BlockView] = {}
        self._order: list[str] = []

    def apply(self, events: Iterable[Event]) -> set[str]:
        """Take in one commit's events; returns the groups whose members changed."""
        changed: set[str] = set()
        for event in events:
            if isinstance(event, AccountGroupCreated):
                self.groups[event.group] = GroupView(
                    event.group, event.name, event.accounts, event.actor, event.ts_ns, event.ts_ns
                )
                changed.add(event.group)
            elif isinstance(event, AccountGroupChanged):
                old = self.groups.get(event.group)
                name, created = (old.name, old.created_ns) if old else ("", event.ts_ns)
                self.groups[event.group] = GroupView(
                    event.group, name, event.accounts, event.actor, created, event.ts_ns
                )
                changed.add(event.group)
            elif isinstance(event, BlockOrderPlaced):
                self._placed(event)
            elif isinstance(event, BlockAllocationInstructed):
                self._update(
                    event.block_id, method=event.method.value, weights=event.weights,
                    step_outs=_step_outs(event.step_out_brokers, event.step_out_quantities),
                )  # fmt: skip
            elif isinstance(event, BlockAllocated):
                allocations = tuple(
                    AllocationView(a, q, event.average_price)
                    for a, q in zip(event.accounts, event.quantities, strict=True)
                )
                self._update(
                    event.allocation_id, allocations=allocations, status=ALLOCATED,
                    average_price=event.average_price, residual=event.residual,
                    allocated_ns=event.ts_ns, method=event.method.value,
                )  # fmt: skip
                self._given_up(event)
            elif isinstance(event, BlockFinished) and not event.allocated:
                self._update(event.block_id, status=FINISHED)
        return changed

    def _placed(self, event: BlockOrderPlaced) -> None:
        self.blocks[event.block_id] = BlockView(
            event.block_id, event.client_order_id, event.group, event.accounts, event.shares,
            event.symbol, event.side, event.quantity, event.parent_account, event.method,
            event.weights, event.actor, event.ts_ns, WORKING,
            step_outs=_step_outs(event.step_out_brokers, event.step_out_quantities),
        )  # fmt: skip
        self._order.append(event.block_id)

    def _given_up(self, event: BlockAllocated) -> None:
        view = self.blocks.get(event.allocation_id)
        if view is None:
            return
        booked = dict(zip(event.step_out_brokers, event.step_out_quantities, strict=True))
        step_outs = tuple(
            dataclasses.replace(s, allocated=booked.get(s.broker, 0)) for s in view.step_outs
        )
        self._update(event.allocation_id, step_outs=step_outs)

    def _update(self, block_id: str, **changes: object) -> None:
        view = self.blocks.get(block_id)
        if view is not None:
            self.blocks[block_id] = dataclasses.replace(view, **changes)  # type: ignore[arg-type]

    def newest_first(self) -> list[BlockView]:
        """Every block, newest first."""
        return [self.blocks[block_id] for block_id in reversed(self._order)]


def _step_outs(brokers: tuple[str, ...], quantities: tuple[int, ...]) -> tuple[StepOutView, ...]:
    return tuple(StepOutView(b, q) for b, q in zip(brokers, quantities, strict=True))

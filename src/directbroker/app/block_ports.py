"""The institutional desk's port bound to the platform: block and group commands through the
bounded gate, views from :class:`~directbroker.app.block_views.BlockViews`, the orders read
model (a block's parent) and the accounts read model (exposure and P&L).

Runs on the API's event loop only: every view is the loop's own read model.
"""

from __future__ import annotations

import dataclasses

from directbroker.adapters.http.blocks_port import (
    AccountExposure,
    BlockView,
    GroupExposure,
    GroupView,
    SymbolExposure,
)
from directbroker.adapters.http.ports import PortRejection
from directbroker.app.api_ports import CommandGate, EdgeModels
from directbroker.app.block_views import AWAITING, WORKING, BlockViews
from directbroker.domain.accounts import PositionView
from directbroker.domain.block_messages import (
    BlockRejected,
    InstructBlockAllocation,
    PlaceBlockOrder,
)
from directbroker.domain.broker_messages import (
    BrokerCommandRejected,
    CancelCustomerOrder,
    CustomerOrderRejected,
)
from directbroker.domain.messages import Command
from directbroker.domain.order_status import TERMINAL_STATUSES
from directbroker.domain.portfolio_messages import ChangeAccountGroup, CreateAccountGroup
from directbroker.domain.rejects import RejectCode
from directbroker.engines.portfolio import concentration, exposure_by_symbol


class PlatformBlocks:
    """:class:`~directbroker.adapters.http.blocks_port.BlocksPort` over the platform."""

    def __init__(self, gate: CommandGate, views: BlockViews, models: EdgeModels) -> None:
        self._gate = gate
        self._views = views
        self._models = models

    async def _submit(self, command: Command) -> None:
        for event in await self._gate.submit(command):
            if isinstance(event, BlockRejected | BrokerCommandRejected | CustomerOrderRejected):
                raise PortRejection(event.code, event.message)

    # --- views -------------------------------------------------------------------------------

    def groups(self) -> list[GroupView]:
        return [view for _, view in sorted(self._views.groups.items())]

    def group(self, group_id: str) -> GroupView | None:
        return self._views.groups.get(group_id)

    def blocks(self, groups: frozenset[str] | None) -> list[BlockView]:
        return [
            self._complete(view)
            for view in self._views.newest_first()
            if groups is None or view.group in groups
        ]

    def block(self, block_id: str) -> BlockView | None:
        view = self._views.blocks.get(block_id)
        return None if view is None else self._complete(view)

    def _complete(self, view: BlockView) -> BlockView:
        """The block with its parent as the orders read model has it now."""
        order = self._models.here().orders.order(view.block_id)
        status = view.status
        if status == WORKING and order is not None and order.status in TERMINAL_STATUSES:
            status = AWAITING
        return dataclasses.replace(view, order=order, status=status)

    def exposure(self, group_id: str) -> GroupExposure | None:
        group = self._views.groups.get(group_id)
        if group is None:
            return None
        book = self._models.here().accounts
        rows: list[AccountExposure] = []
        positions: list[PositionView] = []
        for account in group.accounts:
            state = book.state(account)
            if state is None:
                continue
            values = state.values
            positions.extend(state.positions)
            rows.append(
                AccountExposure(
                    account, values.equity, values.cash, values.long_market_value,
                    values.short_market_value, values.unrealized_pnl, values.realized_pnl,
                    values.day_pnl, values.margin_deficiency,
                )
            )  # fmt: skip
        shares = {row.symbol: row.share_bps for row in concentration(positions)}
        symbols = tuple(
            SymbolExposure(
                e.symbol, e.long_quantity, e.short_quantity, e.long_value, e.short_value,
                shares.get(e.symbol, 0),
            )
            for e in exposure_by_symbol(positions)
        )  # fmt: skip
        return GroupExposure(group_id, tuple(rows), symbols)

    # --- commands ------------------------------------------------------------------------------

    async def place_block(self, command: PlaceBlockOrder) -> BlockView:
        await self._submit(command)
        return self._known(command.block_id)

    async def instruct(self, command: InstructBlockAllocation) -> BlockView:
        await self._submit(command)
        return self._known(command.block_id)

    async def cancel_block(self, block_id: str, actor: str = "") -> BlockView:
        view = self._known(block_id)
        if view.order is None or view.order.status in TERMINAL_STATUSES:
            raise PortRejection(RejectCode.REPLACE_TOO_LATE, "the block is no longer working")
        await self._submit(CancelCustomerOrder(block_id, view.parent_account, actor))
        return self._known(block_id)

    async def change_group(self, command: CreateAccountGroup | ChangeAccountGroup) -> GroupView:
        await self._submit(command)
        view = self._views.groups.get(command.group)
        if view is None:
            raise PortRejection(RejectCode.UNKNOWN_GROUP, f"no group {command.group}")
        return view

    def _known(self, block_id: str) -> BlockView:
        view = self.block(block_id)
        if view is None:
            raise PortRejection(RejectCode.UNKNOWN_BLOCK, f"no block {block_id}")
        return view

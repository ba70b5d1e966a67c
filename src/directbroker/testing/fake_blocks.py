"""The fake platform's institutional desk: groups and block orders over :class:`FakeTrading`.

A block fills at once at the symbol's fixed price (as the fake fills market orders); its
allocation, given with the order or afterwards, splits the fill with the real allocation
function and books each share as a market order of that account in the fake broker, so each
account holds its exact share at the block's price. Good enough to drive the API's block routes
in tests; the real platform works a block as one parent at the venues.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from directbroker.adapters.http import PortRejection
from directbroker.adapters.http.blocks_port import (
    AccountExposure,
    AllocationView,
    BlockView,
    GroupExposure,
    GroupView,
    SymbolExposure,
)
from directbroker.domain.block_messages import InstructBlockAllocation, PlaceBlockOrder
from directbroker.domain.broker_messages import PlaceOrder
from directbroker.domain.orders import OrderType
from directbroker.domain.portfolio_messages import (
    AllocationMethod,
    ChangeAccountGroup,
    CreateAccountGroup,
)
from directbroker.domain.rejects import RejectCode
from directbroker.engines.broker.blocks import Instruction, instruction
from directbroker.engines.portfolio import AllocationError, allocate, exposure_by_symbol
from directbroker.testing.fake_trading import FakeTrading

FAKE_AVERAGE_PRICE_ACCOUNT = "FAKE-AVGPX"


class FakeBlocks:
    """:class:`~directbroker.adapters.http.blocks_port.BlocksPort` over the fake broker."""

    def __init__(
        self,
        trading: FakeTrading,
        now_ns: Callable[[], int],
        on_group: Callable[[str, tuple[str, ...]], None],
    ) -> None:
        self._trading = trading
        self._now = now_ns
        self._on_group = on_group
        self._groups: dict[str, GroupView] = {}
        self._blocks: dict[str, BlockView] = {}

    def seed_group(self, group: str, name: str, accounts: tuple[str, ...]) -> None:
        """A group that exists from the start (the fake platform's group G)."""
        now = self._now()
        self._groups[group] = GroupView(group, name, accounts, "system:seed", now, now)
        self._on_group(group, accounts)

    def groups(self) -> list[GroupView]:
        return [view for _, view in sorted(self._groups.items())]

    def group(self, group_id: str) -> GroupView | None:
        return self._groups.get(group_id)

    def blocks(self, groups: frozenset[str] | None) -> list[BlockView]:
        views = sorted(self._blocks.values(), key=lambda v: v.placed_ns, reverse=True)
        return [v for v in views if groups is None or v.group in groups]

    def block(self, block_id: str) -> BlockView | None:
        return self._blocks.get(block_id)

    def exposure(self, group_id: str) -> GroupExposure | None:
        group = self._groups.get(group_id)
        if group is None:
            return None
        rows, held = [], []
        for account in group.accounts:
            positions = self._trading._positions(account)
            held.extend(positions)
            cash = self._trading._account(account).cash
            long_value = sum(p.market_value for p in positions if p.quantity > 0)
            short_value = -sum(p.market_value for p in positions if p.quantity < 0)
            unrealized = sum(p.unrealized_pnl for p in positions)
            rows.append(
                AccountExposure(
                    account, cash + long_value - short_value, cash, long_value, short_value,
                    unrealized, 0, unrealized, 0,
                )
            )  # fmt: skip
        symbols = tuple(
            SymbolExposure(
                e.symbol, e.long_quantity, e.short_quantity, e.long_value, e.short_value, 0
            )
            for e in exposure_by_symbol(held)
        )
        return GroupExposure(group_id, tuple(rows), symbols)

    async def place_block(self, command: PlaceBlockOrder) -> BlockView:
        group = self._groups.get(command.group)
        if group is None:
            raise PortRejection(RejectCode.UNKNOWN_GROUP, f"no group {command.group}")
        _no_step_outs(command)
        price = self._trading.prices.get(command.symbol)
        if price is None:
            raise PortRejection(RejectCode.UNKNOWN_SYMBOL, command.symbol)
        method, weights = "", tuple[int, ...]()
        if command.method is not None or command.accounts:
            given = self._instruction(group.accounts, command, command.quantity)
            method, weights = given.method.value, given.weights
        view = BlockView(
            command.block_id, command.client_order_id, group.group, group.accounts,
            tuple(0 for _ in group.accounts), command.symbol, command.side, command.quantity,
            FAKE_AVERAGE_PRICE_ACCOUNT, method, weights, command.actor, self._now(),
            "awaiting_allocation", average_price=price,
        )  # fmt: skip
        self._blocks[view.block_id] = view
        if method:
            await self._book(view, AllocationMethod(method), weights)
        return self._blocks[view.block_id]

    async def instruct(self, command: InstructBlockAllocation) -> BlockView:
        view = self._blocks.get(command.block_id)
        if view is None:
            raise PortRejection(RejectCode.UNKNOWN_BLOCK, command.block_id)
        if view.status != "awaiting_allocation":
            raise PortRejection(RejectCode.BLOCK_ALREADY_ALLOCATED, command.block_id)
        _no_step_outs(command)
        given = self._instruction(view.accounts, command, 0)
        await self._book(view, given.method, given.weights)
        return self._blocks[view.block_id]

    async def cancel_block(self, block_id: str, actor: str = "") -> BlockView:
        if block_id not in self._blocks:
            raise PortRejection(RejectCode.UNKNOWN_BLOCK, block_id)
        raise PortRejection(RejectCode.REPLACE_TOO_LATE, "the block is no longer working")

    async def change_group(self, command: CreateAccountGroup | ChangeAccountGroup) -> GroupView:
        old = self._groups.get(command.group)
        if isinstance(command, CreateAccountGroup) and old is not None:
            raise PortRejection(RejectCode.DUPLICATE_GROUP, command.group)
        if isinstance(command, ChangeAccountGroup) and old is None:
            raise PortRejection(RejectCode.UNKNOWN_GROUP, command.group)
        for account in command.accounts:
            self._trading._account(account)
        now = self._now()
        name = command.name if isinstance(command, CreateAccountGroup) else old.name  # type: ignore[union-attr]
        created = old.created_ns if old is not None else now
        view = GroupView(command.group, name, command.accounts, command.actor, created, now)
        self._groups[command.group] = view
        self._on_group(view.group, view.accounts)
        return view

    def _instruction(
        self,
        accounts: tuple[str, ...],
        command: PlaceBlockOrder | InstructBlockAllocation,
        whole: int,
    ) -> Instruction:
        method = command.method if command.method is not None else AllocationMethod.SHARES
        answer = instruction(
            accounts, method, command.weights, command.accounts, command.quantities, whole
        )
        if not isinstance(answer, Instruction):
            raise PortRejection(*answer)
        return answer

    async def _book(
        self, view: BlockView, method: AllocationMethod, weights: tuple[int, ...]
    ) -> None:
        price = view.average_price or 0
        if method is AllocationMethod.NET_LIQUIDATION:
            method, weights = AllocationMethod.EQUAL, ()
        try:
            average, residual, quantities = allocate(
                method, len(view.accounts), weights, (view.quantity,), (price,)
            )
        except AllocationError as exc:
            raise PortRejection(exc.code, exc.detail) from None
        for index, (account, quantity) in enumerate(zip(view.accounts, quantities, strict=True)):
            if quantity:
                await self._trading.place_order(
                    PlaceOrder(
                        f"{view.block_id}.{index}",
                        f"{view.block_id}.{index}",
                        account,
                        view.symbol,
                        view.side,
                        OrderType.MARKET,
                        quantity,
                    )
                )
        self._blocks[view.block_id] = dataclasses.replace(
            view, status="allocated", method=method.value, weights=weights,
            shares=tuple(quantities), average_price=average, residual=residual,
            allocated_ns=self._now(),
            allocations=tuple(AllocationView(a, q, average)
                              for a, q in zip(view.accounts, quantities, strict=True)),
        )  # fmt: skip


def _no_step_outs(command: PlaceBlockOrder | InstructBlockAllocation) -> None:
    """This in-memory desk books no give-ups: it says so rather than drop the step-outs."""
    if command.step_out_brokers or command.step_out_quantities:
        raise PortRejection(
            RejectCode.INVALID_STEP_OUT,
            "the in-memory desk does not model step-outs; the platform's desk does",
        )

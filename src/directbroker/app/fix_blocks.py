"""Block orders for the FIX order entry application, through the institutional desk's port.

A NewOrderSingle whose Account (1) is one of the session's groups is placed as a block
(:func:`~directbroker.adapters.fix.block_entry.new_block`) under an id carrying the session's
prefix, like its other orders. The block's parent is an order of the firm's average-price
account, so the session also follows that account's trade updates; each update of one of its
blocks is shown to the client as the group's order (Account (1) = the group, the block's
ClOrdID), the group read from the blocks read model, which is fed by the same committed
events before the update is published. Nothing here reads a core. A cancel of the block's
ClOrdID cancels what is left of the block (its fills are then allocated).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable

from directbroker.adapters.fix.block_entry import new_block
from directbroker.adapters.fix.terms import FixRefusal
from directbroker.adapters.http.blocks_port import BlocksPort
from directbroker.adapters.http.ports import OrderView, PortBusy, PortRejection, TradingPort
from directbroker.app.fix_changes import busy_detail
from directbroker.app.fix_reporting import SessionState
from directbroker.domain.block_messages import AVERAGE_PRICE_ACCOUNT
from directbroker.domain.rejects import RejectCode
from directbroker.protocols.fix.effects import ApplicationMessage

Refuse = Callable[[RejectCode, str], None]
"""How a refused block is answered: an ExecutionReport OrdStatus 8 with the code."""


def followed_accounts(session: SessionState) -> frozenset[str]:
    """The accounts whose trade updates a session follows: its own, and the average-price
    account when it may place blocks."""
    accounts = session.terms.accounts
    return accounts | {AVERAGE_PRICE_ACCOUNT} if session.terms.groups else accounts


class FixBlocks:
    """Placing, finding and cancelling a session's blocks."""

    def __init__(self, blocks: BlocksPort | None, trading: TradingPort) -> None:
        self._blocks = blocks
        self._trading = trading

    def as_group(self, view: OrderView) -> OrderView:
        """A block's parent as the client sees it: the group's order; any other unchanged."""
        if view.account != AVERAGE_PRICE_ACCOUNT or self._blocks is None:
            return view
        block = self._blocks.block(view.order_id)
        return view if block is None else dataclasses.replace(view, account=block.group)

    def is_block(self, view: OrderView) -> bool:
        """Whether ``view`` (as :meth:`as_group` shows it) is a block's parent."""
        return self._blocks is not None and self._blocks.block(view.order_id) is not None

    async def find(
        self, session: SessionState, group: str, cl_ord_id: str, order_id: str
    ) -> OrderView | None:
        """The session's block for ``group`` by ClOrdID or OrderID, shown as the group's."""
        view = await self._trading.get_order_by_client_id(AVERAGE_PRICE_ACCOUNT, cl_ord_id)
        if view is None and order_id:
            view = await self._trading.get_order(order_id)
        if view is None or not view.order_id.startswith(session.prefix):
            return None
        shown = self.as_group(view)
        return shown if shown.account == group else None

    async def cancel(self, view: OrderView, actor: str = "") -> None:
        """Cancel what is left of the block whose parent is ``view`` (``actor``: who asked)."""
        if self._blocks is None:
            raise PortRejection(RejectCode.UNKNOWN_BLOCK, f"no block {view.order_id}")
        await self._blocks.cancel_block(view.order_id, actor)

    async def place(
        self,
        session: SessionState,
        received: ApplicationMessage,
        block_id: str,
        refuse: Refuse,
        send_status: Callable[[OrderView], Awaitable[None]],
    ) -> None:
        """Place the block a NewOrderSingle for a group asks for; refusals through ``refuse``
        (business refusals raise :class:`FixRefusal`, as for any order)."""
        message = received.message
        group = message.get(1) or ""
        members = None
        if self._blocks is not None:
            known = self._blocks.group(group)
            members = None if known is None else known.accounts
        try:
            command = new_block(message, session.terms, block_id, session.terms.session_id, members)
        except FixRefusal as refusal:
            if refusal.business is not None:
                raise
            refuse(refusal.code, refusal.detail)
            return
        assert self._blocks is not None
        cl_ord_id = command.client_order_id
        if received.possible_duplicate:
            existing = await self.find(session, group, cl_ord_id, "")
            if existing is not None:
                await send_status(existing)
                return
        if await self._trading.get_order_by_client_id(AVERAGE_PRICE_ACCOUNT, cl_ord_id):
            # Every block's parent shares the average-price account: its client ids must be
            # unique there, as an account's are (the blocks port does not check it).
            refuse(RejectCode.DUPLICATE_ORDER_ID, "ClOrdID (11) is already used by a block")
            return
        try:
            await self._blocks.place_block(command)
        except PortRejection as rejection:
            refuse(rejection.code, rejection.message)
        except PortBusy as busy:
            if await self.find(session, group, cl_ord_id, "") is None:
                refuse(RejectCode.OVERLOADED, busy_detail(busy))

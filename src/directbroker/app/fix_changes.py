"""OrderCancelRequest and OrderCancelReplaceRequest against the trading port.

A cancel or replace names the order by the ClOrdID the client knows (OrigClOrdID, any ClOrdID
of its chain) or by our OrderID; only the session's own orders are found. Accepted requests
are reported by the trade updates that follow (pending cancel, canceled, pending replace,
replaced); refused ones get an OrderCancelReject with CxlRejResponseTo (434) and CxlRejReason
(102), and Text (58) starting with the stable reject code. Nothing changes on a refusal.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from directbroker.adapters.fix.order_entry import (
    cancel_request,
    check_replace_terms,
    entered_by,
    replace_request,
)
from directbroker.adapters.fix.reports import NONE, CancelRefused, Outbound, cancel_reject
from directbroker.adapters.fix.terms import FixRefusal
from directbroker.adapters.http.ports import OrderView, PortBusy, PortRejection, TradingPort
from directbroker.app.fix_reporting import OrderChains, PendingIds, SessionState
from directbroker.domain.broker_messages import ReplaceCustomerOrder
from directbroker.domain.order_status import OrdStatus
from directbroker.domain.rejects import RejectCode
from directbroker.protocols.fix.message import FixMessage

if TYPE_CHECKING:
    from directbroker.app.fix_blocks import FixBlocks

Emit = Callable[[SessionState, Outbound], None]


def busy_detail(busy: PortBusy) -> str:
    """What a client refused as busy is told (after the code): why, and when to retry."""
    return f"the platform is busy ({busy.reason}); retry in {busy.retry_after:g} s"


class OrderChanges:
    """Cancels and replaces for the order entry application."""

    def __init__(
        self,
        trading: TradingPort,
        chains: OrderChains,
        emit: Emit,
        new_order_id: Callable[[SessionState], str],
        blocks: FixBlocks,
    ) -> None:
        self._trading = trading
        self._blocks = blocks
        self._chains = chains
        self._emit = emit
        self._new_order_id = new_order_id

    async def find(
        self, session: SessionState, account: str, cl_ord_id: str, order_id: str
    ) -> OrderView | None:
        """The session's order by ClOrdID (any in its chain) or OrderID, as it is now; for a
        group, the session's block for it."""
        if account in session.terms.groups:
            return await self._blocks.find(session, account, cl_ord_id, order_id)
        view = await self._trading.get_order_by_client_id(account, cl_ord_id)
        if view is None and order_id:
            view = await self._trading.get_order(order_id)
        if view is None or view.account != account or not view.order_id.startswith(session.prefix):
            return None
        return await self._chains.current(view)

    async def _refuse(
        self,
        session: SessionState,
        ids: PendingIds,
        replace: bool,
        refusal: FixRefusal,
        view: OrderView | None,
    ) -> None:
        order_id, status, account = NONE, OrdStatus.REJECTED, ""
        if view is not None:
            facts = await self._chains.facts(view)
            order_id, status, account = facts.order_id, facts.status, view.account
        refused = CancelRefused(
            ids.cl_ord_id,
            ids.orig_cl_ord_id,
            replace,
            refusal.code,
            refusal.text,
            order_id=order_id,
            status=status,
            account=account,
        )
        self._emit(session, cancel_reject(session.version, refused))

    @staticmethod
    def _working(view: OrderView | None, ids: PendingIds, account: str) -> OrderView:
        if view is None:
            raise FixRefusal(
                RejectCode.UNKNOWN_ORDER, f"no order {ids.orig_cl_ord_id} in account {account}"
            )
        if view.status.is_terminal:
            raise FixRefusal(
                RejectCode.REPLACE_TOO_LATE, f"the order is already {view.status.value}"
            )
        return view

    async def cancel(self, session: SessionState, message: FixMessage) -> None:
        """Handle an OrderCancelRequest (F)."""
        ids = _ids_of(message)
        view: OrderView | None = None
        try:
            request = cancel_request(message, session.terms)
            ids = PendingIds(request.cl_ord_id, request.orig_cl_ord_id)
            view = await self.find(session, request.account, ids.orig_cl_ord_id, request.order_id)
            view = self._working(view, ids, request.account)
            pending = PendingIds(ids.cl_ord_id, view.client_order_id)
            cancel: Awaitable[object]
            actor = entered_by(message, session.terms)
            if request.account in session.terms.groups:
                cancel = self._blocks.cancel(view, actor)
            else:
                cancel = self._trading.cancel_order(view.account, view.order_id, actor)
            await _pending(session.cancels, view.order_id, pending, cancel)
        except FixRefusal as refusal:
            if refusal.business is not None:
                raise
            await self._refuse(session, ids, False, refusal, view)

    async def replace(self, session: SessionState, message: FixMessage) -> None:
        """Handle an OrderCancelReplaceRequest (G): the new ClOrdID names the new terms."""
        ids = _ids_of(message)
        view: OrderView | None = None
        try:
            request = replace_request(message, session.terms)
            ids = PendingIds(request.cl_ord_id, request.orig_cl_ord_id)
            view = await self.find(session, request.account, ids.orig_cl_ord_id, request.order_id)
            view = self._working(view, ids, request.account)
            check_replace_terms(request, view)
            base = await self._chains.base(view)
            command = ReplaceCustomerOrder(
                order_id=view.order_id,
                account=view.account,
                # FIX OrderQty covers the chain; the platform's, this order and what follows.
                quantity=request.quantity - base.cum_quantity,
                limit_price=request.limit_price,
                stop_price=request.stop_price,
                new_order_id=self._new_order_id(session),
                new_client_order_id=request.cl_ord_id,
                actor=entered_by(message, session.terms),
            )
            if command.quantity <= view.filled_quantity:
                filled = base.cum_quantity + view.filled_quantity
                raise FixRefusal(
                    RejectCode.QUANTITY_NOT_POSITIVE,
                    f"OrderQty (38) {request.quantity} must be above the {filled} filled",
                )
            pending = PendingIds(ids.cl_ord_id, view.client_order_id)
            replace = self._trading.replace_order(command)
            await _pending(session.replaces, view.order_id, pending, replace)
        except FixRefusal as refusal:
            if refusal.business is not None:
                raise
            await self._refuse(session, ids, True, refusal, view)


async def _pending(
    requests: dict[str, PendingIds], order_id: str, ids: PendingIds, sent: Awaitable[object]
) -> None:
    """Await a cancel or replace with its ids recorded as pending on ``order_id`` (its reports
    name them); a platform refusal forgets them and is raised as a :class:`FixRefusal`."""
    requests[order_id] = ids
    try:
        await sent
    except PortRejection as rejection:
        requests.pop(order_id, None)
        raise FixRefusal(rejection.code, rejection.message) from None
    except PortBusy as busy:
        requests.pop(order_id, None)
        raise FixRefusal(RejectCode.OVERLOADED, busy_detail(busy)) from None


def _ids_of(message: FixMessage) -> PendingIds:
    """The request's ids as sent, for a reject before they were checked."""
    return PendingIds(message.get(11) or "NONE", message.get(41) or "NONE")

"""The FIX view of a platform order, and the reports a session sends from trade updates.

One order across its cancel/replace chain:

The platform follows Alpaca: a replace ends the order ``replaced`` and a new order (its own
id, the rest of the quantity) carries on. FIX sees one order whose OrderQty, CumQty and AvgPx
cover the whole chain and whose OrderID does not change. :class:`OrderChains` reads the chain
back through the trading port (``OrderView.replaces``) and turns a view into the
:class:`~directbroker.adapters.fix.reports.OrderFacts` a report states. What a replaced order
filled is final (its working children move to the new order), so it is cached once read.

:func:`update_reports` turns one trade update of a session's order into the ExecutionReports
it owes the client: the ClOrdIDs of a cancel or replace in flight come from the session's
:class:`SessionState`, since the platform keeps only each order's own client id.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections import deque
from dataclasses import dataclass, field

from directbroker.adapters.fix.reports import (
    EXEC_TYPES,
    Execution,
    OrderFacts,
    Outbound,
    average_price,
    execution_report,
    ord_rej_reason,
)
from directbroker.adapters.fix.terms import FixVersion, SessionTerms
from directbroker.adapters.http.ports import (
    OrderView,
    TradeEvent,
    TradeUpdate,
    TradeUpdateSubscription,
    TradingPort,
)
from directbroker.domain.order_status import OrdStatus
from directbroker.domain.rejects import RejectCode
from directbroker.protocols.fix.effects import ApplicationMessage

INBOX_CAPACITY = 10_000
"""Messages a session may have waiting; past it a message is refused as busy."""

_REPLACEMENT_QUIET = frozenset({TradeEvent.PENDING_NEW, TradeEvent.NEW})
"""A replacement order's own acknowledgements: the Replaced report already said it."""

_NOT_WORKING = frozenset(
    {
        OrdStatus.FILLED,
        OrdStatus.CANCELED,
        OrdStatus.REJECTED,
        OrdStatus.EXPIRED,
        OrdStatus.REPLACED,
        OrdStatus.DONE_FOR_DAY,
    }
)
"""Statuses whose LeavesQty is 0 (FIX: the order is no longer active)."""

MAX_CHAIN = 10_000
"""A bound on walking ``replaced_by`` links (a cycle would be a broken read model)."""
CACHE_LIMIT = 1_000_000
"""Replaced orders whose chain base is kept (past it, they are read again)."""


@dataclass(frozen=True, slots=True)
class ChainBase:
    """What the orders before this one in its chain filled, and the chain's first order."""

    root_id: str
    cum_quantity: int
    notional: int


def _notional(view: OrderView) -> int:
    return view.filled_quantity * (view.filled_avg_price or 0)


class OrderChains:
    """Chain lookups through the trading port, cached for orders that can no longer change."""

    def __init__(self, trading: TradingPort) -> None:
        self._trading = trading
        self._final: dict[str, ChainBase] = {}
        """For a replaced order: its chain base including its own fills."""

    async def base(self, view: OrderView) -> ChainBase:
        """The chain base of ``view``: zero and itself for an order that replaced nothing."""
        if not view.replaces:
            return ChainBase(view.order_id, 0, 0)
        cached = self._final.get(view.replaces)
        if cached is not None:
            return cached
        previous = await self._trading.get_order(view.replaces)
        if previous is None:
            return ChainBase(view.order_id, 0, 0)
        before = await self.base(previous) if previous.replaces else None
        root = before.root_id if before else previous.order_id
        cum = (before.cum_quantity if before else 0) + previous.filled_quantity
        notional = (before.notional if before else 0) + _notional(previous)
        found = ChainBase(root, cum, notional)
        if previous.status is OrdStatus.REPLACED and len(self._final) < CACHE_LIMIT:
            self._final[view.replaces] = found
        return found

    async def current(self, view: OrderView) -> OrderView:
        """The order that carries the chain now (follows ``replaced_by`` links)."""
        for _ in range(MAX_CHAIN):
            if not view.replaced_by:
                return view
            successor = await self._trading.get_order(view.replaced_by)
            if successor is None:
                return view
            view = successor
        return view

    async def facts(self, view: OrderView, *, cl_ord_id: str = "", orig: str = "") -> OrderFacts:
        """The report's order part for ``view``: chain totals, the chain's OrderID, and the
        client ids (``cl_ord_id`` defaults to the order's own)."""
        base = await self.base(view)
        cum = base.cum_quantity + view.filled_quantity
        notional = base.notional + _notional(view)
        status = view.status
        if status is OrdStatus.NEW and cum > 0:
            status = OrdStatus.PARTIALLY_FILLED
        leaves = 0 if status in _NOT_WORKING else max(0, view.quantity - view.filled_quantity)
        return OrderFacts(
            order_id=base.root_id,
            cl_ord_id=cl_ord_id or view.client_order_id,
            account=view.account,
            symbol=view.symbol,
            side=view.side,
            order_type=view.order_type,
            time_in_force=view.time_in_force,
            quantity=base.cum_quantity + view.quantity,
            cum_quantity=cum,
            leaves_quantity=leaves,
            avg_price=average_price(notional, cum),
            status=status,
            limit_price=view.limit_price,
            stop_price=view.stop_price,
            orig_cl_ord_id=orig,
        )


def exec_id(order_id: str, exec_type: str, ts_ns: int) -> str:
    """A non-trade report's ExecID: unique (one event of one order at one journal time) and
    the same if the report is ever built again from the same event."""
    return f"{order_id}.{exec_type}.{ts_ns}"


@dataclass(frozen=True, slots=True)
class PendingIds:
    """The ClOrdID of a cancel or replace in flight and the ClOrdID of the order it names."""

    cl_ord_id: str
    orig_cl_ord_id: str


@dataclass(eq=False)
class SessionState:
    """One order entry session: its queue, its held reports, its requests in flight."""

    terms: SessionTerms
    prefix: str
    """The order id prefix of the session's orders."""
    inbox: asyncio.Queue[ApplicationMessage] = field(
        default_factory=lambda: asyncio.Queue(INBOX_CAPACITY)
    )
    online: bool = False
    held: deque[Outbound] = field(default_factory=deque)
    cancels: dict[str, PendingIds] = field(default_factory=dict)
    """Cancels in flight by the platform order id they cancel."""
    replaces: dict[str, PendingIds] = field(default_factory=dict)
    """Replaces in flight by the platform order id they replace."""
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    subscription: TradeUpdateSubscription | None = None

    @property
    def version(self) -> FixVersion:
        """The session's FIX version."""
        return self.terms.version


def _reason_text(view: OrderView) -> str:
    if not view.reject_reason:
        return ""
    if view.reject_code:
        return f"{view.reject_code} {view.reject_reason}"
    return view.reject_reason


def _ord_rej(version: FixVersion, view: OrderView) -> str:
    code = RejectCode.from_number(view.reject_code) if view.reject_code else None
    return ord_rej_reason(version, code)


async def update_reports(
    chains: OrderChains, trading: TradingPort, session: SessionState, update: TradeUpdate
) -> list[Outbound]:
    """The ExecutionReports one trade update of a session's order owes the client."""
    view, event = update.order, update.event
    version = session.version
    if view.replaces and event in _REPLACEMENT_QUIET:
        return []
    if event is TradeEvent.REPLACED:
        session.replaces.pop(view.order_id, None)
        successor = await trading.get_order(view.replaced_by)
        if successor is None:
            return []
        if successor.status is OrdStatus.PENDING_NEW:
            # The old order ends replaced once the replace took effect: whether the read model
            # already shows its successor acknowledged is a matter of timing, not of fact.
            successor = dataclasses.replace(successor, status=OrdStatus.NEW)
        facts = await chains.facts(successor, orig=view.client_order_id)
        execution = Execution(event, exec_id(view.order_id, "5", update.ts_ns), update.ts_ns)
        return [execution_report(version, facts, execution)]
    pending = None
    if event is TradeEvent.PENDING_REPLACE:
        pending = session.replaces.get(view.order_id)
    elif event in (TradeEvent.PENDING_CANCEL, TradeEvent.CANCELED):
        pending = session.cancels.get(view.order_id)
        if event is TradeEvent.CANCELED:
            session.cancels.pop(view.order_id, None)
    if pending is not None:
        facts = await chains.facts(view, cl_ord_id=pending.cl_ord_id, orig=pending.orig_cl_ord_id)
    else:
        facts = await chains.facts(view)
    if event in (TradeEvent.FILL, TradeEvent.PARTIAL_FILL):
        execution = Execution(
            event,
            update.execution_id or exec_id(view.order_id, "F", update.ts_ns),
            update.ts_ns,
            last_quantity=update.quantity or 0,
            last_price=update.price or 0,
            venue=update.venue,
        )
    else:
        ended = view.status in (OrdStatus.REJECTED, OrdStatus.EXPIRED, OrdStatus.CANCELED)
        execution = Execution(
            event,
            exec_id(view.order_id, EXEC_TYPES[event], update.ts_ns),
            update.ts_ns,
            text=_reason_text(view) if ended else "",
            ord_rej_reason=_ord_rej(version, view) if event is TradeEvent.REJECTED else "",
        )
    return [execution_report(version, facts, execution)]

"""FIX client order entry bound to the trading port: the application a FIX acceptor runs.

The session layer hands over each in-sequence application message (``on_message``) and says
when a session logs on and off; this application answers through the ``send`` callable it is
given, with (MsgType, body fields) pairs. It never blocks the transport: each session's
messages are queued and handled in order by one task, because each waits for the platform's
durable answer. Execution reports come from the platform's trade updates, not from those
answers, so a report is sent once whatever path the change took (a fill, an expiry, a cancel).

Which orders a session reports on is written into the order ids it assigns (a prefix derived
from the session id), so after a restart the session still recognises its working orders'
fills with nothing stored. What is lost across a restart: the ClOrdID of a cancel in flight
(its cancel report then carries the order's own ClOrdID) and reports due while the process
was down (the drop copy, :mod:`directbroker.app.fix_dropcopy`, is the restart-safe record).

A session with account groups also places block orders for them (:mod:`directbroker.app.
fix_blocks`): a NewOrderSingle whose Account is a group, reported as the group's order.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import logging
import uuid
from collections.abc import Callable, Iterable, Sequence

from directbroker.adapters.fix.block_entry import group_of
from directbroker.adapters.fix.order_entry import new_order, status_request
from directbroker.adapters.fix.reports import (
    STATUS,
    Execution,
    Outbound,
    business_reject,
    execution_report,
    refused_order_report,
)
from directbroker.adapters.fix.terms import (
    BusinessReason,
    FixRefusal,
    SessionKind,
    SessionTerms,
    version_of,
)
from directbroker.adapters.http.blocks_port import BlocksPort
from directbroker.adapters.http.ports import OrderView, PortBusy, PortRejection, TradingPort
from directbroker.app.fix_blocks import FixBlocks, followed_accounts
from directbroker.app.fix_changes import OrderChanges, busy_detail
from directbroker.app.fix_reporting import OrderChains, SessionState, exec_id, update_reports
from directbroker.app.fix_tasks import SessionTasks
from directbroker.domain.rejects import RejectCode
from directbroker.protocols.fix.effects import ApplicationMessage
from directbroker.protocols.fix.message import Field, FixMessage

log = logging.getLogger(__name__)

Send = Callable[[str, str, Sequence[Field]], None]
"""How the application sends: ``send(session_id, msg_type, body_fields)``."""

HELD_CAPACITY = 100_000
"""Reports kept for a session that is logged out, sent when it logs on again."""


def session_prefix(session_id: str) -> str:
    """The order id prefix of a session's orders: stable across restarts, no ':'."""
    return "fx" + hashlib.sha256(session_id.encode()).hexdigest()[:6] + "-"


class FixOrderEntry:
    """The order entry application: ``on_logon``, ``on_message``, ``on_logout``."""

    def __init__(
        self,
        trading: TradingPort,
        sessions: Iterable[SessionTerms],
        send: Send,
        now_ns: Callable[[], int],
        *,
        new_id: Callable[[], str] = lambda: uuid.uuid4().hex,
        blocks: BlocksPort | None = None,
    ) -> None:
        """``blocks`` (the institutional desk) lets sessions with groups place blocks."""
        self._trading = trading
        self._blocks = FixBlocks(blocks, trading)
        self._send = send
        self._now_ns = now_ns
        self._new_id = new_id
        self._chains = OrderChains(trading)
        self._changes = OrderChanges(
            trading, self._chains, self._emit, self._order_id, self._blocks
        )
        self._sessions = {
            terms.session_id: SessionState(terms, session_prefix(terms.session_id))
            for terms in sessions
            if terms.kind is SessionKind.ORDER_ENTRY
        }
        self._tasks = SessionTasks("order entry")

    # --- the application interface -----------------------------------------------------

    def on_logon(self, session_id: str) -> None:
        """The session is up: start its tasks (once) and send what was held meanwhile."""
        session = self._sessions.get(session_id)
        if session is None:
            return
        session.online = True
        if not session.tasks:
            accounts = followed_accounts(session)
            session.subscription = self._trading.subscribe_trade_updates(accounts)
            session.tasks = [
                self._tasks.start(self._work, session),
                self._tasks.start(self._pump, session),
            ]
        while session.held and session.online:
            msg_type, body = session.held.popleft()
            self._send(session_id, msg_type, body)

    def on_message(self, session_id: str, message: ApplicationMessage) -> None:
        """Queue one application message for the session's worker (never waits)."""
        session = self._sessions.get(session_id)
        if session is None:
            return
        try:
            session.inbox.put_nowait(message)
        except asyncio.QueueFull:
            refusal = FixRefusal(
                RejectCode.OVERLOADED,
                "too many requests are waiting; retry shortly",
                business=BusinessReason.OTHER,
            )
            self._business(session, message.message, refusal)

    def on_logout(self, session_id: str) -> None:
        """The session is down: reports are held until it logs on again."""
        session = self._sessions.get(session_id)
        if session is not None:
            session.online = False

    # --- for the owner and tests ----------------------------------------------------------

    async def idle(self, session_id: str) -> None:
        """Wait until every message queued for the session so far has been handled."""
        await self._sessions[session_id].inbox.join()
        self._tasks.check()

    @property
    def failure(self) -> BaseException | None:
        """Why a session's task stopped (a broken invariant: fail fast, never swallow)."""
        return self._tasks.failure

    async def close(self) -> None:
        """Stop every session's tasks and subscription."""
        await SessionTasks.stop(self._sessions.values())

    # --- the session's tasks --------------------------------------------------------------

    async def _work(self, session: SessionState) -> None:
        while True:
            message = await session.inbox.get()
            try:
                await self._handle(session, message)
            finally:
                session.inbox.task_done()

    async def _pump(self, session: SessionState) -> None:
        while True:
            subscription = session.subscription
            assert subscription is not None
            update = await subscription.get()
            if update is None:
                log.warning("trade updates for %s closed; subscribing again", session.prefix)
                accounts = followed_accounts(session)
                session.subscription = self._trading.subscribe_trade_updates(accounts)
                continue
            if update.order.order_id.startswith(session.prefix):
                update = dataclasses.replace(update, order=self._blocks.as_group(update.order))
                for outbound in await update_reports(self._chains, self._trading, session, update):
                    self._emit(session, outbound)

    def _emit(self, session: SessionState, outbound: Outbound) -> None:
        if session.online:
            self._send(session.terms.session_id, *outbound)
        elif len(session.held) < HELD_CAPACITY:
            session.held.append(outbound)
        else:
            log.error("FIX session %s: report dropped while logged out", session.prefix)

    def _order_id(self, session: SessionState) -> str:
        return session.prefix + self._new_id()

    # --- requests -----------------------------------------------------------------------------

    async def _handle(self, session: SessionState, received: ApplicationMessage) -> None:
        message = received.message
        kind = message.msg_type
        try:
            if kind == "D":
                await self._new_order(session, received)
            elif kind == "F":
                await self._changes.cancel(session, message)
            elif kind == "G":
                await self._changes.replace(session, message)
            elif kind == "H":
                await self._status(session, message)
            else:
                raise FixRefusal(
                    RejectCode.UNSUPPORTED_MESSAGE,
                    f"MsgType {kind!r} is not accepted on an order entry session",
                    business=BusinessReason.UNSUPPORTED_MESSAGE_TYPE,
                )
        except FixRefusal as refusal:
            if refusal.business is None:
                raise
            self._business(session, message, refusal)

    def _business(self, session: SessionState, message: FixMessage, refusal: FixRefusal) -> None:
        seq = message.get(34)
        outbound = business_reject(
            version_of(message, session.terms),
            int(seq) if seq and seq.isdigit() else None,
            message.msg_type,
            refusal.business or BusinessReason.OTHER,
            refusal.text,
            message.get(11) or "",
        )
        self._emit(session, outbound)

    async def _new_order(self, session: SessionState, received: ApplicationMessage) -> None:
        message = received.message
        version = version_of(message, session.terms)
        order_id = self._order_id(session)

        def refuse(code: RejectCode, detail: str) -> None:
            text = f"{code.number} {detail}"
            report = refused_order_report(
                version, message.fields, f"{order_id}.8", code, text, self._now_ns()
            )
            self._emit(session, report)

        if group_of(message, session.terms) is not None:
            await self._blocks.place(
                session, received, order_id, refuse, lambda view: self._send_status(session, view)
            )
            return
        try:
            command = new_order(message, session.terms, order_id)
        except FixRefusal as refusal:
            if refusal.business is not None:
                raise
            refuse(refusal.code, refusal.detail)
            return
        account, cl_ord_id = command.account, command.client_order_id
        if received.possible_duplicate:
            existing = await self._trading.get_order_by_client_id(account, cl_ord_id)
            if existing is not None:
                # Seen before: say where it stands, never place it twice.
                await self._send_status(session, existing)
                return
        try:
            await self._trading.place_order(command)
        except PortRejection as rejection:
            refuse(rejection.code, rejection.message)
        except PortBusy as busy:
            # Refused only if it did not happen after all (a late answer may still place it).
            if await self._trading.get_order_by_client_id(account, cl_ord_id) is None:
                refuse(RejectCode.OVERLOADED, busy_detail(busy))

    async def _status(self, session: SessionState, message: FixMessage) -> None:
        request = status_request(message, session.terms)
        view = await self._changes.find(
            session, request.account, request.cl_ord_id, request.order_id
        )
        if view is None:
            code = RejectCode.UNKNOWN_ORDER
            text = f"{code.number} no order {request.cl_ord_id} in account {request.account}"
            report = refused_order_report(
                session.version,
                message.fields,
                f"status.{request.cl_ord_id}",
                code,
                text,
                self._now_ns(),
                status_request=True,
            )
            self._emit(session, report)
            return
        await self._send_status(session, view)

    async def _send_status(self, session: SessionState, view: OrderView) -> None:
        current = await self._chains.current(view)
        facts = await self._chains.facts(current)
        ts = current.updated_ns
        execution = Execution(STATUS, exec_id(current.order_id, "I", ts), ts)
        self._emit(session, execution_report(session.version, facts, execution))

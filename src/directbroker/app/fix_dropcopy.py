"""FIX drop copy: every fill of a set of accounts, each sent exactly once, across restarts.

A drop copy session (``SessionKind.DROP_COPY``) receives an ExecutionReport for every fill of
its accounts, whichever channel placed the order (API, FIX, web, the firm's staff). Its
source of truth is not the live trade update feed, which a reconnect, a slow consumer or a
restart can interrupt, but the account's fill activities: the read model rebuilt from the
broker journal, in journal order, complete after any restart. Trade updates only say *when*
to look again.

Exactly once:

- each fill's ExecID (17) is the platform's own execution id (``Activity.activity_id``, the
  same id the order entry session reports), so a copy sent twice is recognisably the same;
- a :class:`DropCopyStore` records, per session, the ExecIDs already sent; a fill is sent
  only when not recorded, and recorded once the FIX session has stored its report (the
  session persists a message before writing it, so what was sent can be resent by sequence
  number);
- on every logon and after any gap in the feed the session re-reads its accounts' fills from
  the start and sends whatever is not recorded, in journal order.

A session whose accounts include :data:`ALL_ACCOUNTS` (``"*"``) copies every account's
fills, the firm's own transit accounts included (the clearing firm's drop copy): it follows
the trade updates of every account, and catches up over every account the firm has.

The one window left: a crash after ``send`` persisted a report but before the store recorded
it sends that fill again after the restart, with the same ExecID (ADR 0021).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol

from directbroker.adapters.fix.connection import SessionUnavailable
from directbroker.adapters.fix.reports import (
    Execution,
    OrderFacts,
    average_price,
    business_reject,
    execution_report,
)
from directbroker.adapters.fix.terms import BusinessReason, SessionKind, SessionTerms, version_of
from directbroker.adapters.http.ports import (
    Activity,
    OrderView,
    TradeEvent,
    TradeUpdateSubscription,
    TradingPort,
)
from directbroker.app.fix_reporting import OrderChains
from directbroker.app.fix_tasks import SessionTasks
from directbroker.domain.order_status import OrdStatus
from directbroker.domain.rejects import RejectCode
from directbroker.protocols.fix.effects import ApplicationMessage
from directbroker.protocols.fix.message import Field

Send = Callable[[str, str, Sequence[Field]], None]
Deliver = Callable[[str, str, Sequence[Field]], Awaitable[None]]
"""Sends and completes once the session has stored the message (so a resend can serve it);
raises when the session is not logged on."""
FILLS = frozenset({"FILL"})
ALL_ACCOUNTS = "*"
"""In a drop copy session's accounts: every account of the firm, present and future."""
EveryAccount = Callable[[], Iterable[str]]
"""Every account the firm has now (an all-accounts session catches up over them)."""


class DropCopyStore(Protocol):
    """Which fills each drop copy session has been sent (by ExecID), durably.

    ``was_sent`` answers from memory (it runs on the event loop); ``record`` is durable when
    its awaitable completes and never blocks the loop."""

    def was_sent(self, session_id: str, exec_id: str) -> bool:
        """Whether ``exec_id`` was recorded as sent on ``session_id``."""
        ...

    async def record(self, session_id: str, exec_id: str) -> None:
        """Record ``exec_id`` as sent on ``session_id`` (durable when this completes)."""
        ...


class MemoryDropCopyStore:
    """A :class:`DropCopyStore` in memory (tests, and firms that accept resends)."""

    def __init__(self) -> None:
        self._sent: set[tuple[str, str]] = set()

    def was_sent(self, session_id: str, exec_id: str) -> bool:
        """Whether recorded."""
        return (session_id, exec_id) in self._sent

    async def record(self, session_id: str, exec_id: str) -> None:
        """Record."""
        self._sent.add((session_id, exec_id))


class SqliteDropCopyStore:
    """A :class:`DropCopyStore` in a SQLite file: read whole at open, each record committed
    on the store's own writer thread (the event loop awaits it, never blocks on it)."""

    def __init__(self, path: str) -> None:
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS drop_copy_sent ("
            " session_id TEXT NOT NULL, exec_id TEXT NOT NULL,"
            " PRIMARY KEY (session_id, exec_id)) WITHOUT ROWID"
        )
        rows = self._db.execute("SELECT session_id, exec_id FROM drop_copy_sent").fetchall()
        self._sent: set[tuple[str, str]] = {(str(a), str(b)) for a, b in rows}
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="directbroker-dropcopy")

    def was_sent(self, session_id: str, exec_id: str) -> bool:
        """Whether recorded."""
        return (session_id, exec_id) in self._sent

    async def record(self, session_id: str, exec_id: str) -> None:
        """Record (committed before the awaitable completes)."""
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._writer, self._insert, session_id, exec_id)
        self._sent.add((session_id, exec_id))

    def _insert(self, session_id: str, exec_id: str) -> None:
        self._db.execute(
            "INSERT OR IGNORE INTO drop_copy_sent (session_id, exec_id) VALUES (?, ?)",
            (session_id, exec_id),
        )

    def close(self) -> None:
        """Finish pending writes and close the file."""
        self._writer.shutdown(wait=True)
        self._db.close()


@dataclass
class _Chain:
    """A cancel/replace chain's fills walked so far: FIX's CumQty and notional."""

    cum_quantity: int = 0
    notional: int = 0


@dataclass(eq=False)
class _DropSession:
    terms: SessionTerms
    online: bool = False
    due: asyncio.Queue[str] = field(default_factory=asyncio.Queue)
    """Accounts to look at again."""
    queued: set[str] = field(default_factory=set)
    cursors: dict[str, int] = field(default_factory=dict)
    """Per account: how many of its fills have been walked (sent or found recorded)."""
    chains: dict[str, _Chain] = field(default_factory=dict)
    roots: dict[str, str] = field(default_factory=dict)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    subscription: TradeUpdateSubscription | None = None


class FixDropCopy:
    """The drop copy application: ``on_logon``, ``on_message``, ``on_logout``."""

    def __init__(
        self,
        trading: TradingPort,
        sessions: Iterable[SessionTerms],
        send: Send,
        store: DropCopyStore,
        *,
        deliver: Deliver | None = None,
        from_ns: int = 0,
        every_account: EveryAccount | None = None,
    ) -> None:
        """``from_ns``: fills before this time are not copied (a new session need not
        receive the firm's history). ``every_account``: what an all-accounts session catches
        up over (without it, only the accounts its trade updates have named so far)."""
        self._every_account = every_account
        self._trading = trading
        self._send = send
        self._deliver = deliver
        self._store = store
        self._from_ns = from_ns
        self._chains = OrderChains(trading)
        self._sessions = {
            terms.session_id: _DropSession(terms)
            for terms in sessions
            if terms.kind is SessionKind.DROP_COPY
        }
        self._tasks = SessionTasks("drop copy")

    def on_logon(self, session_id: str) -> None:
        """Start (once) and catch up: every account is looked at again."""
        session = self._sessions.get(session_id)
        if session is None:
            return
        session.online = True
        if not session.tasks:
            session.subscription = self._trading.subscribe_trade_updates(_followed(session))
            session.tasks = [
                self._tasks.start(self._work, session),
                self._tasks.start(self._pump, session),
            ]
        self._catch_up(session)

    def on_message(self, session_id: str, message: ApplicationMessage) -> None:
        """A drop copy takes no requests: every application message is refused."""
        session = self._sessions.get(session_id)
        if session is None:
            return
        fix = message.message
        seq = fix.get(34)
        msg_type, body = business_reject(
            version_of(fix, session.terms),
            int(seq) if seq and seq.isdigit() else None,
            fix.msg_type,
            BusinessReason.UNSUPPORTED_MESSAGE_TYPE,
            f"{RejectCode.UNSUPPORTED_MESSAGE.number} a drop copy session takes no requests",
            fix.get(11) or "",
        )
        self._send(session_id, msg_type, body)

    def on_logout(self, session_id: str) -> None:
        """Stop sending; the next logon catches up from where this one stopped."""
        session = self._sessions.get(session_id)
        if session is not None:
            session.online = False

    async def idle(self, session_id: str) -> None:
        """Wait until every account queued for the session so far has been looked at."""
        await self._sessions[session_id].due.join()
        self._tasks.check()

    @property
    def failure(self) -> BaseException | None:
        """Why a session's task stopped (a broken invariant: fail fast, never swallow)."""
        return self._tasks.failure

    async def close(self) -> None:
        """Stop every session's tasks and subscription."""
        await SessionTasks.stop(self._sessions.values())

    # --- the session's tasks ------------------------------------------------------------------

    def _catch_up(self, session: _DropSession) -> None:
        accounts = set(session.terms.accounts)
        if ALL_ACCOUNTS in accounts:
            accounts = set(session.cursors)
            if self._every_account is not None:
                accounts.update(self._every_account())
        for account in sorted(accounts):
            self._look_again(session, account)

    def _look_again(self, session: _DropSession, account: str) -> None:
        if account not in session.queued:
            session.queued.add(account)
            session.due.put_nowait(account)

    async def _pump(self, session: _DropSession) -> None:
        while True:
            subscription = session.subscription
            assert subscription is not None
            update = await subscription.get()
            if update is None:
                # The feed dropped us (slow consumer): fills may have been missed meanwhile.
                session.subscription = self._trading.subscribe_trade_updates(_followed(session))
                self._catch_up(session)
            elif update.event in (TradeEvent.FILL, TradeEvent.PARTIAL_FILL):
                self._look_again(session, update.order.account)

    async def _work(self, session: _DropSession) -> None:
        while True:
            account = await session.due.get()
            session.queued.discard(account)
            try:
                if session.online:
                    await self._sync(session, account)
            finally:
                session.due.task_done()

    async def _sync(self, session: _DropSession, account: str) -> None:
        """Walk the account's fills not walked yet; send those not recorded as sent."""
        fills = await self._trading.activities(account, FILLS, None, None)
        session_id = session.terms.session_id
        for index in range(session.cursors.get(account, 0), len(fills)):
            fill = fills[index]
            view, root = await self._order_of(session, fill)
            # Nothing awaits from here on: a logout cannot fall between the check and the send.
            if not session.online:
                return
            facts = _walk(session, fill, view, root)
            exec_id = fill.activity_id
            if fill.ts_ns >= self._from_ns and not self._store.was_sent(session_id, exec_id):
                report = execution_report(session.terms.version, facts, _execution(fill))
                if self._deliver is None:
                    self._send(session_id, *report)
                else:
                    try:
                        await self._deliver(session_id, *report)
                    except SessionUnavailable:
                        _unwalk(session, fill, root)
                        return  # logged out meanwhile: the next logon goes on from this fill
                await self._store.record(session_id, exec_id)
            session.cursors[account] = index + 1

    async def _order_of(
        self, session: _DropSession, fill: Activity
    ) -> tuple[OrderView | None, str]:
        """The order that filled and the first order of its replace chain."""
        view = await self._trading.get_order(fill.order_id)
        root = session.roots.get(fill.order_id)
        if root is None:
            root = fill.order_id if view is None else (await self._chains.base(view)).root_id
            session.roots[fill.order_id] = root
        return view, root


def _followed(session: _DropSession) -> frozenset[str] | None:
    """The accounts whose trade updates a session follows (None: every account)."""
    accounts = session.terms.accounts
    return None if ALL_ACCOUNTS in accounts else accounts


def _unwalk(session: _DropSession, fill: Activity, root: str) -> None:
    """Take back a fill :func:`_walk` added, when its report could not be sent."""
    chain = session.chains[root]
    chain.cum_quantity -= fill.quantity
    chain.notional -= fill.quantity * fill.price


def _walk(session: _DropSession, fill: Activity, view: OrderView | None, root: str) -> OrderFacts:
    """Add one fill to its chain's totals and state the order as of that fill."""
    side = fill.side if fill.side is not None else (view.side if view else None)
    if side is None:
        raise AssertionError(f"fill {fill.activity_id} names no side and no order")
    chain = session.chains.setdefault(root, _Chain())
    chain.cum_quantity += fill.quantity
    chain.notional += fill.quantity * fill.price
    return OrderFacts(
        order_id=root,
        cl_ord_id=view.client_order_id if view is not None else fill.order_id,
        account=fill.account,
        symbol=fill.symbol,
        side=side,
        order_type=view.order_type if view is not None else None,
        time_in_force=view.time_in_force if view is not None else None,
        quantity=chain.cum_quantity + fill.leaves_quantity,
        cum_quantity=chain.cum_quantity,
        leaves_quantity=fill.leaves_quantity,
        avg_price=average_price(chain.notional, chain.cum_quantity),
        status=fill.order_status or OrdStatus.PARTIALLY_FILLED,
        limit_price=view.limit_price if view is not None else None,
        stop_price=view.stop_price if view is not None else None,
    )


def _execution(fill: Activity) -> Execution:
    event = TradeEvent.FILL if fill.leaves_quantity == 0 else TradeEvent.PARTIAL_FILL
    return Execution(
        event,
        fill.activity_id,
        fill.ts_ns,
        last_quantity=fill.quantity,
        last_price=fill.price,
        venue=fill.venue,
    )

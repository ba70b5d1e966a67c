"""The real-time drop copy to the clearing firm, both ends, composed for ``serve``.

Our end: with ``[backoffice] drop_copy`` on (the default), the firm's FIX acceptor carries a
drop copy session for the clearing firm (:func:`clearing_session`: our participant id to
``CLEARING``, FIX 4.4) over every account, the firm's transit accounts included, without a
``[[fix.sessions]]`` table. When ``[fix]`` is off the acceptor is started for that session
alone, on loopback and a free port (:func:`effective_fix`). It carries every fill, the street
executions; the allocations out of the average-price account are bookings, not executions,
and reach the clearing firm in the end-of-day trade file.

The clearing firm's end (:class:`ClearingDropCopy`, simulated in the same process): a FIX
initiator that logs on to our acceptor and appends each execution it is sent to its drop copy
log (:class:`~directbroker.backoffice.drop_copy_log.DropCopyLog`), once per ExecID. Its
sequence numbers are kept in ``backoffice/clearing/fix/fix.db`` so a restart resumes the
session: reports sent while it was away are asked for again and arrive as PossDup resends.

One crash window is closed here: the session stores the next expected number before the
application sees the message, so a crash between the two would lose that report. At start
the expected number is taken back to just after the last report the log holds; the acceptor
is then asked to resend everything after it, and what the log already has is ignored. The
same covers appends still queued on the log's writer thread when the process dies.

:func:`settled_drop_copy_check` is the day's check for the end-of-day job of a running firm.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from directbroker.adapters.fix.initiator import Backoff
from directbroker.adapters.fix.settings import BEGIN_STRINGS, SessionID, SessionSettings
from directbroker.adapters.fix.store_sqlite import SqliteMessageStores
from directbroker.adapters.fix.terms import SIDES
from directbroker.adapters.fix.transport import SQLITE_FILE, FixTransport
from directbroker.app.config import FirmConfig
from directbroker.app.config_fix import FixConfigError, FixSection, FixSessionSection
from directbroker.app.fix_dropcopy import ALL_ACCOUNTS
from directbroker.app.fix_service import session_factory
from directbroker.backoffice.books import BookedExecution
from directbroker.backoffice.drop_copy_check import (
    DropCopyProblem,
    DropCopyProblemCode,
    check_drop_copy,
)
from directbroker.backoffice.drop_copy_log import DropCopyLog, DropCopyRecord, drop_copy_dir
from directbroker.domain.numbers import parse_price
from directbroker.domain.rejects import DomainRejection
from directbroker.protocols.fix.effects import ApplicationMessage, SequenceState
from directbroker.protocols.fix.message import FixMessage

log = logging.getLogger(__name__)

CLEARING_COMP_ID = "CLEARING"
"""The clearing firm's CompID on the drop copy session."""
CLEARING_VERSION = "4.4"
EXECUTION_REPORT = "8"


def clearing_session(config: FirmConfig) -> FixSessionSection | None:
    """The implied drop copy session for the clearing firm (None: ``[backoffice]`` has the
    back office or its drop copy off)."""
    backoffice = config.backoffice
    if not (backoffice.enabled and backoffice.drop_copy):
        return None
    return FixSessionSection(
        sender_comp_id=config.firm.participant,
        target_comp_id=CLEARING_COMP_ID,
        version=CLEARING_VERSION,
        kind="drop_copy",
        accounts=(ALL_ACCOUNTS,),
    )


def effective_fix(config: FirmConfig) -> FixSection:
    """``[fix]`` with the clearing firm's drop copy session added: to the configured sessions
    when FIX is on, else alone on a loopback acceptor at a free port. :class:`FixConfigError`
    when a configured session is that session already."""
    session = clearing_session(config)
    fix = config.fix
    if session is None:
        return fix
    if fix.enabled:
        for index, mine in enumerate(fix.sessions):
            same = (mine.version, mine.sender_comp_id, mine.target_comp_id)
            if same == (session.version, session.sender_comp_id, session.target_comp_id):
                raise FixConfigError(
                    f"fix.sessions[{index}] is FIX {session.version} {session.sender_comp_id}"
                    f"->{CLEARING_COMP_ID}, the clearing firm's drop copy session "
                    "([backoffice] drop_copy): use another target_comp_id or version"
                )
        return replace(fix, sessions=(*fix.sessions, session))
    return FixSection(enabled=True, host="127.0.0.1", port=0, store=fix.store, sessions=(session,))


def clearing_fix_dir(data_dir: Path) -> Path:
    """Where the clearing firm keeps its end of the session (numbers and sent messages)."""
    return data_dir / "backoffice" / "clearing" / "fix"


def record_of(message: FixMessage) -> DropCopyRecord:
    """The execution an ExecutionReport of the drop copy reports (:class:`ValueError` naming
    the field when the report is not a usable fill)."""
    fields = {tag: message.get(tag) or "" for tag in (17, 37, 1, 54, 32, 31, 55, 30, 60, 34)}
    for tag, name in ((17, "ExecID"), (1, "Account"), (55, "Symbol"), (60, "TransactTime")):
        if not fields[tag]:
            raise ValueError(f"{name} ({tag}) is missing")
    side = SIDES.get(fields[54])
    if side is None:
        raise ValueError(f"Side (54) {fields[54]!r} is not 1, 2, 5 or 6")
    quantity = fields[32]
    if not quantity.isdigit() or int(quantity) <= 0:
        raise ValueError(f"LastQty (32) {quantity!r} is not a positive whole number")
    try:
        price = parse_price(fields[31])
    except DomainRejection:
        raise ValueError(f"LastPx (31) {fields[31]!r} is not a price") from None
    record = DropCopyRecord(
        exec_id=fields[17],
        order_id=fields[37],
        account=fields[1],
        side=side,
        quantity=int(quantity),
        price=price,
        symbol=fields[55],
        venue=fields[30],
        transact_time=fields[60],
        msg_seq=int(fields[34]) if fields[34].isdigit() else 0,
    )
    record.transact_ns  # noqa: B018 - a TransactTime that does not parse is refused here
    return record


class _ClearingApp:
    """The clearing firm's FIX application: every fill reported goes to the log once.

    Appends are synced on the application's own writer thread, in arrival order, so the
    event loop (shared with the API) never waits for the disk. A report still queued when
    the process dies is lost to the log but not to the session: at the next start the
    expected number is taken back to the log's last (see the module's docstring)."""

    def __init__(self, drop_copies: DropCopyLog) -> None:
        self.log = drop_copies
        self.appended = 0
        self.ignored = 0
        """Reports of ExecIDs the log already had (PossDup resends, repeats after a crash)."""
        self.failure: BaseException | None = None
        """Why the log could not be written; nothing is appended after it (so that the next
        start asks for everything from the first report lost)."""
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="directbroker-clearing")

    def on_logon(self, session_id: SessionID) -> None:
        log.info("clearing drop copy %s logged on", session_id)

    def on_logout(self, session_id: SessionID) -> None:
        log.info("clearing drop copy %s logged out", session_id)

    def on_message(self, session_id: SessionID, message: ApplicationMessage) -> None:
        fix = message.message
        if fix.msg_type != EXECUTION_REPORT:
            return
        try:
            record = record_of(fix)
        except ValueError as exc:
            # The reconciliation reports the execution as missing from the drop copy.
            log.error("clearing drop copy %s: unusable report: %s", session_id, exc)
            return
        self._writer.submit(self._append, record)

    def _append(self, record: DropCopyRecord) -> None:
        if self.failure is not None:
            return
        try:
            appended = self.log.append(record)
        except OSError as exc:
            self.failure = exc
            log.error("clearing drop copy: the log cannot be written: %s", exc)
            return
        if appended:
            self.appended += 1
        else:
            self.ignored += 1

    def close(self) -> None:
        """Finish the appends queued so far."""
        self._writer.shutdown(wait=True)


class ClearingDropCopy:
    """The simulated clearing firm's drop copy initiator: :meth:`start`, :meth:`close`."""

    def __init__(
        self,
        data_dir: Path,
        firm_comp_id: str,
        *,
        clock: Callable[[], int] = time.time_ns,
        backoff: Backoff | None = None,
    ) -> None:
        self._data_dir = data_dir
        self.session_id = SessionID(BEGIN_STRINGS[CLEARING_VERSION], CLEARING_COMP_ID, firm_comp_id)
        self._clock = clock
        self._backoff = backoff or Backoff(base_s=0.2, max_s=5.0)
        self.app: _ClearingApp | None = None
        self.transport: FixTransport | None = None

    async def start(self, host: str, port: int) -> None:
        """Open the log and the session's store, and log on to ``host:port`` (retrying in the
        background until the acceptor answers)."""
        drop_copies = DropCopyLog(drop_copy_dir(self._data_dir))
        directory = clearing_fix_dir(self._data_dir)
        directory.mkdir(parents=True, exist_ok=True)
        stores = SqliteMessageStores(directory / SQLITE_FILE)
        await _rewind(stores, self.session_id, drop_copies.last_seq)
        settings = SessionSettings(
            self.session_id, role="initiator", host=host, port=port, heartbeat_s=30
        )
        self.app = _ClearingApp(drop_copies)
        self.transport = FixTransport(
            [settings],
            stores=stores,
            factory=session_factory,
            app=self.app,
            clock=self._clock,
            backoff=self._backoff,
        )
        await self.transport.start()

    async def close(self) -> None:
        """Log out (or drop the connection), close the store and finish the log's appends."""
        if self.transport is not None:
            await self.transport.close()
            self.transport = None
        if self.app is not None:
            await asyncio.get_running_loop().run_in_executor(None, self.app.close)


async def _rewind(stores: SqliteMessageStores, session_id: SessionID, last_seq: int) -> None:
    """Expect again every message after the last one the log holds (see the module's
    docstring); nothing to do for a new session or a log that holds nothing yet."""
    store = stores.store(session_id)
    state = await store.load()
    if state is None or last_seq <= 0 or state.next_target_seq <= last_seq + 1:
        return
    await store.save(SequenceState(state.next_sender_seq, last_seq + 1), [])


def settled_drop_copy_check(
    data_dir: Path,
    date: int,
    executions: Iterable[BookedExecution],
    *,
    timeout_s: float = 10.0,
    sleep: Callable[[float], None] = time.sleep,
    monotonic: Callable[[], float] = time.monotonic,
) -> list[DropCopyProblem]:
    """:func:`~directbroker.backoffice.drop_copy_check.check_drop_copy` for the end-of-day job
    of a running firm: the day's last copies may still be on their way when the books reach
    the day's end, so while executions are missing the check is made again, for at most
    ``timeout_s``; the problems left then are reported. Call it off the event loop; for a
    day that ended long before (a restart catching up on past days) call ``check_drop_copy``
    itself, which does not wait."""
    wanted = list(executions)
    deadline = monotonic() + timeout_s
    while True:
        problems = check_drop_copy(data_dir, date, wanted)
        waiting = any(p.code is DropCopyProblemCode.MISSING for p in problems)
        if not waiting or monotonic() >= deadline:
            return problems
        sleep(0.1)

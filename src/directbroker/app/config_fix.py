"""The ``[fix]`` configuration section: the FIX acceptor, its limits, and every session.

Sessions are an array of tables (``[[fix.sessions]]``), each with an optional
``[fix.sessions.schedule]``. :func:`check_fix` refuses what parses but makes no sense, naming
the session; :func:`session_settings` turns the section into the transport's settings (the
composition root calls it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from directbroker.adapters.fix.schedule import SessionSchedule
from directbroker.adapters.fix.settings import (
    BEGIN_STRINGS,
    SessionID,
    SessionSettings,
    TransportLimits,
)


class FixConfigError(ValueError):
    """A ``[fix]`` setting is not valid; the message names it."""


@dataclass(frozen=True, slots=True)
class FixScheduleSection:
    """When a FIX session may be logged on ([fix.sessions.schedule]; no start and end: always)."""

    start: str = ""
    """Time of day the window opens (HH:MM in ``timezone``); empty, with ``end``: non-stop."""
    end: str = ""
    """Time of day the window closes (the next day when not after ``start``)."""
    timezone: str = "UTC"
    days: tuple[str, ...] = ()
    """Weekdays a window opens on (mon, tue, wed, thu, fri, sat, sun; empty: every day)."""
    reset_on_new_window: bool = True
    """Sequence numbers start again at 1 when the session logs on in a new window."""


@dataclass(frozen=True, slots=True)
class FixSessionSection:
    """One FIX session ([[fix.sessions]])."""

    sender_comp_id: str = ""
    """Our CompID on this session."""
    target_comp_id: str = ""
    """The counterparty's CompID."""
    version: str = "4.4"
    """``4.2`` or ``4.4``."""
    role: str = "acceptor"
    """``acceptor`` (the counterparty connects to [fix] host:port) or ``initiator`` (we connect)."""
    host: str = ""
    """Where an initiator connects."""
    port: int = 0
    heartbeat: int = 30
    """Heartbeat interval in seconds (HeartBtInt)."""
    reset_on_logon: bool = False
    """Both sides start again at 1 at every logon (ResetSeqNumFlag)."""
    kind: str = "orders"
    """``orders`` (order entry) or ``drop_copy`` (execution reports of ``accounts``)."""
    accounts: tuple[str, ...] = ()
    """Accounts the counterparty may trade or see."""
    groups: tuple[str, ...] = ()
    """Groups an order entry session may place blocks for (Account (1) names the group)."""
    schedule: FixScheduleSection = field(default_factory=FixScheduleSection)


@dataclass(frozen=True, slots=True)
class FixSection:
    """FIX 4.2/4.4 order entry and drop copy: the acceptor, its limits and the sessions."""

    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = 9878
    """The acceptor's port (0 picks a free one)."""
    store: str = "sqlite"
    """Where sequence numbers and sent messages are kept: ``sqlite`` (fix.db in the data
    directory) or a PostgreSQL DSN (``postgresql://...``)."""
    max_message_bytes: int = 1_048_576
    """A longer message drops its connection."""
    logon_timeout_seconds: float = 10.0
    """A connection that has not logged on by then is dropped."""
    max_unauthenticated: int = 64
    """Connections waiting to log on at once; more are closed at once."""
    write_buffer_bytes: int = 1_048_576
    """Bytes that may wait to be written to one connection."""
    write_timeout_seconds: float = 10.0
    """A connection whose writes have waited this long (it does not read) is dropped."""
    sessions: tuple[FixSessionSection, ...] = ()
    """The sessions, each a [[fix.sessions]] table (see docs/configuration.md)."""

    def limits(self) -> TransportLimits:
        """The transport's limits."""
        return TransportLimits(
            max_message_bytes=self.max_message_bytes,
            logon_timeout_s=self.logon_timeout_seconds,
            max_unauthenticated=self.max_unauthenticated,
            write_buffer_bytes=self.write_buffer_bytes,
            write_timeout_s=self.write_timeout_seconds,
        )


def session_settings(section: FixSection) -> list[SessionSettings]:
    """The transport's settings of every configured session (:class:`FixConfigError` if bad)."""
    out: list[SessionSettings] = []
    seen: set[SessionID] = set()
    for index, session in enumerate(section.sessions):
        where = f"fix.sessions[{index}]"
        if not session.sender_comp_id or not session.target_comp_id:
            raise FixConfigError(f"{where} needs sender_comp_id and target_comp_id")
        if session.version not in BEGIN_STRINGS:
            raise FixConfigError(f"{where}.version must be 4.2 or 4.4, not {session.version!r}")
        session_id = SessionID(
            BEGIN_STRINGS[session.version], session.sender_comp_id, session.target_comp_id
        )
        if session_id in seen:
            raise FixConfigError(f"{where} repeats {session_id}")
        seen.add(session_id)
        if "*" in session.accounts and session.kind != "drop_copy":
            raise FixConfigError(f'{where}: accounts = ["*"] (every account) is for drop copies')
        sched = session.schedule
        try:
            schedule = SessionSchedule.parse(sched.start, sched.end, sched.timezone, sched.days)
            out.append(
                SessionSettings(
                    session_id,
                    role=session.role,
                    host=session.host,
                    port=session.port,
                    heartbeat_s=session.heartbeat,
                    reset_on_logon=session.reset_on_logon,
                    reset_on_new_window=sched.reset_on_new_window,
                    schedule=schedule,
                    kind=session.kind,
                    accounts=session.accounts,
                    groups=session.groups,
                )
            )
        except ValueError as exc:
            raise FixConfigError(f"{where}: {exc}") from None
    return out


def check_fix(section: FixSection) -> None:
    """Refuse ``[fix]`` values that parse but make no sense."""
    if not 0 <= section.port <= 65_535:
        raise FixConfigError(f"fix.port must be 0..65535, not {section.port}")
    store = section.store
    if store != "sqlite" and not store.startswith(("postgresql://", "postgres://")):
        raise FixConfigError(f"fix.store must be 'sqlite' or a postgresql:// DSN, not {store!r}")
    try:
        section.limits()
    except ValueError as exc:
        raise FixConfigError(f"fix: {exc}") from None
    session_settings(section)

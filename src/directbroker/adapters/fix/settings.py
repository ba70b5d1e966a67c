"""What the transport knows of each session and the limits it enforces on every connection.

Plain frozen values, built by the composition root from the ``[fix]`` configuration section;
the transport reads them and never the configuration file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from directbroker.adapters.fix.schedule import SessionSchedule

BEGIN_STRINGS = {"4.2": "FIX.4.2", "4.4": "FIX.4.4"}


@dataclass(frozen=True, slots=True, order=True)
class SessionID:
    """A FIX session as this side sees it: its BeginString and both CompIDs (ours first)."""

    begin_string: str
    sender_comp_id: str
    target_comp_id: str

    @property
    def key(self) -> str:
        """A stable text key (the store's row key, the logs' name for the session)."""
        return f"{self.begin_string}:{self.sender_comp_id}->{self.target_comp_id}"

    def __str__(self) -> str:
        return self.key


@dataclass(frozen=True, slots=True)
class SessionSettings:
    """One configured session."""

    session_id: SessionID
    role: str = "acceptor"
    """``acceptor`` (the counterparty connects to us) or ``initiator`` (we connect)."""
    host: str = ""
    port: int = 0
    """Where an initiator connects."""
    heartbeat_s: int = 30
    reset_on_logon: bool = False
    """Both sides start again at 1 at every logon (ResetSeqNumFlag)."""
    reset_on_new_window: bool = True
    """Sequence numbers start again at 1 when the session logs on in a new schedule window."""
    schedule: SessionSchedule = field(default_factory=SessionSchedule)
    kind: str = "orders"
    """``orders`` (order entry) or ``drop_copy`` (execution reports only); for the application."""
    accounts: tuple[str, ...] = ()
    """Accounts the counterparty may trade or see; for the application."""
    groups: tuple[str, ...] = ()
    """Account groups an order entry session may place block orders for; for the application."""

    def __post_init__(self) -> None:
        if self.role not in ("acceptor", "initiator"):
            raise ValueError(f"{self.session_id}: role must be acceptor or initiator")
        if self.role == "initiator" and (not self.host or not 0 < self.port <= 65_535):
            raise ValueError(f"{self.session_id}: an initiator needs a host and a port")
        if self.kind not in ("orders", "drop_copy"):
            raise ValueError(f"{self.session_id}: kind must be orders or drop_copy")
        if self.groups and self.kind != "orders":
            raise ValueError(f"{self.session_id}: only an order entry session takes groups")
        if set(self.groups) & set(self.accounts):
            raise ValueError(f"{self.session_id}: a name cannot be both an account and a group")
        if self.heartbeat_s <= 0:
            raise ValueError(f"{self.session_id}: the heartbeat must be positive")


@dataclass(frozen=True, slots=True)
class TransportLimits:
    """Limits that keep one connection's misbehaviour from reaching any other session."""

    max_message_bytes: int = 1 << 20
    """A message longer than this drops its connection (before it is read into memory)."""
    logon_timeout_s: float = 10.0
    """A connection that has not logged on by then is dropped (slow or silent clients)."""
    max_unauthenticated: int = 64
    """Connections not yet logged on, at once; more are closed as soon as they are accepted."""
    write_buffer_bytes: int = 1 << 20
    """Bytes that may wait to be written to one connection before writing waits."""
    write_timeout_s: float = 10.0
    """A connection whose writes have waited this long (a client that never reads) is dropped."""
    timer_interval_s: float = 1.0
    """How often each session's ``timer`` is called."""
    logout_grace_s: float = 10.0
    """How long a logout the transport started may wait for its answer before the close."""

    def __post_init__(self) -> None:
        for name in (
            "max_message_bytes",
            "logon_timeout_s",
            "max_unauthenticated",
            "write_buffer_bytes",
            "write_timeout_s",
            "timer_interval_s",
            "logout_grace_s",
        ):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")

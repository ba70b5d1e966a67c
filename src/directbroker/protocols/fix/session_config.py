"""A FIX session's settings and the states it moves through."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Role(Enum):
    """Who starts the logon."""

    ACCEPTOR = "acceptor"
    INITIATOR = "initiator"


class Status(Enum):
    """Where the session is in its life."""

    DISCONNECTED = "disconnected"
    AWAITING_LOGON = "awaiting logon"
    ACTIVE = "active"
    LOGOUT_SENT = "logout sent"
    CLOSED = "closed"
    """The session asked the transport to close; input is ignored until ``disconnected``."""


@dataclass(frozen=True, slots=True)
class SessionConfig:
    """One session's identity and rules."""

    begin_string: str
    sender_comp_id: str
    target_comp_id: str
    role: Role = Role.ACCEPTOR
    heartbeat_interval_s: int = 30
    """The initiator's proposal; an acceptor takes the counterparty's."""
    reset_on_logon: bool = False
    sending_time_tolerance_s: int = 120
    validate: bool = True
    logon_timeout_s: int = 10
    logout_timeout_s: int = 10
    test_request_after: float = 1.5
    """Send a TestRequest after this many heartbeat intervals without input."""
    timeout_after: float = 2.4
    """Disconnect after this many heartbeat intervals without input."""

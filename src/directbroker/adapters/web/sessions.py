"""Browser sessions: who signed in, with which key, and the CSRF token of each session.

A session is a random 256-bit token in an HttpOnly cookie; the server keeps, in memory only,
the key the user signed in with, so that requests made with the cookie are authorised exactly
as the key's own API requests are (the key's secret never goes back to the browser). A session
ends on logout, after ``idle_s`` without a request, after ``lifetime_s`` in any case, and when
the process stops. The store is bounded: past ``capacity`` the least recently used session
ends.

One-click tickets (the demo prints one) are unguessable URLs that open a session for a known
key while this process runs: they stand for the credentials printed beside them.
"""

from __future__ import annotations

import hmac
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace

IDLE_S = 8 * 3600.0
"""A session not used for this long ends (a trader's day)."""

LIFETIME_S = 16 * 3600.0
"""A session ends this long after sign-in, however busy."""

CAPACITY = 10_000
"""Sessions kept at once; the least recently used end first beyond it."""


@dataclass(frozen=True, slots=True)
class WebSession:
    """A signed-in browser: the key it acts with and its CSRF token."""

    token: str
    csrf: str
    key_id: str
    secret: str = field(repr=False)
    user_id: str
    started_s: float
    seen_s: float

    def expired(self, now_s: float, idle_s: float, lifetime_s: float) -> bool:
        """Whether the session has ended by idleness or age at ``now_s``."""
        return now_s - self.seen_s > idle_s or now_s - self.started_s > lifetime_s

    def csrf_matches(self, offered: str | None) -> bool:
        """Whether ``offered`` is this session's CSRF token (compared in constant time)."""
        return offered is not None and hmac.compare_digest(offered.encode(), self.csrf.encode())


class WebSessions:
    """The sessions of one server. Thread-safe (tests and the demo add tickets from other
    threads); the event loop only does dictionary work under the lock, never I/O."""

    def __init__(
        self, *, idle_s: float = IDLE_S, lifetime_s: float = LIFETIME_S, capacity: int = CAPACITY
    ) -> None:
        self.idle_s = idle_s
        self.lifetime_s = lifetime_s
        self.capacity = capacity
        self._lock = threading.Lock()
        self._sessions: OrderedDict[str, WebSession] = OrderedDict()
        self._tickets: dict[str, tuple[str, str]] = {}

    def open(self, key_id: str, secret: str, user_id: str, now_s: float) -> WebSession:
        """A new session for a key already verified by the caller."""
        session = WebSession(
            secrets.token_urlsafe(32), secrets.token_urlsafe(32), key_id, secret, user_id,
            now_s, now_s,
        )  # fmt: skip
        with self._lock:
            self._sessions[session.token] = session
            while len(self._sessions) > self.capacity:
                self._sessions.popitem(last=False)
        return session

    def get(self, token: str | None, now_s: float) -> WebSession | None:
        """The live session for a cookie's token (touching it); None when there is none."""
        if not token or len(token) > 128:
            return None
        with self._lock:
            session = self._sessions.get(token)
            if session is None:
                return None
            if session.expired(now_s, self.idle_s, self.lifetime_s):
                del self._sessions[token]
                return None
            touched = replace(session, seen_s=now_s)
            self._sessions[token] = touched
            self._sessions.move_to_end(token)
            return touched

    def close(self, token: str) -> None:
        """End a session (logout)."""
        with self._lock:
            self._sessions.pop(token, None)

    def ticket(self, key_id: str, secret: str) -> str:
        """A one-click sign-in for a key, valid while this process runs."""
        ticket = secrets.token_urlsafe(24)
        with self._lock:
            self._tickets[ticket] = (key_id, secret)
        return ticket

    def redeem(self, ticket: str) -> tuple[str, str] | None:
        """The key a ticket stands for; None for an unknown ticket."""
        if len(ticket) > 128:
            return None
        with self._lock:
            return self._tickets.get(ticket)

    def __len__(self) -> int:
        with self._lock:
            return len(self._sessions)

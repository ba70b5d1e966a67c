"""The web screens' addresses as ``demo`` and ``serve`` print them.

The demo prints one-click sign-in links (tickets valid while the process runs) for its
customers and its staff credential, so a newcomer opens a screen with one click; ``serve``
prints only the sign-in address: a real firm's users sign in with their own keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from directbroker.adapters.http import ApiServer
from directbroker.adapters.web import WebSessions


def sessions_of(server: ApiServer) -> WebSessions | None:
    """The server's web session store (None when the screens are not mounted)."""
    found = getattr(server.app.state, "web_sessions", None)
    return found if isinstance(found, WebSessions) else None


def read_credential(path: Path) -> tuple[str, str] | None:
    """``(key id, secret)`` from a ``KEY_ID:SECRET`` file; None when it cannot be read."""
    try:
        key_id, _, secret = path.read_text(encoding="utf-8").strip().partition(":")
    except OSError:
        return None
    return (key_id, secret) if key_id and secret else None


def one_click_links(server: ApiServer, who: Sequence[tuple[str, str, str, str]]) -> list[str]:
    """Lines ``label: URL`` signing in each ``(label, key id, secret, page)`` with one click."""
    sessions = sessions_of(server)
    if sessions is None:
        return []
    lines = []
    for label, key_id, secret, page in who:
        ticket = sessions.ticket(key_id, secret)
        lines.append(f"  {label}: {server.url}/ui/ticket/{ticket}?next=/ui/{page}")
    return lines


def sign_in_line(server: ApiServer) -> str:
    """Where users sign in to the screens."""
    return f"Web screens: {server.url}/ui/ (sign in with an API key id and secret)"

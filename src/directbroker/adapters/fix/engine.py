"""The real FIX session behind the transport: a ``SessionFactory`` that builds
``protocols.fix`` sessions from the transport's settings.

Kept out of the package's ``__init__`` so that the transport itself never imports the session
(it is injected); the composition root passes :func:`engine_session` as the factory.
"""

from __future__ import annotations

from directbroker.adapters.fix.settings import SessionSettings
from directbroker.protocols.fix.effects import SequenceState
from directbroker.protocols.fix.session import Session
from directbroker.protocols.fix.session_config import Role, SessionConfig


def engine_session(settings: SessionSettings, state: SequenceState | None) -> Session:
    """A session for ``settings``, resuming from ``state`` (``None``: a new session)."""
    session_id = settings.session_id
    config = SessionConfig(
        begin_string=session_id.begin_string,
        sender_comp_id=session_id.sender_comp_id,
        target_comp_id=session_id.target_comp_id,
        role=Role(settings.role),
        heartbeat_interval_s=settings.heartbeat_s,
        reset_on_logon=settings.reset_on_logon,
    )
    return Session(config, state)

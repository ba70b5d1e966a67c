"""An acceptor on the loopback with scripted sessions, for the transport tests."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

from directbroker.adapters.fix import (
    FixAcceptor,
    MemoryMessageStores,
    MessageStores,
    SessionID,
    SessionRegistry,
    SessionSettings,
    TransportLimits,
)
from directbroker.testing.fix_transport import FixClient, RecordingApplication, ScriptedSessions

ALPHA = SessionID("FIX.4.4", "DBRK", "ALPHA")
BRAVO = SessionID("FIX.4.2", "DBRK", "BRAVO")


def their_view(session_id: SessionID) -> SessionID:
    """The counterparty's SessionID of the same session (CompIDs swapped)."""
    return SessionID(session_id.begin_string, session_id.target_comp_id, session_id.sender_comp_id)


@dataclass(slots=True)
class Harness:
    registry: SessionRegistry
    acceptor: FixAcceptor
    port: int
    app: RecordingApplication
    sessions: ScriptedSessions
    stores: MessageStores

    async def client(self, session_id: SessionID) -> FixClient:
        """A counterparty connected (not yet logged on) for ``session_id``."""
        return await FixClient.connect(self.port, their_view(session_id))

    async def logged_on(self, session_id: SessionID) -> FixClient:
        """A counterparty logged on to ``session_id``."""
        client = await self.client(session_id)
        await client.logon()
        return client


@asynccontextmanager
async def acceptor(
    sessions: Sequence[SessionSettings] = (SessionSettings(ALPHA), SessionSettings(BRAVO)),
    *,
    limits: TransportLimits | None = None,
    stores: MessageStores | None = None,
    clock: Callable[[], int] = time.time_ns,
) -> AsyncIterator[Harness]:
    """A running acceptor, closed (with its stores) at the end."""
    app = RecordingApplication()
    factory = ScriptedSessions()
    stores = stores if stores is not None else MemoryMessageStores()
    registry = SessionRegistry(
        sessions, stores=stores, factory=factory, app=app, clock=clock, limits=limits
    )
    accepting = FixAcceptor(registry)
    port = await accepting.start()
    try:
        yield Harness(registry, accepting, port, app, factory, stores)
    finally:
        await accepting.close()
        await stores.close()

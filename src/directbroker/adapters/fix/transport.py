"""The whole FIX transport in one object, for the composition root: the stores, the registry,
the acceptor (when any session accepts) and one initiator per initiating session.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from directbroker.adapters.fix.acceptor import FixAcceptor
from directbroker.adapters.fix.initiator import Backoff, FixInitiator
from directbroker.adapters.fix.ports import Clock, FixApplication, MessageStores, SessionFactory
from directbroker.adapters.fix.registry import SessionRegistry
from directbroker.adapters.fix.settings import SessionID, SessionSettings, TransportLimits
from directbroker.adapters.fix.store_sqlite import SqliteMessageStores
from directbroker.protocols.fix.message import Field

SQLITE_FILE = "fix.db"


async def open_stores(store: str, data_dir: Path) -> MessageStores:
    """The stores a ``[fix] store`` setting names: ``sqlite`` (``fix.db`` in ``data_dir``) or a
    PostgreSQL DSN (its ``fix`` schema)."""
    if store == "sqlite":
        data_dir.mkdir(parents=True, exist_ok=True)
        return SqliteMessageStores(data_dir / SQLITE_FILE)
    from directbroker.adapters.fix.store_postgres import PostgresMessageStores

    return await PostgresMessageStores.connect(store)


class FixTransport:
    """Every configured session, served until :meth:`close`."""

    def __init__(
        self,
        sessions: Sequence[SessionSettings],
        *,
        stores: MessageStores,
        factory: SessionFactory,
        app: FixApplication,
        clock: Clock = time.time_ns,
        limits: TransportLimits | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        backoff: Backoff | None = None,
    ) -> None:
        self.registry = SessionRegistry(
            sessions, stores=stores, factory=factory, app=app, clock=clock, limits=limits
        )
        accepting = any(s.role == "acceptor" for s in sessions)
        self.acceptor = FixAcceptor(self.registry, host, port) if accepting else None
        self.initiators = [
            FixInitiator(self.registry, s, backoff=backoff)
            for s in sessions
            if s.role == "initiator"
        ]

    async def start(self) -> int | None:
        """Listen (the acceptor's port, ``None`` without acceptor sessions) and connect."""
        port = await self.acceptor.start() if self.acceptor is not None else None
        self.registry.start_schedules()
        for initiator in self.initiators:
            initiator.start()
        return port

    async def send(self, session_id: SessionID, msg_type: str, body: Sequence[Field]) -> None:
        """Send an application message on a logged-on session (stored before it is written)."""
        await self.registry.send(session_id, msg_type, body)

    async def close(self) -> None:
        """Stop connecting and listening, drop every connection, close the stores."""
        for initiator in self.initiators:
            await initiator.stop()
        if self.acceptor is not None:
            await self.acceptor.close()
        await self.registry.stop_schedules()
        await self.registry.stores.close()

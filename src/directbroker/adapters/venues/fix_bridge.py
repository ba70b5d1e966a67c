"""The venue link's FIX applications on the FIX transport: sessions, stores and sending.

The transport's registry sends with a coroutine on its event loop; the venue link's
applications send from their own threads and want to know whether each message reached the
session's store. :class:`LoopSend` bridges the two: one queue and one sending task per
session keep each session's messages in order, and ``done`` is told the outcome.

:func:`venue_session_factory` builds the sans-I/O sessions with the venue link's dictionary
(FIX plus the venue tags), for both ends of a venue link.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import TypeVar

from directbroker.adapters.fix import (
    Backoff,
    FixInitiator,
    MemoryMessageStores,
    MessageStores,
    SessionID,
    SessionRegistry,
    SessionSettings,
    SessionUnavailable,
)
from directbroker.adapters.fix.ports import SessionFactory, SessionLike
from directbroker.adapters.fix.store_sqlite import SqliteMessageStores
from directbroker.adapters.venues.feed_stream import FeedBatchSink, FeedClient
from directbroker.adapters.venues.fix_link import VenueEndpoint, VenueSession
from directbroker.adapters.venues.fix_mapping.dictionary import venue_dictionary
from directbroker.adapters.venues.fix_ports import Done, SessionKey
from directbroker.protocols.fix import Role, Session, SessionConfig
from directbroker.protocols.fix.dictionary import Dictionary
from directbroker.protocols.fix.effects import SequenceState
from directbroker.protocols.fix.message import Field
from directbroker.protocols.fix.versions import dictionary_for

log = logging.getLogger(__name__)

_Item = tuple[str, Sequence[Field], Done | None]
T = TypeVar("T")


def venue_session_factory() -> SessionFactory:
    """Sessions that validate against FIX plus the venue tags."""
    dictionaries: dict[str, Dictionary] = {}

    def build(settings: SessionSettings, state: SequenceState | None) -> SessionLike:
        sid = settings.session_id
        dictionary = dictionaries.get(sid.begin_string)
        if dictionary is None:
            dictionary = dictionaries[sid.begin_string] = venue_dictionary(
                dictionary_for(sid.begin_string)
            )
        config = SessionConfig(
            sid.begin_string,
            sid.sender_comp_id,
            sid.target_comp_id,
            role=Role.INITIATOR if settings.role == "initiator" else Role.ACCEPTOR,
            heartbeat_interval_s=settings.heartbeat_s,
            reset_on_logon=settings.reset_on_logon,
        )
        session = Session(config, state, dictionary)
        if config.role is Role.ACCEPTOR:
            # The transport builds an acceptor's session for a connection that is up and has
            # sent its Logon; the session must know the connection is up before reading it.
            # (Its step carries only the unchanged numbers: nothing is lost by dropping it.)
            session.connected(time.time_ns())
        return session

    return build


class LoopSend:
    """A thread-safe ``Send`` over a registry on an event loop (see the module docstring)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._registry: SessionRegistry | None = None
        self._queues: dict[SessionKey, asyncio.Queue[_Item]] = {}
        self._tasks: list[asyncio.Task[None]] = []

    def bind(self, registry: SessionRegistry) -> None:
        """The registry to send through (it needs the application, which needs this)."""
        self._registry = registry

    def __call__(
        self, session_id: SessionKey, msg_type: str, body: Sequence[Field], done: Done | None
    ) -> None:
        self._loop.call_soon_threadsafe(self._enqueue, session_id, (msg_type, body, done))

    def _enqueue(self, session_id: SessionKey, item: _Item) -> None:
        queue = self._queues.get(session_id)
        if queue is None:
            queue = self._queues[session_id] = asyncio.Queue()
            self._tasks.append(asyncio.create_task(self._drain(session_id, queue)))
        queue.put_nowait(item)

    async def _drain(self, session_id: SessionKey, queue: asyncio.Queue[_Item]) -> None:
        while True:
            msg_type, body, done = await queue.get()
            stored = False
            try:
                assert self._registry is not None
                await self._registry.send(session_id, msg_type, body)  # type: ignore[arg-type]
                stored = True
            except SessionUnavailable:
                pass
            except Exception:
                log.exception("sending %s on %s failed", msg_type, session_id)
            if done is not None:
                done(stored)

    async def close(self) -> None:
        """Stop the sending tasks (what is still queued is not sent)."""
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


class _InitiatorHandle:
    """One venue's initiator as the link sees it: a thread-safe send and a close."""

    def __init__(self, loop_thread: LinkLoop, send: LoopSend, initiator: FixInitiator) -> None:
        self._thread = loop_thread
        self._send = send
        self._initiator = initiator

    def send(
        self, session_id: SessionKey, msg_type: str, body: Sequence[Field], done: Done | None
    ) -> None:
        self._send(session_id, msg_type, body, done)

    def close(self) -> None:
        async def stop() -> None:
            await self._initiator.stop()
            await self._send.close()

        self._thread.run(stop())


class LinkLoop:
    """An event loop on its own thread for the router's venue initiators and feed clients.

    The router's platform thread never waits on the network: it hands messages to the loop
    and replies come back through the link's sink."""

    def __init__(self, store_path: Path | None = None, retry: Backoff | None = None) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="fix-link", daemon=True)
        self._thread.start()
        self._stores: MessageStores = (
            SqliteMessageStores(store_path) if store_path is not None else MemoryMessageStores()
        )
        self._retry = retry
        self._feeds: list[FeedClient] = []

    def run(self, coroutine: Coroutine[object, object, T]) -> T:
        """Run ``coroutine`` on the loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(30)

    def connect(self, endpoint: VenueEndpoint, app: VenueSession) -> _InitiatorHandle:
        """Start an initiator for ``endpoint`` serving ``app`` (a ``Connect`` for the link)."""

        async def start() -> _InitiatorHandle:
            settings = SessionSettings(
                SessionID("FIX.4.2", endpoint.sender_comp_id, endpoint.target_comp_id),
                role="initiator",
                host=endpoint.host,
                port=endpoint.port,
                heartbeat_s=endpoint.heartbeat_s,
            )
            send = LoopSend(self.loop)
            registry = SessionRegistry(
                [settings],
                stores=self._stores,
                factory=venue_session_factory(),
                app=app,
                clock=time.time_ns,
            )
            send.bind(registry)
            backoff = self._retry or Backoff(base_s=0.1, max_s=2.0)
            initiator = FixInitiator(registry, settings, backoff=backoff)
            initiator.start()
            return _InitiatorHandle(self, send, initiator)

        return self.run(start())

    def follow_feed(
        self, venue: str, host: str, port: int, on_batch: FeedBatchSink, after_seq: int = 0
    ) -> FeedClient:
        """Follow a remote venue's public feed into ``on_batch`` (from the loop's thread)."""
        client = FeedClient(venue, host, port, on_batch, after_seq)

        async def start() -> None:
            client.start()

        self.run(start())
        self._feeds.append(client)
        return client

    def close(self) -> None:
        """Stop the feed clients, close the stores and the loop."""

        async def stop() -> None:
            for client in self._feeds:
                await client.stop()
            await self._stores.close()

        self.run(stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()

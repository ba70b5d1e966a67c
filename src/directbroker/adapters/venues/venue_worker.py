"""One thread that owns a venue: its core, its journal and its FIX application.

The transport calls the application from its event loop, where nothing may block; a venue
applies each request with a durable commit (an fsync). So the worker takes every callback
(and every feed subscription) in order on a queue and runs them on its own thread, the only
one that ever touches the core or the journal.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence

from directbroker.adapters.venues.fix_ports import SessionKey
from directbroker.adapters.venues.fix_venue import VenueApplication
from directbroker.domain.messages import Event
from directbroker.domain.venue_messages import EXECUTION_REPORTS
from directbroker.protocols import codec
from directbroker.protocols.fix.effects import ApplicationMessage

log = logging.getLogger(__name__)

FeedBatch = Callable[[int, int, Sequence[Event]], None]
"""(journal seq, its time, the public events it produced)."""

_Job = Callable[[], None]


def public(events: Sequence[Event]) -> list[Event]:
    """The events of the public feed (everything but the owners' execution reports)."""
    return [event for event in events if not isinstance(event, EXECUTION_REPORTS)]


class VenueWorker:
    """A :class:`VenueApplication` run on its own thread, fed by a queue."""

    def __init__(self, app: VenueApplication) -> None:
        self.app = app
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._subscribers: list[FeedBatch] = []
        self.failure: BaseException | None = None
        app.on_commit = self._publish
        self._thread = threading.Thread(target=self._run, name=f"venue:{app.venue}", daemon=True)

    def start(self) -> None:
        """Start the thread."""
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the jobs queued so far, then stop."""
        self._jobs.put(None)
        self._thread.join(timeout)

    def call(self, job: _Job) -> None:
        """Run ``job`` on the venue's thread, after everything queued before it."""
        self._jobs.put(job)

    # --- the transport's callbacks (any thread) ------------------------------------------

    def on_logon(self, session_id: SessionKey) -> None:
        """Queued for the venue's thread."""
        self.call(lambda: self.app.on_logon(session_id))

    def on_logout(self, session_id: SessionKey) -> None:
        """Queued for the venue's thread."""
        self.call(lambda: self.app.on_logout(session_id))

    def on_message(self, session_id: SessionKey, message: ApplicationMessage) -> None:
        """Queued for the venue's thread."""
        self.call(lambda: self.app.on_message(session_id, message))

    # --- the public feed -----------------------------------------------------------------

    def subscribe(self, after_seq: int, deliver: FeedBatch) -> Callable[[], None]:
        """Deliver the public feed after journal entry ``after_seq`` (from the journal), then
        live, with nothing missed or repeated between the two; returns an unsubscribe."""

        def catch_up() -> None:
            core = self.app.core
            for entry in core.journal.read(after_seq, core.last_seq):
                events = public(
                    [e for e in codec.decode_many(entry.events) if isinstance(e, Event)]
                )
                if events:
                    deliver(entry.seq, entry.ts_ns, events)
            self._subscribers.append(deliver)

        def unsubscribe() -> None:
            self.call(
                lambda: self._subscribers.remove(deliver) if deliver in self._subscribers else None
            )

        self.call(catch_up)
        return unsubscribe

    def _publish(self, seq: int, ts_ns: int, events: Sequence[Event]) -> None:
        feed = public(events)
        if feed:
            for deliver in list(self._subscribers):
                deliver(seq, ts_ns, feed)

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            try:
                job()
            except BaseException as exc:
                # Crash-only: the journal is the truth; stop taking work and let the process
                # owner see the failure and restart.
                log.exception("the venue stopped")
                self.failure = exc
                return

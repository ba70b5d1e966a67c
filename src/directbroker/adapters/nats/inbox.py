"""The inbox consumer: another core's journal, applied by this core once, in order.

Where this core stands in the origin's journal is *its own* durable state, never the bus's:
the core gives ``last_applied`` (read from what it journaled) and a ``handler`` that returns
only once an entry's effects are durable. That fits the keys cores already carry between
them (ADR 0010): the handler submits each carried message under client id
``<origin>:<seq>:<index>``, so the destination's sequencer refuses a second copy even if the
consumer's own skip rule were ever bypassed, and :func:`last_applied_from_keys` recovers the
position from those keys at start-up.

The JetStream durable consumer is only a cursor. Every entry at or below the last applied
sequence is acknowledged and skipped (a redelivery after a crash applies nothing twice); an
entry is acknowledged only after the handler returned. At start, and whenever an entry
arrives that is not the next one, the durable consumer is re-created at the stream position
of the next entry, which JetStream gives by arithmetic because a core's stream holds only
its journal, contiguously (see ``outbox``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import nats.errors
import nats.js.errors
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from directbroker.adapters.nats.connection import (
    NatsSettings,
    NatsTransportError,
    NatsUnavailableError,
    bounded,
)
from directbroker.adapters.nats.streams import (
    consumer_name,
    decode_entry,
    stream_name,
    subject_for,
)
from directbroker.runtime.journal import Journal, JournalEntry, entry_hash, reading

log = logging.getLogger(__name__)

EntryHandler = Callable[[JournalEntry], Awaitable[None]]
"""Apply one origin entry; return only when its effects are durable at the destination."""

LastApplied = Callable[[], Awaitable[int]]
"""The last origin journal sequence the destination has durably applied (0: none)."""


class InboxError(NatsTransportError):
    """The stream cannot give this consumer its next entry, or gave a broken one."""


def last_applied_from_keys(journal: Journal, origin: str) -> int:
    """The highest origin sequence among ``journal``'s client ids ``<origin>:<seq>:<index>``.

    Blocking (it reads the destination's journal): run it in a thread at start-up. An origin
    entry that carried nothing for this destination leaves no key, so the position may be
    below the last entry seen; those entries are delivered again and carry nothing again.
    """
    prefix = f"{origin}:"
    last = 0
    with reading(journal) as entries:
        for entry in entries:
            key = entry.client_id
            if key is not None and key.startswith(prefix):
                seq = key[len(prefix) :].partition(":")[0]
                if seq.isdigit():
                    last = max(last, int(seq))
    return last


class InboxConsumer:
    """Reads ``origin``'s stream for ``destination`` through a durable pull consumer."""

    def __init__(
        self,
        nc: Client,
        settings: NatsSettings,
        origin: str,
        destination: str,
        handler: EntryHandler,
        last_applied: LastApplied,
        *,
        namespace: str = "dbrk",
        batch: int = 256,
        fetch_wait: float = 0.5,
        ack_wait: float = 30.0,
    ) -> None:
        if batch < 1:
            raise ValueError("batch must be at least 1")
        self.origin = origin
        self.destination = destination
        self.stream = stream_name(origin, namespace)
        self.subject = subject_for(origin, namespace)
        self.durable = consumer_name(destination, origin)
        self.settings = settings
        self.batch = batch
        self.fetch_wait = fetch_wait
        self.ack_wait = ack_wait
        self.applied = 0
        """The last origin sequence applied (from ``last_applied``, then each handled entry)."""
        self.skipped = 0
        """Deliveries at or below the applied sequence: acknowledged, not applied."""
        self._nc = nc
        self._js: JetStreamContext = nc.jetstream(timeout=settings.request_timeout)
        self._handler = handler
        self._last_applied = last_applied
        self._sub: JetStreamContext.PullSubscription | None = None
        self._prev_hash: bytes | None = None
        self._positioned_at: int | None = None
        self._stopping = False
        self._restart = False

    # --- position ---------------------------------------------------------------------------

    async def start(self) -> int:
        """Read the applied position and bind the durable consumer just after it."""
        self.applied = await self._last_applied()
        self._prev_hash = None
        self._restart = False
        await self._bind()
        return self.applied

    async def _stream_seq_after(self, applied: int) -> int:
        """The stream sequence of origin entry ``applied + 1`` (or the next one to come)."""
        try:
            info = await bounded(self._js.stream_info(self.stream), self.settings, "stream info")
        except nats.js.errors.NotFoundError as exc:
            raise InboxError(
                f"stream {self.stream} of {self.origin} does not exist: provision it "
                "(provision_stream) before consuming"
            ) from exc
        state = info.state
        if state.messages == 0:
            return state.last_seq + 1
        raw = await bounded(
            self._js.get_msg(self.stream, state.first_seq), self.settings, "first message"
        )
        first = decode_entry(raw.data or b"").seq
        if applied + 1 < first:
            raise InboxError(
                f"{self.destination} needs entry {applied + 1} of {self.origin}, but stream "
                f"{self.stream} starts at entry {first} (older entries aged out): rebuild "
                "from the origin's journal"
            )
        return min(state.first_seq + (applied + 1 - first), state.last_seq + 1)

    async def _bind(self) -> None:
        await self._unsubscribe()
        target = await self._stream_seq_after(self.applied)
        try:
            info = await bounded(
                self._js.consumer_info(self.stream, self.durable), self.settings, "consumer"
            )
        except nats.js.errors.NotFoundError:
            info = None
        reusable = (
            info is not None
            and not info.num_ack_pending
            and info.delivered is not None
            and info.delivered.stream_seq == target - 1
        )
        if info is not None and not reusable:
            # Deliveries of a previous life are pending, or the cursor is elsewhere than our
            # own position: the position wins.
            await bounded(
                self._js.delete_consumer(self.stream, self.durable), self.settings, "delete"
            )
        if not reusable:
            config = ConsumerConfig(
                name=self.durable,
                durable_name=self.durable,
                description=f"{self.destination} applying the journal of {self.origin}",
                deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
                opt_start_seq=target,
                ack_policy=AckPolicy.EXPLICIT,
                ack_wait=self.ack_wait,
                max_deliver=-1,
                max_ack_pending=self.batch * 4,
            )
            await bounded(self._js.add_consumer(self.stream, config), self.settings, "consumer")
        self._sub = await bounded(
            self._js.pull_subscribe_bind(durable=self.durable, stream=self.stream),
            self.settings,
            "subscribe",
        )
        self._positioned_at = self.applied

    # --- consuming --------------------------------------------------------------------------

    async def poll(self) -> int:
        """Fetch one batch (waiting up to ``fetch_wait``) and apply it; how many applied."""
        if self._sub is None or self._restart:
            await self.start()
        assert self._sub is not None
        try:
            msgs = await self._sub.fetch(self.batch, timeout=self.fetch_wait)
        except (TimeoutError, nats.errors.TimeoutError):
            if not self._nc.is_connected:
                raise NatsUnavailableError(self.settings.url, "a fetch", self.fetch_wait) from None
            return 0
        applied = 0
        last = len(msgs) - 1
        for index, msg in enumerate(msgs):
            outcome = await self._apply(msg, confirm=index == last)
            if outcome is None:
                await self._bind()
                break
            applied += outcome
        return applied

    async def _ack(self, msg: Msg, confirm: bool) -> None:
        # Acknowledgements are fire-and-forget, except the last of a batch, which waits for
        # the server: a batch is then settled before the next fetch, and a clean stop leaves
        # nothing to redeliver.
        if confirm:
            await bounded(msg.ack_sync(self.settings.request_timeout), self.settings, "ack")
        else:
            await msg.ack()

    async def _apply(self, msg: Msg, confirm: bool) -> int | None:
        """1 applied, 0 skipped, ``None``: not the next entry (the consumer must move)."""
        entry = decode_entry(msg.data)
        if entry.seq <= self.applied:
            self.skipped += 1
            await self._ack(msg, confirm)
            return 0
        if entry.seq != self.applied + 1:
            if self._positioned_at == self.applied:
                raise InboxError(
                    f"stream {self.stream} gave entry {entry.seq} of {self.origin} where "
                    f"{self.applied + 1} was due, right after positioning at it"
                )
            return None
        if self._prev_hash is not None:
            seq, ts_ns, client_id, command, events, stored = entry
            if entry_hash(self._prev_hash, seq, ts_ns, client_id, command, events) != stored:
                raise InboxError(
                    f"entry {seq} of {self.origin} does not follow entry {seq - 1} "
                    "(hash chain broken)"
                )
        try:
            await self._handler(entry)
        except BaseException:
            # The entry may or may not be durable at the destination: only its own state
            # can say, so the next poll starts again from ``last_applied``.
            self._restart = True
            raise
        self.applied = entry.seq
        self._prev_hash = entry.hash
        self._positioned_at = None
        await self._ack(msg, confirm)
        return 1

    async def run(self, retry_wait: float = 0.5) -> None:
        """Poll until :meth:`stop`; an outage is retried after ``retry_wait`` by re-binding
        from the applied position. :class:`InboxError` and handler errors end the run."""
        while not self._stopping:
            try:
                await self.poll()
            except NatsUnavailableError as exc:
                log.warning("inbox %s: %s; retrying", self.durable, exc)
                await asyncio.sleep(retry_wait)
                self._restart = True

    def stop(self) -> None:
        """Ask :meth:`run` to return after the batch in hand."""
        self._stopping = True

    async def close(self) -> None:
        """Unsubscribe; the durable consumer stays on the server for the next start."""
        await self._unsubscribe()

    async def _unsubscribe(self) -> None:
        sub, self._sub = self._sub, None
        if sub is not None:
            try:
                await sub.unsubscribe()
            except nats.errors.Error as exc:
                log.debug("unsubscribing %s: %r", self.durable, exc)

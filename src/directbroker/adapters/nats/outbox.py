"""The outbox publisher: a core's committed journal, published to its stream once, in order.

The journal is the outbox. Nothing is queued in memory for the bus: the publisher reads the
entries after its position, publishes them and moves its position only over entries the
server acknowledged. Its position is not stored anywhere of its own; on every start, and after
every failure, it asks JetStream which entry the stream holds last and continues after it, so
a crash at any point neither skips nor repeats an entry:

- every message carries ``Nats-Msg-Id = <core>:<seq>``, so a publish the server stored but
  whose acknowledgement was lost is dropped as a duplicate if it is sent again in the window;
- every message carries ``Nats-Expected-Last-Sequence`` (the stream sequence it must follow),
  so a message is stored only directly after its predecessor: a publish that failed makes the
  rest of its batch fail too (no gap), and a second publisher of the same core is fenced out
  instead of interleaving;
- on resume the stream's last entry is checked against the journal (same sequence, same
  hash), so a journal restored from an older backup, or a stream fed by another history,
  stops the publisher with :class:`OutboxError` instead of publishing a fork.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol, TypeVar

import nats.js.errors
from nats.aio.client import Client
from nats.js.api import PubAck

from directbroker.adapters.nats.connection import (
    NatsSettings,
    NatsTransportError,
    NatsUnavailableError,
    bounded,
)
from directbroker.adapters.nats.streams import (
    EXPECTED_LAST_SEQUENCE,
    MSG_ID,
    WRONG_LAST_SEQUENCE,
    decode_entry,
    encode_entry,
    message_id,
    stream_name,
    subject_for,
)
from directbroker.runtime.journal import JournalEntry

log = logging.getLogger(__name__)
R = TypeVar("R")

_MAX_BATCH = 4_000
"""nats-py's default limit of publishes awaiting acknowledgement on one connection."""


class JournalSource(Protocol):
    """The part of :class:`~directbroker.runtime.journal.Journal` the publisher reads.

    Journals are used by one thread at a time, so the publisher needs a reader of its own (a
    second connection to the same file or database), which it only touches from one worker
    thread, never from the event loop.
    """

    def read(self, after_seq: int = 0, until_seq: int | None = None) -> Iterator[JournalEntry]:
        """Entries ``after_seq < seq <= until_seq`` in order."""
        ...

    def get(self, seq: int) -> JournalEntry | None:
        """One entry by sequence number."""
        ...


class OutboxError(NatsTransportError):
    """The stream and the journal disagree; publishing would fork or skip history."""


class _Fenced(NatsTransportError):
    """The stream moved under this publisher (another publisher, or a publish whose fate is
    unknown): ask JetStream where it stands and go on from there."""


class OutboxPublisher:
    """Publishes one core's journal to its stream (provisioned beforehand)."""

    def __init__(
        self,
        nc: Client,
        settings: NatsSettings,
        core: str,
        journal: JournalSource,
        *,
        namespace: str = "dbrk",
        batch: int = 512,
        poll_interval: float = 0.05,
        start_after: int = 0,
    ) -> None:
        if not 1 <= batch <= _MAX_BATCH:
            raise ValueError(f"batch must be 1 to {_MAX_BATCH}")
        self.core = core
        self.stream = stream_name(core, namespace)
        self.subject = subject_for(core, namespace)
        self.settings = settings
        self.batch = batch
        self.poll_interval = poll_interval
        self.start_after = start_after
        """Where to begin when the stream has never held anything (0: the whole journal)."""
        self.position: int | None = None
        """The last journal sequence the server acknowledged; ``None`` until asked."""
        self.published = 0
        self._js = nc.jetstream(timeout=settings.request_timeout)
        self._journal = journal
        self._reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"outbox-{core}")
        self._stream_last = 0
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping = False

    # --- position ---------------------------------------------------------------------------

    async def resume(self) -> int:
        """Ask JetStream what the stream holds and continue after it; the journal sequence."""
        try:
            info = await bounded(self._js.stream_info(self.stream), self.settings, "stream info")
        except nats.js.errors.NotFoundError as exc:
            raise OutboxError(
                f"stream {self.stream} does not exist: provision it (provision_stream) first"
            ) from exc
        state = info.state
        if state.messages == 0:
            if state.last_seq != 0:
                raise OutboxError(
                    f"stream {self.stream} is empty but has held {state.last_seq} messages "
                    "(purged or aged out): where to resume is unknown; start it anew or "
                    "set start_after"
                )
            position = self.start_after
        else:
            raw = await bounded(
                self._js.get_msg(self.stream, state.last_seq), self.settings, "last message"
            )
            last = decode_entry(raw.data or b"")
            local = await self._in_reader(self._journal.get, last.seq)
            if local is None:
                raise OutboxError(
                    f"stream {self.stream} holds entry {last.seq} of {self.core} but the "
                    "journal does not: the journal lost entries that were already published"
                )
            if local.hash != last.hash:
                raise OutboxError(
                    f"stream {self.stream} holds a different entry {last.seq} than the "
                    f"journal of {self.core} (hash differs): not the same history"
                )
            position = last.seq
        self._stream_last = state.last_seq
        self.position = position
        return position

    # --- publishing -------------------------------------------------------------------------

    async def publish_pending(self) -> int:
        """Publish every entry committed after the position; how many were acknowledged.

        Any failure forgets the position (the next call asks JetStream again) and raises.
        """
        if self.position is None:
            await self.resume()
        total = 0
        try:
            while True:
                assert self.position is not None
                entries = await self._in_reader(self._read_batch, self.position)
                if not entries:
                    return total
                total += await self._publish_batch(entries)
        except BaseException:
            self.position = None
            raise

    def _read_batch(self, after: int) -> list[JournalEntry]:
        entries = self._journal.read(after, after + self.batch)
        try:
            return list(entries)
        finally:
            # As ``runtime.journal.reading``: a PostgreSQL cursor must not outlive the read.
            close = getattr(entries, "close", None)
            if close is not None:
                close()

    async def _publish_batch(self, entries: list[JournalEntry]) -> int:
        assert self.position is not None
        if entries[0].seq != self.position + 1:
            raise OutboxError(
                f"journal of {self.core} jumps from {self.position} to {entries[0].seq}"
            )
        futures: list[asyncio.Future[PubAck]] = []
        try:
            for offset, entry in enumerate(entries):
                headers = {
                    MSG_ID: message_id(self.core, entry.seq),
                    EXPECTED_LAST_SEQUENCE: str(self._stream_last + offset),
                }
                futures.append(
                    await self._js.publish_async(
                        self.subject,
                        encode_entry(entry),
                        # No stall bound: a batch never exceeds the client's 4,000 pending
                        # publishes, and a bound would make every publish yield to the loop
                        # (one socket write per message instead of one per batch).
                        wait_stall=None,
                        headers=headers,
                    )
                )
            # In order: the position moves over the acknowledged prefix only.
            for entry, future in zip(entries, futures, strict=True):
                ack = await self._ack(future, entry.seq)
                if ack.seq != self._stream_last + 1:
                    raise _Fenced(
                        f"entry {entry.seq} of {self.core} stored at stream seq {ack.seq}, "
                        f"expected {self._stream_last + 1}"
                    )
                self._stream_last = ack.seq
                self.position = entry.seq
                self.published += 1
        except nats.js.errors.TooManyStalledMsgsError as exc:
            raise NatsUnavailableError(
                self.settings.url, "publish acknowledgements", self.settings.request_timeout
            ) from exc
        finally:
            for future in futures:
                future.cancel()
        return len(entries)

    async def _ack(self, future: asyncio.Future[PubAck], seq: int) -> PubAck:
        try:
            return await bounded(future, self.settings, f"acknowledgement of entry {seq}")
        except nats.js.errors.APIError as exc:
            if exc.err_code == WRONG_LAST_SEQUENCE:
                raise _Fenced(f"entry {seq} of {self.core} does not follow the stream") from exc
            raise

    # --- running ----------------------------------------------------------------------------

    def wake(self) -> None:
        """New entries were committed; safe to call from any thread (the core's commit)."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._wake.set)

    async def run(self, retry_wait: float = 0.5) -> None:
        """Publish until :meth:`stop`: on :meth:`wake` or every ``poll_interval``.

        A lost server or a fenced publish is retried after ``retry_wait`` from what JetStream
        then holds; :class:`OutboxError` (the stream and journal disagree) ends the run.
        """
        self._loop = asyncio.get_running_loop()
        while True:
            self._wake.clear()
            try:
                await self.publish_pending()
            except (NatsUnavailableError, _Fenced) as exc:
                if self._stopping:
                    raise
                log.warning("outbox of %s: %s; resuming from the stream", self.core, exc)
                await asyncio.sleep(retry_wait)
                continue
            if self._stopping:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_interval)

    def stop(self) -> None:
        """Ask :meth:`run` to publish what is committed and return (from the loop's thread)."""
        self._stopping = True
        self._wake.set()

    def close(self) -> None:
        """Release the reader thread (an unfinished read completes on its own)."""
        self._reader.shutdown(wait=False, cancel_futures=True)

    async def _in_reader(self, fn: Callable[[int], R], arg: int) -> R:
        return await asyncio.get_running_loop().run_in_executor(self._reader, fn, arg)

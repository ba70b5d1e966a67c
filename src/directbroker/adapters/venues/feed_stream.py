"""A venue's public feed over TCP, rewindable: what market data needs from a remote venue.

The feed is the venue's journal, less the owners' execution reports: book and trade events
with the journal position and time of the entry that made them. A subscriber says where it
is (``FROM <seq>\\n``) and gets every later entry in order, from the journal and then live,
so a subscriber that reconnects (or a venue that restarts) loses and repeats nothing, in the
manner of a TotalView-ITCH feed with a rewind server (ADR 0022).

Frames: ``seq`` (u64), ``ts_ns`` (u64), ``length`` (u32), then ``length`` bytes of the
events as the journal encodes them (``codec.encode_many``), all big-endian.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import struct
from collections.abc import Callable, Sequence

from directbroker.adapters.venues.venue_worker import VenueWorker
from directbroker.domain.messages import Event
from directbroker.protocols import codec

log = logging.getLogger(__name__)

FeedBatchSink = Callable[[str, int, int, Sequence[Event]], None]
"""Receives (venue, journal seq, its time, the entry's public events), once per entry."""

HEADER = struct.Struct(">QQI")
MAX_FRAME_BYTES = 1 << 24
MAX_BUFFERED_BYTES = 1 << 22
"""A subscriber this far behind is dropped; it reconnects from where it is."""


def frame(seq: int, ts_ns: int, events: Sequence[Event]) -> bytes:
    """One journal entry's public events as a frame."""
    payload = codec.encode_many(events)
    return HEADER.pack(seq, ts_ns, len(payload)) + payload


async def read_frame(reader: asyncio.StreamReader) -> tuple[int, int, list[Event]]:
    """The next frame (``IncompleteReadError`` at the end of the stream)."""
    seq, ts_ns, length = HEADER.unpack(await reader.readexactly(HEADER.size))
    if length > MAX_FRAME_BYTES:
        raise ValueError(f"a feed frame of {length} bytes")
    events = [
        e for e in codec.decode_many(await reader.readexactly(length)) if isinstance(e, Event)
    ]
    return seq, ts_ns, events


class FeedServer:
    """Serves one venue's feed to any number of subscribers (on the running event loop)."""

    def __init__(self, worker: VenueWorker, host: str = "127.0.0.1", port: int = 0) -> None:
        self._worker = worker
        self._host = host
        self._port = port
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> int:
        """Listen; the port."""
        self._server = await asyncio.start_server(self._serve, self._host, self._port)
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def close(self) -> None:
        """Stop listening and drop every subscriber."""
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        if self._server is not None:
            await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        loop = asyncio.get_running_loop()
        try:
            line = await asyncio.wait_for(reader.readline(), 10)
            word, _, number = line.decode("ascii").strip().partition(" ")
            if word != "FROM" or not number.isdigit():
                return
        except (TimeoutError, UnicodeDecodeError, ConnectionError):
            writer.transport.abort()
            return
        self._writers.add(writer)

        def deliver(seq: int, ts_ns: int, events: Sequence[Event]) -> None:
            data = frame(seq, ts_ns, events)  # encoded on the venue's thread
            loop.call_soon_threadsafe(self._write, writer, data)

        unsubscribe = self._worker.subscribe(int(number), deliver)
        try:
            await reader.read()  # until the subscriber goes away
        except ConnectionError:
            pass
        finally:
            unsubscribe()
            self._writers.discard(writer)
            writer.transport.abort()

    def _write(self, writer: asyncio.StreamWriter, data: bytes) -> None:
        if writer.transport.is_closing():
            return
        if writer.transport.get_write_buffer_size() > MAX_BUFFERED_BYTES:
            log.info("a feed subscriber fell behind; dropped")
            writer.transport.abort()
            return
        writer.write(data)


class FeedClient:
    """Follows a remote venue's feed into ``on_feed``, reconnecting from where it is."""

    def __init__(
        self,
        venue: str,
        host: str,
        port: int,
        on_batch: FeedBatchSink,
        after_seq: int = 0,
        retry_s: Callable[[int], float] = lambda attempt: min(0.05 * 2**attempt, 2.0),
    ) -> None:
        self.venue = venue
        self._host = host
        self._port = port
        self._on_batch = on_batch
        self.last_seq = after_seq
        """The last journal entry delivered."""
        self._retry_s = retry_s
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Follow the feed in the background (on the running loop) until :meth:`stop`."""
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """Stop following."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        failures = 0
        while True:
            try:
                reader, writer = await asyncio.open_connection(self._host, self._port)
            except OSError:
                failures += 1
                await asyncio.sleep(self._retry_s(failures))
                continue
            try:
                writer.write(f"FROM {self.last_seq}\n".encode("ascii"))
                await writer.drain()
                failures = 0
                while True:
                    seq, ts_ns, events = await read_frame(reader)
                    if seq <= self.last_seq:
                        continue
                    self._on_batch(self.venue, seq, ts_ns, events)
                    self.last_seq = seq
            except (asyncio.IncompleteReadError, ConnectionError, ValueError):
                pass
            finally:
                writer.transport.abort()
            failures += 1
            await asyncio.sleep(self._retry_s(failures))

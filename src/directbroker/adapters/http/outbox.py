"""A WebSocket connection's bounded queue of outgoing frames, written by its own task.

Producers (the stream pumps, replies to requests) never wait on a client's socket: they queue a
frame and go on. One writer task per connection sends the frames in order. When a client stops
reading, its socket buffers fill, the writer waits, and the queue fills; the next frame that
does not fit drops the client (a close, which the server turns into an abort when writes are
blocked: see :mod:`.protocols`). Memory per client is bounded by the queue's capacity, and a
client that does not read never delays another.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from fastapi import WebSocket

Frame = str | bytes
SLOW_CLIENT_CLOSE = 1008
"""Policy violation: the client did not read what it subscribed to."""


class Outbox:
    """Frames waiting to be sent to one WebSocket, at most ``capacity`` of them."""

    def __init__(
        self, websocket: WebSocket, capacity: int, on_drop: Callable[[], None] | None = None
    ) -> None:
        if capacity < 1:
            raise ValueError("capacity must be positive")
        self.websocket = websocket
        self.dropped = False
        self._on_drop = on_drop
        self._queue: asyncio.Queue[Frame] = asyncio.Queue(capacity)
        self._writer = asyncio.create_task(self._write())
        self._closer: asyncio.Task[None] | None = None

    def put(self, frame: Frame) -> bool:
        """Queue ``frame`` without waiting; False (and the client is being dropped) if the
        queue is full or the client was already dropped."""
        if self.dropped:
            return False
        try:
            self._queue.put_nowait(frame)
        except asyncio.QueueFull:
            self.drop("slow client: did not read its messages")
            return False
        return True

    def drop(self, reason: str) -> None:
        """Stop sending and close the connection (aborted if the client is not reading)."""
        if self.dropped:
            return
        self.dropped = True
        if self._on_drop is not None:
            self._on_drop()
        self._writer.cancel()
        self._closer = asyncio.create_task(self._close(reason))

    async def _close(self, reason: str) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.websocket.close(SLOW_CLIENT_CLOSE, reason), 5.0)

    async def _write(self) -> None:
        while True:
            frame = await self._queue.get()
            try:
                if isinstance(frame, bytes):
                    await self.websocket.send_bytes(frame)
                else:
                    await self.websocket.send_text(frame)
            except Exception:  # the client went away: the receiving side notices and ends
                return

    async def aclose(self) -> None:
        """Stop the writer (the connection is ending)."""
        self._writer.cancel()
        for task in (self._writer, self._closer):
            if task is not None:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

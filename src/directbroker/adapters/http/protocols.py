"""uvicorn's HTTP and WebSocket protocols with the deadlines and drops a public server needs.

uvicorn bounds an idle keep-alive connection, but not a client that opens a connection and
sends its request a byte at a time (slowloris): nothing times the first request out, so a few
hundred such sockets hold the server's connections forever. :class:`GuardedH11Protocol` gives
every request a deadline: from the connection's start (or the previous response) until the
whole request, headers and body, has arrived; a client that misses it is disconnected.

A WebSocket client that stops reading fills the socket's buffers; uvicorn then makes every
send wait until the client reads again, and its close and ping-timeout paths wait to flush
what is buffered, so such a connection is never let go. :class:`DroppingWebSocketProtocol`
aborts the connection instead when the application closes it (or a keep-alive ping times out)
while writes are blocked: what is buffered for a client that does not read is thrown away. It
also fixes the socket's kernel send buffer (256 KiB), so what a stalled client can hold in the
kernel is bounded too and its stall shows within a bounded amount of data.

:class:`GuardedH11Protocol` also applies the server's load shedding (:mod:`.shedding`): as
h11 parses a request, and before any of the application runs, the protocol decides whether
the request is handled or answered 503 at once (written there and then: no task, no scope,
so refusing costs far less than handling); it also notes when each request's bytes arrived.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from typing import Any

import h11
from starlette.types import ASGIApp
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

from directbroker.adapters.http.shedding import Shedder, busy_body, dispatched

WS_SEND_BUFFER_BYTES = 262_144
"""The kernel's send buffer for a WebSocket: ample for a stream, bounded for a stalled one."""

REQUEST_TIMEOUT_S = 10.0
"""How long a client has to send one whole request (headers and a body of at most 1 MiB)."""


class GuardedH11Protocol(H11Protocol):
    """h11 with a deadline for receiving each request (see the module docstring)."""

    request_timeout: float = REQUEST_TIMEOUT_S
    shedder: Shedder | None = None
    """The server's shedding rule (none: every request is handled)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._arrived = 0.0
        self._dispatch: str | None = None
        super().__init__(*args, **kwargs)
        self._request_deadline: asyncio.TimerHandle | None = None
        if self.shedder is not None:
            self.conn = _SheddingConnection(self, self.conn._max_incomplete_event_size)

    @property
    def app(self) -> ASGIApp:
        """What uvicorn runs for the request it has just parsed: the application, counted in
        flight and refused if its handling starts too late, when the shedding rule admitted
        it (see :meth:`shed`)."""
        method, self._dispatch = self._dispatch, None
        if method is None or self.shedder is None:
            return self._app
        return dispatched(self._app, self.shedder, method, self._arrived)

    @app.setter
    def app(self, value: ASGIApp) -> None:
        self._app = value

    def data_received(self, data: bytes) -> None:
        if self.shedder is not None:
            self._arrived = self.shedder.clock()
        super().data_received(data)

    def shed(self, event: h11.Request) -> bool:
        """Whether the request just parsed is refused: if so it has been answered 503 here,
        at once, with no task, no scope and none of the application; the connection stays
        open and the rest of the request's body is read and dropped."""
        shedder = self.shedder
        assert shedder is not None
        method = event.method.decode("ascii")
        if any(name.lower() == b"upgrade" for name, _ in event.headers):
            return False  # a WebSocket (or refused upgrade): not a request in flight
        reason = shedder.admit(method)
        if reason is None:
            self._dispatch = method
            return False
        body = busy_body(reason)
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"retry-after", str(shedder.limits.retry_after_s).encode()),
        ]
        conn = self.conn
        write = self.transport.write
        write(conn.send(h11.Response(status_code=503, headers=headers, reason=_BUSY_REASON)))
        if method != "HEAD":
            write(conn.send(h11.Data(data=body)))
        write(conn.send(h11.EndOfMessage()))
        if conn.our_state is h11.MUST_CLOSE:  # the client asked to close
            conn.send(h11.ConnectionClosed())
            self.transport.close()
        else:
            self._arm_request_deadline()  # the next request on this connection
        return True

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_request_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_request_deadline()
        super().connection_lost(exc)

    def handle_events(self) -> None:
        super().handle_events()
        # Their state leaves IDLE/SEND_BODY once the whole request is in (or the connection
        # switched to WebSocket and belongs to another protocol).
        if self.conn.their_state not in (h11.IDLE, h11.SEND_BODY):
            self._disarm_request_deadline()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm_request_deadline()  # the next request on this connection

    def _arm_request_deadline(self) -> None:
        self._disarm_request_deadline()
        self._request_deadline = self.loop.call_later(self.request_timeout, self._request_late)

    def _disarm_request_deadline(self) -> None:
        if self._request_deadline is not None:
            self._request_deadline.cancel()
            self._request_deadline = None

    def _request_late(self) -> None:
        self._request_deadline = None
        if self.transport.is_closing() or self.transport.get_protocol() is not self:
            return
        if self.conn.their_state in (h11.IDLE, h11.SEND_BODY):
            # Nothing has been answered for this request yet: there is nothing to flush.
            self.transport.abort()


_BUSY_REASON = b"Service Unavailable"


class _SheddingConnection(h11.Connection):
    """h11's server side, which hands each parsed request to the protocol's shedding rule
    before uvicorn sees it: a request answered there is skipped (the events after it, the
    rest of its body, are uvicorn's as for any request answered before its body is read)."""

    def __init__(self, protocol: GuardedH11Protocol, max_incomplete_event_size: int) -> None:
        super().__init__(h11.SERVER, max_incomplete_event_size=max_incomplete_event_size)
        self._protocol = protocol

    def next_event(self) -> Any:
        while True:
            event = super().next_event()
            if not isinstance(event, h11.Request) or not self._protocol.shed(event):
                return event


class DroppingWebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's sans-I/O WebSocket protocol that drops a client which does not read."""

    send_buffer_bytes: int = WS_SEND_BUFFER_BYTES

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        raw = transport.get_extra_info("socket")
        if raw is not None:
            # A fixed kernel send buffer: without it Linux grows it to 4 MiB for a client
            # that does not read, and a stalled client is only noticed once that is full.
            with contextlib.suppress(OSError):
                raw.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, self.send_buffer_bytes)

    async def send(self, message: Any) -> None:
        if message.get("type") == "websocket.close" and self._write_blocked():
            self.transport.abort()  # connection_lost wakes any send waiting to write
            return
        await super().send(message)

    def keepalive_timeout(self) -> None:
        if self._write_blocked():
            self.transport.abort()
            return
        super().keepalive_timeout()

    def _write_blocked(self) -> bool:
        return (
            self.transport is not None
            and not self.transport.is_closing()
            and not self.writable.is_set()
        )

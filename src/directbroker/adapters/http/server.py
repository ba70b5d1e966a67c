"""Runs the client API on uvicorn in a background thread, for the platform and for tests.

The platform's own threads (sequencers, simulation) keep running; the server gets its own
event loop. ``port=0`` binds a free port, reported by :attr:`ApiServer.port` once started.
HTTP is uvicorn's h11 protocol with a deadline for each request (slowloris), WebSockets its
sans-I/O websockets protocol that drops clients which stop reading (see :mod:`.protocols`);
idle keep-alive connections close after a few seconds and request bodies stop at 1 MiB.
When the server is behind, requests are answered 503 with ``Retry-After`` before the
application sees them (:mod:`.shedding`), so every request is answered within a bound.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Callable, Coroutine
from types import TracebackType
from typing import Any, TypeVar

import uvicorn
from fastapi import FastAPI

from directbroker.adapters.http.protocols import (
    REQUEST_TIMEOUT_S,
    DroppingWebSocketProtocol,
    GuardedH11Protocol,
)
from directbroker.adapters.http.shedding import Shedder, ShedLimits, heartbeat

T = TypeVar("T")

KEEP_ALIVE_S = 5
"""Seconds an idle keep-alive connection stays open."""

MAX_HEADER_BYTES = 16_384
"""The request line and headers together (431/400 beyond)."""


class ApiServer:
    """A uvicorn server on ``host:port`` in a daemon thread; use as a context manager."""

    def __init__(
        self,
        app: FastAPI,
        host: str = "127.0.0.1",
        port: int = 0,
        on_loop: Callable[[asyncio.AbstractEventLoop], None] | None = None,
        *,
        keep_alive_s: int = KEEP_ALIVE_S,
        request_timeout_s: float = REQUEST_TIMEOUT_S,
        shedding: ShedLimits | None = None,
    ) -> None:
        """``on_loop`` is told the server's event loop as it starts (whoever feeds read models
        the routes query attaches there). An idle keep-alive connection is closed after
        ``keep_alive_s``; a client that has not sent a whole request ``request_timeout_s``
        after connecting (or after its previous response) is disconnected. ``shedding`` says
        how many requests are handled at once and how long one may wait before its handling
        (:class:`~.shedding.ShedLimits`' defaults if not given)."""
        self.app = app
        self._on_loop = on_loop
        self.loop: asyncio.AbstractEventLoop | None = None
        """The server's event loop, once it runs."""
        self.host = host
        # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets whose protocol says
        # TCP, and without it every response waits 40 ms for a delayed ACK (Nagle).
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self._socket.bind((host, port))
        except OSError:
            self._socket.close()  # the caller may try another port; leave no socket behind
            raise
        self.port: int = self._socket.getsockname()[1]
        self.shedder = Shedder(shedding)
        http = type(
            "ApiHttpProtocol",
            (GuardedH11Protocol,),
            {"request_timeout": request_timeout_s, "shedder": self.shedder},
        )
        config = uvicorn.Config(
            app,
            log_level="warning",
            http=http,
            ws=DroppingWebSocketProtocol,
            timeout_keep_alive=keep_alive_s,
            h11_max_incomplete_event_size=MAX_HEADER_BYTES,
            lifespan="off",
            access_log=False,
            timeout_graceful_shutdown=2,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._run, name="directbroker-api", daemon=True)

    @property
    def url(self) -> str:
        """The HTTP base URL (what alpaca-py's ``url_override`` takes)."""
        return f"http://{self.host}:{self.port}"

    @property
    def ws_url(self) -> str:
        """The WebSocket base URL."""
        return f"ws://{self.host}:{self.port}"

    def _run(self) -> None:
        asyncio.run(self._serve())

    def run_on_loop(self, work: Callable[[], Coroutine[Any, Any, T]], timeout: float = 10.0) -> T:
        """Run a coroutine on the server's event loop (from another thread) and wait for it:
        other edges that share the read models (the FIX sessions) start and stop this way."""
        loop = self.loop
        if loop is None or loop.is_closed():
            raise RuntimeError("the API server is not running")
        return asyncio.run_coroutine_threadsafe(work(), loop).result(timeout)

    async def _serve(self) -> None:
        self.loop = asyncio.get_running_loop()
        if self._on_loop is not None:
            self._on_loop(asyncio.get_running_loop())
        watch = asyncio.create_task(heartbeat(self.shedder))
        try:
            await self._server.serve(sockets=[self._socket])
        finally:
            watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watch

    def start(self, timeout: float = 10.0) -> ApiServer:
        """Start serving and wait until the server accepts connections."""
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the API server did not start")
            time.sleep(0.01)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop accepting, close open connections and wait for the thread to end."""
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout)
        self._socket.close()

    def __enter__(self) -> ApiServer:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

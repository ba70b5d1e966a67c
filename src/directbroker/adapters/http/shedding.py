"""Load shedding at the HTTP server: a request the server cannot handle soon is answered 503 at
once, before any of the application runs.

Admission (:mod:`directbroker.app.admission`) bounds how long a command waits for the platform,
but a request reaches it only after the server's event loop has parsed it and run the API's
routing, authentication and validation. When requests arrive faster than the loop can do that
(an open-loop flood over thousands of connections), they queue in the loop, unbounded and
unseen by admission, and clients wait for many seconds or time out. :class:`Shedder` is the
rule that keeps that queue short:

- **A cap on requests in flight** (dispatched to the application and not yet answered),
  decided as the request line and headers are parsed: over the cap, the request is answered
  503 with ``Retry-After`` by a few lines of code that never touch the application. Commands
  (anything but ``GET``, ``HEAD`` and ``OPTIONS``) have a lower cap of their own, so a flood of
  orders leaves room for cheap reads such as ``/v2/clock``.
- **A bound on waiting in the server**: a request that waited longer than ``max_wait_s`` from
  the arrival of its bytes to the start of its handling is answered 503 unhandled (the loop
  was behind; its client has waited long enough). While a heartbeat measures the loop more
  than that far behind and requests are in flight, new commands are refused as they are
  parsed.

A request answered 503 here was never handed to the application, so it was certainly not
executed: the client may retry it as it is. The rule is plain bookkeeping over a clock (a fake
one in tests); the ASGI callables below and :class:`~.protocols.GuardedH11Protocol` apply it.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from directbroker.domain.rejects import RejectCode

READS = frozenset({"GET", "HEAD", "OPTIONS"})
"""Methods that change nothing: they may use the whole in-flight cap."""

BEHIND = "the server is behind"
"""Why a command is refused as it is parsed while the loop lags."""
LATE = "the request waited too long in the server"
"""Why a request dispatched too late is refused."""

HEARTBEAT_S = 0.05
"""How often the heartbeat measures the event loop's lag."""


@dataclass(frozen=True, slots=True)
class ShedLimits:
    """How much the server takes on before it answers 503 (see the module docstring)."""

    max_in_flight: int = 256
    """Requests handled at once; beyond it a request is answered 503 at once."""
    max_commands_in_flight: int = 128
    """Of those, commands (the rest is kept for reads)."""
    max_wait_s: float = 0.5
    """Longest a request may wait in the server before its handling starts."""
    retry_after_s: int = 1
    """What ``Retry-After`` says."""

    def __post_init__(self) -> None:
        if self.max_in_flight < 1 or self.max_commands_in_flight < 1:
            raise ValueError("the in-flight caps must be positive")
        if self.max_commands_in_flight > self.max_in_flight:
            raise ValueError("commands in flight cannot exceed requests in flight")
        if self.max_wait_s <= 0:
            raise ValueError("the longest wait must be positive")


class Shedder:
    """The shedding rule and its counters, shared by every connection of one server.

    Used from the server's event loop only (no lock). ``clock`` is monotonic, in seconds."""

    def __init__(
        self, limits: ShedLimits | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limits = limits or ShedLimits()
        self.clock = clock
        self.in_flight = 0
        self.commands_in_flight = 0
        self.lag = 0.0
        """The event loop's lag at the last heartbeat, in seconds."""
        self.shed = 0
        """Requests answered 503 here so far (for tests and diagnostics)."""

    def admit(self, method: str) -> str | None:
        """Decide, as a request is parsed, whether it is dispatched: ``None`` if it is (and it
        is counted in flight until :meth:`release`), else why it is refused."""
        limits = self.limits
        command = method not in READS
        # Lag alone is no backlog: with nothing in flight (a lone client after a long pause
        # of the loop, or of the whole process) the request starts at once; refuse for lag
        # only when requests are queued behind it.
        if command and self.lag > limits.max_wait_s and self.in_flight > 0:
            reason = BEHIND
        elif self.in_flight >= limits.max_in_flight:
            reason = "the server has too many requests in flight"
        elif command and self.commands_in_flight >= limits.max_commands_in_flight:
            reason = "the server has too many commands in flight"
        else:
            self.in_flight += 1
            self.commands_in_flight += command
            return None
        self.shed += 1
        return reason

    def late(self, arrived: float) -> bool:
        """Whether a dispatched request, whose bytes arrived at ``arrived``, waited too long
        to be handled at all (it is refused; :meth:`release` it all the same)."""
        if self.clock() - arrived > self.limits.max_wait_s:
            self.shed += 1
            return True
        return False

    def release(self, method: str) -> None:
        """A dispatched request is answered (or its connection is gone)."""
        self.in_flight -= 1
        self.commands_in_flight -= method not in READS

    def note_lag(self, lag: float) -> None:
        """The heartbeat's latest measure of how far behind the event loop runs."""
        self.lag = max(0.0, lag)


def busy_body(reason: str) -> bytes:
    """The JSON error body of a shed request, in the API's error shape."""
    code = RejectCode.OVERLOADED
    message = f"{code.text}: {reason}"
    return json.dumps({"code": 503 * 100_000 + code.number, "message": message}).encode()


async def send_busy(send: Send, reason: str, retry_after_s: int) -> None:
    """Answer 503 with ``Retry-After``; the connection stays open for the retry."""
    body = busy_body(reason)
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(retry_after_s).encode()),
    ]
    await send({"type": "http.response.start", "status": 503, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def dispatched(app: ASGIApp, shedder: Shedder, method: str, arrived: float) -> ASGIApp:
    """``app`` for one admitted request: refused unhandled if it starts too late, and
    released from the in-flight count when done."""

    async def handle(scope: Scope, receive: Receive, send: Send) -> None:
        try:
            if shedder.late(arrived):
                await send_busy(send, LATE, shedder.limits.retry_after_s)
                return
            await app(scope, receive, send)
        finally:
            shedder.release(method)

    return handle


async def heartbeat(shedder: Shedder, interval: float = HEARTBEAT_S) -> None:
    """Measure the running loop's lag every ``interval`` seconds, until cancelled: a sleep
    that ends late ended late because the loop was busy."""
    loop = asyncio.get_running_loop()
    while True:
        started = loop.time()
        await asyncio.sleep(interval)
        shedder.note_lag(loop.time() - started - interval)

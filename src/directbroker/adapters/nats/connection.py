"""One NATS connection per process, opened with bounded timeouts.

nats-py retries an unreachable server for ever by default and prints every failed attempt;
a core that cannot reach its bus must instead fail at start-up with one stable error, within
a bound it chose, and later outages must be logged once per change, not per retry. After a
successful start the client reconnects by itself; the outbox and inbox bound every request,
so an outage surfaces as :class:`NatsUnavailableError` on their next operation.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import TypeVar

import nats
import nats.errors
import nats.js.errors
from nats.aio.client import Client

log = logging.getLogger(__name__)
T = TypeVar("T")


class NatsTransportError(Exception):
    """Base of the errors this adapter raises."""


class NatsUnavailableError(NatsTransportError):
    """The NATS server did not answer within the configured bound."""

    def __init__(self, url: str, what: str, seconds: float) -> None:
        self.url = url
        self.what = what
        self.seconds = seconds
        super().__init__(f"NATS at {url} did not answer {what} within {seconds:g} s")


@dataclass(frozen=True, slots=True)
class NatsSettings:
    """Where the bus is and how long anything may wait for it."""

    url: str = "nats://127.0.0.1:4222"
    connect_timeout: float = 3.0
    """Bound on the first connection (all attempts together)."""
    request_timeout: float = 5.0
    """Bound on each JetStream request and on each batch's publish acknowledgements."""
    reconnect_wait: float = 0.5
    max_reconnect_attempts: int = -1
    """After a successful start: retry for ever (requests stay bounded meanwhile)."""
    name: str = "directbroker"


async def _quiet_error(exc: Exception) -> None:
    log.debug("nats client error: %r", exc)


async def connect(settings: NatsSettings) -> Client:
    """Connect, or raise :class:`NatsUnavailableError` within ``settings.connect_timeout``."""

    async def on_disconnect() -> None:
        # Also called on a clean close; a real outage is followed by "reconnected" or by
        # NatsUnavailableError from the next bounded request.
        log.info("disconnected from NATS at %s", settings.url)

    async def on_reconnect() -> None:
        log.warning("reconnected to NATS at %s", settings.url)

    attempt_timeout = max(0.1, min(settings.connect_timeout, 2.0))
    try:
        return await asyncio.wait_for(
            nats.connect(
                settings.url,
                name=settings.name,
                connect_timeout=attempt_timeout,
                reconnect_time_wait=settings.reconnect_wait,
                max_reconnect_attempts=settings.max_reconnect_attempts,
                error_cb=_quiet_error,
                disconnected_cb=on_disconnect,
                reconnected_cb=on_reconnect,
            ),
            settings.connect_timeout,
        )
    except (TimeoutError, OSError, nats.errors.Error) as exc:
        raise NatsUnavailableError(settings.url, "a connection", settings.connect_timeout) from exc


async def bounded(aw: Awaitable[T], settings: NatsSettings, what: str) -> T:
    """Await one request to the server, turning silence or a lost connection into
    :class:`NatsUnavailableError` after ``settings.request_timeout``."""
    try:
        return await asyncio.wait_for(aw, settings.request_timeout)
    except (
        TimeoutError,
        nats.errors.TimeoutError,
        nats.errors.ConnectionClosedError,
        nats.errors.NoRespondersError,
        nats.errors.OutboundBufferLimitError,
        nats.js.errors.ServiceUnavailableError,
    ) as exc:
        raise NatsUnavailableError(settings.url, what, settings.request_timeout) from exc

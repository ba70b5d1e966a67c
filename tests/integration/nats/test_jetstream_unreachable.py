"""A bus that cannot be reached is a stable error within a bound, never a hang."""

from __future__ import annotations

import asyncio
import socket
import time

import pytest

from directbroker.adapters.nats import (
    NatsSettings,
    NatsUnavailableError,
    connect,
    provision_stream,
)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_no_server_is_a_clear_error_within_the_connect_bound() -> None:
    url = f"nats://127.0.0.1:{_closed_port()}"
    started = time.monotonic()
    with pytest.raises(NatsUnavailableError, match=r"did not answer a connection within 1 s"):
        asyncio.run(connect(NatsSettings(url=url, connect_timeout=1.0)))
    assert time.monotonic() - started < 2.0


@pytest.mark.nats
def test_a_server_without_jetstream_answering_is_a_clear_error_within_the_request_bound(
    nats_url: str,
) -> None:
    settings = NatsSettings(url=nats_url, request_timeout=1.0)

    async def main() -> None:
        nc = await connect(settings)
        try:
            # A JetStream domain nobody serves: no responders, or silence, on every request.
            js = nc.jetstream(domain="nowhere", timeout=settings.request_timeout)
            started = time.monotonic()
            with pytest.raises(NatsUnavailableError, match="within 1 s"):
                await provision_stream(js, settings, "tunreachable")
            assert time.monotonic() - started < 2.0
        finally:
            await nc.close()

    asyncio.run(main())

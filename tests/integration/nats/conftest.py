"""Fixtures for the JetStream transport: unique core names whose streams are deleted after
the test, on the server the shared ``nats_url`` fixture (tests/conftest.py) found."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Callable, Iterator

import nats.js.errors
import pytest

from directbroker.adapters.nats import NatsSettings, connect, stream_name


@pytest.fixture
def nats_settings(nats_url: str) -> NatsSettings:
    """Short bounds, so a broken test fails in seconds rather than hanging."""
    return NatsSettings(url=nats_url, connect_timeout=3.0, request_timeout=3.0)


@pytest.fixture
def core_names(nats_settings: NatsSettings) -> Iterator[Callable[[str], str]]:
    """``names("venue")`` gives a core name no other test uses; its stream goes at the end."""
    made: list[str] = []

    def make(role: str) -> str:
        name = f"t{role}{uuid.uuid4().hex[:12]}"
        made.append(name)
        return name

    yield make

    async def drop() -> None:
        nc = await connect(nats_settings)
        try:
            js = nc.jetstream(timeout=nats_settings.request_timeout)
            for name in made:
                # The stream may never have been made.
                with contextlib.suppress(nats.js.errors.NotFoundError):
                    await js.delete_stream(stream_name(name))
        finally:
            await nc.close()

    if made:
        asyncio.run(drop())

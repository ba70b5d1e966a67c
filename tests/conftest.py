"""Shared fixtures: a throwaway PostgreSQL database per test, the NATS server, and storage
backends.

PostgreSQL and NATS tests skip with a reason when no server answers, unless
``DIRECTBROKER_REQUIRE_SERVICES=1`` (CI), where a missing server is a failure.
``DIRECTBROKER_PG_DSN`` and ``DIRECTBROKER_NATS_URL`` point at servers other than the local
defaults.
"""

from __future__ import annotations

import os
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from directbroker.testing.storage import Backend

DEFAULT_PG_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=3"
DEFAULT_NATS_URL = "nats://127.0.0.1:4222"


def _admin_dsn() -> str:
    return os.environ.get("DIRECTBROKER_PG_DSN", DEFAULT_PG_DSN)


def _services_required() -> bool:
    return os.environ.get("DIRECTBROKER_REQUIRE_SERVICES") == "1"


@pytest.fixture
def postgres_dsn() -> Iterator[str]:
    """A DSN for a new, empty database that is dropped after the test."""
    import psycopg
    from psycopg.conninfo import make_conninfo

    admin_dsn = _admin_dsn()
    try:
        admin = psycopg.connect(admin_dsn, autocommit=True)
    except psycopg.OperationalError as exc:
        reason = f"PostgreSQL is not reachable at {admin_dsn!r}: {exc}".strip()
        if _services_required():
            pytest.fail(f"{reason} (DIRECTBROKER_REQUIRE_SERVICES=1)")
        pytest.skip(reason)
    name = f"dbx_test_{uuid.uuid4().hex[:16]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"'.encode())
        try:
            yield make_conninfo(admin_dsn, dbname=name)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'.encode())


@pytest.fixture
def nats_url() -> str:
    """The URL of a NATS server with JetStream enabled. Tests make (and delete) their own
    uniquely named streams and consumers on it."""
    import socket
    from urllib.parse import urlparse

    url = os.environ.get("DIRECTBROKER_NATS_URL", DEFAULT_NATS_URL)
    parsed = urlparse(url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or 4222
    try:
        with socket.create_connection((host, port), timeout=2) as sock:
            sock.settimeout(2)
            hello = sock.recv(4096)
    except OSError as exc:
        hello, problem = b"", str(exc)
    else:
        problem = ""
    if not problem and b'"jetstream":true' not in hello.replace(b" ", b""):
        problem = "the server does not have JetStream enabled (start it with -js)"
    if problem:
        reason = f"NATS is not usable at {url!r}: {problem}"
        if _services_required():
            pytest.fail(f"{reason} (DIRECTBROKER_REQUIRE_SERVICES=1)")
        pytest.skip(reason)
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """An empty journal location, once on SQLite and once on PostgreSQL (via ``postgres_dsn``)."""
    from directbroker.testing.storage import Backend

    if request.param == "sqlite":
        yield Backend("sqlite", str(tmp_path / "journal.db"))
    else:
        yield Backend("postgres", request.getfixturevalue("postgres_dsn"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Give each generated API-schema test its own node id, and refuse shared ones.

    Schemathesis names the test of each API operation (``test_x[GET /v2/account]``) but
    leaves them all the function's node id; the parallel runner keys tests by node id, so it
    would run one operation per function and silently drop the rest. Any node id still shared
    after this stops the run instead."""
    for item in items:
        function = item.nodeid.rpartition("::")[2]
        named = "[" in item.name and "[" not in function and item.name.startswith(function)
        if named and item.parent is not None:
            item._id = item.parent.id.child(item.name)
    shared = [nodeid for nodeid, n in Counter(i.nodeid for i in items).items() if n > 1]
    if shared:
        raise pytest.UsageError(f"tests share node ids, so some would not run: {shared[:3]}")

"""A Broker API app for tests: the families you bind, a key registry, and staff clients.

    kit = broker_test_app(firm=my_fake_firm)
    client = kit.client(Role.OPERATIONS)          # Basic auth with a fresh operations key
    client.get("/v1/firm/whoami").json()["roles"]  # ["operations"]

``kit.client()`` with no roles gives a client whose key holds no staff role (403 everywhere),
``kit.anonymous()`` one without credentials (401). The app is served by a real uvicorn server
on loopback (started on the first client, stopped by ``kit.close()``); clients are
``httpx.Client``s with their base URL set. Use it as a context manager or call ``close``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import APIRouter, FastAPI

from directbroker.adapters.http.auth import ApiKeyStore
from directbroker.adapters.http.broker import BrokerPorts, basic_auth_header, mount_broker_api
from directbroker.adapters.http.ports import Role
from directbroker.adapters.http.server import ApiServer

__all__ = ["BrokerTestApp", "broker_test_app"]


@dataclass
class BrokerTestApp:
    """An app with only the Broker API mounted, and the key registry behind it."""

    app: FastAPI
    directory: ApiKeyStore
    _clients: list[httpx.Client] = field(default_factory=list)
    _server: ApiServer | None = None

    @property
    def url(self) -> str:
        """The server's base URL (starts it on first use)."""
        if self._server is None:
            self._server = ApiServer(self.app).start()
        return self._server.url

    def staff_key(self, *roles: Role, user_id: str = "staff:test") -> tuple[str, str]:
        """A new key (id, secret) holding ``roles``; a customer key (account ``C1``) when
        ``roles`` is empty."""
        if not roles:
            return self.directory.issue(user_id, Role.CUSTOMER, ["C1"])
        first, *others = roles
        return self.directory.issue(user_id, first, roles=others)

    def client(self, *roles: Role, user_id: str = "staff:test") -> httpx.Client:
        """A client authenticated (HTTP Basic, as alpaca-py's BrokerClient) with a new key."""
        key_id, secret = self.staff_key(*roles, user_id=user_id)
        return self._client(basic_auth_header(key_id, secret))

    def anonymous(self) -> httpx.Client:
        """A client without credentials."""
        return self._client({})

    def _client(self, headers: dict[str, str]) -> httpx.Client:
        client = httpx.Client(base_url=self.url, headers=headers, timeout=30.0)
        self._clients.append(client)
        return client

    def close(self) -> None:
        """Close every client made and stop the server."""
        for client in self._clients:
            client.close()
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> BrokerTestApp:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def broker_test_app(
    directory: ApiKeyStore | None = None,
    *,
    extra: tuple[Callable[[BrokerPorts], APIRouter], ...] = (),
    **families: Any,
) -> BrokerTestApp:
    """A FastAPI app with the Broker API over ``families`` (``firm=``, ``accounts=``,
    ``funding=``, ``trading_on_behalf=``: whatever fakes the test binds); ``extra`` mounts
    further routers (a family under construction)."""
    keys = directory or ApiKeyStore()
    app = FastAPI()
    mount_broker_api(app, BrokerPorts(directory=keys, **families), extra=extra)
    return BrokerTestApp(app, keys)

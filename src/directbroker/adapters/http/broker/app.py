"""Mounts the Broker API on a FastAPI app: staff auth, the error shape, and each family."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from fastapi import APIRouter, FastAPI

from directbroker.adapters.http.broker.auth import BrokerAuth
from directbroker.adapters.http.broker.errors import install_broker_error_handlers
from directbroker.adapters.http.broker.ports import BrokerPorts
from directbroker.adapters.http.errors import install_error_handlers
from directbroker.adapters.http.ratelimit import RateLimiter

FAMILIES: tuple[str, ...] = (
    "firm",
    "accounts",
    "funding",
    "trading_on_behalf",
    "groups",
    "rebalancing",
    "reports",
    "records",
    "breaks",
)
"""The Broker API's families: ``BrokerPorts.<family>`` binds
``broker/<family>_routes.py``'s ``<family>_router``."""


def _family_routers(ports: BrokerPorts) -> list[Callable[[BrokerPorts], APIRouter]]:
    """The router factories of the families whose port is bound (imported only then, so a
    family's module is loaded only when it is used)."""
    routers: list[Callable[[BrokerPorts], APIRouter]] = []
    for family in FAMILIES:
        if getattr(ports, family) is None:
            continue
        module = importlib.import_module(f"{__package__}.{family}_routes")
        routers.append(getattr(module, f"{family}_router"))
    return routers


def mount_broker_api(
    app: FastAPI,
    ports: BrokerPorts,
    *,
    limiter: RateLimiter | None = None,
    extra: tuple[Callable[[BrokerPorts], APIRouter], ...] = (),
) -> None:
    """Include every bound family's router and the Broker API's error handling.

    ``limiter`` is shared with the Trading API when ``create_app`` mounts this (one budget
    per key and per address across both APIs); ``extra`` adds routers not yet listed here.
    """
    install_error_handlers(app)  # idempotent; gives a bare app Alpaca's shape for 422s too
    install_broker_error_handlers(app)
    app.state.broker_auth = BrokerAuth.for_directory(ports.directory, limiter)
    app.state.broker_ports = ports
    for factory in (*_family_routers(ports), *extra):
        app.include_router(factory(ports))

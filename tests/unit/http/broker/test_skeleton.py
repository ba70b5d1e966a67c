"""The Broker API skeleton: Basic auth with staff keys, roles, the error shape, mounting."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Annotated, Any, cast

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI

from directbroker.adapters.http import create_app
from directbroker.adapters.http.broker import (
    BrokerApiError,
    BrokerPorts,
    StaffPrincipal,
    basic_auth_header,
    staff,
)
from directbroker.adapters.http.broker.auth import AnyStaff, RiskStaff, parse_basic
from directbroker.adapters.http.ports import PortRejection, Role
from directbroker.adapters.http.server import ApiServer
from directbroker.domain.rejects import RejectCode
from directbroker.testing.broker_api import BrokerTestApp, broker_test_app
from directbroker.testing.fake_platform import fake_platform


def _probe_router(_: BrokerPorts) -> APIRouter:
    """A router as a family writes one: roles per route, refusals raised."""
    router = APIRouter(prefix="/v1/probe")

    @router.get("/risk")
    async def risk_only(actor: RiskStaff) -> dict[str, str]:
        return {"actor": actor.actor}

    @router.get("/ops-or-compliance")
    async def either(
        actor: Annotated[StaffPrincipal, Depends(staff(Role.OPERATIONS, Role.COMPLIANCE))],
    ) -> dict[str, str]:
        return {"actor": actor.actor}

    @router.get("/missing/{name}")
    async def missing(name: str, _: AnyStaff) -> None:
        raise BrokerApiError.not_found(f"no account {name}")

    @router.get("/refused")
    async def refused(_: AnyStaff) -> None:
        raise PortRejection(RejectCode.UNKNOWN_ACCOUNT, "no such account")

    @router.get("/typed/{count}")
    async def typed(count: int, _: AnyStaff) -> dict[str, int]:
        return {"count": count}

    return router


@pytest.fixture
def kit() -> Iterator[BrokerTestApp]:
    made = broker_test_app(firm=cast(Any, object()), extra=(_probe_router,))
    yield made
    made.close()


def test_staff_roles_decide_access(kit: BrokerTestApp) -> None:
    risk = kit.client(Role.RISK, user_id="risk:rita")
    assert risk.get("/v1/probe/risk").json() == {"actor": "risk:rita"}
    denied = risk.get("/v1/probe/ops-or-compliance")
    assert denied.status_code == 403
    assert denied.json()["code"] == 40_310_000 and "operations" in denied.json()["message"]
    compliance = kit.client(Role.COMPLIANCE)
    assert compliance.get("/v1/probe/ops-or-compliance").status_code == 200
    assert compliance.get("/v1/probe/risk").status_code == 403
    admin = kit.client(Role.ADMINISTRATOR)
    assert admin.get("/v1/probe/risk").status_code == 200
    assert admin.get("/v1/probe/ops-or-compliance").status_code == 200
    both = kit.client(Role.RISK, Role.COMPLIANCE)
    assert both.get("/v1/probe/ops-or-compliance").status_code == 200


def test_customer_keys_and_bad_credentials(kit: BrokerTestApp) -> None:
    customer = kit.client()  # a valid key without any staff role
    answer = customer.get("/v1/firm/whoami")
    assert answer.status_code == 403 and set(answer.json()) == {"code", "message"}
    assert kit.anonymous().get("/v1/firm/whoami").status_code == 401
    key_id, secret = kit.staff_key(Role.OPERATIONS)
    for header in (
        basic_auth_header(key_id, secret + "x"),
        basic_auth_header("DBNOSUCHKEY", secret),
        {"Authorization": "Bearer " + secret},
        {"Authorization": "Basic !!!"},
        {"Authorization": "Basic " + base64.b64encode(b"no-colon").decode()},
    ):
        wrong = kit.anonymous().get("/v1/firm/whoami", headers=header)
        assert wrong.status_code == 401
        assert wrong.json() == {"code": 40_110_000, "message": "request is not authorized"}
    right = kit.anonymous().get("/v1/firm/whoami", headers=basic_auth_header(key_id, secret))
    assert right.json() == {"key_id": key_id, "user_id": "staff:test", "roles": ["operations"]}


def test_errors_have_alpacas_shape_and_stable_codes(kit: BrokerTestApp) -> None:
    client = kit.client(Role.OPERATIONS)
    missing = client.get("/v1/probe/missing/X9")
    assert missing.status_code == 404
    assert missing.json() == {"code": 404 * 100_000 + 5001, "message": "no account X9"}
    refused = client.get("/v1/probe/refused")
    assert refused.status_code == 404 and refused.json()["code"] % 100_000 == 5001
    invalid = client.get("/v1/probe/typed/many")
    assert invalid.status_code == 422 and invalid.json()["code"] == 422 * 100_000 + 1000


def test_revoked_staff_key_is_refused_at_once(kit: BrokerTestApp) -> None:
    key_id, secret = kit.staff_key(Role.ADMINISTRATOR)
    header = basic_auth_header(key_id, secret)
    assert kit.anonymous().get("/v1/firm/whoami", headers=header).status_code == 200
    kit.directory.remove(key_id)
    assert kit.anonymous().get("/v1/firm/whoami", headers=header).status_code == 401


def test_failed_logins_are_rate_limited_per_address(kit: BrokerTestApp) -> None:
    key_id, _ = kit.staff_key(Role.OPERATIONS)
    client = kit.anonymous()
    statuses = {
        client.get("/v1/firm/whoami", headers=basic_auth_header(key_id, "wrong")).status_code
        for _ in range(60)
    }
    assert statuses == {401, 429}


def test_basic_header_parsing() -> None:
    assert parse_basic(basic_auth_header("K", "S:with:colons")["Authorization"]) == (
        "K",
        "S:with:colons",
    )
    assert parse_basic(None) is None
    assert parse_basic("Basic " + "A" * 2000) is None


def _served(app: FastAPI) -> Iterator[httpx.Client]:
    with ApiServer(app) as server, httpx.Client(base_url=server.url) as client:
        yield client


def test_create_app_mounts_the_broker_api_beside_the_trading_api() -> None:
    fake = fake_platform()
    try:
        app = create_app(
            fake.ports(), broker=BrokerPorts(directory=fake.directory, firm=cast(Any, object()))
        )
        for client in _served(app):
            ops_key, ops_secret = fake.keys["ops"]
            who = client.get("/v1/firm/whoami", headers=basic_auth_header(ops_key, ops_secret))
            assert who.status_code == 200 and who.json()["roles"] == ["operations"]
            alice_key, alice_secret = fake.keys["alice"]
            assert (
                client.get(
                    "/v1/firm/whoami", headers=basic_auth_header(alice_key, alice_secret)
                ).status_code
                == 403
            )
            # The Trading API is untouched and still answers its own way.
            trading = {"APCA-API-KEY-ID": alice_key, "APCA-API-SECRET-KEY": alice_secret}
            assert client.get("/v2/account", headers=trading).status_code == 200
            unknown = client.get("/v2/orders/nope", headers=trading)
            assert unknown.status_code == 404
        no_broker = create_app(fake.ports())
        for client in _served(no_broker):
            assert client.get("/v1/firm/whoami").status_code == 404
    finally:
        fake.close()

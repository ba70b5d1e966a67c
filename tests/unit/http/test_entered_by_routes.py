"""Who entered, replaced or cancelled an order, as the HTTP entry points tell the platform: the
customer's key on the Trading API, the staff member's key when staff trade on the customer's
behalf through the Broker API (for the order ticket, SEC Rule 17a-3(a)(6))."""

from __future__ import annotations

import asyncio
import base64
import uuid
from typing import Any

import httpx

from directbroker.adapters.http import RateLimit, create_app
from directbroker.adapters.http.broker import BrokerPorts
from directbroker.adapters.http.broker.trading_on_behalf_port import OnBehalfPorts
from directbroker.adapters.http.ports import OrderView
from directbroker.adapters.http.prefs import InMemoryPreferences
from directbroker.domain.broker_messages import PlaceOrder, ReplaceCustomerOrder
from directbroker.testing.fake_platform import FakePlatform, fake_platform

LIMIT = {"symbol": "AAPL", "qty": "2", "side": "buy", "type": "limit", "limit_price": "1.00",
         "time_in_force": "day"}  # fmt: skip


class Recorder:
    """Wraps the fake's trading port: notes who each request names."""

    def __init__(self, fake: FakePlatform) -> None:
        self.placed: list[PlaceOrder] = []
        self.replaced: list[ReplaceCustomerOrder] = []
        self.cancelled: list[str] = []
        trading = fake.trading
        place, replace, cancel = trading.place_order, trading.replace_order, trading.cancel_order

        async def placing(command: PlaceOrder) -> OrderView:
            self.placed.append(command)
            return await place(command)

        async def replacing(command: ReplaceCustomerOrder) -> OrderView:
            self.replaced.append(command)
            return await replace(command)

        async def cancelling(account: str, order_id: str, actor: str = "") -> OrderView:
            self.cancelled.append(actor)
            return await cancel(account, order_id, actor)

        trading.place_order = placing  # type: ignore[method-assign]
        trading.replace_order = replacing  # type: ignore[method-assign]
        trading.cancel_order = cancelling  # type: ignore[method-assign]


def _send(fake: FakePlatform, headers: dict[str, str], steps: list[tuple[str, str, Any]]) -> None:
    ports = fake.ports()
    broker = BrokerPorts(fake.directory,
                         trading_on_behalf=OnBehalfPorts(ports, InMemoryPreferences()))  # fmt: skip
    limit = RateLimit(rate_per_second=10_000, burst=10_000)
    app = create_app(ports, rate_limit=limit, broker=broker)

    async def run() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            order_id = ""
            for method, path, body in steps:
                answer = await client.request(
                    method, path.format(order=order_id), json=body, headers=headers
                )
                assert answer.status_code in (200, 204), answer.text
                if answer.status_code == 200:
                    order_id = answer.json()["id"]

    asyncio.run(run())


def test_the_trading_api_names_the_customers_key() -> None:
    fake = fake_platform()
    seen = Recorder(fake)
    key, secret = fake.keys["alice"]
    _send(fake, {"APCA-API-KEY-ID": key, "APCA-API-SECRET-KEY": secret}, [
        ("POST", "/v2/orders", LIMIT),
        ("PATCH", "/v2/orders/{order}", {"limit_price": "1.01"}),
        ("DELETE", "/v2/orders/{order}", None),
    ])  # fmt: skip
    assert [c.entered_by for c in seen.placed] == [f"key:{key}"]
    assert [c.actor for c in seen.replaced] == [f"key:{key}"]
    assert seen.cancelled == [f"key:{key}"]


def test_trading_on_behalf_names_the_staff_members_key() -> None:
    fake = fake_platform()
    account = str(uuid.uuid4())
    fake.trading.open_account(account)
    seen = Recorder(fake)
    key, secret = fake.keys["ops"]
    basic = base64.b64encode(f"{key}:{secret}".encode()).decode()
    prefix = f"/v1/trading/accounts/{account}/orders"
    _send(fake, {"Authorization": f"Basic {basic}"}, [
        ("POST", prefix, LIMIT),
        ("PATCH", prefix + "/{order}", {"limit_price": "1.01"}),
        ("DELETE", prefix + "/{order}", None),
    ])  # fmt: skip
    assert [(c.account, c.entered_by) for c in seen.placed] == [(account, f"staff:{key}")]
    assert [c.actor for c in seen.replaced] == [f"staff:{key}"]
    assert seen.cancelled == [f"staff:{key}"]

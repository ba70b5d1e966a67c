"""Routing transparency through the client API: an order shows the child orders the smart
router sent, with venue, fills, average price, fee or rebate and times (real platform only)."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from directbroker.adapters.http import ApiServer
from tests.e2e.conftest import ApiPlatform


@pytest.mark.parametrize("platform", ["real"], indirect=True)
def test_an_order_shows_where_every_share_went(platform: ApiPlatform, server: ApiServer) -> None:
    key, secret = platform.keys["alice"]
    headers = {"APCA-API-KEY-ID": key, "APCA-API-SECRET-KEY": secret}
    with httpx.Client(base_url=server.url, headers=headers, timeout=10) as client:
        placed = client.post(
            "/v2/orders",
            json={"symbol": "KO", "qty": "1500", "side": "buy", "type": "market",
                  "time_in_force": "day"},
        )  # fmt: skip
        assert placed.status_code == 200, placed.text
        order = client.get(f"/v2/orders/{placed.json()['id']}").json()
    assert order["status"] == "filled" and order["route"] == "SMART"
    children = order["children"]
    assert len(children) > 1, order  # one venue alone does not show 1,500 shares
    assert sum(int(c["filled_qty"]) for c in children) == 1500
    venues = {"ARCA", "NSDQ", "BATS", "EDGX", "IEX"}
    for child in children:
        assert child["venue"] in venues
        assert child["sent_at"] and child["done_at"]
        if int(child["filled_qty"]):
            assert Decimal(child["filled_avg_price"]) > 0
            # Takers pay every venue's fee here; IEX charges $0.0009 a share, the rest $0.0030.
            rate = Decimal("0.0009") if child["venue"] == "IEX" else Decimal("0.003")
            assert Decimal(child["fee"]) == rate * int(child["filled_qty"])
    notional = sum(
        (
            Decimal(c["filled_avg_price"]) * int(c["filled_qty"])
            for c in children
            if int(c["filled_qty"])
        ),
        Decimal(0),
    )
    average = notional / 1500
    assert abs(average - Decimal(order["filled_avg_price"])) < Decimal("0.0001")

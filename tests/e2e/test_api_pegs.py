"""Pegged orders through the Trading API extension (``"type": "peg"``) on the real platform:
a midpoint peg is routed whole to one venue and cancels; a peg no venue carries is refused."""

from __future__ import annotations

import httpx
import pytest

from directbroker.adapters.http import ApiServer
from tests.e2e.conftest import ApiPlatform


@pytest.mark.parametrize("platform", ["real"], indirect=True)
def test_a_midpoint_peg_is_placed_routed_and_cancelled(
    platform: ApiPlatform, server: ApiServer
) -> None:
    key, secret = platform.keys["alice"]
    headers = {"APCA-API-KEY-ID": key, "APCA-API-SECRET-KEY": secret}
    with httpx.Client(base_url=server.url, headers=headers, timeout=10) as client:
        placed = client.post(
            "/v2/orders",
            json={"symbol": "KO", "qty": "100", "side": "buy", "type": "peg",
                  "peg_type": "midpoint", "time_in_force": "day"},
        )  # fmt: skip
        assert placed.status_code == 200, placed.text
        body = placed.json()
        assert (body["type"], body["peg_type"], body["limit_price"]) == (
            "market",
            "midpoint",
            None,
        )
        order = client.get(f"/v2/orders/{body['id']}").json()
        venues = {child["venue"] for child in order["children"]}
        assert len(venues) == 1, order  # never split across venues
        if order["status"] not in ("filled", "canceled"):
            cancelled = client.delete(f"/v2/orders/{body['id']}")
            assert cancelled.status_code == 204, cancelled.text
            order = client.get(f"/v2/orders/{body['id']}").json()
            assert order["status"] in ("canceled", "pending_cancel", "filled"), order

        refused = client.post(
            "/v2/orders",
            json={"symbol": "KO", "qty": "100", "side": "buy", "type": "peg",
                  "peg_type": "primary", "time_in_force": "day"},
        )  # fmt: skip
        assert refused.status_code == 422, refused.text
        assert refused.json()["code"] == 42_204_008

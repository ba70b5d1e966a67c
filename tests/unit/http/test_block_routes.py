"""The institutional desk's routes over the fake platform: a manager sees and trades its own
groups only, another's group answers as if it did not exist, and the allocation instruction is
checked before anything is booked."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from directbroker.adapters.http import RateLimit, Role, create_app
from directbroker.testing.fake_platform import FakePlatform, fake_platform


@pytest.fixture
def fake() -> FakePlatform:
    platform = fake_platform()
    assert platform.blocks is not None
    platform.trading.open_account("H1")
    platform.blocks.seed_group("H", "Group H", ("H1",))
    platform.keys["pm2"] = platform.directory.issue("quinn", Role.PORTFOLIO_MANAGER, groups=["H"])
    return platform


def call(fake: FakePlatform, who: str, method: str, path: str, body: Any = None,
         account: str | None = None) -> httpx.Response:  # fmt: skip
    app = create_app(fake.ports(), rate_limit=RateLimit(rate_per_second=10_000, burst=10_000))
    key, secret = fake.keys[who]
    headers = {"APCA-API-KEY-ID": key, "APCA-API-SECRET-KEY": secret}
    if account:
        headers["DirectBroker-Account"] = account

    async def run() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.request(method, path, json=body, headers=headers)

    return asyncio.run(run())


BLOCK = {"group_id": "G", "symbol": "AAPL", "side": "buy", "type": "market", "qty": 11}


def test_a_manager_sees_only_its_groups(fake: FakePlatform) -> None:
    assert [g["id"] for g in call(fake, "pm", "GET", "/v2/groups").json()] == ["G"]
    assert [g["id"] for g in call(fake, "pm2", "GET", "/v2/groups").json()] == ["H"]
    assert call(fake, "alice", "GET", "/v2/groups").json() == []
    assert {g["id"] for g in call(fake, "ops", "GET", "/v2/groups").json()} == {"G", "H"}
    assert call(fake, "pm", "GET", "/v2/groups/G").json()["accounts"] == ["G1", "G2"]
    hidden = call(fake, "pm2", "GET", "/v2/groups/G")
    assert hidden.status_code == 404 and hidden.json()["code"] == 40405014
    assert call(fake, "pm2", "GET", "/v2/groups/G/exposure").status_code == 404


def test_a_block_with_its_allocation_books_each_share(fake: FakePlatform) -> None:
    answer = call(fake, "pm", "POST", "/v2/blocks",
                  {**BLOCK, "allocation": {"method": "ratio", "weights": [1, 2]}})  # fmt: skip
    assert answer.status_code == 200, answer.text
    block = answer.json()
    assert block["status"] == "allocated" and block["manager"] == "pat"
    assert [(a["account"], a["qty"]) for a in block["allocations"]] == [("G1", "4"), ("G2", "7")]
    held = call(fake, "pm", "GET", "/v2/positions/AAPL", account="G2").json()
    assert held["qty"] == "7"
    exposure = call(fake, "pm", "GET", "/v2/groups/G/exposure").json()
    assert exposure["symbols"][0]["long_qty"] == "11"
    assert [b["id"] for b in call(fake, "pm", "GET", "/v2/blocks").json()] == [block["id"]]
    # The other manager cannot see, cancel or allocate it, and lists none of it.
    for method, path, body in (
        ("GET", f"/v2/blocks/{block['id']}", None),
        ("DELETE", f"/v2/blocks/{block['id']}", None),
        ("POST", f"/v2/blocks/{block['id']}/allocations", {"method": "equal"}),
    ):
        refused = call(fake, "pm2", method, path, body)
        assert refused.status_code == 404 and refused.json()["code"] == 40405020
    assert call(fake, "pm2", "GET", "/v2/blocks").json() == []


def test_allocation_after_the_fill_and_what_is_refused(fake: FakePlatform) -> None:
    block = call(fake, "pm", "POST", "/v2/blocks", BLOCK).json()
    assert block["status"] == "awaiting_allocation"
    path = f"/v2/blocks/{block['id']}/allocations"
    bad = call(fake, "pm", "POST", path, {"method": "percent", "weights": [5000, 4000]})
    assert bad.status_code == 422 and bad.json()["code"] == 42205016
    stranger = call(fake, "pm", "POST", path,
                    {"method": "shares", "accounts": [{"account": "H1", "qty": 11}]})  # fmt: skip
    assert stranger.status_code == 422
    shares = [{"account": "G2", "qty": 10}, {"account": "G1", "qty": 1}]
    done = call(fake, "pm", "POST", path, {"method": "shares", "accounts": shares})
    assert [a["qty"] for a in done.json()["allocations"]] == ["1", "10"]
    again = call(fake, "pm", "POST", path, {"method": "equal"})
    assert again.status_code == 422 and again.json()["code"] == 42205021


def test_only_a_manager_of_the_group_may_place_a_block(fake: FakePlatform) -> None:
    for who in ("pm2", "trader", "alice"):
        refused = call(fake, who, "POST", "/v2/blocks", BLOCK)
        assert refused.status_code == 403 and refused.json()["code"] == 40305022
    limit = call(fake, "pm", "POST", "/v2/blocks", {**BLOCK, "type": "limit"})
    assert limit.status_code == 422
    assert call(fake, "pm", "GET", "/v2/positions", account="H1").status_code == 403


def test_step_outs_are_checked_at_the_edge_and_the_fake_desk_says_it_books_none(
    fake: FakePlatform,
) -> None:
    def allocation(*step_outs: dict[str, Any]) -> dict[str, Any]:
        return {**BLOCK, "allocation": {"method": "equal", "step_outs": list(step_outs)}}

    for bad in (
        {"broker": "gs co", "qty": 1},
        {"broker": "GSCO", "qty": 0},
        {"broker": "GSCO", "qty": 1, "extra": 1},
        {"broker": "G" * 17, "qty": 1},
    ):
        assert call(fake, "pm", "POST", "/v2/blocks", allocation(bad)).status_code == 422
    nine = [{"broker": f"B{i}", "qty": 1} for i in range(9)]
    assert call(fake, "pm", "POST", "/v2/blocks", allocation(*nine)).status_code == 422
    honest = call(fake, "pm", "POST", "/v2/blocks", allocation({"broker": "GSCO", "qty": 1}))
    assert honest.status_code == 422 and honest.json()["code"] == 42205023
    assert call(fake, "pm", "GET", "/v2/blocks").json() == []

"""A manager's previews over the fake platform: a block's split before it is placed follows
the core's rule (step-outs first, then the method, largest remainder), a rebalance proposes
each account's orders and gathers them into pre-allocated blocks, and nobody previews a group
it does not manage."""

from __future__ import annotations

import time
from typing import Any

import pytest

from directbroker.adapters.http import Role
from directbroker.adapters.http.desk_preview import AccountFacts, plan_group, preview_shares
from directbroker.domain.orders import Side
from directbroker.domain.portfolio_messages import AllocationMethod
from directbroker.testing.fake_platform import FakePlatform, fake_platform
from tests.unit.http.test_block_routes import call


@pytest.fixture
def fake() -> FakePlatform:
    platform = fake_platform()
    assert platform.blocks is not None
    platform.trading.open_account("H1")
    platform.blocks.seed_group("H", "Group H", ("H1",))
    platform.keys["pm2"] = platform.directory.issue("quinn", Role.PORTFOLIO_MANAGER, groups=["H"])
    return platform


def preview(fake: FakePlatform, who: str, group: str, body: dict[str, Any]) -> Any:
    return call(fake, who, "POST", f"/v2/groups/{group}/allocation_preview", body)


def test_the_preview_splits_as_the_block_desk_would() -> None:
    def equity(account: str) -> int:
        return {"A": 300, "B": 100}[account]

    ratio = preview_shares(("A", "B"), 11, AllocationMethod.RATIO, (1, 2), (), (), (), (), equity)
    assert not isinstance(ratio, tuple) and ratio.shares == (4, 7)
    by_equity = preview_shares(
        ("A", "B"), 10, AllocationMethod.NET_LIQUIDATION, (), (), (), ("GSCO",), (2,), equity
    )
    assert not isinstance(by_equity, tuple)
    assert by_equity.shares == (6, 2) and by_equity.weights == (300, 100)
    assert by_equity.step_out_quantities == (2,)
    plain = preview_shares(("A", "B"), 3, None, (), (), (), (), (), equity)
    assert not isinstance(plain, tuple) and plain.shares == (2, 1)
    refused = preview_shares(
        ("A", "B"), 3, AllocationMethod.PERCENT, (1, 2), (), (), (), (), equity
    )
    assert isinstance(refused, tuple)


def test_the_preview_route_answers_each_account_share_and_refuses_as_the_core(
    fake: FakePlatform,
) -> None:
    answer = preview(
        fake, "pm", "G", {"qty": 11, "allocation": {"method": "ratio", "weights": [1, 2]}}
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert [(a["account"], a["qty"]) for a in body["accounts"]] == [("G1", "4"), ("G2", "7")]
    assert body["method"] == "ratio" and body["accounts"][1]["percent"] == "66.67"
    equal = preview(fake, "pm", "G", {"qty": 5}).json()
    assert [a["qty"] for a in equal["accounts"]] == ["3", "2"] and equal["method"] == "equal"
    bad = preview(fake, "pm", "G", {"qty": 5, "allocation": {"method": "percent", "weights": [1]}})
    assert bad.status_code == 422
    # Another manager's group, a customer and a trader: as if it did not exist.
    for who in ("pm2", "alice", "trader"):
        hidden = preview(fake, who, "G", {"qty": 5})
        assert hidden.status_code == 404 and hidden.json()["code"] == 40405014
    assert preview(fake, "ops", "G", {"qty": 5}).status_code == 200


def test_plan_group_gathers_sells_before_buys_into_share_blocks() -> None:
    facts = [
        AccountFacts("A", 1_000_000, 1_000_000, {}),
        AccountFacts("B", 2_000_000, 1_000_000, {"X": 20}),
    ]
    weights = (("asset", "X", 5_000), ("cash", "", 5_000))
    plans, blocks = plan_group(facts, weights, {"X": 100_000}, "full_rebalance")
    assert [(o.side, o.quantity) for o in plans[0].orders] == [(Side.BUY, 5)]
    assert [(o.side, o.quantity) for o in plans[1].orders] == [(Side.SELL, 10)]
    assert [(b.side, b.accounts, b.quantities) for b in blocks] == [
        (Side.SELL, ("B",), (10,)),
        (Side.BUY, ("A",), (5,)),
    ]


def test_the_rebalance_preview_proposes_orders_for_the_managers_accounts_only(
    fake: FakePlatform,
) -> None:
    fake.market_data.publish_tick("AAPL", 1_900_000, time.time_ns())
    model = {"weights": [{"type": "asset", "symbol": "AAPL", "percent": "50"},
                         {"type": "cash", "percent": "50"}]}  # fmt: skip
    answer = call(fake, "pm", "POST", "/v2/groups/G/rebalance_preview", model)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert [a["account"] for a in body["accounts"]] == ["G1", "G2"]
    assert body["prices"] == {"AAPL": "190.00"}
    # $100,000 each, half in AAPL at $190: 263 shares each, as one block of 526.
    orders = [o for a in body["accounts"] for o in a["orders"]]
    assert [(o["qty"], o["held"], o["target"]) for o in orders] == [("263", "0", "263")] * 2
    (block,) = body["blocks"]
    assert block["side"] == "buy" and block["qty"] == "526"
    assert block["allocation"]["accounts"] == [{"account": "G1", "qty": 263},
                                              {"account": "G2", "qty": 263}]  # fmt: skip
    # The proposed block is what /v2/blocks takes as it is.
    placed = call(fake, "pm", "POST", "/v2/blocks", {"group_id": "G", "symbol": "AAPL",
                  "side": "buy", "type": "market", "qty": 526,
                  "allocation": block["allocation"]})  # fmt: skip
    assert placed.status_code == 200, placed.text
    hidden = call(fake, "pm2", "POST", "/v2/groups/G/rebalance_preview", model)
    assert hidden.status_code == 404 and hidden.json()["code"] == 40405014
    assert "G1" not in hidden.text
    not_100 = {"weights": [{"type": "asset", "symbol": "AAPL", "percent": "60"}]}
    assert call(fake, "pm", "POST", "/v2/groups/G/rebalance_preview", not_100).status_code == 422
    unknown = {"weights": [{"type": "asset", "symbol": "NOPE", "percent": "100"}]}
    assert call(fake, "pm", "POST", "/v2/groups/G/rebalance_preview", unknown).status_code == 422

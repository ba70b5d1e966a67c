"""The institutional desk end to end: ``directbroker serve`` in a subprocess on durable journals
with the simulated market. Staff open and fund three accounts (alpaca-py's ``BrokerClient``),
group them and issue a portfolio manager's key from the command line (``directbroker admin``);
the manager places one block for the group; it is routed smart as one order, fills across
venues, and each account holds its exact share at the block's average price, its cash down by
exactly that, to the cent. A second manager, whose key manages another group, can neither see
nor touch the first group, its accounts or its block (404/403 with stable codes, nothing
changed). After a restart the block, its allocation and the manager's reach are all still there.
"""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.lifecycle import (
    DEPOSIT,
    config_file,
    fund,
    open_approved_account,
    quotes,
    serve,
    staff_client,
)
from tests.e2e.running import until

pytestmark = pytest.mark.timeout(600)

QUANTITY = 1_800
"""Large enough that the smart router takes liquidity at more than one venue."""
WEIGHTS = (1, 2, 3)


def _admin(data: Path, *args: str) -> Any:
    done = subprocess.run(
        [sys.executable, "-m", "directbroker.app.cli", "admin", "--data-dir", str(data),
         "--json", *args],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _headers(key: dict[str, Any], account: str | None = None) -> dict[str, str]:
    headers = {"APCA-API-KEY-ID": key["key_id"], "APCA-API-SECRET-KEY": key["secret"]}
    if account:
        headers["DirectBroker-Account"] = account
    return headers


def _positions(broker: Any, account: str) -> list[tuple[str, Decimal, Decimal]]:
    return [
        (p.symbol, Decimal(str(p.qty)), Decimal(str(p.avg_entry_price)))
        for p in broker.get_all_positions_for_account(account)
    ]


def test_a_manager_blocks_for_its_group_and_another_manager_cannot_touch_it(
    tmp_path: Path,
) -> None:
    data = tmp_path / "firm"
    config = config_file(tmp_path, simulate=True)
    with serve(data, config, tmp_path) as firm:
        broker = staff_client(firm, data)
        accounts = [open_approved_account(firm, data, broker) for _ in range(4)]
        group, other = accounts[:3], accounts[3]
        for account in group:
            fund(broker, account, DEPOSIT)
        made = _admin(data, "groups", "create", "desk-a", "--name", "Desk A",
                      *(arg for a in group for arg in ("--account", a)))  # fmt: skip
        assert made["accounts"] == group and made["updated_by"]
        _admin(data, "groups", "create", "desk-b", "--account", other)
        pat = _admin(data, "managers", "issue", "--user", "pm:pat", "--group", "desk-a")
        quinn = _admin(data, "managers", "issue", "--user", "pm:quinn", "--group", "desk-b")
        assert {k["user_id"] for k in _admin(data, "managers", "list")} == {"pm:pat", "pm:quinn"}
        quotes(firm, pat["key_id"], pat["secret"], ["AAPL"])
        url = firm.url

        listed = httpx.get(f"{url}/v2/groups", headers=_headers(pat), timeout=30).json()
        assert [g["id"] for g in listed] == ["desk-a"]
        body = {
            "group_id": "desk-a", "symbol": "AAPL", "side": "buy", "type": "market",
            "qty": QUANTITY, "allocation": {"method": "ratio", "weights": list(WEIGHTS)},
        }  # fmt: skip
        placed = httpx.post(f"{url}/v2/blocks", json=body, headers=_headers(pat), timeout=30)
        assert placed.status_code == 200, placed.text
        block_id = placed.json()["id"]

        def allocated() -> dict[str, Any] | None:
            answer = httpx.get(f"{url}/v2/blocks/{block_id}", headers=_headers(pat), timeout=30)
            view: dict[str, Any] = answer.json()
            return view if view["status"] == "allocated" else None

        block = until(allocated, "the block to fill and be allocated")
        order = block["order"]
        assert order["status"] == "filled" and Decimal(order["filled_qty"]) == QUANTITY
        venues = {c["venue"] for c in order["children"] if Decimal(c["filled_qty"]) > 0}
        assert len(venues) >= 2, order["children"]
        average = Decimal(block["filled_avg_price"])
        shares = {a["account"]: Decimal(a["qty"]) for a in block["allocations"]}
        assert shares == {
            a: QUANTITY * w // sum(WEIGHTS) for a, w in zip(group, WEIGHTS, strict=True)
        }
        for account in group:
            assert _positions(broker, account) == [("AAPL", shares[account], average)]
            principal = (shares[account] * average).quantize(Decimal("0.01"), ROUND_HALF_UP)
            cash = Decimal(str(broker.get_trade_account_by_id(account).cash))
            assert cash == DEPOSIT - principal, (account, cash, principal)
        exposure = httpx.get(f"{url}/v2/groups/desk-a/exposure", headers=_headers(pat),
                             timeout=30).json()  # fmt: skip
        assert exposure["symbols"][0]["long_qty"] == str(QUANTITY)
        assert [row["account"] for row in exposure["accounts"]] == group
        # The manager reaches each account of its group through the Trading API itself.
        mine = httpx.get(f"{url}/v2/positions/AAPL", headers=_headers(pat, group[1]), timeout=30)
        assert Decimal(mine.json()["qty"]) == shares[group[1]]

        # The second manager cannot see or touch the first's group, accounts or block.
        def refused(method: str, path: str, payload: Any = None, account: str | None = None,
                    ) -> tuple[int, int]:  # fmt: skip
            answer = httpx.request(method, f"{url}{path}", json=payload,
                                   headers=_headers(quinn, account), timeout=30)  # fmt: skip
            return answer.status_code, answer.json()["code"]

        assert refused("GET", "/v2/groups/desk-a") == (404, 40405014)
        assert refused("GET", "/v2/groups/desk-a/exposure") == (404, 40405014)
        assert refused("GET", f"/v2/blocks/{block_id}") == (404, 40405020)
        assert refused("DELETE", f"/v2/blocks/{block_id}") == (404, 40405020)
        assert refused("POST", f"/v2/blocks/{block_id}/allocations",
                       {"method": "equal"}) == (404, 40405020)  # fmt: skip
        assert refused("POST", "/v2/blocks", {**body, "allocation": None}) == (403, 40305022)
        assert refused("GET", "/v2/positions", account=group[0])[0] == 403
        assert httpx.get(f"{url}/v2/blocks", headers=_headers(quinn), timeout=30).json() == []
        for account in group:
            assert _positions(broker, account) == [("AAPL", shares[account], average)]
        assert firm.terminate() == 0

    with serve(data, config, tmp_path) as again:
        answer = httpx.get(f"{again.url}/v2/blocks/{block_id}", headers=_headers(pat), timeout=30)
        assert answer.json()["allocations"] == block["allocations"]
        mine = httpx.get(f"{again.url}/v2/positions/AAPL", headers=_headers(pat, group[2]),
                         timeout=30)  # fmt: skip
        assert Decimal(mine.json()["qty"]) == shares[group[2]]
        assert again.terminate() == 0

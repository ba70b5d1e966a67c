"""Step-outs end to end: ``directbroker serve`` in a subprocess with the simulated market. A
manager places a block for a group of two accounts with part of it stepped out to another
broker-dealer (pre-allocation at placement), and a second block whose step-out comes with the
allocation after the fills (``POST /v2/blocks/{id}/allocations``). The step-out's shares go to
the broker's give-up account, not to the group; each account holds its exact share at the
average price, its cash down by exactly that, to the cent. A step-out that does not fit is
refused with 422 and a stable code, and nothing changes. Before that, a resting block's
shares visibly hold their accounts' buying power (``/v2/account``) until it is canceled."""

from __future__ import annotations

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
from tests.e2e.test_block_orders import _admin, _headers, _positions

pytestmark = pytest.mark.timeout(600)


def _cent(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"), ROUND_HALF_UP)


def test_a_manager_steps_part_of_a_block_out_to_another_broker(tmp_path: Path) -> None:
    data = tmp_path / "firm"
    config = config_file(tmp_path, simulate=True)
    with serve(data, config, tmp_path) as firm:
        broker = staff_client(firm, data)
        group = [open_approved_account(firm, data, broker) for _ in range(2)]
        for account in group:
            fund(broker, account, DEPOSIT)
        _admin(data, "groups", "create", "desk-s",
               *(arg for a in group for arg in ("--account", a)))  # fmt: skip
        pat = _admin(data, "managers", "issue", "--user", "pm:pat", "--group", "desk-s")
        quotes(firm, pat["key_id"], pat["secret"], ["AAPL"])
        url = firm.url
        with httpx.Client(base_url=url, headers=_headers(pat), timeout=30) as http:

            def block_in(block_id: str, status: str) -> dict[str, Any] | None:
                view: dict[str, Any] = http.get(f"/v2/blocks/{block_id}").json()
                return view if view["status"] == status else None

            base = {"group_id": "desk-s", "symbol": "AAPL", "side": "buy", "type": "market"}
            too_much = http.post("/v2/blocks", json={**base, "qty": 100, "allocation": {
                "method": "equal", "step_outs": [{"broker": "GSCO", "qty": 101}]}})  # fmt: skip
            assert too_much.status_code == 422 and too_much.json()["code"] == 42205023
            no_broker = http.post("/v2/blocks", json={**base, "qty": 100, "allocation": {
                "method": "equal", "step_outs": [{"broker": "gs co", "qty": 1}]}})  # fmt: skip
            assert no_broker.status_code == 422
            assert http.get("/v2/blocks").json() == []

            # A resting block's shares hold their accounts' buying power until it is canceled.
            def power(account: str) -> Decimal:
                view = http.get("/v2/account", headers=_headers(pat, account)).json()
                assert view["margin_call"] is None
                return Decimal(view["buying_power"])

            free = power(group[0])
            resting = http.post("/v2/blocks", json={**base, "qty": 200, "type": "limit",
                                                     "limit_price": "10.00"}).json()  # fmt: skip
            assert until(lambda: power(group[0]) == free - 1_000 or None, "the reservation")
            assert power(group[1]) == free - 1_000
            assert http.delete(f"/v2/blocks/{resting['id']}").status_code == 200
            until(lambda: block_in(resting["id"], "finished"), "the resting block to finish")
            assert until(lambda: power(group[0]) == free or None, "the release")

            placed = http.post("/v2/blocks", json={**base, "qty": 1_000, "allocation": {
                "method": "equal", "step_outs": [{"broker": "GSCO", "qty": 400}]}})  # fmt: skip
            assert placed.status_code == 200, placed.text
            first = placed.json()
            assert [s["account"] for s in first["shares"]] == group
            assert [s["qty"] for s in first["shares"]] == ["300", "300"]
            block = until(
                lambda: block_in(first["id"], "allocated"), "the first block's allocation"
            )
            assert block["step_outs"] == [{"broker": "GSCO", "qty": "400", "allocated_qty": "400",
                                           "give_up_account": "STEPOUT-GSCO"}]  # fmt: skip
            average = Decimal(block["filled_avg_price"])
            assert {a["account"]: a["qty"] for a in block["allocations"]} == {
                group[0]: "300",
                group[1]: "300",
            }
            for account in group:
                assert _positions(broker, account) == [("AAPL", Decimal(300), average)]
                cash = Decimal(str(broker.get_trade_account_by_id(account).cash))
                assert cash == DEPOSIT - _cent(300 * average)

            second = http.post("/v2/blocks", json={**base, "qty": 500}).json()
            until(lambda: block_in(second["id"], "awaiting_allocation"), "the second block's fills")
            instructed = http.post(f"/v2/blocks/{second['id']}/allocations", json={
                "method": "ratio", "weights": [1, 3],
                "step_outs": [{"broker": "MLCO", "qty": 100}]})  # fmt: skip
            assert instructed.status_code == 200, instructed.text
            done = until(lambda: block_in(second["id"], "allocated"), "the second allocation")
            assert done["step_outs"][0]["allocated_qty"] == "100"
            assert [a["qty"] for a in done["allocations"]] == ["100", "300"]
            again = http.post(f"/v2/blocks/{second['id']}/allocations", json={"method": "equal"})
            assert again.status_code == 422 and again.json()["code"] == 42205021
        assert firm.terminate() == 0

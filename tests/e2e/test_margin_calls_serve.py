"""Margin calls as a user sees them, end to end: ``directbroker serve`` in a subprocess, no
simulated flow. A margin account buys on margin from a short seller; a later print far below
marks its position down past the maintenance requirement. The account (Broker API's
trading view, as alpaca-py reads it too) then shows the ``margin_call`` extension with the
amount and due date, and ``/v1/events/margin_calls`` streams the call; a cash journal in
meets it, the field goes back to null and the stream carries ``margin_call_met``."""

from __future__ import annotations

import json
import warnings
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.lifecycle import (
    admin_credential,
    config_file,
    fund,
    open_approved_account,
    serve,
    staff_client,
)
from tests.e2e.running import until

pytestmark = pytest.mark.timeout(600)


def _margin_account(firm: Any, data: Path) -> str:
    """An approved account whose holder signed the margin agreement."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from tests.e2e.test_broker_accounts import request

    application = json.loads(request(politically_exposed=True).model_dump_json(exclude_none=True))
    signed = application["agreements"][0]
    application["agreements"].append({**signed, "agreement": "margin_agreement"})
    auth = admin_credential(data)
    made = httpx.post(f"{firm.url}/v1/accounts", json=application, auth=auth, timeout=30)
    assert made.status_code == 200, made.text
    account = str(made.json()["id"])
    review = httpx.post(f"{firm.url}/v1/firm/accounts/{account}/review", auth=auth, timeout=30,
                        json={"decision": "approve", "reason": "disclosure reviewed"})  # fmt: skip
    assert review.status_code == 200, review.text
    return account


def test_a_margin_call_shows_on_the_account_and_in_its_event_stream(tmp_path: Path) -> None:
    data = tmp_path / "firm"
    config = config_file(tmp_path, simulate=False)
    with serve(data, config, tmp_path) as firm:
        broker = staff_client(firm, data)
        buyer, seller = (_margin_account(firm, data) for _ in range(2))
        other = open_approved_account(firm, data, broker)
        fund(broker, buyer, Decimal("10000"))
        fund(broker, seller, Decimal("100000"))
        fund(broker, other, Decimal("100000"))
        with httpx.Client(base_url=firm.url, auth=admin_credential(data), timeout=30) as http:
            etb = http.put("/v1/firm/easy-to-borrow/AAPL", json={})
            assert etb.status_code < 300, etb.text

            def order(account: str, side: str, qty: int, price: str) -> dict[str, Any]:
                placed = http.post(f"/v1/trading/accounts/{account}/orders", json={
                    "symbol": "AAPL", "qty": str(qty), "side": side, "type": "limit",
                    "time_in_force": "day", "limit_price": price})  # fmt: skip
                assert placed.status_code == 200, placed.text
                body: dict[str, Any] = placed.json()
                return body

            def view(account: str) -> dict[str, Any]:
                body: dict[str, Any] = http.get(f"/v1/trading/accounts/{account}/account").json()
                return body

            assert view(buyer)["margin_call"] is None
            order(seller, "sell", 400, "100.00")  # a short sale, resting
            order(buyer, "buy", 200, "100.00")  # $20,000 on $10,000 of equity
            order(other, "buy", 200, "100.00")  # a cash account, to sell long below
            until(lambda: view(buyer)["long_market_value"] == "20000.00" or None, "the buy")
            until(lambda: view(other)["long_market_value"] == "20000.00" or None, "the other")
            # The other account sells one share at a time a little lower (within the price
            # collar) and the short seller covers it: each print marks the buyer down, until
            # at $63 its 200 are $12,600 against a $10,000 debit, below 25% maintenance.
            for price in ("91.00", "83.00", "76.00", "69.00", "63.00"):
                order(other, "sell", 1, price)
                order(seller, "buy", 1, price)
                until(lambda p=price: view(buyer)["long_market_value"]  # type: ignore[misc]
                      == str(Decimal(p) * 200) or None, f"the print at {price}")  # fmt: skip
            called = until(lambda: view(buyer)["margin_call"], "the margin call")
            account = view(buyer)
            equity = Decimal(account["equity"])
            maintenance = Decimal(account["maintenance_margin"])
            assert Decimal(called["amount"]) == maintenance - equity > 0
            assert called["deficiency"] == called["amount"]
            assert called["due_date"] > called["issued_at"][:10]
            assert broker.get_trade_account_by_id(buyer).equity == account["equity"]

            journal = http.post("/v1/journals", json={
                "from_account": other, "to_account": buyer, "entry_type": "JNLC",
                "amount": str(Decimal(called["amount"]) * 2)})  # fmt: skip
            assert journal.status_code < 300, journal.text
            until(lambda: view(buyer)["margin_call"] is None or None, "the call to be met")

            day = called["issued_at"][:10]
            with http.stream("GET", "/v1/events/margin_calls",
                             params={"since": day, "until": day}) as stream:  # fmt: skip
                assert stream.status_code == 200
                events = [json.loads(line[5:]) for line in stream.iter_lines()
                          if line.startswith("data:")]  # fmt: skip
            mine = [e for e in events if e["account_id"] == buyer]
            assert [e["event"] for e in mine] == ["margin_call", "margin_call_met"]
            assert [e["event_id"] for e in events] == list(range(1, len(events) + 1))
            assert mine[0]["amount"] == called["amount"]
            assert mine[0]["due_date"] == called["due_date"]
        assert firm.terminate() == 0

"""Crash and resume through the real server: ``directbroker demo`` on a data directory, at its
default rate with durable journals, SIGKILLed while clients are placing orders, then started
again on the same directory. Every order the API acknowledged is there once, and the cash and
positions are what they were."""

from __future__ import annotations

import itertools
import threading
import time
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from tests.e2e.running import RunningFirm, demo_args

ACCOUNT = "DEMO-1"
SYMBOL = "AAPL"


def _wait_for_quote(firm: RunningFirm, timeout: float = 60.0) -> Decimal:
    """The symbol's bid once the market is quoting it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = httpx.get(
            f"{firm.url}/v2/stocks/snapshots",
            params={"symbols": SYMBOL},
            headers=firm.headers(ACCOUNT),
            timeout=5,
        )
        if answer.status_code == 200:
            quote = (answer.json().get(SYMBOL) or {}).get("latestQuote") or {}
            if Decimal(str(quote.get("bp") or 0)) > 0:
                return Decimal(str(quote["bp"]))
        time.sleep(0.2)
    raise AssertionError("the market never quoted " + SYMBOL)


def _order(client: httpx.Client, body: dict[str, Any]) -> dict[str, Any]:
    answer = client.post("/v2/orders", json=body)
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def _settled(client: httpx.Client, order_ids: list[str], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    pending = set(order_ids)
    while pending and time.monotonic() < deadline:
        for order_id in list(pending):
            status = client.get(f"/v2/orders/{order_id}").json()["status"]
            if status in ("filled", "canceled", "rejected", "expired"):
                pending.discard(order_id)
        time.sleep(0.1)
    assert not pending, f"orders still working: {pending}"


def _books(client: httpx.Client) -> tuple[str, dict[str, str]]:
    cash = client.get("/v2/account").json()["cash"]
    positions = {p["symbol"]: p["qty"] for p in client.get("/v2/positions").json()}
    return cash, positions


def test_acknowledged_orders_cash_and_positions_survive_sigkill(tmp_path: Path) -> None:
    data = tmp_path / "firm"
    acknowledged: dict[str, str] = {}
    refused: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()
    with RunningFirm(demo_args(data), tmp_path).start(wait_for_keys=2) as firm:
        bid = _wait_for_quote(firm)
        headers = firm.headers(ACCOUNT)
        with httpx.Client(base_url=firm.url, headers=headers, timeout=10) as client:
            bought = [
                _order(client, {"symbol": SYMBOL, "qty": str(qty), "side": "buy",
                                "type": "market", "time_in_force": "day"})["id"]
                for qty in (6, 7, 8)
            ]  # fmt: skip
            _settled(client, bought)
            cash_before, positions_before = _books(client)
        assert positions_before.get(SYMBOL) == "21"
        resting = (bid * Decimal("0.95")).quantize(Decimal("0.01"))
        numbers = itertools.count()

        def place_until_stopped() -> None:
            with httpx.Client(base_url=firm.url, headers=headers, timeout=10) as client:
                while not stop.is_set():
                    number = next(numbers)
                    client_id = f"rest-{number}-{uuid.uuid4().hex[:8]}"
                    # Each differs, or risk refuses it as a duplicate of one moments ago.
                    price = resting - Decimal(number % 500) / 100
                    body = {"symbol": SYMBOL, "qty": "1", "side": "buy", "type": "limit",
                            "limit_price": str(price), "time_in_force": "day",
                            "client_order_id": client_id}  # fmt: skip
                    try:
                        answer = client.post("/v2/orders", json=body)
                    except httpx.HTTPError:
                        return  # the server died under us: this one is unacknowledged
                    if answer.status_code == 200:
                        with lock:
                            acknowledged[answer.json()["id"]] = client_id
                    else:
                        refused.append(answer.text)

        workers = [threading.Thread(target=place_until_stopped) for _ in range(6)]
        for worker in workers:
            worker.start()
        deadline = time.monotonic() + 60
        while len(acknowledged) < 150 and time.monotonic() < deadline:
            time.sleep(0.05)
        firm.kill()  # while the workers are still sending
        stop.set()
        for worker in workers:
            worker.join(30)
    assert len(acknowledged) >= 150, f"too few orders acknowledged: {refused[:3]}"

    with RunningFirm(demo_args(data), tmp_path).start(wait_for_keys=2) as again:
        with httpx.Client(base_url=again.url, headers=again.headers(ACCOUNT), timeout=10) as client:
            listed = client.get(
                "/v2/orders", params={"status": "all", "limit": 500, "direction": "asc"}
            ).json()
            ids = [order["id"] for order in listed]
            client_ids = [order["client_order_id"] for order in listed]
            assert len(ids) == len(set(ids)), "an order appears twice"
            assert len(client_ids) == len(set(client_ids)), "a client order id appears twice"
            missing = set(acknowledged) - set(ids)
            assert not missing, f"{len(missing)} acknowledged orders lost"
            for order in listed:
                if order["id"] in acknowledged:
                    assert order["client_order_id"] == acknowledged[order["id"]]
                    assert order["status"] in ("new", "accepted", "pending_new"), order
            cash_after, positions_after = _books(client)
        assert positions_after == positions_before
        assert cash_after == cash_before
        assert again.terminate() == 0
    assert "The firm's data" in again.output

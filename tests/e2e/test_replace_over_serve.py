"""A replace (PATCH /v2/orders/{id}) against ``directbroker serve``, as Alpaca does it: the
trade_updates WebSocket shows ``replaced`` for the old order and ``pending_new``/``new`` for the
new one; a ``client_order_id`` in the PATCH body becomes the new order's, checked for
uniqueness like a new order's; none of it is lost to a SIGKILL."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect

from tests.e2e.lifecycle import (
    config_file,
    fund,
    issue_customer_key,
    open_approved_account,
    serve,
    staff_client,
)
from tests.e2e.running import RunningFirm, until

pytestmark = pytest.mark.timeout(240)


class TradeUpdates:
    """A raw WebSocket client on ``/stream`` that collects every trade update on a thread."""

    def __init__(self, socket: ClientConnection, key_id: str, secret: str) -> None:
        self.updates: list[dict[str, Any]] = []
        self._socket = socket
        self._socket.send(json.dumps({"action": "auth", "key": key_id, "secret": secret}))
        assert self._read()["data"]["status"] == "authorized"
        self._socket.send(json.dumps({"action": "listen", "data": {"streams": ["trade_updates"]}}))
        assert self._read()["data"]["streams"] == ["trade_updates"]
        self._reader = threading.Thread(target=self._collect, daemon=True)
        self._reader.start()

    def _read(self) -> dict[str, Any]:
        found: dict[str, Any] = json.loads(self._socket.recv(timeout=30))
        return found

    def _collect(self) -> None:
        try:
            while True:
                message = self._read()
                if message.get("stream") == "trade_updates":
                    self.updates.append(message["data"])
        except Exception:  # closed at the end of the test
            return

    def events_of(self, order_id: str) -> list[str]:
        """The events seen so far for one order, in order."""
        return [u["event"] for u in list(self.updates) if u["order"]["id"] == order_id]

    def join(self) -> None:
        """Wait for the reader once the socket is closed."""
        self._reader.join(10)


@pytest.fixture
def firm(tmp_path: Path) -> Iterator[tuple[RunningFirm, Path, str, dict[str, str]]]:
    """A served firm (no simulated flow: orders rest) with a funded account and its key."""
    data, config = tmp_path / "firm", config_file(tmp_path, simulate=False)
    with serve(data, config, tmp_path) as running:
        broker = staff_client(running, data)
        account = open_approved_account(running, data, broker)
        fund(broker, account, Decimal("10000.00"))
        key_id, secret = issue_customer_key(running, data, account)
        headers = {"APCA-API-KEY-ID": key_id, "APCA-API-SECRET-KEY": secret}
        yield running, data, account, headers


def _place(api: httpx.Client, client_order_id: str, price: str = "10.00") -> dict[str, Any]:
    body = {"symbol": "AAPL", "qty": "5", "side": "buy", "type": "limit", "limit_price": price,
            "time_in_force": "day", "client_order_id": client_order_id}  # fmt: skip
    placed = api.post("/v2/orders", json=body)
    assert placed.status_code == 200, placed.text
    answer: dict[str, Any] = placed.json()
    return answer


def _status(api: httpx.Client, order_id: str) -> str:
    status: str = api.get(f"/v2/orders/{order_id}").json()["status"]
    return status


def test_a_replace_streams_replaced_then_new_and_takes_the_new_client_order_id(
    firm: tuple[RunningFirm, Path, str, dict[str, str]], tmp_path: Path
) -> None:
    running, data, account, headers = firm
    key_id, secret = headers["APCA-API-KEY-ID"], headers["APCA-API-SECRET-KEY"]
    with connect(running.url.replace("http", "ws", 1) + "/stream") as socket:
        stream = TradeUpdates(socket, key_id, secret)
        with httpx.Client(base_url=running.url, headers=headers, timeout=30) as api:
            old = _place(api, "first")
            other = _place(api, "taken", "9.00")
            until(lambda: "new" in stream.events_of(old["id"]), "the order's new event")

            # A client_order_id already used by the account is refused; nothing changes.
            refused = api.patch(
                f"/v2/orders/{old['id']}", json={"limit_price": "11.00", "client_order_id": "taken"}
            )
            assert refused.status_code == 422, refused.text
            assert refused.json()["code"] % 100_000 == 1010
            assert _status(api, old["id"]) == "new"
            assert Decimal(api.get(f"/v2/orders/{old['id']}").json()["limit_price"]) == 10

            replaced = api.patch(
                f"/v2/orders/{old['id']}",
                json={"limit_price": "11.00", "client_order_id": "second"},
            )
            assert replaced.status_code == 200, replaced.text
            new = replaced.json()
            assert new["id"] != old["id"] and new["replaces"] == old["id"]
            assert new["client_order_id"] == "second"
            until(lambda: "new" in stream.events_of(new["id"]), "the new order's new event")
            until(lambda: "replaced" in stream.events_of(old["id"]), "the old order replaced")
            old_events = stream.events_of(old["id"])
            assert old_events[-1] == "replaced" and old_events.count("replaced") == 1
            assert set(old_events) <= {"pending_new", "new", "pending_replace", "replaced"}
            assert stream.events_of(new["id"])[-1] == "new"
            assert set(stream.events_of(new["id"])) <= {"pending_new", "new"}
            (last_old,) = [u for u in stream.updates if u["event"] == "replaced"]
            assert last_old["order"]["replaced_by"] == new["id"]

            by_client = api.get(
                "/v2/orders:by_client_order_id", params={"client_order_id": "second"}
            )
            assert by_client.status_code == 200 and by_client.json()["id"] == new["id"]
            first = api.get("/v2/orders:by_client_order_id", params={"client_order_id": "first"})
            assert first.status_code == 200 and first.json()["id"] == old["id"]

            # A replace without a client_order_id keeps working (the service names the new one).
            again = api.patch(f"/v2/orders/{new['id']}", json={"limit_price": "12.00"})
            assert again.status_code == 200, again.text
            assert again.json()["client_order_id"] == again.json()["id"]
            assert _status(api, other["id"]) == "new"
        running.kill()
    stream.join()

    config = tmp_path / "firm.toml"
    with serve(data, config, tmp_path) as restarted:
        with httpx.Client(base_url=restarted.url, headers=headers, timeout=30) as api:
            kept = api.get("/v2/orders:by_client_order_id", params={"client_order_id": "second"})
            assert kept.status_code == 200 and kept.json()["id"] == new["id"]
            assert _status(api, old["id"]) == "replaced"
        # Staff trading on the account's behalf see the same new order under its new id.
        broker = staff_client(restarted, data)
        assert str(broker.get_order_for_account_by_client_id(account, "second").id) == new["id"]
        assert restarted.terminate() == 0

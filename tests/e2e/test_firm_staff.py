"""The firm's staff through the real server: the staff key written at creation, /v1/firm with
roles, customer keys issued there trading through alpaca-py, short sales against the
easy-to-borrow list and locates, ``directbroker admin``, and every key surviving SIGKILL."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import httpx

with warnings.catch_warnings():
    # alpaca-py's streams import websockets.legacy, which warns that it is deprecated.
    warnings.simplefilter("ignore", DeprecationWarning)
    from alpaca.trading.stream import TradingStream  # noqa: F401

from alpaca.common.exceptions import APIError
from alpaca.trading.client import TradingClient
from alpaca.trading.enums import OrderSide, TimeInForce
from alpaca.trading.requests import MarketOrderRequest

from tests.e2e.running import SIM_SESSION, RunningFirm, demo_args

ETB = "AAPL"
HARD_TO_BORROW = "PLUG"


def _basic(credential: str) -> httpx.BasicAuth:
    key_id, _, secret = credential.partition(":")
    return httpx.BasicAuth(key_id, secret)


def _admin_key(data: Path) -> str:
    return (data / "admin.key").read_text(encoding="utf-8").strip()


def _admin(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "directbroker.app.cli", "admin", "--data-dir", str(data), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _staff(firm: RunningFirm, credential: str) -> httpx.Client:
    return httpx.Client(base_url=firm.url, auth=_basic(credential), timeout=30)


def _wait_filled(client: TradingClient, order_id: str, timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        order = client.get_order_by_id(order_id)
        if order.status.value in ("filled", "rejected", "canceled", "expired"):  # type: ignore[union-attr]
            return order
        time.sleep(0.2)
    raise AssertionError(f"order {order_id} did not finish")


def _wait_for_quotes(firm: RunningFirm, headers: dict[str, str], timeout: float = 60.0) -> None:
    """Wait until the market quotes both symbols (market orders need a price)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = httpx.get(
            f"{firm.url}/v2/stocks/snapshots",
            params={"symbols": f"{ETB},{HARD_TO_BORROW}"},
            headers=headers,
            timeout=5,
        )
        if answer.status_code == 200:
            quotes = [
                (answer.json().get(s) or {}).get("latestQuote") or {} for s in (ETB, HARD_TO_BORROW)
            ]
            if all(float(q.get("bp") or 0) > 0 for q in quotes):
                return
        time.sleep(0.2)
    raise AssertionError("the market never quoted")


def _short(client: TradingClient, symbol: str, quantity: int) -> Any:
    request = MarketOrderRequest(
        symbol=symbol, qty=quantity, side=OrderSide.SELL, time_in_force=TimeInForce.DAY
    )
    return client.submit_order(request)


def test_serve_writes_a_private_staff_key_that_survives_restarts(tmp_path: Path) -> None:
    data = tmp_path / "firm"
    args = ["serve", "--data-dir", str(data), "--api-port", "0", *SIM_SESSION]
    with RunningFirm(args, tmp_path).start() as firm:
        key_file = data / "admin.key"
        assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
        assert str(key_file) in firm.output
        credential = _admin_key(data)
        with _staff(firm, credential) as staff:
            who = staff.get("/v1/firm/whoami").json()
            assert who["roles"] == ["administrator", "compliance", "operations", "risk"]
            keys = staff.get("/v1/firm/keys").json()
            assert [k["issued_by"] for k in keys] == ["system:bootstrap"]
            assert "secret" not in keys[0] and "digest" not in json.dumps(keys)
        firm.kill()
    with RunningFirm(args, tmp_path).start() as firm:
        assert _admin_key(data) == credential  # kept, not rewritten
        with _staff(firm, credential) as staff:
            assert staff.get("/v1/firm/whoami").status_code == 200
        assert firm.terminate() == 0


def test_staff_work_customer_keys_short_sales_and_restart(tmp_path: Path) -> None:
    data = tmp_path / "demo"
    with RunningFirm(demo_args(data), tmp_path).start(wait_for_keys=2) as firm:
        assert stat.S_IMODE(os.stat(data / "demo-keys").st_mode) == 0o600
        demo_keys = dict(firm.keys)
        assert set(demo_keys) == {"DEMO-1", "DEMO-2"}
        admin = _staff(firm, _admin_key(data))

        # A risk-only staff key cannot issue keys or change lists; it changes nothing.
        made = admin.post("/v1/firm/keys", json={"user_id": "risk:rita", "roles": ["risk"]})
        assert made.status_code == 201, made.text
        risk = _staff(firm, f"{made.json()['key_id']}:{made.json()['secret']}")
        refused = risk.post(
            "/v1/firm/keys", json={"user_id": "x", "roles": ["customer"], "accounts": ["DEMO-1"]}
        )
        assert refused.status_code == 403 and set(refused.json()) == {"code", "message"}
        assert risk.put(f"/v1/firm/easy-to-borrow/{HARD_TO_BORROW}").status_code == 403
        etb = [e["symbol"] for e in admin.get("/v1/firm/easy-to-borrow").json()]
        assert ETB in etb and HARD_TO_BORROW not in etb
        assert risk.get("/v1/firm/limits").status_code == 200
        limits = risk.put("/v1/firm/limits", json={"max_order_quantity": 50_000})
        assert limits.status_code == 200 and limits.json()["changed_by"] == "risk:rita"

        # /v2/assets tells the truth from the list.
        customer_headers = {
            "APCA-API-KEY-ID": demo_keys["DEMO-1"][0],
            "APCA-API-SECRET-KEY": demo_keys["DEMO-1"][1],
        }
        assets = httpx.get(f"{firm.url}/v2/assets", headers=customer_headers, timeout=30).json()
        by_symbol = {a["symbol"]: a for a in assets}
        assert by_symbol[ETB]["easy_to_borrow"] is True
        assert by_symbol[HARD_TO_BORROW]["easy_to_borrow"] is False

        # A customer key issued through /v1/firm/keys trades with alpaca-py.
        issued = admin.post(
            "/v1/firm/keys",
            json={"user_id": "carol", "roles": ["customer"], "accounts": ["DEMO-1"]},
        ).json()
        carol = TradingClient(issued["key_id"], issued["secret"], url_override=firm.url)
        assert carol.get_account().account_number == "DEMO-1"  # type: ignore[union-attr]

        # Short sales: ETB fills; hard to borrow needs a locate.
        _wait_for_quotes(firm, customer_headers)
        short = _wait_filled(carol, str(_short(carol, ETB, 5).id))
        assert short.status.value == "filled", short
        try:
            _short(carol, HARD_TO_BORROW, 100)
            raise AssertionError("a short sale without a locate was accepted")
        except APIError as error:
            assert error.status_code == 403 and int(error.code) % 100_000 == 2011
        locate = admin.post(
            "/v1/firm/locates",
            json={"account": "DEMO-1", "symbol": HARD_TO_BORROW, "quantity": 100},
        )
        assert locate.status_code == 201, locate.text
        located = _wait_filled(carol, str(_short(carol, HARD_TO_BORROW, 100).id))
        assert located.status.value == "filled", located

        # A revoked key is refused at once.
        doomed = admin.post(
            "/v1/firm/keys",
            json={"user_id": "dave", "roles": ["customer"], "accounts": ["DEMO-2"]},
        ).json()
        revoked = admin.delete(f"/v1/firm/keys/{doomed['key_id']}", params={"reason": "test"})
        assert revoked.json()["status"] == "revoked"
        dave = {"APCA-API-KEY-ID": doomed["key_id"], "APCA-API-SECRET-KEY": doomed["secret"]}
        assert httpx.get(f"{firm.url}/v2/account", headers=dave).status_code == 401

        # `directbroker admin` against the running server.
        listed = _admin(data, "--json", "keys", "list")
        assert listed.returncode == 0, listed.stderr
        assert issued["key_id"] in {k["key_id"] for k in json.loads(listed.stdout)}
        added = _admin(data, "restricted", "add", "TSLA", "--reason", "news pending")
        assert added.returncode == 0 and "TSLA" in added.stdout, added.stderr
        engaged = _admin(data, "kill", "engage", "--scope", "symbol", "--target", "INTC")
        assert engaged.returncode == 0 and "INTC" in engaged.stdout, engaged.stderr
        bad = _admin(data, "--key", "DBNOPE:wrong", "whoami")
        assert bad.returncode == 1 and "401" in bad.stderr
        admin.close()
        risk.close()
        firm.kill()  # SIGKILL: no clean stop

    with RunningFirm(demo_args(data), tmp_path).start(wait_for_keys=2) as firm:
        assert firm.keys == demo_keys  # the demo's customers keep their credentials
        carol = TradingClient(issued["key_id"], issued["secret"], url_override=firm.url)
        assert carol.get_account().account_number == "DEMO-1"  # type: ignore[union-attr]
        assert httpx.get(f"{firm.url}/v2/account", headers=dave).status_code == 401
        with _staff(firm, _admin_key(data)) as admin:
            keys = {k["key_id"]: k for k in admin.get("/v1/firm/keys?include_revoked=true").json()}
            assert keys[doomed["key_id"]]["revoked_by"] == "admin"
            assert keys[issued["key_id"]]["issued_by"] == "admin"
            assert [r["symbol"] for r in admin.get("/v1/firm/restricted").json()] == ["TSLA"]
            kills = admin.get("/v1/firm/kill-switches").json()
            assert [(k["scope"], k["target"]) for k in kills] == [("symbol", "INTC")]
            assert admin.get("/v1/firm/limits").json()["max_order_quantity"] == 50_000
        assert firm.terminate() == 0

"""Books and records from a demo firm's data directory, as staff get them: ``directbroker
demo`` (a subprocess, durable journals) takes a market order, and a limit order that is then
replaced and cancelled, through the Trading API; once it stops, ``directbroker records
tickets`` and ``records blotter`` must show those orders as placed (who entered each, the
replace and the cancel with who asked, the fills and venues), and ``directbroker journal verify
--data-dir`` must pass every core's journal and name a corrupted copy's first bad entry. The
Broker API serves the same ticket to staff while the firm runs."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.running import RunningFirm, demo_args

pytestmark = pytest.mark.timeout(240)
SYMBOL = "AAPL"
ACCOUNT = "DEMO-1"
TRADE_DATE = "2026-11-30"
"""The business date the demo's simulated clock starts in (``running.SESSION_START``)."""


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "directbroker.app.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _until(api: httpx.Client, order_id: str, statuses: set[str]) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while True:
        order: dict[str, Any] = api.get(f"/v2/orders/{order_id}").json()
        if order["status"] in statuses:
            return order
        assert time.monotonic() < deadline, f"order {order_id} stayed {order['status']}"
        time.sleep(0.2)


def _bid(api: httpx.Client) -> Decimal:
    deadline = time.monotonic() + 60
    while True:
        answer = api.get("/v2/stocks/snapshots", params={"symbols": SYMBOL})
        quote = (answer.json().get(SYMBOL) or {}).get("latestQuote") or {}
        if answer.status_code == 200 and Decimal(str(quote.get("bp") or 0)) > 0:
            return Decimal(str(quote["bp"]))
        assert time.monotonic() < deadline, "the market never quoted"
        time.sleep(0.2)


def _trade(firm: RunningFirm) -> tuple[str, dict[str, Any], dict[str, Any], str]:
    """Place the orders; returns the key id, the market order, the limit order and the id of
    the order that replaced it."""
    headers = firm.headers(ACCOUNT)
    with httpx.Client(base_url=firm.url, headers=headers, timeout=30) as api:
        bid = _bid(api)
        bought = api.post("/v2/orders", json={
            "symbol": SYMBOL, "qty": "10", "side": "buy", "type": "market",
            "time_in_force": "day", "client_order_id": "rec-market",
        })  # fmt: skip
        assert bought.status_code == 200, bought.text
        market = _until(api, bought.json()["id"], {"filled"})
        low = (bid / 2).quantize(Decimal("0.01"))
        placed = api.post("/v2/orders", json={
            "symbol": SYMBOL, "qty": "5", "side": "buy", "type": "limit",
            "limit_price": str(low), "time_in_force": "day", "client_order_id": "rec-limit",
        })  # fmt: skip
        assert placed.status_code == 200, placed.text
        limit = _until(api, placed.json()["id"], {"new"})
        lower = low - Decimal("0.01")
        replaced = api.patch(f"/v2/orders/{limit['id']}", json={"limit_price": str(lower)})
        assert replaced.status_code == 200, replaced.text
        new_id: str = replaced.json()["id"]
        _until(api, new_id, {"new"})
        assert api.delete(f"/v2/orders/{new_id}").status_code == 204
        _until(api, new_id, {"canceled"})
    return headers["APCA-API-KEY-ID"], market, limit, new_id


def _corrupt_copy(data: Path, copy: Path) -> None:
    """A copy of the journals with one byte of the broker journal's last frame flipped."""
    shutil.copytree(data / "journals", copy / "journals")
    with sqlite3.connect(copy / "journals" / "broker.journal.db") as db:
        rows = db.execute("SELECT first_seq, entries FROM journal_frames ORDER BY first_seq")
        first, entries = rows.fetchall()[-1]
        flipped = bytearray(entries)
        flipped[len(flipped) // 2] ^= 0x01
        db.execute(
            "UPDATE journal_frames SET entries = ? WHERE first_seq = ?", (bytes(flipped), first)
        )


def test_tickets_blotter_and_journal_verify_tell_what_was_placed(tmp_path: Path) -> None:
    data = tmp_path / "demo"
    args = demo_args(data, "--clock", "sim", "--rate", "100")
    with RunningFirm(args, tmp_path).start(wait_for_keys=2) as firm:
        key_id, market, limit, new_id = _trade(firm)
        # Staff read the same ticket through the Broker API while the firm runs.
        admin_key = (data / "admin.key").read_text(encoding="utf-8").strip()
        staff_id, _, secret = admin_key.partition(":")
        served = httpx.get(f"{firm.url}/v1/firm/records/orders/{new_id}",
                           auth=httpx.BasicAuth(staff_id, secret), timeout=30)  # fmt: skip
        assert served.status_code == 200, served.text
        assert served.json()["cancellation"]["by"] == f"key:{key_id}"
        assert firm.terminate() == 0

    shown = _cli("records", "tickets", "--data-dir", str(data), "--date", TRADE_DATE,
                 "--format", "json")  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    tickets = {t["order_id"]: t for t in json.loads(shown.stdout)}
    entered = f"key:{key_id}"
    bought = tickets[market["id"]]
    assert (bought["account"], bought["symbol"], bought["side"], bought["order_type"]) == (
        ACCOUNT, SYMBOL, "buy", "market",
    )  # fmt: skip
    assert bought["entered_by"] == entered and bought["status"] == "filled"
    assert bought["client_order_id"] == "rec-market" and bought["route"] == "SMART"
    assert sum(e["quantity"] for e in bought["executions"]) == 10 == bought["filled_quantity"]
    assert bought["routes"] and all(e["venue"] for e in bought["executions"])
    old = tickets[limit["id"]]
    assert old["status"] == "replaced" and old["replaced_by"] == new_id
    (change,) = old["modifications"]
    assert change["by"] == entered and change["new_order_id"] == new_id
    assert Decimal(change["limit_price"]) == Decimal(limit["limit_price"]) - Decimal("0.01")
    new = tickets[new_id]
    assert new["replaces"] == limit["id"] and new["entered_by"] == entered
    assert new["status"] == "canceled" and new["cancellation"]["by"] == entered
    assert new["cancellation"]["effective_at"]

    one = _cli("records", "tickets", "--data-dir", str(data), "--order", new_id)
    assert one.returncode == 0 and f"Order {new_id}" in one.stdout and "canceled" in one.stdout

    blotter = _cli("records", "blotter", "--data-dir", str(data), "--date", TRADE_DATE,
                   "--format", "csv", "--write")  # fmt: skip
    assert blotter.returncode == 0, blotter.stderr
    filed = data / "backoffice" / "records"
    assert (filed / "blotter" / f"{TRADE_DATE}.csv").read_text(encoding="utf-8") == blotter.stdout
    assert new_id in (filed / "tickets" / f"{TRADE_DATE}.json").read_text(encoding="utf-8")
    rows = [r for r in csv.DictReader(io.StringIO(blotter.stdout)) if r["order_id"] == market["id"]]
    assert sum(int(r["quantity"]) for r in rows) == 10
    assert {(r["account"], r["symbol"], r["side"]) for r in rows} == {(ACCOUNT, SYMBOL, "buy")}
    assert sorted(r["execution_id"] for r in rows) == sorted(
        e["execution_id"] for e in bought["executions"]
    )

    verified = _cli("journal", "verify", "--data-dir", str(data))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    cores = {line.split()[0]: line for line in verified.stdout.splitlines()}
    assert {"broker", "marketdata"} <= set(cores) and all("OK" in v for v in cores.values())
    copy = tmp_path / "damaged"
    _corrupt_copy(data, copy)
    damaged = _cli("journal", "verify", "--data-dir", str(copy))
    assert damaged.returncode == 1, damaged.stdout + damaged.stderr
    lines = {line.split()[0]: line for line in damaged.stdout.splitlines()}
    assert "CORRUPT at entry" in lines["broker"]
    assert all("OK" in line for core, line in lines.items() if core != "broker")

"""The clearing hand-off as staff run it: ``directbroker demo`` on a fast simulated clock trades
a few orders through the Trading API and ends its day; then ``directbroker backoffice
trade-file`` and ``clearing-run`` (subprocesses, on the stopped firm's data directory) write the
day's files. Every execution of the day is in the trade file and the clearing firm's activity
exactly once, its positions are the customers', and an injected fault shows in its files."""

from __future__ import annotations

import csv
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from directbroker.app.broker_journal import journal_entries
from directbroker.domain.ledger_messages import ExecutionRecorded
from tests.e2e.running import RunningFirm, demo_args, until

DAY = "2026-11-30"
ORDERS = [("DEMO-1", "buy", 5), ("DEMO-1", "buy", 3), ("DEMO-1", "sell", 2), ("DEMO-2", "buy", 4)]


def _quoted(client: httpx.Client) -> bool:
    answer = client.get("/v2/stocks/snapshots", params={"symbols": "AAPL"})
    quote = (answer.json().get("AAPL") or {}).get("latestQuote") or {}
    return answer.status_code == 200 and bool(quote.get("bp"))


def _filled(client: httpx.Client, order_id: str) -> Any:
    def check() -> Any:
        order = client.get(f"/v2/orders/{order_id}").json()
        return order if order["status"] == "filled" else None

    return check


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "directbroker.app.cli", "backoffice", *args],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def _rows(path: Path) -> list[dict[str, str]]:
    lines = path.read_text().splitlines()
    assert lines[0].startswith("H,") and lines[-1] == f"T,{len(lines) - 3}"
    return list(csv.DictReader(lines[1:-1]))


def test_every_execution_of_the_day_is_handed_to_clearing_once(tmp_path: Path) -> None:
    data = tmp_path / "firm"
    args = demo_args(data, "--clock", "sim", "--speed", "2000", "--rate", "100")
    filled: dict[str, int] = {}
    positions: dict[tuple[str, str], int] = {}
    with RunningFirm(args, tmp_path).start(wait_for_keys=2) as firm:
        clients = {a: httpx.Client(base_url=firm.url, headers=firm.headers(a), timeout=10)
                   for a in ("DEMO-1", "DEMO-2")}  # fmt: skip
        one = clients["DEMO-1"]
        until(
            lambda: one.get("/v2/clock").json()["is_open"] and _quoted(one), "the market quotes", 90
        )
        ids = []
        for account, side, quantity in ORDERS:
            body = {"symbol": "AAPL", "qty": str(quantity), "side": side, "type": "market",
                    "time_in_force": "day"}  # fmt: skip
            answer = clients[account].post("/v2/orders", json=body)
            assert answer.status_code == 200, answer.text
            ids.append((account, answer.json()["id"]))
        for account, order_id in ids:
            order = until(_filled(clients[account], order_id), "the order fills", 90)
            filled[order_id] = int(order["filled_qty"])
        until(lambda: one.get("/v2/clock").json()["timestamp"][:10] > DAY, "the next day", 90)
        for account, client in clients.items():
            for position in client.get("/v2/positions").json():
                positions[(account, position["symbol"])] = int(position["qty"])
            client.close()
        assert firm.terminate() == 0

    made = _cli("trade-file", "--data-dir", str(data), "--date", DAY)
    assert made.returncode == 0, made.stderr
    outbound = data / "backoffice" / "clearing" / "outbound" / DAY
    assert str(outbound) in made.stdout
    run = _cli("clearing-run", "--data-dir", str(data), "--date", DAY)
    assert run.returncode == 0, run.stderr
    inbound = data / "backoffice" / "clearing" / "inbound" / DAY

    journal = [
        event.execution_id
        for _message, events, _ts in journal_entries(data)
        for event in events
        if isinstance(event, ExecutionRecorded) and event.trade_date == 20261130
    ]
    trades = _rows(outbound / "trades.csv")
    assert Counter(t["execution_id"] for t in trades) == Counter(journal)
    assert set(Counter(journal).values()) == {1}
    assert f"trades {len(journal)} " in made.stdout
    for order_id, quantity in filled.items():
        assert sum(int(t["quantity"]) for t in trades if t["order_id"] == order_id) == quantity
    assert {(t["side"], t["marking"], t["capacity"]) for t in trades} == {
        ("buy", "", "A"), ("sell", "long", "A"),
    }  # fmt: skip
    booked = [a["reference"] for a in _rows(inbound / "activity.csv") if a["kind"] == "trade"]
    assert Counter(booked) == Counter(journal)
    theirs = {(p["account"], p["symbol"]): int(p["quantity"])
              for p in _rows(inbound / "positions.csv")}  # fmt: skip
    assert {k: v for k, v in theirs.items() if k[0].startswith("DEMO-")} == positions

    # Run again: already processed, nothing changes; forced with a fault, the fault shows.
    before = (inbound / "activity.csv").read_bytes()
    assert (
        "already processed" in _cli("clearing-run", "--data-dir", str(data), "--date", DAY).stdout
    )
    assert (inbound / "activity.csv").read_bytes() == before
    added = _cli("fault", "add", "--data-dir", str(data), "--date", DAY, "--kind", "duplicate")
    assert added.returncode == 0, added.stderr
    forced = _cli("clearing-run", "--data-dir", str(data), "--date", DAY, "--force")
    assert forced.returncode == 0 and "booked twice" in forced.stdout, forced.stdout
    again = [a["reference"] for a in _rows(inbound / "activity.csv") if a["kind"] == "trade"]
    assert Counter(again) == Counter(journal) + Counter([trades[0]["execution_id"]])

    # A cut-off trade file is refused naming its line, and the clearing firm's files stay.
    (outbound / "trades.csv").write_bytes((outbound / "trades.csv").read_bytes()[:-5])
    after = (inbound / "activity.csv").read_bytes()
    refused = _cli("clearing-run", "--data-dir", str(data), "--date", DAY, "--force")
    assert refused.returncode == 2
    assert "COUNT_MISMATCH: trades.csv line" in refused.stderr
    assert (inbound / "activity.csv").read_bytes() == after

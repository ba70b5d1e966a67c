"""The clearing firm's real-time drop copy through ``directbroker demo`` as a user runs it.

The demo runs as a subprocess on a simulated clock at 2000x (a trading day in seconds), with
no ``[fix]`` section: the drop copy session for the clearing firm is implied by
``[backoffice] drop_copy`` (the default). Customers trade through the Trading API; the firm is
SIGKILLed right after some orders and started again on the same data directory, and trades
on into the next simulated day; then the
clearing firm's drop copy files must hold every fill the API reports, each exactly once and
as reported, and ``backoffice dropcopy-check`` must find the books and the files agree.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from directbroker.adapters.http.ids import stable_uuid
from directbroker.app.dropcopy_check import main as dropcopy_check
from directbroker.backoffice.drop_copy_log import DropCopyRecord, drop_copy_dir, read_file
from directbroker.domain.numbers import parse_price
from directbroker.domain.orders import Side
from tests.e2e.running import RunningFirm, demo_args

pytestmark = pytest.mark.timeout(300)

ORDERS = {"DEMO-1": ("AAPL", "MSFT"), "DEMO-2": ("NVDA", "INTC")}


def _place(firm: RunningFirm, account: str, symbol: str, side: str) -> None:
    order = {"symbol": symbol, "qty": "3", "side": side, "type": "market", "time_in_force": "day"}
    answer = httpx.post(
        f"{firm.url}/v2/orders", json=order, headers=firm.headers(account), timeout=30
    )
    # A market order may be refused (the session just closed, buying power): no fill, no copy.
    assert answer.status_code < 500, answer.text


def _trade(firm: RunningFirm, side: str, after: str = "") -> None:
    """Market orders of every demo customer once the market is open on a day after ``after``
    (YYYY-MM-DD), until at least one more fill is reported (again in the next session when
    the orders met the close: at 2000x a session lasts seconds)."""
    before = len(_fills(firm))
    for _attempt in range(3):
        _wait_for_a_session(firm, after)
        for account, symbols in ORDERS.items():
            for symbol in symbols:
                _place(firm, account, symbol, side)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if len(_fills(firm)) > before:
                return
            time.sleep(0.2)
    raise AssertionError("the orders did not fill")


def _fills(firm: RunningFirm) -> dict[str, tuple[str, dict[str, Any]]]:
    """Every fill the API reports, by the uuid of its activity id: (account, activity)."""
    fills: dict[str, tuple[str, dict[str, Any]]] = {}
    for account in ORDERS:
        token: str | None = None
        while True:
            params = {"activity_types": "FILL", "direction": "asc", "page_size": "100"}
            if token is not None:
                params["page_token"] = token
            answer = httpx.get(
                f"{firm.url}/v2/account/activities",
                params=params,
                headers=firm.headers(account),
                timeout=30,
            )
            assert answer.status_code == 200, answer.text
            page = answer.json()
            for activity in page:
                fills[activity["id"].split("::")[1]] = (account, activity)
            if len(page) < 100:
                break
            token = page[-1]["id"]
    return fills


def _copied(data_dir: Path) -> list[DropCopyRecord]:
    directory = drop_copy_dir(data_dir)
    return [r for path in sorted(directory.glob("*.csv")) for r in read_file(path)]


def _wait_for_a_session(firm: RunningFirm, after: str, timeout: float = 90.0) -> None:
    """Until the simulated market is open on a day after ``after`` (YYYY-MM-DD)."""
    deadline = time.monotonic() + timeout
    while True:
        headers = firm.headers("DEMO-1")
        clock = httpx.get(f"{firm.url}/v2/clock", headers=headers, timeout=30).json()
        if clock["is_open"] and clock["timestamp"][:10] > after:
            return
        assert time.monotonic() < deadline, f"no session after {after}: {clock}"
        time.sleep(0.2)


def test_every_fill_is_in_the_clearing_drop_copy_once_across_a_crash(tmp_path: Path) -> None:
    data = tmp_path / "firm"
    args = demo_args(data, "--clock", "sim", "--speed", "2000")
    with RunningFirm(args, tmp_path).start(wait_for_keys=2) as firm:
        assert "CLEARING->DBRK FIX 4.4 drop_copy" in firm.output
        _trade(firm, "buy")
        for account, symbols in ORDERS.items():
            for symbol in symbols:
                _place(firm, account, symbol, "buy")
        firm.kill()  # mid-way: the last orders may be filling, their copies in flight

    with RunningFirm(args, tmp_path).start(wait_for_keys=2) as firm:
        _trade(firm, "sell")
        # The next trading day's fills go to that day's file.
        _trade(firm, "buy", after="2026-11-30")
        deadline = time.monotonic() + 60
        while True:
            fills = _fills(firm)
            records = _copied(data)
            copied = Counter(stable_uuid("activity", r.exec_id) for r in records)
            if set(copied) == set(fills):
                break
            assert time.monotonic() < deadline, (
                f"drop copy {len(copied)} fills, API {len(fills)}: "
                f"missing {set(fills) - set(copied)}, extra {set(copied) - set(fills)}"
            )
            time.sleep(0.3)
        assert firm.terminate() == 0

    assert len(fills) >= 2
    assert [key for key, count in copied.items() if count > 1] == []
    for record in records:
        account, activity = fills[stable_uuid("activity", record.exec_id)]
        assert record.account == account
        assert record.symbol == activity["symbol"]
        assert record.quantity == int(activity["qty"])
        assert record.price == parse_price(activity["price"])
        assert ("buy" if record.side is Side.BUY else "sell") == activity["side"]

    dates = sorted(path.stem for path in drop_copy_dir(data).glob("*.csv"))
    assert dates[0] == "2026-11-30" and len(dates) >= 2
    for date in dates:
        assert dropcopy_check(["--data-dir", str(data), "--date", date]) == 0

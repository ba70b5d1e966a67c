"""Trading days through the real server: the firm on a fast simulated clock rolls from day to
day; a DAY order expires at the close, a GTC order is carried to the next session; after a
SIGKILL the firm restarts where its journals stopped (the same date and phase, not the wall
clock's), orders included."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import httpx

from tests.e2e.running import RunningFirm, demo_args, until

ACCOUNT = "DEMO-1"
SPEED = "3000"


def _firm(data_dir: Path) -> RunningFirm:
    args = demo_args(data_dir, "--clock", "sim", "--speed", SPEED, "--rate", "100")
    return RunningFirm(args, Path.cwd()).start(wait_for_keys=2)


def _client(firm: RunningFirm) -> httpx.Client:
    return httpx.Client(base_url=firm.url, headers=firm.headers(ACCOUNT), timeout=10)


def _clock(client: httpx.Client) -> dict[str, Any]:
    answer = client.get("/v2/clock")
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def _day(clock: dict[str, Any]) -> date:
    return datetime.fromisoformat(clock["timestamp"]).date()


def _status(client: httpx.Client, order_id: str) -> str:
    answer = client.get(f"/v2/orders/{order_id}")
    assert answer.status_code == 200, answer.text
    status: str = answer.json()["status"]
    return status


def _place(client: httpx.Client, tif: str, price: str) -> str:
    # Distinct prices: the duplicate-order check refuses an identical order within a second.
    body = {"symbol": "AAPL", "qty": "1", "side": "buy", "type": "limit",
            "time_in_force": tif, "limit_price": price}  # fmt: skip
    answer = client.post("/v2/orders", json=body)
    assert answer.status_code == 200, answer.text
    order_id: str = answer.json()["id"]
    return order_id


def test_days_roll_day_orders_expire_gtc_orders_carry_and_a_crash_resumes(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "firm"
    with _firm(data_dir) as firm, _client(firm) as client:
        until(lambda: _clock(client)["is_open"], "the market opens", 120)
        first_day = _day(_clock(client))
        gtc, day = _place(client, "gtc", "100.00"), _place(client, "day", "99.00")
        assert _status(client, day) in ("new", "pending_new", "accepted")
        # The simulated clock runs through the close, the night and into the next session.
        until(lambda: _day(_clock(client)) > first_day, "the next session", 120)
        until(lambda: _status(client, day) == "expired", "the DAY order expires", 120)
        until(lambda: _clock(client)["is_open"], "the next open", 120)
        until(lambda: _status(client, gtc) == "new", "the GTC order is back", 120)
        before = _clock(client)
        firm.kill()

    with _firm(data_dir) as again, _client(again) as client:
        after = _clock(client)
        # Resumed from the journals: the simulated date goes on from where it stopped (at
        # most into the next session), not from today's wall clock.
        assert after["timestamp"] >= before["timestamp"]
        assert _day(after) <= datetime.fromisoformat(before["next_close"]).date() or (
            _day(after) <= datetime.fromisoformat(before["next_open"]).date()
        )
        assert _status(client, day) == "expired"
        assert _status(client, gtc) in ("new", "done_for_day")
        again.terminate()

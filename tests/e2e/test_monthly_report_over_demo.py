"""The monthly activity report of a firm that traded across a month end, checked against a
brute-force recount of its journal: ``directbroker demo`` (a subprocess, durable journals, the
simulated clock fast) starts on the last trading day of April; a demo customer trades through
the Trading API then and again in May; the report is read over the Broker API (JSON and the
HTML page) while it runs and written by ``directbroker report monthly`` after it stops, and
the back office's month-end job writes the same; every month's figures must equal
:func:`tests.e2e.monthly_recount.recount_months`."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from directbroker.adapters.calendar import XnysCalendar
from directbroker.app.backoffice_runner import BackOfficeRunner
from directbroker.app.monthly_job import MonthlyReportJob
from tests.e2e.lifecycle import admin_credential
from tests.e2e.monthly_recount import differences, recount_months
from tests.e2e.running import RunningFirm, until

pytestmark = pytest.mark.timeout(300)
START = "2026-04-30T09:45:00-04:00"
DONE = ("filled", "canceled", "expired", "rejected")  # the last session of April; May 1 is a Friday


def _buy(firm: RunningFirm, account: str, symbol: str, qty: int) -> str:
    body = {"symbol": symbol, "qty": str(qty), "side": "buy", "type": "market",
            "time_in_force": "day"}  # fmt: skip
    answers: list[httpx.Response] = []

    def placed() -> bool:  # a symbol may have no quote yet in the first simulated seconds
        answers.append(
            httpx.post(f"{firm.url}/v2/orders", json=body, headers=firm.headers(account))
        )
        return answers[-1].status_code != 403

    until(placed, f"a quote for {symbol}", 30)
    answer = answers[-1]
    assert answer.status_code == 200, answer.text
    order_id: str = answer.json()["id"]
    return order_id


def _order(firm: RunningFirm, account: str, order_id: str) -> dict[str, Any]:
    got = httpx.get(f"{firm.url}/v2/orders/{order_id}", headers=firm.headers(account))
    order: dict[str, Any] = got.json()
    return order


def _trade(firm: RunningFirm, account: str, symbol: str, qty: int, placed: list[str]) -> None:
    """Market orders until one fills (one can be canceled unfilled, near the open); each
    order placed is added to ``placed``."""
    for _ in range(5):
        order_id = _buy(firm, account, symbol, qty)
        placed.append(order_id)

        def ended(order_id: str = order_id) -> bool:
            return _order(firm, account, order_id)["status"] in DONE

        until(ended, "the order to end", 90)
        if _order(firm, account, order_id)["status"] == "filled":
            return
    raise AssertionError(f"no {symbol} order filled")


def _executed(firm: RunningFirm, account: str, placed: list[str]) -> tuple[int, int]:
    """(orders with an execution, shares executed) of ``placed``, as the Trading API says."""
    quantities = [int(_order(firm, account, order_id)["filled_qty"]) for order_id in placed]
    return sum(1 for q in quantities if q), sum(quantities)


def _clock(firm: RunningFirm, account: str) -> dict[str, object]:
    got = httpx.get(f"{firm.url}/v2/clock", headers=firm.headers(account))
    clock: dict[str, object] = got.json()
    return clock


def test_monthly_report_across_a_month_end_equals_a_recount(tmp_path: Path) -> None:
    data = tmp_path / "firm"
    args = ["demo", "--no-live", "--data-dir", str(data), "--api-port", "0", "--clock", "sim",
            "--speed", "2000", "--start", START]  # fmt: skip
    with RunningFirm(args, tmp_path).start(wait_for_keys=2) as firm:
        account = "DEMO-1"
        april: list[str] = []
        _trade(firm, account, "AAPL", 10, april)
        _trade(firm, account, "NVDA", 7, april)
        april_executed = _executed(firm, account, april)

        def in_may_session() -> bool:
            clock = _clock(firm, account)
            return str(clock["timestamp"]) >= "2026-05" and clock["is_open"] is True

        until(in_may_session, "a May session", 90)
        _trade(firm, account, "AAPL", 3, [])
        auth = admin_credential(data)
        url = f"{firm.url}/v1/reports/monthly"
        served = httpx.get(url, params={"month": "2026-05"}, auth=auth, timeout=30)
        page = httpx.get(url, params={"month": "2026-05", "format": "html"}, auth=auth)
        refused = httpx.get(url, params={"month": "2026-05"}, headers=firm.headers(account))
        bad = httpx.get(url, params={"month": "2026-5"}, auth=auth)
        firm.terminate()
    assert served.status_code == 200, served.text
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<svg" in page.text and "<script" not in page.text
    assert refused.status_code in (401, 403) and bad.status_code == 422

    recount = recount_months(data)
    assert sorted(recount)[:2] == ["2026-04", "2026-05"]
    assert (recount["2026-04"]["trades"], recount["2026-04"]["shares"]) == april_executed
    may_figures = served.json()["figures"]
    assert may_figures["trades"] >= 1 and may_figures["shares"] >= 3  # more if May went on
    assert served.json()["prior"]["trades"] == april_executed[0]
    assert differences(data) == []
    output = tmp_path / "out" / "april.json"
    subprocess.run(
        [sys.executable, "-m", "directbroker.app.cli", "report", "monthly", "--data-dir",
         str(data), "--month", "2026-04", "--format", "json", "--output", str(output)],
        check=True, timeout=120,
    )  # fmt: skip
    written = json.loads(output.read_text())["figures"]
    assert written["customer_accounts"] == recount["2026-04"]["customer_accounts"] == 2
    assert written["customer_assets"] is not None
    # The month-end job as serve's back office runs it, on a copy of the journal (serve's own
    # back office has already run the days of this one).
    copy = tmp_path / "copy"
    shutil.copytree(data / "journals", copy / "journals")
    job = MonthlyReportJob(copy, XnysCalendar())
    BackOfficeRunner(copy, XnysCalendar(), [], [job], folds=[job.fold]).catch_up()
    by_job = json.loads((job.directory / "monthly-2026-04.json").read_text())
    assert by_job["figures"] == written
    assets = recount["2026-04"]["customer_assets"]
    assert assets is not None and Decimal(written["customer_assets"]) == Decimal(assets).scaleb(-4)

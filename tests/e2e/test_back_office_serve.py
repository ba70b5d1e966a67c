"""The back office of a running firm over several simulated days, as operations meet it.

``directbroker demo`` runs as a subprocess on a simulated clock (durable journals, the default
order-flow rate); a customer trades through the Trading API every day. The simulated clearing
firm is told, while each day is under way, which of that day's executions to get wrong, with
``directbroker backoffice fault add`` (the execution ids come from its own drop copy file). At
each day end ``serve`` hands the day to the clearing firm and reconciles its answer, so:

- every execution the API reports is in the day's trade file once and in the drop copy once;
- a clean day has no break; each injected fault is the break it should be (and the position
  and cash breaks it causes are explained by it), and a break not corrected is still open,
  older, the next day;
- the customer can list and download each day's trade confirmation.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest

from directbroker.adapters.clearing.drop import read_outbound
from directbroker.adapters.http.ids import stable_uuid
from directbroker.app.cli import main as cli
from directbroker.backoffice.drop_copy_log import drop_copy_dir, read_file
from directbroker.runtime.schedule import from_date
from tests.e2e.running import RunningFirm, until

pytestmark = pytest.mark.timeout(420)

START = "2026-03-02T10:10:00-05:00"
"""A Monday morning: three business days follow, 2, 3 and 4 March."""
DAYS = ("2026-03-02", "2026-03-03", "2026-03-04")
ACCOUNT = "DEMO-1"
SYMBOLS = ("AAPL", "MSFT", "NVDA")


def _get(firm: RunningFirm, path: str, **params: str) -> Any:
    answer = httpx.get(
        f"{firm.url}{path}", params=params, headers=firm.headers(ACCOUNT), timeout=30
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def _clock(firm: RunningFirm) -> dict[str, Any]:
    clock: dict[str, Any] = _get(firm, "/v2/clock")
    return clock


def _fills(firm: RunningFirm) -> dict[str, dict[str, Any]]:
    """The account's fills as the API reports them, by activity id."""
    page = _get(firm, "/v2/account/activities", activity_types="FILL", page_size="100")
    return {activity["id"].split("::")[1]: activity for activity in page}


def _copied_ids(data: Path, day: str) -> list[str]:
    path = drop_copy_dir(data) / f"{day}.csv"
    return [record.exec_id for record in read_file(path)] if path.exists() else []


def _trade(firm: RunningFirm, data: Path, day: str) -> list[str]:
    """Buy each symbol on the morning of ``day``; once three fills are in the drop copy;
    their execution ids, in the order the clearing firm's copy has them."""
    # Well after the open: the opening cross is over and the books are deep again.
    until(lambda: (c := _clock(firm))["is_open"]
          and c["timestamp"][:10] == day and c["timestamp"][11:16] >= "10:15",
          f"the morning of {day}", 120)  # fmt: skip
    for index, symbol in enumerate(SYMBOLS):
        order = {"symbol": symbol, "qty": str(2 + index), "side": "buy", "type": "market",
                 "time_in_force": "day"}  # fmt: skip
        until(partial(_place, firm, order), f"a {symbol} order taken", 60)
    return until(lambda: ids if len(ids := _copied_ids(data, day)) >= 3 else None,
                 f"three drop-copied fills on {day}", 120)  # fmt: skip


def _place(firm: RunningFirm, order: dict[str, str]) -> bool:
    """Place an order; False while the market has no price for it yet (a new firm's first
    moments)."""
    answer = httpx.post(
        f"{firm.url}/v2/orders", json=order, headers=firm.headers(ACCOUNT), timeout=30
    )
    if answer.status_code == 403 and "no quote or last sale" in answer.text:
        return False
    assert answer.status_code == 200, answer.text
    return True


def _documents(firm: RunningFirm) -> list[dict[str, Any]] | None:
    """The customer's documents once every day's confirmation is among them."""
    found: list[dict[str, Any]] = _get(firm, "/v2/account/documents")
    return found if {d["date"] for d in found} >= set(DAYS) else None


def _fault(data: Path, day: str, kind: str, target: str, *extra: str) -> None:
    """``directbroker backoffice fault add`` (in this process: the day's end is seconds away
    on the fast clock, and a fault must be in before it)."""
    argv = ["backoffice", "fault", "add", "--data-dir", str(data), "--date", day,
            "--kind", kind, "--target", target, *extra]  # fmt: skip
    assert cli(argv) == 0


def _report(data: Path, day: str) -> dict[str, Any]:
    path = data / "backoffice" / "recon" / f"{day}.json"
    report: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return report


def _codes(report: dict[str, Any], first_seen: str) -> Counter[tuple[str, str]]:
    """(code, reference) of the open breaks first seen on ``first_seen``."""
    return Counter(
        (b["code"], b["reference"]) for b in report["breaks"] if b["first_seen"] == first_seen
    )


def test_days_of_trading_reach_the_clearing_firm_and_faults_become_breaks(
    tmp_path: Path,
) -> None:
    data = tmp_path / "firm"
    args = ["demo", "--no-live", "--data-dir", str(data), "--api-port", "0", "--clock", "sim",
            "--speed", "2000", "--start", START]  # fmt: skip
    executions: dict[str, list[str]] = {}
    with RunningFirm(args, tmp_path).start(wait_for_keys=2) as firm:
        clean, faulty, later = DAYS
        executions[clean] = _trade(firm, data, clean)
        executions[faulty] = first, second, third = _trade(firm, data, faulty)[:3]
        _fault(data, faulty, "missing_trade", first)
        _fault(data, faulty, "wrong_price", second, "--amount", "1.25")
        _fault(data, faulty, "duplicate", third)
        executions[later] = one, two, _three = _trade(firm, data, later)[:3]
        _fault(data, later, "wrong_quantity", one, "--amount", "1")
        _fault(data, later, "wrong_account", two, "--to-account", "DEMO-2")
        _fault(data, later, "cash_difference", "DEMO-2", "--amount", "12.34")
        until((data / "backoffice" / "recon" / f"{later}.json").exists,
              "the third day's reconciliation", 180)  # fmt: skip
        fills = _fills(firm)
        # The confirmations follow the day's reconciliation.
        documents = until(partial(_documents, firm), "the three days' confirmations", 120)
        confirmation = documents[0]
        download = httpx.get(
            f"{firm.url}/v2/account/documents/{confirmation['id']}/download",
            headers=firm.headers(ACCOUNT),
            timeout=30,
        )
        assert firm.terminate() == 0

    # Every fill the API reports: once in its day's trade file, once in the drop copy.
    for day in DAYS:
        traded = [r.execution_id for r in read_outbound(data, from_date_iso(day)).trades.records]
        assert Counter(traded) == Counter(_copied_ids(data, day)), day
        assert set(executions[day]) <= set(traded)
    every = [r.execution_id for day in DAYS for r in read_outbound(data, from_date_iso(day))
             .trades.records if r.account == ACCOUNT]  # fmt: skip
    assert Counter(stable_uuid("activity", e) for e in every) == Counter(list(fills))

    clean_report, faulty_report, later_report = (_report(data, day) for day in DAYS)
    assert clean_report["clean"] is True and clean_report["breaks"] == []

    assert _codes(faulty_report, DAYS[1])[("MISSING_AT_CLEARING", first)] == 1
    assert _codes(faulty_report, DAYS[1])[("PRICE_MISMATCH", second)] == 1
    assert _codes(faulty_report, DAYS[1])[("DUPLICATE_AT_CLEARING", third)] == 1
    holdings = [b for b in faulty_report["breaks"] if b["code"] in ("POSITION_BREAK", "CASH_BREAK")]
    assert holdings and all(b["explained"] for b in holdings)

    today = _codes(later_report, DAYS[2])
    assert today[("QUANTITY_MISMATCH", one)] == 1
    assert today[("ACCOUNT_MISMATCH", two)] == 1
    adjustments = [b for b in later_report["breaks"] if b["code"] == "UNKNOWN_AT_CLEARING"]
    assert [(b["account"], b["theirs"]) for b in adjustments] == [("DEMO-2", 1)]
    cash = [
        b for b in later_report["breaks"] if b["code"] == "CASH_BREAK" and b["account"] == "DEMO-2"
    ]
    # The trade booked to DEMO-2 by mistake and the clearing firm's $12.34 adjustment.
    assert len(cash) == 1 and cash[0]["explained"]
    causes = {"ACCOUNT_MISMATCH", "UNKNOWN_AT_CLEARING"}
    assert set(cash[0]["caused_by"]) == {
        b["key"] for b in later_report["breaks"] if b["code"] in causes
    }
    carried = [b for b in later_report["breaks"] if b["first_seen"] == DAYS[1]]
    assert carried and all(b["age_days"] == 1 for b in carried)

    assert {d["type"] for d in documents} == {"trade_confirmation"}
    assert {d["date"] for d in documents} >= set(DAYS)
    assert download.status_code == 200 and download.content.startswith(b"%PDF")


def from_date_iso(day: str) -> int:
    """YYYY-MM-DD as YYYYMMDD."""
    from datetime import date

    return from_date(date.fromisoformat(day))

"""The breaks port over a data directory the real reconciliation wrote: the days listed newest
first with their counts, a day's report as persisted, a day not reconciled ``None``, a damaged
report refused (and listed as unreadable), and a report rewritten read again."""

from __future__ import annotations

import asyncio
import os
from decimal import Decimal
from pathlib import Path

import pytest

from directbroker.adapters.http.broker.breaks_port import UnreadableReport
from directbroker.app.breaks_ports import RecordedBreaks
from directbroker.backoffice.break_report import report_path
from tests.unit.app.recon_days import DAYS, reconcile_three_days


def test_days_are_listed_newest_first_with_their_counts(tmp_path: Path) -> None:
    reconcile_three_days(tmp_path)
    days = asyncio.run(RecordedBreaks(tmp_path).days())
    assert [d["date"] for d in days] == ["2026-06-03", "2026-06-02", "2026-06-01"]
    clean, older, first = days
    assert clean["clean"] is True and clean["open"] == 0 and clean["resolved"] == 3
    assert first["by_code"] == {"MISSING_AT_CLEARING": 1, "POSITION_BREAK": 1, "CASH_BREAK": 1}
    assert (first["open"], first["unexplained"]) == (3, 1)
    assert older["by_code"] == first["by_code"] and older["clean"] is False


def test_a_days_report_has_each_break_with_its_age(tmp_path: Path) -> None:
    missing = reconcile_three_days(tmp_path)
    port = RecordedBreaks(tmp_path)
    report = asyncio.run(port.report(DAYS[1]))
    assert report is not None and report["date"] == "2026-06-02"
    by_code = {b["code"]: b for b in report["breaks"]}
    cash = by_code["CASH_BREAK"]
    assert (cash["account"], cash["unit"], cash["difference"]) == ("C1", "cash", "-0.0100")
    assert Decimal(cash["theirs"]) == Decimal(cash["ours"]) - Decimal("0.01")
    assert (cash["first_seen"], cash["age_days"], cash["explained"]) == ("2026-06-01", 1, False)
    carried = by_code["MISSING_AT_CLEARING"]
    assert (carried["reference"], carried["carried"], carried["symbol"]) == (missing, True, "MSFT")
    assert asyncio.run(port.report(20260604)) is None


def test_a_damaged_report_is_refused_and_a_rewritten_one_read_again(tmp_path: Path) -> None:
    reconcile_three_days(tmp_path)
    port = RecordedBreaks(tmp_path)
    path = report_path(tmp_path, DAYS[0])
    good = path.read_text()
    assert asyncio.run(port.report(DAYS[0])) is not None  # now in memory
    path.write_text(good[:40])
    with pytest.raises(UnreadableReport, match="2026-06-01"):
        asyncio.run(port.report(DAYS[0]))
    listed = asyncio.run(port.days())
    assert {"date": "2026-06-01", "readable": False} in listed
    path.write_text(good)
    os.utime(path, ns=(1, 1))
    report = asyncio.run(port.report(DAYS[0]))
    assert report is not None and report["summary"]["open"] == 3


def test_no_folder_no_days(tmp_path: Path) -> None:
    assert asyncio.run(RecordedBreaks(tmp_path).days()) == []

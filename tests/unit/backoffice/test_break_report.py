"""The break report: text, CSV and JSON with the summary by code and age bucket and every
break; the persisted JSON reads back to the same report; the previous report is the latest
of an earlier day; a damaged report is refused by name."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from pathlib import Path

import pytest

from directbroker.adapters.calendar import XnysCalendar
from directbroker.backoffice import break_report
from directbroker.backoffice.break_ageing import CORRECTED, AgedBreak, Ageing, age
from tests.unit.backoffice.recon_fixtures import (
    activity_of,
    mirror,
    opening_close,
    rebook,
    run,
    sample_day,
)

CALENDAR = XnysCalendar(2026, 2026)


def _two_days() -> Ageing:
    """Day one: a duplicate; day two (three sessions later): it is still there, and a price
    break is new."""
    day = sample_day()
    files = mirror(day)
    twice = [*files.activity, activity_of(day.executions[2])]
    first = age(20260302, run(day, rebook(files, twice, opening_close(day))), (), CALENDAR)
    wrong = [replace(a, price=a.price + 1) if a.reference == "O1.1" else a for a in twice]
    today = run(day, rebook(files, wrong, opening_close(day)))
    return age(20260305, today, first.open, CALENDAR)


def test_text_has_the_summary_then_each_break_oldest_first() -> None:
    text = break_report.as_text(_two_days())
    assert text.startswith("Reconciliation with the clearing firm, 2026-03-05\n")
    assert "Open breaks: 4 (unexplained: 0); resolved today: 0" in text
    lines = text.splitlines()
    duplicate_row = next(line for line in lines if line.startswith("DUPLICATE_AT_CLEARING"))
    assert duplicate_row.split() == ["DUPLICATE_AT_CLEARING", "0", "0", "1", "0", "1"]
    price_row = next(line for line in lines if line.startswith("PRICE_MISMATCH"))
    assert price_row.split() == ["PRICE_MISMATCH", "1", "0", "0", "0", "1"]
    listed = lines[lines.index("Open breaks (oldest first)") + 1 :]
    assert [line.split("]")[0].strip() for line in listed] == ["[3d", "[3d", "[3d", "[0d"]
    assert "PRICE_MISMATCH" in listed[-1] and "190.1201" in listed[-1]
    assert "caused by DUPLICATE_AT_CLEARING|C2|MSFT|O2.1" in text


def test_a_clean_day_says_so() -> None:
    text = break_report.as_text(Ageing(20260302, (), ()))
    assert "Clean: our books and the clearing firm's files agree." in text
    assert break_report.as_json(Ageing(20260302, (), ()))["clean"] is True


def test_text_lists_breaks_resolved_today() -> None:
    ageing = _two_days()
    done = age(20260306, [], ageing.open, CALENDAR)
    text = break_report.as_text(done)
    assert "resolved today: 4" in text and "Resolved today" in text
    assert "(since 2026-03-02)" in text


def test_csv_has_the_summary_table_then_a_row_per_break() -> None:
    text = break_report.as_csv(_two_days())
    summary_part, breaks_part = text.split("\n\n")
    summary = list(csv.DictReader(io.StringIO(summary_part)))
    assert [row["code"] for row in summary][:2] == ["MISSING_AT_CLEARING", "UNKNOWN_AT_CLEARING"]
    by_code = {row["code"]: row for row in summary}
    assert by_code["POSITION_BREAK"]["3-5"] == "1" and by_code["PRICE_MISMATCH"]["0"] == "1"
    rows = list(csv.DictReader(io.StringIO(breaks_part)))
    assert [row["code"] for row in rows] == [
        "DUPLICATE_AT_CLEARING", "POSITION_BREAK", "CASH_BREAK", "PRICE_MISMATCH",
    ]  # fmt: skip
    price = rows[-1]
    assert (price["status"], price["ours"], price["theirs"]) == ("open", "190.1200", "190.1201")
    assert (price["first_seen"], price["age_days"], price["bucket"]) == ("2026-03-05", "0", "0")
    assert rows[1]["caused_by"] == "DUPLICATE_AT_CLEARING|C2|MSFT|O2.1"


def test_json_summary_and_breaks() -> None:
    document = break_report.as_json(_two_days())
    assert document["date"] == "2026-03-05" and document["clean"] is False
    assert document["summary"]["by_age"] == {"0": 1, "1-2": 0, "3-5": 3, "6+": 0}
    assert document["summary"]["by_code"]["CASH_BREAK"] == {"0": 0, "1-2": 0, "3-5": 1, "6+": 0}
    cash = next(b for b in document["breaks"] if b["code"] == "CASH_BREAK")
    assert cash["difference"] == "-8201.0000" and cash["unit"] == "cash"
    assert json.loads(break_report.as_json_text(_two_days())) == document


def test_the_persisted_report_reads_back_the_same(tmp_path: Path) -> None:
    ageing = _two_days()
    path = break_report.write_report(tmp_path, ageing)
    assert path == tmp_path / "backoffice" / "recon" / "2026-03-05.json"
    assert break_report.read_report(path) == ageing
    assert break_report.write_report(tmp_path, ageing).read_bytes() == path.read_bytes()


def test_the_previous_report_is_the_latest_of_an_earlier_day(tmp_path: Path) -> None:
    assert break_report.previous_report(tmp_path, 20260305) is None
    ageing = _two_days()
    for day in (20260302, 20260303, 20260305):
        break_report.write_report(tmp_path, replace(ageing, date=day))
    (tmp_path / "backoffice" / "recon" / "notes.json").write_text("{}")
    found = break_report.previous_report(tmp_path, 20260305)
    assert found is not None and found.date == 20260303
    assert break_report.previous_report(tmp_path, 20260302) is None


@pytest.mark.parametrize(
    ("damage", "says"),
    [
        (lambda d: "not json", "Expecting value"),
        (lambda d: json.dumps({**d, "version": 9}), "version 9"),
        (lambda d: json.dumps({**d, "breaks": [{"code": "NOPE"}]}), "break record"),
        (
            lambda d: json.dumps({**d, "breaks": [{**d["breaks"][2], "ours": "1.00001"}]}),
            "more than four decimals",
        ),
    ],
)
def test_a_damaged_report_is_refused_by_name(tmp_path: Path, damage: object, says: str) -> None:
    path = break_report.write_report(tmp_path, _two_days())
    document = json.loads(path.read_text())
    assert callable(damage)
    path.write_text(damage(document))
    with pytest.raises(break_report.ReportError, match=says) as caught:
        break_report.read_report(path)
    assert str(path) in str(caught.value)


def test_a_break_settled_by_a_correction_reads_back_with_its_note(tmp_path: Path) -> None:
    opened = _two_days()
    late = AgedBreak(opened.open[0].brk, 20260302, 3, note=CORRECTED)
    done = Ageing(20260306, (), (late,))
    assert f"(since 2026-03-02; {CORRECTED})" in break_report.as_text(done)
    rows = list(csv.DictReader(io.StringIO(break_report.as_csv(done).split("\n\n")[1])))
    assert [(row["status"], row["note"]) for row in rows] == [("resolved", CORRECTED)]
    path = break_report.write_report(tmp_path, done)
    assert break_report.read_report(path) == done

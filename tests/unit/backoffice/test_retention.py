"""The retention policy (Rule 17a-4): each generated record class has its period, capped by
the firm's ``retention_years``; files past it are listed and pruned; journals never are."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from directbroker.backoffice import retention
from directbroker.backoffice.retention import JOURNALS, RECORD_CLASSES, class_of, dated

TODAY = date(2026, 12, 7)


def _touch(root: Path, relative: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("x", encoding="utf-8")
    return path


def test_the_policy_keeps_journals_for_ever_and_caps_every_other_class() -> None:
    rows = {record.name: kept for record, kept in retention.policy(6)}
    assert rows[JOURNALS.name] is None
    assert rows["trade blotters"] == 6 and rows["order tickets"] == 3
    capped = {record.name: kept for record, kept in retention.policy(2)}
    assert all(kept == 2 for name, kept in capped.items() if name != JOURNALS.name)
    assert {r.name for r in retention.short_classes(2)} == {r.name for r in RECORD_CLASSES}
    assert [r.name for r in retention.short_classes(5)] == ["trade blotters", "clearing files"]
    assert retention.short_classes(6) == []


def test_a_file_is_classed_by_its_deepest_folder_and_dated_by_its_name() -> None:
    tickets = class_of(Path("records/tickets/2026-01-02.csv"))
    assert tickets is not None and tickets.name == "order tickets"
    clearing = class_of(Path("clearing/dropcopy/2026-01-02.csv"))
    assert clearing is not None and clearing.name == "clearing files"
    assert class_of(Path("elsewhere/2026-01-02.csv")) is None
    confirm = class_of(Path("documents/C1/trade_confirmation-2026-01-02.pdf"))
    statement = class_of(Path("documents/C1/account_statement-2026-01-30.pdf"))
    assert confirm is not None and confirm.name == "confirmations"
    assert statement is not None and statement.name == "statements"
    assert class_of(Path("documents/C1/letter-2026-01-02.pdf")) is None
    assert class_of(Path("2026-01-02.csv")) is None
    assert dated(Path("trades-20260102.csv")) == date(2026, 1, 2)
    assert dated(Path("statement-A1-2026-02.pdf")) == date(2026, 2, 28)


def test_expired_files_are_listed_then_pruned_and_nothing_else_is_touched(tmp_path: Path) -> None:
    office = tmp_path / "backoffice"
    old_recon = _touch(office, "recon/2023-12-01.json")  # 3 years: gone on 2026-12-02
    kept_recon = _touch(office, "recon/2023-12-08.json")  # still inside three years
    old_trades = _touch(office, "clearing/trades-20201201.csv")  # 6 years
    kept_trades = _touch(office, "clearing/trades-20210101.csv")
    undated = _touch(office, "monthly/activity.html")  # dated by its modification time
    old_stamp = 1_500_000_000  # 2017
    os.utime(undated, (old_stamp, old_stamp))
    unknown = _touch(office, "scratch/2001-01-01.txt")
    journal = _touch(tmp_path, "journals/broker.journal.db")
    found = retention.expired(tmp_path, TODAY, 6)
    assert [item.path for item in found] == [old_trades, undated, old_recon]
    assert found[2].expired_on == date(2026, 12, 1)
    # A lower cap expires more (a demo firm keeps its files two years).
    capped = {item.path for item in retention.expired(tmp_path, TODAY, 2)}
    assert capped == {old_trades, old_recon, undated, kept_recon, kept_trades}
    assert retention.prune(found) == 3
    assert all(not item.path.exists() for item in found)
    assert kept_recon.exists() and kept_trades.exists() and unknown.exists() and journal.exists()
    assert retention.expired(tmp_path, TODAY, 6) == []
    assert retention.expired(tmp_path / "nowhere", TODAY, 6) == []

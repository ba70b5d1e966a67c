"""``directbroker records`` and ``journal verify --data-dir`` on bad input: a clear message and
exit status 2, nothing changed; ``records retention`` lists expired files and prunes them."""

from __future__ import annotations

from pathlib import Path

import pytest

from directbroker.app import journal_cli
from directbroker.app.cli import main


def test_a_bad_date_or_directory_is_refused_with_a_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "firm"
    empty.mkdir()
    cases = [
        (["records", "blotter", "--data-dir", str(empty), "--date", "2026-13-01"], "not a date"),
        (["records", "blotter", "--data-dir", str(empty), "--date", "yesterday"], "not a date"),
        (["records", "tickets", "--data-dir", str(empty), "--date", "2026-2-30"], "not a date"),
        (["records", "tickets", "--data-dir", str(tmp_path / "none")], "no data directory"),
        (["records", "tickets", "--data-dir", str(empty)], "no broker journal"),
        (["records", "retention", "--data-dir", str(empty), "--as-of", "2026/12/07"], "not a date"),
    ]
    for argv, message in cases:
        assert main(argv) == 2, argv
        assert message in capsys.readouterr().err, argv
    assert list(empty.iterdir()) == []


def test_verify_of_a_directory_without_journals_is_unusable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["journal", "verify", "--data-dir", str(tmp_path)]) == journal_cli.EXIT_UNUSABLE
    assert "no journals" in capsys.readouterr().err


def test_retention_lists_then_prunes_expired_files_under_the_firms_cap(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    office = tmp_path / "backoffice"
    old = office / "recon" / "2022-06-01.json"
    recent = office / "recon" / "2025-06-01.json"
    for path in (old, recent):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{}", encoding="utf-8")
    argv = ["records", "retention", "--data-dir", str(tmp_path), "--as-of", "2026-12-07"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "journals" in out and "for ever" in out and "1 file(s)" in out and str(old) in out
    assert old.exists()
    config = tmp_path / "firm.toml"
    config.write_text("[backoffice]\nretention_years = 1\n", encoding="utf-8")
    assert main([*argv, "--config", str(config), "--prune"]) == 0
    out = capsys.readouterr().out
    assert "warning: order tickets are kept less than 17a-4's 3 years" in out
    assert "deleted 2 file(s)" in out and not old.exists() and not recent.exists()

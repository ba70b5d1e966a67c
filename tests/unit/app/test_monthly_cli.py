"""``directbroker report monthly`` refuses what it cannot use with exit status 2, a message
naming the problem, and no file written."""

from __future__ import annotations

from pathlib import Path

import pytest

from directbroker.app.monthly_cli import EXIT_UNUSABLE, parse_month
from directbroker.app.report_cli import main


def test_months_are_yyyy_mm_within_the_calendar() -> None:
    assert parse_month("2026-04") == (2026, 4)
    for text in ("2026-4", "2026-13", "2026-00", "1900-01", "26-04", "2026-04-01"):
        assert parse_month(text) is None


@pytest.mark.parametrize(
    ("month", "message"),
    [("2026-13", "is not YYYY-MM"), ("2026-04", "cannot read the journal")],
)
def test_bad_input_is_refused_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], month: str, message: str
) -> None:
    output = tmp_path / "report.html"
    args = ["report", "monthly", "--data-dir", str(tmp_path / "none"), "--month", month,
            "--format", "html", "--output", str(output)]  # fmt: skip
    assert main(args) == EXIT_UNUSABLE
    assert message in capsys.readouterr().err
    assert not output.exists()

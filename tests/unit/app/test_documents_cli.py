"""``directbroker backoffice documents`` refuses what it cannot issue, with a message and
exit status 2, and writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from directbroker.app.documents_cli import main


@pytest.mark.parametrize(
    ("choice", "message"),
    [
        (["--date", "2026-13-01"], "is not YYYY-MM-DD"),
        (["--month", "2026-1"], "is not YYYY-MM"),
        (["--date", "2026-12-01"], "cannot read the journal"),
    ],
)
def test_refusals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], choice: list[str], message: str
) -> None:
    status = main(["backoffice", "documents", "--data-dir", str(tmp_path), *choice])
    assert status == 2
    assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_day_or_a_month_is_required(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        main(["backoffice", "documents", "--data-dir", str(tmp_path)])

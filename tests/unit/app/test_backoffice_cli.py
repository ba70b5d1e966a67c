"""``directbroker backoffice``'s answers to a person: faults added and listed, and bad input
refused with exit status 2, a coded message and nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from directbroker.adapters.clearing.faults import faults_path, load_faults
from directbroker.app import backoffice_cli
from directbroker.app.cli import build_parser


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = backoffice_cli.main(["backoffice", *args])
    out, err = capsys.readouterr()
    return status, out, err


def test_the_backoffice_command_is_on_the_cli() -> None:
    args = build_parser().parse_args(["backoffice", "fault", "list", "--data-dir", "D"])
    assert args.handler is backoffice_cli.run_fault_list


def test_faults_are_added_and_listed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = str(tmp_path)
    assert _run(capsys, "fault", "list", "--data-dir", data) == (0, "no faults\n", "")
    price = ["--date", "2026-11-30", "--kind", "wrong_price", "--amount", "0.05"]
    status, out, _ = _run(capsys, "fault", "add", "--data-dir", data, *price,
                          "--fix-after-days", "2")  # fmt: skip
    assert status == 0
    assert out == (
        "fault 1 added: 2026-11-30 wrong_price first amount 0.05 fixed after 2 business days\n"
    )
    moved = ["--date", "2026-12-01", "--kind", "wrong_account", "--target", "E7"]
    status, out, _ = _run(capsys, "fault", "add", "--data-dir", data, *moved,
                          "--to-account", "B2")  # fmt: skip
    assert status == 0
    status, out, _ = _run(capsys, "fault", "list", "--data-dir", data)
    assert out.splitlines() == [
        "1. 2026-11-30 wrong_price first amount 0.05 fixed after 2 business days",
        "2. 2026-12-01 wrong_account E7 to B2",
    ]
    assert len(load_faults(tmp_path)) == 2


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            ["--date", "2026-11-28", "--kind", "duplicate"],
            "BAD_FAULT: 2026-11-28 is not a business",
        ),
        (["--date", "2026-11-30", "--kind", "duplicate", "--amount", "3"], "takes no amount"),
        (["--date", "30/11/2026", "--kind", "duplicate"], "not YYYY-MM-DD"),
        (["--date", "2026-11-30", "--kind", "wrong_quantity", "--amount", "x"], "not a number"),
    ],
)
def test_a_bad_fault_is_refused_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    status, out, err = _run(capsys, "fault", "add", "--data-dir", str(tmp_path), *extra)
    assert (status, out) == (2, "")
    assert message in err
    assert not faults_path(tmp_path).exists()


def test_the_jobs_refuse_a_directory_without_a_journal_or_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = _run(capsys, "trade-file", "--data-dir", str(tmp_path))
    assert status == 2 and "cannot read the journal" in err
    status, _, err = _run(capsys, "clearing-run", "--data-dir", str(tmp_path), "--date",
                          "2026-11-30")  # fmt: skip
    assert status == 2 and "NO_TRADE_FILE" in err
    assert not (tmp_path / "backoffice").exists()


@pytest.mark.parametrize("job", ["trade-file", "clearing-run"])
def test_a_bad_date_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], job: str
) -> None:
    status, _, err = _run(capsys, job, "--data-dir", str(tmp_path), "--date", "2026-11-31")
    assert status == 2 and "BAD_DATE: '2026-11-31' is not a calendar date" in err
    assert not (tmp_path / "backoffice").exists()

"""``directbroker admin accounts`` against ``directbroker serve`` in a subprocess: staff find an
application that needs a person, approve it from the command line, and a second decision on the
same account is refused with the server's code and changes nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.e2e.running import RunningFirm
from tests.e2e.test_broker_accounts import CONFIG, request, serve_args, staff_client


def _admin(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "directbroker.app.cli", "admin", "--data-dir", str(data), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _json(data: Path, *args: str) -> Any:
    done = _admin(data, "--json", *args)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_staff_review_an_application_from_the_command_line(tmp_path: Path) -> None:
    data, config = tmp_path / "firm", tmp_path / "firm.toml"
    config.write_text(CONFIG)
    with RunningFirm(serve_args(data, config), tmp_path).start() as firm:
        broker, _ = staff_client(firm, data)
        plain = str(broker.create_account(request()).id)
        flagged = str(broker.create_account(request(politically_exposed=True)).id)

        waiting = _json(data, "accounts", "list", "--status", "ACTION_REQUIRED")
        assert [item["id"] for item in waiting] == [flagged]
        everyone = {item["id"] for item in _json(data, "accounts", "list")}
        assert everyone == {plain, flagged}

        approved = _json(data, "accounts", "review", flagged, "approve", "--reason", "PEP ok")
        assert approved["status"] == "ACTIVE"
        assert _json(data, "accounts", "show", flagged)["status"] == "ACTIVE"

        again = _admin(data, "accounts", "review", flagged, "reject")
        assert again.returncode == 1
        assert "5159" in again.stderr  # the status does not allow it
        assert _json(data, "accounts", "show", flagged)["status"] == "ACTIVE"

        human = _admin(data, "accounts", "show", plain)
        assert human.returncode == 0 and "status: ACTIVE" in human.stdout
        assert firm.terminate() == 0

"""The venue's per-participant cursor: it moves only on stored reports, a report that was not
sent pins it below itself until the next catch-up, and it survives a restart."""

from __future__ import annotations

from pathlib import Path

from directbroker.adapters.venues.fix_cursors import Cursors


def test_the_cursor_moves_on_confirmation_and_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "cursors.json"
    cursors = Cursors(path)
    assert cursors.start_catch_up("BRKR") == 0
    cursors.confirmed("BRKR", 3)
    cursors.confirmed("BRKR", 2)  # late confirmation of an earlier entry: no step back
    cursors.confirmed("MM", 1)
    assert Cursors(path).positions == {"BRKR": 3, "MM": 1}


def test_an_unsent_report_pins_the_cursor_until_the_next_catch_up(tmp_path: Path) -> None:
    cursors = Cursors(tmp_path / "cursors.json")
    cursors.confirmed("BRKR", 4)
    cursors.failed("BRKR", 6)  # entry 6's report never reached the session
    cursors.confirmed("BRKR", 7)  # a later one did (a new connection came up meanwhile)
    assert cursors.positions["BRKR"] == 5
    assert cursors.start_catch_up("BRKR") == 5  # the catch-up sends 6 again
    cursors.confirmed("BRKR", 7)
    assert cursors.positions["BRKR"] == 7


def test_a_failure_behind_the_cursor_moves_it_back(tmp_path: Path) -> None:
    cursors = Cursors(None)
    cursors.confirmed("BRKR", 9)
    cursors.failed("BRKR", 8)
    assert cursors.positions["BRKR"] == 7
    assert cursors.start_catch_up("BRKR") == 7

"""A run's status in Alpaca's words: its sells and buys phases are Alpaca's ``IN_PROGRESS``
(alpaca-py validates the status against that set), with the phase kept beside it."""

from __future__ import annotations

import pytest

from directbroker.adapters.http.broker.rebalancing_shapes import render_run, run_status
from directbroker.domain.rebalancing_messages import (
    RUN_BUYS_IN_PROGRESS,
    RUN_COMPLETED_SUCCESS,
    RUN_QUEUED,
    RUN_SELLS_IN_PROGRESS,
    RebalanceRunUpdated,
)

ALPACA_RUN_STATUSES = {"QUEUED", "IN_PROGRESS", "CANCELED", "CANCELED_MID_RUN", "ERROR",
                       "TIMEOUT", "COMPLETED_SUCCESS", "COMPLETED_ADJUSTED"}  # fmt: skip


def _run(status: str) -> RebalanceRunUpdated:
    return RebalanceRunUpdated(
        run_id="r1", account="A1", run_type="full_rebalance", portfolio_id="", weights=(),
        initiated_from="api", status=status, reason="", planned=(), order_ids=(), failed=(),
        skipped=(), created_ns=1, completed_ns=0, canceled_ns=0, actor="ops", ts_ns=2,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("phase", "shown"),
    [
        (RUN_QUEUED, "QUEUED"),
        (RUN_SELLS_IN_PROGRESS, "IN_PROGRESS"),
        (RUN_BUYS_IN_PROGRESS, "IN_PROGRESS"),
        (RUN_COMPLETED_SUCCESS, "COMPLETED_SUCCESS"),
    ],
)
def test_every_phase_shows_a_status_alpaca_knows(phase: str, shown: str) -> None:
    rendered = render_run(_run(phase), [])
    assert rendered["status"] == run_status(phase) == shown
    assert rendered["status"] in ALPACA_RUN_STATUSES
    assert rendered["phase"] == phase

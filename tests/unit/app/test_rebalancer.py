"""The platform's rebalancer: a queued run is executed after the review time and retried
while refused; drift checks come on their schedule with a time seed; nothing is sent outside
the regular session."""

from __future__ import annotations

from directbroker.app.rebalancer import Rebalancer, RebalancerConfig
from directbroker.domain.rebalancing_messages import (
    CheckRebalanceDrift,
    ExecuteRebalanceRun,
    RebalanceRunUpdated,
)
from directbroker.domain.sessions import SessionPhase, SessionPhaseChanged
from directbroker.runtime.sequencer import Outcome

S = 1_000_000_000
REGULAR, AFTER = SessionPhase.REGULAR, SessionPhase.AFTER_HOURS


def _run(status: str, ts: int) -> RebalanceRunUpdated:
    return RebalanceRunUpdated(
        "r1", "A", "full_rebalance", "", (), "api", status, "", (), (), (), (), ts, 0, 0, "", ts
    )


def test_a_queued_run_is_executed_after_review_and_retried_until_it_moves_on() -> None:
    rebalancer = Rebalancer(RebalancerConfig(review_s=2, retry_s=5, drift_every_s=60))
    rebalancer.on_commit([], [Outcome(1, 0, (_run("QUEUED", 0),))])
    assert rebalancer.due(3 * S) == []  # the market is closed: nothing is sent
    rebalancer.on_commit([], [Outcome(1, 0, (SessionPhaseChanged(20260601, REGULAR, 0),))])
    rebalancer.on_commit([], [Outcome(1, 0, (_run("CANCELED", 0),))])
    assert rebalancer.due(0) == []  # the first call in session only arms the drift clock
    rebalancer.on_commit([], [Outcome(1, 10 * S, (_run("QUEUED", 10 * S),))])
    assert rebalancer.due(11 * S) == []
    assert rebalancer.due(12 * S) == [ExecuteRebalanceRun("r1")]
    assert rebalancer.due(13 * S) == []  # refused (say the market is closed): tried again
    assert rebalancer.due(17 * S) == [ExecuteRebalanceRun("r1")]
    rebalancer.on_commit([], [Outcome(2, 18 * S, (_run("SELLS_IN_PROGRESS", 18 * S),))])
    assert rebalancer.due(30 * S) == [] and rebalancer.pending() == 0
    assert rebalancer.due(60 * S) == [CheckRebalanceDrift(f"drift-{60 * S}")]
    rebalancer.on_commit([], [Outcome(3, 0, (SessionPhaseChanged(20260601, AFTER, 0),))])
    assert rebalancer.due(600 * S) == []

"""The platform's rebalancer: executes queued runs once their review time has passed, and
checks drift bands on a schedule.

It follows what the broker core commits (never its state while running): a run committed as
``QUEUED`` is due for :class:`ExecuteRebalanceRun` ``review_s`` later (the time staff have to
look at the planned orders and cancel), and a refused execution is tried again every
``retry_s`` until the run leaves ``QUEUED``. Every ``drift_every_s`` it hands the core a
:class:`CheckRebalanceDrift` whose seed is the time (so the ids of the runs it makes are
journaled inputs). Both wait for the regular session (known from the committed session
events), so a closed market costs the journal nothing. At start-up it picks up the runs the
core's book still has queued and whether the session is open.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from directbroker.app.platform import Platform
from directbroker.domain.broker_messages import BrokerDayStarted
from directbroker.domain.messages import Message
from directbroker.domain.rebalancing_messages import (
    RUN_QUEUED,
    CheckRebalanceDrift,
    ExecuteRebalanceRun,
    RebalanceRunUpdated,
)
from directbroker.domain.sessions import SessionPhase, SessionPhaseChanged
from directbroker.engines.portfolio.models import RebalancingBook
from directbroker.runtime.sequencer import Outcome

_S = 1_000_000_000


@dataclass(frozen=True, slots=True)
class RebalancerConfig:
    """How long a run waits for review, how often a refused one is retried, and how often
    drift bands are checked."""

    review_s: float = 1.0
    retry_s: float = 5.0
    drift_every_s: float = 60.0


class Rebalancer:
    """Schedules executions and drift checks; :meth:`due` hands over those whose time came."""

    def __init__(self, config: RebalancerConfig | None = None) -> None:
        self.config = config or RebalancerConfig()
        self._due: dict[str, int] = {}
        self._next_drift = 0
        self.regular = False
        """Whether the regular session is open (runs execute and drift is checked only then)."""

    def resume(self, book: RebalancingBook, now_ns: int, regular: bool = False) -> None:
        """Take up the runs still queued and the session's state (start-up only)."""
        self.regular = regular
        for run in book.runs.values():
            if run.status == RUN_QUEUED:
                self._due[run.run_id] = now_ns + int(self.config.review_s * _S)

    def on_commit(self, inputs: Sequence[Message], outcomes: Sequence[Outcome]) -> None:
        """Follow one durable broker batch (a platform listener, on the platform thread)."""
        for outcome in outcomes:
            for event in outcome.events:
                if isinstance(event, BrokerDayStarted):
                    self.regular = True  # a day without a pre-market opens at once
                elif isinstance(event, SessionPhaseChanged):
                    self.regular = event.phase is SessionPhase.REGULAR
                elif isinstance(event, RebalanceRunUpdated):
                    if event.status == RUN_QUEUED:
                        self._due.setdefault(
                            event.run_id, event.ts_ns + int(self.config.review_s * _S)
                        )
                    else:
                        self._due.pop(event.run_id, None)

    def due(self, now_ns: int) -> list[Message]:
        """The executions and the drift check due by ``now_ns`` in the regular session (each
        run is retried later until it leaves ``QUEUED``)."""
        if not self.regular:
            return []
        ready = sorted((at, run_id) for run_id, at in self._due.items() if at <= now_ns)
        inputs: list[Message] = []
        for _, run_id in ready:
            self._due[run_id] = now_ns + int(self.config.retry_s * _S)
            inputs.append(ExecuteRebalanceRun(run_id))
        if now_ns >= self._next_drift:
            if self._next_drift:
                inputs.append(CheckRebalanceDrift(f"drift-{now_ns}"))
            self._next_drift = now_ns + int(self.config.drift_every_s * _S)
        return inputs

    def pending(self) -> int:
        """How many runs wait to be executed."""
        return len(self._due)


def attach_rebalancer(platform: Platform, config: RebalancerConfig | None = None) -> Rebalancer:
    """A rebalancer for ``platform``'s broker core (build before it starts)."""
    rebalancer = Rebalancer(config)
    broker = platform.broker
    regular = broker.open and broker.phase is SessionPhase.REGULAR
    rebalancer.resume(broker.rebalancing.book, platform.now_ns(), regular)
    platform.on_broker_commit(rebalancer.on_commit)
    platform.add_input_source(rebalancer.due)
    return rebalancer

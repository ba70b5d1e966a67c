"""A core behind its sequencer, driven step by step from the caller's thread.

The embedded platform and tests need durable cores without a thread per core: the caller
hands over a batch of commands, the sequencer journals them with one durable commit, and only
then does the caller see their events. Time is whatever the caller's clock says, so a simulated
day journals simulated timestamps and replays exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from directbroker.domain.messages import Event, Message
from directbroker.engines.core import Core
from directbroker.runtime.clock import ManualClock
from directbroker.runtime.journal import Journal
from directbroker.runtime.recovery import recover
from directbroker.runtime.sequencer import CoreHaltedError, Outcome, Sequencer
from directbroker.runtime.snapshots import SnapshotStore

C = TypeVar("C", bound=Core)


class SteppedCore(Generic[C]):
    """Recover a core from its journal, then apply batches durably on demand."""

    def __init__(
        self,
        new_core: Callable[[], C],
        journal: Journal,
        snapshots: SnapshotStore | None = None,
        *,
        snapshot_every: int = 0,
        max_batch: int = 1000,
    ) -> None:
        self.core, self.recovered = recover(new_core, journal, snapshots)
        """The core and what start-up found (snapshot used, entries replayed, state hash)."""
        self._clock = ManualClock(self.recovered.last_ts_ns)
        self._sequencer = Sequencer(
            self.core,
            journal,
            self._clock,
            position=self.recovered,
            snapshots=snapshots,
            snapshot_every=snapshot_every,
            max_batch=max_batch,
            inbox_capacity=max(max_batch, 1) * 4,
        )

    @property
    def last_seq(self) -> int:
        """The last durable journal sequence number."""
        return self._sequencer.last_seq

    def apply(self, commands: Sequence[Message], ts_ns: int) -> list[tuple[Event, ...]]:
        """Journal and apply ``commands`` stamped ``ts_ns`` (or later: time never goes back);
        returns each command's events once they are durable."""
        if not commands:
            return []
        self._clock.set(max(ts_ns, self._clock.now_ns()))
        outcomes: list[Outcome] = []
        for command in commands:
            self._sequencer.submit(command, on_outcome=outcomes.append)
        while len(outcomes) < len(commands):
            if self._sequencer.run_once(0) == 0 and len(outcomes) < len(commands):
                raise CoreHaltedError(f"the core halted: {self._sequencer.failure!r}")
        for outcome in outcomes:
            if outcome.reject is not None:
                raise CoreHaltedError(f"the core refused an input: {outcome.reject.name}")
        return [outcome.events for outcome in outcomes]

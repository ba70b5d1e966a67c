"""A core behind its sequencer, driven step by step from the caller's thread.

The embedded platform and tests need durable cores without a thread per core: the caller
hands over a batch of commands, the sequencer journals them with one durable commit, and only
then does the caller see their events. Time is whatever the caller's clock says, so a simulated
day journals simulated timestamps and replays exactly.

Commands may carry client ids (idempotency keys). The platform keys every message it carries
from one core's journal to another by its origin, so a message re-sent after a crash is
answered from the journal (``Outcome.duplicate``) instead of being applied twice.
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
        self._journal = journal
        self._clock = ManualClock(self.recovered.last_ts_ns)
        self._inbox_capacity = max(max_batch, 1) * 4
        self._sequencer = Sequencer(
            self.core,
            journal,
            self._clock,
            position=self.recovered,
            snapshots=snapshots,
            snapshot_every=snapshot_every,
            max_batch=max_batch,
            inbox_capacity=self._inbox_capacity,
        )

    @property
    def last_seq(self) -> int:
        """The last durable journal sequence number."""
        return self._sequencer.last_seq

    @property
    def journal(self) -> Journal:
        """The core's journal, for reading what it has applied (one thread: the caller's)."""
        return self._journal

    def apply(
        self,
        commands: Sequence[Message],
        ts_ns: int,
        client_ids: Sequence[str | None] | None = None,
    ) -> list[tuple[Event, ...]]:
        """Journal and apply ``commands`` stamped ``ts_ns`` (or later: time never goes back);
        returns each command's events once they are durable (a duplicate's original events)."""
        return [outcome.events for outcome in self.apply_outcomes(commands, ts_ns, client_ids)]

    def apply_outcomes(
        self,
        commands: Sequence[Message],
        ts_ns: int,
        client_ids: Sequence[str | None] | None = None,
    ) -> list[Outcome]:
        """Like :meth:`apply`, but each command's whole outcome: its journal ``seq`` and
        whether it was a ``duplicate`` of a command already journaled under its client id.

        ``client_ids`` runs parallel to ``commands`` (``None`` for a command without one).
        Any runtime refusal (a malformed command, a client id reused for a different command)
        raises: the platform builds every command itself, so a refusal is a bug.
        """
        if not commands:
            return []
        ids: Sequence[str | None] = [None] * len(commands) if client_ids is None else client_ids
        if len(ids) != len(commands):
            raise ValueError(f"{len(ids)} client ids for {len(commands)} commands")
        self._clock.set(max(ts_ns, self._clock.now_ns()))
        outcomes: list[Outcome] = []
        # One thread submits and runs the sequencer, so never queue more than the inbox holds:
        # a blocking submit into a full inbox would wait for ourselves forever.
        step = self._inbox_capacity
        for start in range(0, len(commands), step):
            for command, client_id in zip(
                commands[start : start + step], ids[start : start + step], strict=True
            ):
                self._sequencer.submit(command, client_id=client_id, on_outcome=outcomes.append)
            expected = min(len(commands), start + step)
            while len(outcomes) < expected:
                if self._sequencer.run_once(0) == 0 and len(outcomes) < expected:
                    raise CoreHaltedError(f"the core halted: {self._sequencer.failure!r}")
        for outcome in outcomes:
            if outcome.reject is not None:
                raise CoreHaltedError(f"the core refused an input: {outcome.reject.name}")
        return outcomes

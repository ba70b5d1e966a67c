"""The sequencer: the single writer in front of a core.

Each cycle drains a batch of inputs, stamps each with the next sequence number and the clock's
time, applies it to the core, appends the whole batch to the journal in one durable commit
(group commit) and only then resolves outcomes and publishes events. Anything unexpected (an
engine invariant, a storage failure) halts the sequencer: the in-memory state may be ahead of
the journal, so the only safe continuation is a restart that recovers from the journal.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import NamedTuple

from directbroker.domain.messages import Event, Message
from directbroker.domain.rejects import RejectCode
from directbroker.engines.core import Core
from directbroker.protocols import codec
from directbroker.runtime.clock import Clock
from directbroker.runtime.inbox import Inbox, InboxClosedError
from directbroker.runtime.journal import (
    GENESIS_HASH,
    Journal,
    JournalEntry,
    JournalError,
    entry_hash,
)
from directbroker.runtime.outputs import Delivery, Fanout, Subscription
from directbroker.runtime.recovery import Recovered, ReplayResult
from directbroker.runtime.snapshots import SnapshotStore, take_snapshot

MAX_CLIENT_ID_LENGTH = 64


class Outcome(NamedTuple):
    """What became of one input, delivered only once it is durable (or certainly refused).

    ``seq`` is the journal entry that applied the command; a retried command (same client id)
    gets the original entry's outcome with ``duplicate`` set. ``reject`` is a runtime refusal
    (the command was not journaled); engine rejections are events, since they are journaled.
    """

    seq: int
    ts_ns: int
    events: tuple[Event, ...]
    duplicate: bool = False
    reject: RejectCode | None = None


OnOutcome = Callable[[Outcome], None]
_Input = tuple[Message, str | None, OnOutcome | None]


def _refused(code: RejectCode) -> Outcome:
    return Outcome(0, 0, (), False, code)


class CoreHaltedError(Exception):
    """The sequencer stopped after a failure; restart the process to recover from the journal."""


class Sequencer:
    """Feeds one core from a bounded inbox, journaling every input before acknowledging it.

    Run it on its own thread with :meth:`start`, or drive it step by step with :meth:`run_once`
    (deterministic tests). ``position`` is where recovery left the journal; without it the
    journal must be empty. ``on_batch`` runs on the sequencer thread after every batch, once its
    outcomes are resolved, with the last durable sequence number (unchanged by a batch of
    retries alone, which commits nothing), while the core is quiescent (for example, to report
    its state hash or flush acknowledgements).
    """

    def __init__(
        self,
        core: Core,
        journal: Journal,
        clock: Clock,
        *,
        position: Recovered | ReplayResult | None = None,
        snapshots: SnapshotStore | None = None,
        snapshot_every: int = 0,
        keep_snapshots: int = 3,
        max_batch: int = 1000,
        inbox_capacity: int = 10_000,
        on_batch: Callable[[int], None] | None = None,
    ) -> None:
        if position is None:
            if journal.tail() is not None:
                raise JournalError("the journal is not empty: recover the core first")
            self._seq, self._hash, self._ts = 0, GENESIS_HASH, 0
        else:
            self._seq, self._hash, self._ts = (
                position.last_seq,
                position.last_hash,
                position.last_ts_ns,
            )
        self._core = core
        self._journal = journal
        self._clock = clock
        self._snapshots = snapshots
        self._snapshot_every = snapshot_every
        self._keep_snapshots = keep_snapshots
        self._max_batch = max_batch
        self._inbox: Inbox[_Input] = Inbox(inbox_capacity)
        self._fanout = Fanout()
        self._on_batch = on_batch
        self._thread: threading.Thread | None = None
        self._failure: BaseException | None = None

    # -- position and health ------------------------------------------------------------

    @property
    def last_seq(self) -> int:
        """The last durable sequence number."""
        return self._seq

    @property
    def last_hash(self) -> bytes:
        """The chain hash of the last durable entry."""
        return self._hash

    @property
    def failure(self) -> BaseException | None:
        """Why the sequencer halted, if it did."""
        return self._failure

    # -- inputs -----------------------------------------------------------------------------

    def submit(
        self,
        command: Message,
        *,
        client_id: str | None = None,
        on_outcome: OnOutcome | None = None,
        block: bool = True,
        timeout: float | None = None,
    ) -> bool:
        """Queue a command. ``on_outcome`` runs on the sequencer thread once it is durable.

        Returns ``False`` (and reports ``OVERLOADED``) if the inbox stayed full; raises
        :class:`CoreHaltedError` if the sequencer has stopped.
        """
        if client_id is not None and not 0 < len(client_id) <= MAX_CLIENT_ID_LENGTH:
            if on_outcome is not None:
                on_outcome(_refused(RejectCode.INVALID_ID))
            return False
        if self._failure is not None:
            raise CoreHaltedError(f"the core halted: {self._failure!r}") from self._failure
        try:
            item = (command, client_id, on_outcome)
            accepted = self._inbox.put(item, block=block, timeout=timeout)
        except InboxClosedError as exc:
            raise CoreHaltedError("the sequencer is stopped") from exc
        if not accepted and on_outcome is not None:
            on_outcome(_refused(RejectCode.OVERLOADED))
        return accepted

    def call(
        self, command: Message, *, client_id: str | None = None, timeout: float | None = None
    ) -> Outcome:
        """Submit and wait for the durable outcome (needs the thread from :meth:`start`)."""
        done = threading.Event()
        box: list[Outcome] = []

        def resolve(outcome: Outcome) -> None:
            box.append(outcome)
            done.set()

        self.submit(command, client_id=client_id, on_outcome=resolve, timeout=timeout)
        if not done.wait(timeout):
            raise TimeoutError("no outcome in time (the command may still be applied)")
        return box[0]

    def subscribe(self, name: str, capacity: int = 10_000) -> Subscription:
        """A bounded queue of committed deliveries for one consumer."""
        return self._fanout.subscribe(name, capacity)

    # -- running ----------------------------------------------------------------------------

    def start(self) -> None:
        """Run the sequencer on a dedicated thread until :meth:`stop` or a failure."""
        if self._thread is not None:
            raise RuntimeError("already started")
        self._thread = threading.Thread(target=self._run, name="sequencer", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = None) -> None:
        """Stop taking inputs, finish the ones already queued, and wait for the thread.

        Raises :class:`CoreHaltedError` if the sequencer had halted on a failure.
        """
        self._inbox.close_for_input()
        if self._thread is not None:
            self._thread.join(timeout)
        else:
            while self.run_once(0):
                pass
        if self._failure is not None:
            raise CoreHaltedError(f"the core halted: {self._failure!r}") from self._failure

    def run_once(self, timeout: float | None = 0) -> int:
        """Process one batch (waiting up to ``timeout`` for it); returns how many inputs."""
        if self._failure is not None:
            return 0
        items = self._inbox.drain(self._max_batch, timeout)
        if items:
            self._process(items)
        return len(items)

    def _run(self) -> None:
        inbox = self._inbox
        while self._failure is None:
            items = inbox.drain(self._max_batch, None)
            if not items:
                if inbox.closed:
                    return
                continue
            self._process(items)

    # -- one batch --------------------------------------------------------------------------

    def _process(self, items: list[_Input]) -> None:
        try:
            self._apply_and_commit(items)
        except BaseException as exc:
            self._halt(exc, items)

    def _halt(self, exc: BaseException, items: list[_Input]) -> None:
        # Fail fast: the core may hold effects that never reached the journal, so nothing more
        # is applied or acknowledged; every waiting input is told so and may be retried.
        self._failure = exc
        halted = _refused(RejectCode.CORE_HALTED)
        for _, _, on_outcome in items + self._inbox.close():
            if on_outcome is not None:
                on_outcome(halted)

    def _apply_and_commit(self, items: list[_Input]) -> None:
        journal, handle, now_ns = self._journal, self._core.handle, self._clock.now_ns
        encode, encode_many = codec.encode, codec.encode_many
        client_ids = [cid for _, cid, _ in items if cid is not None]
        known = journal.find_client_ids(client_ids) if client_ids else {}
        seq, prev, last_ts = self._seq, self._hash, self._ts
        entries: list[JournalEntry] = []
        # Each input resolves either to a ready outcome or to an entry of this batch (index).
        resolutions: list[Outcome | int] = []
        in_batch: dict[str, int] = {}
        outcomes: list[Outcome] = []
        for command, cid, _ in items:
            try:
                command_bytes = encode(command)
            except Exception:
                resolutions.append(_refused(RejectCode.MALFORMED))
                continue
            if cid is not None:
                prior = known.get(cid)
                if prior is not None:
                    resolutions.append(_prior_outcome(prior, command_bytes))
                    continue
                index = in_batch.get(cid)
                if index is not None:
                    first = entries[index]
                    resolutions.append(
                        -index - 1 if first.command == command_bytes else _reused(first)
                    )
                    continue
                in_batch[cid] = len(entries)
            ts = max(now_ns(), last_ts)
            events = handle(command, ts)
            events_bytes = encode_many(events)
            seq += 1
            prev = entry_hash(prev, seq, ts, cid, command_bytes, events_bytes)
            resolutions.append(len(entries))
            entries.append(JournalEntry(seq, ts, cid, command_bytes, events_bytes, prev))
            outcomes.append(Outcome(seq, ts, tuple(events)))
            last_ts = ts
        if entries:
            journal.append(entries)
            self._seq, self._hash, self._ts = seq, prev, last_ts
        self._resolve(items, resolutions, outcomes)
        if entries and self._fanout.active:
            self._fanout.publish(
                [
                    Delivery(e.seq, e.ts_ns, e.client_id, o.events)
                    for e, o in zip(entries, outcomes, strict=True)
                ]
            )
        if entries:
            self._maybe_snapshot(entries[0].seq, seq)
        if self._on_batch is not None:
            self._on_batch(self._seq)

    @staticmethod
    def _resolve(
        items: list[_Input], resolutions: list[Outcome | int], outcomes: list[Outcome]
    ) -> None:
        for (_, _, on_outcome), resolution in zip(items, resolutions, strict=True):
            if on_outcome is None:
                continue
            if isinstance(resolution, Outcome):
                on_outcome(resolution)
            elif resolution >= 0:
                on_outcome(outcomes[resolution])
            else:
                on_outcome(outcomes[-resolution - 1]._replace(duplicate=True))

    def _maybe_snapshot(self, first_seq: int, last_seq: int) -> None:
        every = self._snapshot_every
        if self._snapshots is None or every <= 0 or last_seq // every == (first_seq - 1) // every:
            return
        self._snapshots.save(take_snapshot(self._core, last_seq, self._ts, self._hash))
        self._snapshots.prune(self._keep_snapshots)


def _prior_outcome(prior: JournalEntry, command_bytes: bytes) -> Outcome:
    if prior.command != command_bytes:
        return _reused(prior)
    events = tuple(e for e in codec.decode_many(prior.events) if isinstance(e, Event))
    return Outcome(prior.seq, prior.ts_ns, events, True)


def _reused(prior: JournalEntry) -> Outcome:
    return Outcome(prior.seq, prior.ts_ns, (), False, RejectCode.CLIENT_ID_REUSED)

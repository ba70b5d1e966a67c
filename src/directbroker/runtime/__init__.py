"""The spine every core runs on: sequencer, journal, snapshots, replay and recovery.

Owns: stamping inputs with sequence and time, durable group commit, idempotency, start-up.
May import: ``directbroker.domain``, ``directbroker.engines``, ``directbroker.protocols``.
Concrete storage lives in ``directbroker.adapters``; the runtime sees only ports.
"""

from directbroker.runtime.clock import Clock, ManualClock
from directbroker.runtime.inbox import Inbox, InboxClosedError
from directbroker.runtime.journal import (
    GENESIS_HASH,
    ChainChecker,
    Journal,
    JournalCorruptedError,
    JournalEntry,
    JournalError,
    check_append,
    entry_from_row,
    entry_hash,
    make_entry,
    reading,
)
from directbroker.runtime.memory import InMemoryJournal, InMemorySnapshotStore
from directbroker.runtime.outputs import ConsumerDroppedError, Delivery, Fanout, Subscription
from directbroker.runtime.recovery import (
    Recovered,
    RecoveryError,
    ReplayResult,
    recover,
    replay,
)
from directbroker.runtime.sequencer import CoreHaltedError, OnOutcome, Outcome, Sequencer
from directbroker.runtime.snapshots import (
    Snapshot,
    SnapshotStore,
    snapshot_checksum,
    take_snapshot,
)
from directbroker.runtime.verify import VerifyReport, verify_journal

__all__ = [
    "GENESIS_HASH",
    "ChainChecker",
    "Clock",
    "ConsumerDroppedError",
    "CoreHaltedError",
    "Delivery",
    "Fanout",
    "InMemoryJournal",
    "InMemorySnapshotStore",
    "Inbox",
    "InboxClosedError",
    "Journal",
    "JournalCorruptedError",
    "JournalEntry",
    "JournalError",
    "ManualClock",
    "OnOutcome",
    "Outcome",
    "Recovered",
    "RecoveryError",
    "ReplayResult",
    "Sequencer",
    "Snapshot",
    "SnapshotStore",
    "Subscription",
    "VerifyReport",
    "check_append",
    "entry_from_row",
    "entry_hash",
    "make_entry",
    "reading",
    "recover",
    "replay",
    "snapshot_checksum",
    "take_snapshot",
    "verify_journal",
]

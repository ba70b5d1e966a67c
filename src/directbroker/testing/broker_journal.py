"""Write a broker journal to a data directory from entries a test made, for the back office.

The back office reads a firm's broker journal (``D/journals/broker.journal.db``) and folds it;
its tests need such a journal without running a firm. :class:`BrokerJournalWriter` appends
entries (an input, the events it caused, a time), chained and hashed exactly as the sequencer
would, so every reader (and ``journal verify``) takes them. The entries usually come from a
:class:`~directbroker.testing.broker_harness.BrokerHarness` (its ``entries``), with whatever
a test adds by hand (``StartBrokerDay``/``BrokerDayEnded`` to end a day, say).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from types import TracebackType

from directbroker.adapters.storage.sqlite import SqliteStorage
from directbroker.domain.messages import Event, Message
from directbroker.protocols.codec import encode, encode_many
from directbroker.runtime.journal import GENESIS_HASH, make_entry


class BrokerJournalWriter:
    """Appends entries to ``data_dir``'s broker journal (created when missing)."""

    def __init__(self, data_dir: Path) -> None:
        journals = data_dir / "journals"
        journals.mkdir(parents=True, exist_ok=True)
        self._storage = SqliteStorage(journals / "broker.journal.db")
        tail = self._storage.journal.tail()
        self._seq = tail.seq if tail is not None else 0
        self._hash = tail.hash if tail is not None else GENESIS_HASH

    def add(self, message: Message, events: Sequence[Event], ts_ns: int) -> int:
        """Append one entry; its sequence number."""
        self._seq += 1
        entry = make_entry(self._hash, self._seq, ts_ns, None, encode(message), encode_many(events))
        self._storage.journal.append([entry])
        self._hash = entry.hash
        return self._seq

    def add_all(self, entries: Iterable[tuple[Message, Sequence[Event], int]]) -> int:
        """Append entries in order; the last sequence number."""
        for message, events, ts_ns in entries:
            self.add(message, events, ts_ns)
        return self._seq

    def close(self) -> None:
        """Make everything durable and close the file."""
        self._storage.commit()
        self._storage.close()

    def __enter__(self) -> BrokerJournalWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

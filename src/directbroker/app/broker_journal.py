"""Reading a firm's broker journal from its data directory, read-only, for the back office.

The back office's folds (:mod:`directbroker.backoffice`) take journal entries one by one; this
is where the CLI and ``serve``'s back-office worker get them. It opens the journal read-only
(the SQLite file, or the broker's schema in PostgreSQL when the data directory says its
journals are there), so a running server may keep writing while a report or a reconciliation
reads.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path

from directbroker.app.journal_location import BROKER_CORE, reading_core
from directbroker.domain.messages import Event, Message
from directbroker.protocols.codec import decode, decode_many, encode_many
from directbroker.runtime.journal import reading

Entry = tuple[Message, tuple[Event, ...], int]
"""One journal entry as the folds take it: the input, the events it caused, its time."""


def broker_journal_path(data_dir: Path) -> Path:
    """Where the broker core's SQLite journal of a data directory is (on PostgreSQL there is
    no such file: see :func:`directbroker.app.journal_location.has_broker_journal`)."""
    return data_dir / "journals" / "broker.journal.db"


_NO_EVENTS = encode_many(())


def type_tag(command: bytes) -> bytes:
    """The type tag of an encoded message, read from its first bytes without decoding it
    (``[tag, field, ...]`` in MessagePack: an array header, then the tag as a short string)."""
    head = command[0] if command else 0
    start = 1 if 0x90 <= head <= 0x9F else 3 if head == 0xDC else 5
    size = command[start] - 0xA0 if len(command) > start else -1
    if not 0 <= size < 32:
        return b""
    return command[start + 1 : start + 1 + size]


def broker_entries(
    data_dir: Path, after_seq: int = 0, quiet_inputs: frozenset[bytes] | None = None
) -> Iterator[tuple[int, Entry]]:
    """Every entry of the broker journal in ``data_dir`` after ``after_seq``, with its
    sequence number. Raises :class:`FileNotFoundError` when there is no journal.

    With ``quiet_inputs``, an entry whose input caused no event is skipped unless its type
    tag is one of them: most of a broker journal is market data that changed nothing on the
    books, and not decoding it is what keeps a fold of a long journal fast."""
    # The broker core's modules define (and so register) every message its journal holds.
    importlib.import_module("directbroker.engines.broker")
    with reading_core(data_dir, BROKER_CORE) as journal, reading(journal, after_seq) as entries:
        for entry in entries:
            if (
                quiet_inputs is not None
                and entry.events == _NO_EVENTS
                and type_tag(entry.command) not in quiet_inputs
            ):
                continue
            events = tuple(e for e in decode_many(entry.events) if isinstance(e, Event))
            yield entry.seq, (decode(entry.command), events, entry.ts_ns)


def journal_entries(data_dir: Path) -> Iterator[Entry]:
    """Every entry of the broker journal in ``data_dir``: the input, its events, its time."""
    for _seq, entry in broker_entries(data_dir):
        yield entry

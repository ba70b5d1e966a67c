"""Batch frames: how the SQLite journal packs the entries of a batch into one row and reads them.

A frame is the msgpack array of its entries, each entry the array
``[seq, ts_ns, client_id, command, events, hash]`` (two integers, a string or nil, three byte
strings): the fields of :class:`JournalEntry` in its order, so packing a batch is one C call and
unpacking maps the arrays straight onto entries. Every entry keeps its own sequence number and
hash, so the hash chain and its checks are exactly those of one row per entry. A batch longer
than :data:`FRAME_ENTRIES` spans several frames (still one transaction), which bounds what a
reader holds and what ``get`` decodes.

Decoding trusts nothing. A frame that does not unpack into well-formed entries is walked entry
by entry: the entries before the damage are returned, and the damage is reported as a
:class:`JournalCorruptedError` naming the first entry that cannot be read, so verification and
start-up still name the first bad entry. Damage to the frame's header (its entry count) is
reported at the frame's first entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from operator import itemgetter
from typing import Any

import msgpack

from directbroker.runtime.journal import JournalCorruptedError, JournalEntry, entry_from_row

FRAME_ENTRIES = 256
"""At most this many entries per frame (row)."""

Frame = tuple[list[JournalEntry], JournalCorruptedError | None]
"""A decoded frame: its readable entries, in order, and the damage after them (if any)."""

_INT64_MAX = 2**63 - 1
_packb = msgpack.packb
_unpackb = msgpack.unpackb
_seq_of = itemgetter(0)
_ts_of = itemgetter(1)


def pack_frame(entries: Iterable[Sequence[Any]]) -> bytes:
    """One frame holding ``entries`` (entries, or rows of the same six fields)."""
    data: bytes = _packb(list(entries))
    return data


def frame_rows(entries: Sequence[JournalEntry]) -> list[tuple[int, int, bytes]]:
    """``(first_seq, last_seq, frame)`` rows for a batch, :data:`FRAME_ENTRIES` per row."""
    if not isinstance(entries, list | tuple):
        entries = list(entries)
    return [
        (chunk[0].seq, chunk[-1].seq, _packb(chunk))
        for chunk in (
            entries[start : start + FRAME_ENTRIES]
            for start in range(0, len(entries), FRAME_ENTRIES)
        )
    ]


def _well_formed(rows: Any) -> bool:
    """Whether ``rows`` are entries the chain checker can judge (it checks the other fields).

    Sequence numbers and times must be integers that fit the hash header; msgpack yields none
    below -2**63, so only the top needs checking. Done column by column with C-level ``map``
    and ``set``, about 0.1 µs per entry.
    """
    if type(rows) is not tuple or not rows:
        return False
    if set(map(type, rows)) != {tuple} or set(map(len, rows)) != {6}:
        return False
    numbers = (*map(_seq_of, rows), *map(_ts_of, rows))
    return set(map(type, numbers)) == {int} and max(numbers) <= _INT64_MAX


def decode_frame(first_seq: int, last_seq: int, data: bytes) -> Frame:
    """The entries of the frame stored as ``(first_seq, last_seq, data)``, and any damage.

    The entries are judged by the chain checker, not here: a frame missing an entry in its
    middle decodes, and the checker reports the gap. A frame that ends short of the
    ``last_seq`` its row was written with lost its last entries, which the chain alone cannot
    see at the tail of the journal.
    """
    try:
        rows = _unpackb(data, use_list=False)
    except Exception:
        return _salvage(first_seq, last_seq, data)
    if not _well_formed(rows):
        return _salvage(first_seq, last_seq, data)
    end: int = rows[-1][0]
    if end == last_seq:
        return list(map(entry_from_row, rows)), None
    return list(map(entry_from_row, rows)), _damaged(
        min(end, last_seq) + 1, f"the batch was written up to entry {last_seq}, it ends at {end}"
    )


def _salvage(first_seq: int, last_seq: int, data: bytes) -> Frame:
    # The slow path, only for damaged frames: find the first entry that cannot be read. An
    # entry count in the header that differs from the row's is damage to the frame itself,
    # reported at its first entry; otherwise every damaged byte belongs to some entry.
    unpacker = msgpack.Unpacker(use_list=False, max_buffer_size=max(len(data), 1))
    unpacker.feed(data)
    try:
        count = unpacker.read_array_header()
    except Exception as exc:
        return [], _damaged(first_seq, f"its header does not decode ({exc!r})")
    written = last_seq - first_seq + 1
    if count != written:
        return [], _damaged(first_seq, f"its header counts {count} entries, {written} were written")
    entries: list[JournalEntry] = []
    next_seq = first_seq
    for _ in range(count):
        try:
            row = unpacker.unpack()
        except Exception as exc:
            return entries, _damaged(next_seq, f"the entry does not decode ({exc!r})")
        if not _well_formed((row,)):
            return entries, _damaged(next_seq, "the stored entry is not a well-formed entry")
        entries.append(entry_from_row(row))
        next_seq = row[0] + 1
    stray = len(data) - unpacker.tell()
    if stray:
        at = entries[-1].seq if entries else first_seq
        return entries, _damaged(at, f"{stray} stray bytes follow the entry")
    return entries, None


def _damaged(seq: int, what: str) -> JournalCorruptedError:
    return JournalCorruptedError(seq, f"stored batch frame is damaged: {what}")

"""The SQLite journal of schema versions 1 to 3, one row per entry: reading it, and moving it.

Opening such a file read-write upgrades it (:func:`move_rows_into_frames`, inside the migration's
transaction); opening it read-only, as ``directbroker journal verify`` does, must not change it,
so :class:`RowJournal` reads the old table as it is.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence

from directbroker.adapters.storage.sqlite_frames import FRAME_ENTRIES, pack_frame
from directbroker.runtime.journal import JournalEntry, JournalError, entry_from_row

_COLUMNS = "seq, ts_ns, client_id, command, events, hash"
_LOOKUP_CHUNK = 512


def move_rows_into_frames(conn: sqlite3.Connection) -> None:
    """Repack every entry of the ``journal`` table into ``journal_frames``, then drop it.

    Entries are carried as stored, damage included (verification judges them afterwards, as it
    would have before), :data:`FRAME_ENTRIES` at a time so memory stays flat. Runs inside the
    migration's transaction: the upgrade happens whole or not at all.
    """
    rows = conn.execute(f"SELECT {_COLUMNS} FROM journal ORDER BY seq")
    try:
        while chunk := rows.fetchmany(FRAME_ENTRIES):
            conn.execute(
                "INSERT INTO journal_frames (first_seq, last_seq, entries) VALUES (?, ?, ?)",
                (chunk[0][0], chunk[-1][0], pack_frame(chunk)),
            )
    finally:
        rows.close()
    conn.execute(
        "INSERT INTO journal_client_ids (client_id, seq) "
        "SELECT client_id, seq FROM journal WHERE client_id IS NOT NULL"
    )
    conn.execute("DROP TABLE journal")


class RowJournal:
    """:class:`directbroker.runtime.Journal` on the pre-frame ``journal`` table, read-only."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def tail(self) -> JournalEntry | None:
        """The last entry, if any."""
        row = self._conn.execute(
            f"SELECT {_COLUMNS} FROM journal ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        return None if row is None else entry_from_row(row)

    def append(self, entries: Sequence[JournalEntry]) -> None:
        """Refused: this layout is only read; open the file read-write to upgrade it."""
        raise JournalError("this journal is open read-only in its old layout")

    def read(self, after_seq: int = 0, until_seq: int | None = None) -> Iterator[JournalEntry]:
        """Stream entries in order."""
        limit = until_seq if until_seq is not None else 2**63 - 1
        cursor = self._conn.execute(
            f"SELECT {_COLUMNS} FROM journal WHERE seq > ? AND seq <= ? ORDER BY seq",
            (after_seq, limit),
        )
        try:
            yield from map(entry_from_row, cursor)
        finally:
            cursor.close()

    def get(self, seq: int) -> JournalEntry | None:
        """One entry by sequence number."""
        row = self._conn.execute(f"SELECT {_COLUMNS} FROM journal WHERE seq = ?", (seq,)).fetchone()
        return None if row is None else entry_from_row(row)

    def find_client_ids(self, client_ids: Sequence[str]) -> dict[str, JournalEntry]:
        """Lookups by client id (indexed from version 3)."""
        found: dict[str, JournalEntry] = {}
        for start in range(0, len(client_ids), _LOOKUP_CHUNK):
            chunk = list(client_ids[start : start + _LOOKUP_CHUNK])
            marks = ", ".join("?" * len(chunk))
            for row in self._conn.execute(
                f"SELECT {_COLUMNS} FROM journal WHERE client_id IN ({marks})", chunk
            ):
                found[row[2]] = entry_from_row(row)
        return found

    def close(self) -> None:
        """Close the shared connection."""
        self._conn.close()

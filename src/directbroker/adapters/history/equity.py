"""Portfolio history: each account's equity by minute, kept across restarts.

The books know an account's equity only now; Alpaca's portfolio history reaches back days and
months. The platform records, for every account, the last equity it published in each minute
(at most one row per account and minute, so a busy account costs no more than a quiet one),
and the edge loads them at start-up. This is derived data: a lost minute is a gap in a chart,
never a change to the books.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass

MINUTE_NS = 60_000_000_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS equity_minutes (
    account TEXT NOT NULL,
    minute INTEGER NOT NULL,
    ts_ns INTEGER NOT NULL,
    equity INTEGER NOT NULL,
    PRIMARY KEY (account, minute)
) WITHOUT ROWID
"""


@dataclass(frozen=True, slots=True)
class EquitySample:
    """An account's equity at ``ts_ns`` (money units of $0.0001)."""

    account: str
    ts_ns: int
    equity: int


class SqliteEquityStore:
    """Equity by account and minute in a SQLite file (thread-safe: one writer, any reader)."""

    def __init__(self, path: str = ":memory:") -> None:
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._lock = threading.Lock()
        try:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute(_SCHEMA)
        except BaseException:
            self._conn.close()
            raise

    def write(self, samples: Iterable[EquitySample]) -> int:
        """Keep each sample as its account's value for its minute (the latest wins)."""
        rows = [(s.account, s.ts_ns // MINUTE_NS, s.ts_ns, s.equity) for s in samples]
        if not rows:
            return 0
        with self._lock:
            self._conn.execute("BEGIN")
            try:
                self._conn.executemany(
                    "INSERT INTO equity_minutes (account, minute, ts_ns, equity) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT (account, minute) DO UPDATE SET "
                    "ts_ns = excluded.ts_ns, equity = excluded.equity "
                    "WHERE excluded.ts_ns >= equity_minutes.ts_ns",
                    rows,
                )
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
        return len(rows)

    def read_all(self) -> list[EquitySample]:
        """Every sample, by account then time."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT account, ts_ns, equity FROM equity_minutes ORDER BY account, minute"
            ).fetchall()
        return [EquitySample(account, ts, equity) for account, ts, equity in rows]

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._conn.close()

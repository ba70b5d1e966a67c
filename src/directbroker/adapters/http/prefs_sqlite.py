"""Watchlists kept in a SQLite file, so they survive restarts.

Reads come from memory (loaded once at open); each change is written through and committed
before the call returns, so a change a client was told about survives a crash. Preference
changes are rare and small, and SQLite in WAL mode commits them in well under a millisecond
plus one fsync, which is why this runs on the caller's thread instead of a writer thread.
"""

from __future__ import annotations

import json
import sqlite3
import threading

from directbroker.adapters.http.prefs import InMemoryPreferences, Watchlist

_SCHEMA = """
CREATE TABLE IF NOT EXISTS watchlists (
    account TEXT NOT NULL, watchlist_id TEXT NOT NULL, name TEXT NOT NULL,
    symbols TEXT NOT NULL, created_ns INTEGER NOT NULL, updated_ns INTEGER NOT NULL,
    PRIMARY KEY (account, watchlist_id)
);
"""


class SqlitePreferences:
    """:class:`~directbroker.adapters.http.prefs.PreferencesStore` on a SQLite file."""

    def __init__(self, path: str) -> None:
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)
        self._memory = InMemoryPreferences()
        for row in self._db.execute(
            "SELECT account, watchlist_id, name, symbols, created_ns, updated_ns FROM watchlists"
        ):
            account, watchlist_id, name, symbols, created, updated = row
            self._memory.save_watchlist(
                Watchlist(watchlist_id, account, name, tuple(json.loads(symbols)), created, updated)
            )

    def watchlists(self, account: str) -> list[Watchlist]:
        """The account's watchlists, oldest first."""
        return self._memory.watchlists(account)

    def save_watchlist(self, watchlist: Watchlist) -> None:
        """Create or replace a watchlist (committed before returning)."""
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO watchlists VALUES (?, ?, ?, ?, ?, ?)",
                (watchlist.account, watchlist.watchlist_id, watchlist.name,
                 json.dumps(list(watchlist.symbols)), watchlist.created_ns,
                 watchlist.updated_ns),
            )  # fmt: skip
            self._memory.save_watchlist(watchlist)

    def delete_watchlist(self, account: str, watchlist_id: str) -> bool:
        """Delete one; False when the account has no such watchlist."""
        with self._lock:
            gone = self._db.execute(
                "DELETE FROM watchlists WHERE account = ? AND watchlist_id = ?",
                (account, watchlist_id),
            ).rowcount
            self._memory.delete_watchlist(account, watchlist_id)
            return gone > 0

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._db.close()

"""Watchlists survive reopening the store."""

from __future__ import annotations

from pathlib import Path

from directbroker.adapters.http.prefs import new_watchlist, renamed
from directbroker.adapters.http.prefs_sqlite import SqlitePreferences


def test_preferences_survive_a_reopen(tmp_path: Path) -> None:
    path = str(tmp_path / "prefs.db")
    store = SqlitePreferences(path)
    first = new_watchlist("A1", "tech", ("AAPL", "MSFT"), 1)
    second = new_watchlist("A1", "gone", (), 2)
    store.save_watchlist(first)
    store.save_watchlist(second)
    store.save_watchlist(renamed(first, "tech2", ("AAPL",), 3))
    assert store.delete_watchlist("A1", second.watchlist_id)
    assert not store.delete_watchlist("A2", first.watchlist_id)
    store.close()
    again = SqlitePreferences(path)
    (kept,) = again.watchlists("A1")
    assert (kept.name, kept.symbols, kept.updated_ns) == ("tech2", ("AAPL",), 3)
    again.close()

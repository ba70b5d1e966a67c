"""Per-account preferences the edge keeps itself: watchlists.

Watchlists touch neither the books nor the order flow, so they live beside the API rather than
in the journaled core. The store is a Protocol so a deployment can persist it; the in-memory
one here is the embedded default. Account configurations are not preferences: risk acts on
them, so they are the broker core's (``ConfigureAccount``), journaled and read from the
accounts' read model like the account's values.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, replace
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Watchlist:
    """An ordered list of symbols an account watches."""

    watchlist_id: str
    account: str
    name: str
    symbols: tuple[str, ...]
    created_ns: int
    updated_ns: int


class PreferencesStore(Protocol):
    """Watchlists by account."""

    def watchlists(self, account: str) -> list[Watchlist]:
        """The account's watchlists, oldest first."""
        ...

    def save_watchlist(self, watchlist: Watchlist) -> None:
        """Create or replace a watchlist."""
        ...

    def delete_watchlist(self, account: str, watchlist_id: str) -> bool:
        """Delete one; False when the account has no such watchlist."""
        ...


class InMemoryPreferences:
    """:class:`PreferencesStore` in a dict (lost on restart)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._lists: dict[str, dict[str, Watchlist]] = {}

    def watchlists(self, account: str) -> list[Watchlist]:
        """The account's watchlists, oldest first."""
        with self._lock:
            return sorted(self._lists.get(account, {}).values(), key=lambda w: w.created_ns)

    def save_watchlist(self, watchlist: Watchlist) -> None:
        """Create or replace a watchlist."""
        with self._lock:
            self._lists.setdefault(watchlist.account, {})[watchlist.watchlist_id] = watchlist

    def delete_watchlist(self, account: str, watchlist_id: str) -> bool:
        """Delete one; False when the account has no such watchlist."""
        with self._lock:
            return self._lists.get(account, {}).pop(watchlist_id, None) is not None


def new_watchlist(account: str, name: str, symbols: tuple[str, ...], now_ns: int) -> Watchlist:
    """A fresh watchlist with a random id."""
    return Watchlist(str(uuid.uuid4()), account, name, symbols, now_ns, now_ns)


def renamed(watchlist: Watchlist, name: str | None, symbols: tuple[str, ...] | None,
            now_ns: int) -> Watchlist:  # fmt: skip
    """A watchlist with a new name and/or symbols."""
    return replace(
        watchlist,
        name=watchlist.name if name is None else name,
        symbols=watchlist.symbols if symbols is None else symbols,
        updated_ns=now_ns,
    )

"""The double-entry book: balances per (book account, asset) and the append-only entry list.

Posting is the only way a balance changes, and an unbalanced entry is a programming error, not
bad input, so it raises and stops the core (crash-only) instead of being rejected.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from directbroker.domain.accounts import JournalEntry, Posting


class UnbalancedEntry(AssertionError):
    """An entry whose postings do not sum to zero for some asset: a broken invariant."""


class Book:
    """Balances and entries. Entries are never edited; a correction is a new entry."""

    __slots__ = ("_balances", "_by_account", "entries")

    def __init__(self) -> None:
        self._balances: dict[tuple[str, str], int] = defaultdict(int)
        self._by_account: dict[str, list[int]] = defaultdict(list)
        self.entries: list[JournalEntry] = []

    def post(
        self,
        kind: str,
        account: str,
        reference: str,
        business_date: int,
        postings: Iterable[Posting],
        price: int = 0,
        trade_date: int = 0,
    ) -> JournalEntry:
        """Append one balanced entry and apply it. Zero legs are dropped."""
        legs = tuple(p for p in postings if p.amount)
        totals: dict[str, int] = defaultdict(int)
        for leg in legs:
            totals[leg.asset] += leg.amount
        unbalanced = {asset: total for asset, total in totals.items() if total}
        if unbalanced:
            raise UnbalancedEntry(f"{kind} {reference}: {unbalanced}")
        entry = JournalEntry(
            len(self.entries) + 1, kind, account, reference, business_date, legs, price, trade_date
        )
        self.append(entry)
        return entry

    def append(self, entry: JournalEntry) -> None:
        """Apply an entry already known to balance (restore and rebuild use this)."""
        for leg in entry.postings:
            self._balances[(leg.book_account, leg.asset)] += leg.amount
        self.entries.append(entry)
        if entry.account:
            self._by_account[entry.account].append(len(self.entries) - 1)

    def balance(self, book_account: str, asset: str) -> int:
        """The current balance of one book account in one asset."""
        return self._balances.get((book_account, asset), 0)

    def balances(self) -> dict[tuple[str, str], int]:
        """Every non-zero balance."""
        return {key: value for key, value in self._balances.items() if value}

    def trial_balance(self) -> dict[str, int]:
        """The sum of all balances per asset: all zeros when the books balance."""
        totals: dict[str, int] = defaultdict(int)
        for (_, asset), value in self._balances.items():
            totals[asset] += value
        return dict(totals)

    def entries_for(self, account: str, since_entry_id: int = 0) -> list[JournalEntry]:
        """The entries that touched a customer account, oldest first."""
        return [
            self.entries[i] for i in self._by_account.get(account, []) if i + 1 > since_entry_id
        ]

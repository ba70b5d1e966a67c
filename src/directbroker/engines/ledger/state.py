"""Everything the ledger core remembers, how it is written to a snapshot, and the derived
indexes (positions by symbol, per-account totals, pending debits) rebuilt on restore.

Only facts go into a snapshot; anything computable from them is rebuilt, so a snapshot cannot
carry an index that disagrees with the data.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import msgpack

from directbroker.domain.accounts import (
    CASH_ASSET,
    AccountStatus,
    AccountType,
    AccountValues,
    JournalEntry,
    Posting,
    Registration,
    TaxLot,
)
from directbroker.domain.ledger_messages import PostingsRecorded
from directbroker.engines.ledger import chart
from directbroker.engines.ledger.book import Book
from directbroker.engines.ledger.positions import Position
from directbroker.engines.ledger.settlement import PendingSettlement
from directbroker.engines.ledger.valuation import (
    AccountTotals,
    CashBalances,
    MarginRules,
    account_values,
    remark,
)


@dataclass(slots=True)
class AccountRecord:
    """An account as the core knows it."""

    account: str
    owner: str
    account_type: AccountType
    registration: Registration
    status: AccountStatus
    max_order_notional: int
    max_position_notional: int


class LedgerState:
    """The ledger's state. Mutated only by the handlers, after they have validated."""

    def __init__(self, rules: MarginRules) -> None:
        self.rules = rules
        self.business_date = 0
        self.accounts: dict[str, AccountRecord] = {}
        self.book = Book()
        self.positions: dict[tuple[str, str], Position] = {}
        self.by_symbol: dict[str, dict[str, Position]] = defaultdict(dict)
        self.totals: dict[str, AccountTotals] = defaultdict(AccountTotals)
        self.marks: dict[str, int] = {}
        self.prior_close: dict[str, int] = {}
        self.pending: dict[int, list[PendingSettlement]] = {}
        self.pending_debits: dict[str, int] = defaultdict(int)
        self.execution_ids: set[str] = set()
        self.transfer_ids: set[str] = set()
        self.holds: dict[str, tuple[str, int, int]] = {}
        self.sma: dict[str, int] = defaultdict(int)
        self.order_fills: dict[tuple[str, str], tuple[int, int]] = {}
        self.margin_calls: set[str] = set()

    # --- postings and positions -----------------------------------------------------------

    def post(
        self,
        kind: str,
        account: str,
        reference: str,
        postings: list[Posting],
        ts_ns: int,
        price: int = 0,
        trade_date: int = 0,
    ) -> PostingsRecorded:
        """Post a balanced entry and describe it as an event."""
        entry = self.book.post(
            kind, account, reference, self.business_date, postings, price, trade_date
        )
        return entry_event(entry, ts_ns)

    def position_for(self, account: str, symbol: str) -> Position:
        """The position, created flat if new, and indexed under its symbol."""
        key = (account, symbol)
        position = self.positions.get(key)
        if position is None:
            position = self.positions[key] = Position(account, symbol)
        # Re-indexed every time: the start of day drops flat positions from the symbol index.
        self.by_symbol[symbol][account] = position
        return position

    def revalue(self, position: Position, price: int) -> None:
        """Re-mark one position and move its account's totals by the difference."""
        totals = self.totals[position.account]
        totals.add(position, -1)
        remark(position, price, self.rules)
        position.sod_value = position.sod_quantity * self.prior_close.get(position.symbol, 0)
        totals.add(position, 1)

    # --- queries ----------------------------------------------------------------------------

    def cash(self, account: str) -> CashBalances:
        """The account's cash balances from the book."""
        book = self.book
        return CashBalances(
            settled=book.balance(chart.customer_cash(account), CASH_ASSET),
            unsettled=book.balance(chart.customer_unsettled(account), CASH_ASSET),
            held=book.balance(chart.customer_held(account), CASH_ASSET),
            pending_debits=self.pending_debits.get(account, 0),
        )

    def values(self, account: str) -> AccountValues:
        """Account values now (the account must exist)."""
        record = self.accounts[account]
        return account_values(
            account,
            record.account_type,
            record.status,
            self.cash(account),
            self.totals[account],
            self.sma.get(account, 0),
            self.rules,
        )

    # --- snapshots --------------------------------------------------------------------------

    def to_plain(self) -> dict[str, Any]:
        """The state as canonical plain data (sorted, zero balances dropped)."""
        return {
            "date": self.business_date,
            "accounts": [
                [
                    r.account,
                    r.owner,
                    r.account_type.value,
                    r.registration.value,
                    r.status.value,
                    r.max_order_notional,
                    r.max_position_notional,
                ]
                for r in sorted(self.accounts.values(), key=lambda r: r.account)
            ],
            "entries": [
                [
                    e.entry_id,
                    e.kind,
                    e.account,
                    e.reference,
                    e.business_date,
                    e.price,
                    e.trade_date,
                    [[p.book_account, p.asset, p.amount] for p in e.postings],
                ]
                for e in self.book.entries
            ],
            "positions": [
                [
                    p.account,
                    p.symbol,
                    p.quantity,
                    p.cost_basis,
                    p.realized_pnl,
                    p.sod_quantity,
                    p.day_flow,
                    [[lot.quantity, lot.price, lot.trade_date, lot.execution_id] for lot in p.lots],
                ]
                for _, p in sorted(self.positions.items())
            ],
            "marks": sorted(self.marks.items()),
            "prior_close": sorted(self.prior_close.items()),
            "pending": [
                [date, [item.as_list() for item in items]]
                for date, items in sorted(self.pending.items())
            ],
            "executions": sorted(self.execution_ids),
            "transfers": sorted(self.transfer_ids),
            "holds": sorted([k, *v] for k, v in self.holds.items()),
            "sma": sorted((k, v) for k, v in self.sma.items() if v),
            "orders": sorted([*k, *v] for k, v in self.order_fills.items()),
            "margin_calls": sorted(self.margin_calls),
        }

    def snapshot(self) -> bytes:
        """Canonical bytes of the state."""
        data: bytes = msgpack.packb(self.to_plain(), use_bin_type=True)
        return data

    @classmethod
    def restore(cls, data: bytes, rules: MarginRules) -> LedgerState:
        """Rebuild a state (and its derived indexes) from :meth:`snapshot` bytes."""
        plain = msgpack.unpackb(data, raw=False, strict_map_key=True)
        state = cls(rules)
        state.business_date = plain["date"]
        for acct, owner, kind, reg, status, max_order, max_position in plain["accounts"]:
            state.accounts[acct] = AccountRecord(
                acct,
                owner,
                AccountType(kind),
                Registration(reg),
                AccountStatus(status),
                max_order,
                max_position,
            )
        for entry_id, kind, acct, ref, date, price, trade_date, legs in plain["entries"]:
            postings = tuple(Posting(b, a, n) for b, a, n in legs)
            state.book.append(
                JournalEntry(entry_id, kind, acct, ref, date, postings, price, trade_date)
            )
        state.marks = dict(plain["marks"])
        state.prior_close = dict(plain["prior_close"])
        for acct, sym, qty, cost, realized, sod_qty, day_flow, lots in plain["positions"]:
            position = state.position_for(acct, sym)
            position.quantity, position.cost_basis, position.realized_pnl = qty, cost, realized
            position.sod_quantity, position.day_flow = sod_qty, day_flow
            position.lots.extend(TaxLot(*lot) for lot in lots)
            remark(position, state.marks.get(sym, 0), rules)
            position.sod_value = sod_qty * state.prior_close.get(sym, 0)
            state.totals[acct].add(position, 1)
        for date, items in plain["pending"]:
            state.pending[date] = [PendingSettlement(*item) for item in items]
        state.recompute_pending_debits()
        state.execution_ids = set(plain["executions"])
        state.transfer_ids = set(plain["transfers"])
        state.holds = {k: (a, n, d) for k, a, n, d in plain["holds"]}
        state.sma.update(dict(plain["sma"]))
        state.order_fills = {(a, o): (q, c) for a, o, q, c in plain["orders"]}
        state.margin_calls = set(plain["margin_calls"])
        return state

    def recompute_pending_debits(self) -> None:
        """Sum the unsettled purchases per account from the settlement queue."""
        self.pending_debits.clear()
        for items in self.pending.values():
            for item in items:
                if item.customer_cash < 0:
                    self.pending_debits[item.account] -= item.customer_cash


def entry_event(entry: JournalEntry, ts_ns: int) -> PostingsRecorded:
    """The journal entry as an event."""
    return PostingsRecorded(
        entry_id=entry.entry_id,
        kind=entry.kind,
        account=entry.account,
        reference=entry.reference,
        business_date=entry.business_date,
        book_accounts=tuple(p.book_account for p in entry.postings),
        assets=tuple(p.asset for p in entry.postings),
        amounts=tuple(p.amount for p in entry.postings),
        ts_ns=ts_ns,
        price=entry.price,
        trade_date=entry.trade_date,
    )

"""Rebuild balances, positions and account values from the journal entries alone.

This is the audit check behind "the books are the postings": every derived figure the core keeps
in real time (positions, tax lots, P&L, pending settlement debits, the SMA memo) must be
recomputable from the entries plus market data (marks, prior closes) and the account list.
Tests compare the two after random activity; operations can run it against a journal.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from directbroker.domain.accounts import (
    CASH_ASSET,
    AccountStatus,
    AccountType,
    AccountValues,
    JournalEntry,
)
from directbroker.engines.ledger import chart
from directbroker.engines.ledger.positions import Position
from directbroker.engines.ledger.valuation import (
    AccountTotals,
    CashBalances,
    MarginRules,
    account_values,
    remark,
    sma_change,
)


@dataclass
class RebuiltBooks:
    """What the entries say, independent of the live core's indexes."""

    rules: MarginRules
    balances: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    positions: dict[tuple[str, str], Position] = field(default_factory=dict)
    sma: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    pending_debits: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    totals: dict[str, AccountTotals] = field(default_factory=lambda: defaultdict(AccountTotals))

    def values(
        self, account: str, account_type: AccountType, status: AccountStatus
    ) -> AccountValues:
        """Account values computed from the rebuilt figures."""
        cash = CashBalances(
            settled=self.balances.get((chart.customer_cash(account), CASH_ASSET), 0),
            unsettled=self.balances.get((chart.customer_unsettled(account), CASH_ASSET), 0),
            held=self.balances.get((chart.customer_held(account), CASH_ASSET), 0),
            pending_debits=self.pending_debits.get(account, 0),
        )
        return account_values(
            account,
            account_type,
            status,
            cash,
            self.totals[account],
            self.sma.get(account, 0),
            self.rules,
        )


def rebuild(
    entries: Iterable[JournalEntry],
    account_types: Mapping[str, AccountType],
    marks: Mapping[str, int],
    prior_close: Mapping[str, int],
    business_date: int,
    rules: MarginRules,
) -> RebuiltBooks:
    """Replay ``entries`` in order into fresh balances and positions."""
    books = RebuiltBooks(rules)
    unsettled: dict[str, tuple[str, int]] = {}
    for entry in entries:
        for leg in entry.postings:
            books.balances[(leg.book_account, leg.asset)] += leg.amount
        account = entry.account
        margin = account_types.get(account) is AccountType.MARGIN
        if entry.kind == "execution":
            _replay_execution(books, entry, business_date, margin)
            net = _leg(entry, chart.customer_unsettled(account), CASH_ASSET)
            unsettled[entry.reference] = (account, net)
        elif entry.kind == "settlement":
            unsettled.pop(entry.reference, None)
        elif entry.kind in ("deposit", "withdrawal", "adjustment") and margin:
            books.sma[account] += _leg(entry, chart.customer_cash(account), CASH_ASSET) + _leg(
                entry, chart.customer_held(account), CASH_ASSET
            )
    for account, net in unsettled.values():
        if net < 0:
            books.pending_debits[account] -= net
    for (account, symbol), position in books.positions.items():
        remark(position, marks.get(symbol, 0), rules)
        position.sod_value = position.sod_quantity * prior_close.get(symbol, 0)
        books.totals[account].add(position, 1)
    return books


def _leg(entry: JournalEntry, book_account: str, asset: str) -> int:
    return sum(
        p.amount for p in entry.postings if p.book_account == book_account and p.asset == asset
    )


def _replay_execution(books: RebuiltBooks, entry: JournalEntry, today: int, margin: bool) -> None:
    account = entry.account
    securities = chart.customer_securities(account)
    leg = next(p for p in entry.postings if p.book_account == securities)
    key = (account, leg.asset)
    position = books.positions.get(key)
    if position is None:
        position = books.positions[key] = Position(account, leg.asset)
    old_quantity = position.quantity
    position.apply(leg.amount, entry.price, entry.trade_date, entry.reference)
    if entry.business_date < today:
        position.sod_quantity = position.quantity
        position.day_flow = 0
    if margin:
        net = _leg(entry, chart.customer_unsettled(account), CASH_ASSET)
        books.sma[account] += sma_change(net, leg.amount, entry.price, old_quantity, books.rules)

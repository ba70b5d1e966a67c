"""Daily reconciliation of the firm's books against the clearing firm's files.

The clearing firm carries the customers' accounts, so its books and ours must agree every day.
:func:`reconcile` compares one business day at two levels, as a real break report does:

- **items**: every execution (by execution id) and cash movement (by reference and kind) we
  booked against what the clearing firm's activity file says it booked; a difference is a
  missing, unknown, duplicate, price, quantity, account or amount break (a clearing row that
  cancels an earlier booking, kind ``..._cancel``, reverses what it names);
- **day-end holdings**: every account's positions and trade-date cash in our day close against
  the clearing firm's position and balance files.

An item break usually moves the holdings too, so both levels are reported, and each holdings
break names the item breaks that touch it (``caused_by``) and says whether they account for
the whole difference (``explained``): a difference nobody's item explains is the one to chase.

A pure function of its inputs: the same books and files always give the same breaks, in the
same order.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace

from directbroker.backoffice.books import BookedExecution, CashMovement, DayClose
from directbroker.backoffice.breaks import (
    CODE_ORDER,
    Break,
    BreakCode,
    Unit,
    break_key,
    money,
    render_value,
)
from directbroker.backoffice.clearing_records import (
    ActivityRecord,
    BalanceRecord,
    PositionRecord,
)
from directbroker.domain.orders import Side

__all__ = [
    "CANCEL_SUFFIX",
    "CODE_ORDER",
    "TRADE_KIND",
    "Break",
    "BreakCode",
    "Unit",
    "break_key",
    "money",
    "reconcile",
    "render_value",
]

TRADE_KIND = "trade"
"""The activity kind the clearing firm gives a trade (cash movements carry their own kind)."""
CANCEL_SUFFIX = "_cancel"
"""The kind of a clearing row that reverses an earlier booking of the same reference
(``trade_cancel``): the clearing firm corrects by cancel and rebook, never by editing."""


# -- items ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Item:
    """An execution or a movement on either side, reduced to what both sides carry."""

    reference: str
    account: str
    kind: str
    """``trade`` for an execution, the movement's kind otherwise (``_cancel`` reversals
    included)."""
    trade: bool
    """Whether it moves shares: a trade or the cancel of one."""
    symbol: str
    quantity: int
    """Signed: a purchase adds shares, a sale takes them away; 0 for a movement."""
    price: int
    net: int
    """What it does to the account's trade-date cash."""


def _ours_execution(execution: BookedExecution) -> _Item:
    signed = execution.quantity if execution.side is Side.BUY else -execution.quantity
    return _Item(
        execution.execution_id, execution.account, TRADE_KIND, True, execution.symbol, signed,
        execution.price, execution.net_amount,
    )  # fmt: skip


def _ours_movements(movements: Iterable[CashMovement]) -> list[_Item]:
    """Movements by (reference, account, kind), the identity of a line of the money file:
    two postings of one movement to one account are one item, and a sum of zero is none."""
    totals: dict[tuple[str, str, str], int] = {}
    for movement in movements:
        key = (movement.reference, movement.account, movement.kind)
        totals[key] = totals.get(key, 0) + movement.amount
    return [
        _Item(reference, account, kind, False, "", 0, 0, amount)
        for (reference, account, kind), amount in totals.items()
        if amount
    ]


def _theirs(record: ActivityRecord) -> _Item:
    cancel = record.kind.endswith(CANCEL_SUFFIX)
    trade = record.kind.removesuffix(CANCEL_SUFFIX) == TRADE_KIND
    signed = record.quantity if record.side == Side.BUY.value else -record.quantity
    return _Item(
        record.reference, record.account, record.kind, trade, record.symbol if trade else "",
        (-signed if cancel else signed) if trade else 0, record.price if trade else 0,
        record.net_amount,
    )  # fmt: skip


@dataclass
class _Incident:
    """Item breaks of one reference and what they do to the day-end holdings."""

    keys: list[str] = field(default_factory=list)
    positions: dict[tuple[str, str], int] = field(default_factory=dict)
    cash: dict[str, int] = field(default_factory=dict)

    def moved(self, ours: Iterable[_Item], theirs: Iterable[_Item]) -> None:
        for sign, items in ((-1, ours), (1, theirs)):
            for item in items:
                if item.trade:
                    spot = (item.account, item.symbol)
                    self.positions[spot] = self.positions.get(spot, 0) + sign * item.quantity
                self.cash[item.account] = self.cash.get(item.account, 0) + sign * item.net


def _by_account(items: Sequence[_Item]) -> list[tuple[str, list[_Item]]]:
    accounts = sorted({item.account for item in items})
    return [(account, [item for item in items if item.account == account]) for account in accounts]


def _times(count: int) -> str:
    return "" if count == 1 else f" {count} times"


def _what(item: _Item) -> str:
    if not item.trade:
        return f"{money(item.net)} {item.kind}"
    cancel = item.kind.endswith(CANCEL_SUFFIX)
    side = "buy" if (item.quantity > 0) != cancel else "sell"
    text = f"{side} {abs(item.quantity)} {item.symbol} @ {money(item.price)}"
    return f"cancel of {text}" if cancel else text


class _Breaks:
    def __init__(self) -> None:
        self.items: list[Break] = []
        self.incidents: list[_Incident] = []
        self._keys: set[str] = set()

    def add(self, incident: _Incident, item: Break) -> None:
        # Keys must be unique for ageing; only books that hold one item twice could collide.
        repeat = 1
        while item.key in self._keys:
            repeat += 1
            item = replace(item, reference=f"{item.reference.partition('#')[0]}#{repeat}")
        self._keys.add(item.key)
        incident.keys.append(item.key)
        self.items.append(item)

    def group(self, ours: list[_Item], theirs: list[_Item]) -> None:
        """Compare everything both sides booked under one reference."""
        incident = _Incident()
        left = list(theirs)
        unmatched: list[_Item] = []
        for mine in ours:
            found = next((t for t in left if t.account == mine.account), None)
            if found is None:
                unmatched.append(mine)
                continue
            left.remove(found)
            self._pair(incident, mine, found)
        mine_accounts = {mine.account for mine in ours}
        extra = [t for t in left if t.account in mine_accounts]
        left = [t for t in left if t.account not in mine_accounts]
        for account in sorted({t.account for t in extra}):
            copies = [t for t in extra if t.account == account]
            incident.moved((), copies)
            reference, symbol = copies[0].reference, copies[0].symbol
            self.add(incident, Break(
                BreakCode.DUPLICATE_AT_CLEARING, account, symbol, reference,
                1, 1 + len(copies), len(copies), Unit.COUNT,
                f"{reference}: clearing booked {_what(copies[0])} in {account} "
                f"{1 + len(copies)} times, we booked it once",
            ))  # fmt: skip
        for mine, found in zip(unmatched, left, strict=False):
            incident.moved((mine,), (found,))
            was, booked, unit = (
                (mine.quantity, found.quantity, Unit.SHARES)
                if mine.trade
                else (mine.net, found.net, Unit.CASH)
            )
            self.add(incident, Break(
                BreakCode.ACCOUNT_MISMATCH, mine.account, mine.symbol, mine.reference,
                was, booked, booked - was, unit,
                f"{mine.reference}: we booked {_what(mine)} in {mine.account}, "
                f"clearing booked it in {found.account}",
                other_account=found.account,
            ))  # fmt: skip
        for account, items in _by_account(unmatched[len(left) :]):
            incident.moved(items, ())
            first, times = items[0], _times(len(items))
            self.add(incident, Break(
                BreakCode.MISSING_AT_CLEARING, account, first.symbol, first.reference,
                len(items), 0, -len(items), Unit.COUNT,
                f"{first.reference}: we booked {_what(first)} in {account}{times}, "
                "clearing did not",
            ))  # fmt: skip
        for account, items in _by_account(left[len(unmatched) :]):
            incident.moved((), items)
            first, times = items[0], _times(len(items))
            self.add(incident, Break(
                BreakCode.UNKNOWN_AT_CLEARING, account, first.symbol, first.reference,
                0, len(items), len(items), Unit.COUNT,
                f"{first.reference}: clearing booked {_what(first)} in {account}{times}, "
                "we did not",
            ))  # fmt: skip
        if incident.keys:
            self.incidents.append(incident)

    def _pair(self, incident: _Incident, mine: _Item, found: _Item) -> None:
        account, reference, symbol = mine.account, mine.reference, mine.symbol
        before = len(incident.keys)
        if mine.quantity != found.quantity or mine.symbol != found.symbol:
            self.add(incident, Break(
                BreakCode.QUANTITY_MISMATCH, account, symbol, reference,
                mine.quantity, found.quantity, found.quantity - mine.quantity, Unit.SHARES,
                f"{reference}: we booked {_what(mine)}, clearing booked {_what(found)}",
            ))  # fmt: skip
        if mine.price != found.price:
            self.add(incident, Break(
                BreakCode.PRICE_MISMATCH, account, symbol, reference,
                mine.price, found.price, found.price - mine.price, Unit.PRICE,
                f"{reference}: we booked {_what(mine)}, clearing booked it at "
                f"{money(found.price)}",
            ))  # fmt: skip
        if mine.net != found.net and len(incident.keys) == before:
            self.add(incident, Break(
                BreakCode.AMOUNT_MISMATCH, account, symbol, reference,
                mine.net, found.net, found.net - mine.net, Unit.CASH,
                f"{reference}: net amount {money(mine.net)} on our books, "
                f"{money(found.net)} at clearing",
            ))  # fmt: skip
        if len(incident.keys) != before:
            incident.moved((mine,), (found,))


def _item_breaks(ours: list[_Item], theirs: list[_Item]) -> _Breaks:
    by_reference: dict[tuple[str, str], tuple[list[_Item], list[_Item]]] = {}
    for side, items in ((0, ours), (1, theirs)):
        for item in items:
            by_reference.setdefault((item.reference, item.kind), ([], []))[side].append(item)
    breaks = _Breaks()
    for group in sorted(by_reference):
        breaks.group(*by_reference[group])
    return breaks


# -- day-end holdings ----------------------------------------------------------------------


def _holdings(
    breaks: _Breaks,
    our_close: DayClose,
    accounts: Collection[str] | None,
    their_positions: Sequence[PositionRecord],
    their_balances: Sequence[BalanceRecord],
) -> list[Break]:
    ours = {
        name: books
        for name, books in our_close.balances.items()
        if accounts is None or name in accounts
    }
    our_positions = {
        (name, symbol): quantity
        for name, books in ours.items()
        for symbol, quantity in books.positions.items()
    }
    their_holdings: dict[tuple[str, str], int] = {}
    for position in their_positions:
        spot = (position.account, position.symbol)
        their_holdings[spot] = their_holdings.get(spot, 0) + position.quantity
    their_cash: dict[str, int] = {}
    for balance in their_balances:
        their_cash[balance.account] = their_cash.get(balance.account, 0) + balance.cash
    result: list[Break] = []
    for account, symbol in sorted(set(our_positions) | set(their_holdings)):
        mine = our_positions.get((account, symbol), 0)
        found = their_holdings.get((account, symbol), 0)
        if mine == found:
            continue
        causes = [i for i in breaks.incidents if i.positions.get((account, symbol), 0)]
        moved = sum(i.positions[(account, symbol)] for i in causes)
        result.append(Break(
            BreakCode.POSITION_BREAK, account, symbol, "", mine, found, found - mine,
            Unit.SHARES,
            f"{account} {symbol}: we hold {mine}, clearing carries {found}"
            + _unknown_account(account, ours, their_cash, their_holdings),
            caused_by=tuple(key for i in causes for key in i.keys),
            moved=moved,
        ))  # fmt: skip
    for account in sorted(set(ours) | set(their_cash)):
        mine = ours[account].cash if account in ours else 0
        found = their_cash.get(account, 0)
        if mine == found:
            continue
        causes = [i for i in breaks.incidents if i.cash.get(account, 0)]
        moved = sum(i.cash[account] for i in causes)
        result.append(Break(
            BreakCode.CASH_BREAK, account, "", "", mine, found, found - mine, Unit.CASH,
            f"{account}: trade-date cash {money(mine)} on our books, {money(found)} at clearing"
            + _unknown_account(account, ours, their_cash, their_holdings),
            caused_by=tuple(key for i in causes for key in i.keys),
            moved=moved,
        ))  # fmt: skip
    return result


def _unknown_account(
    account: str,
    ours: Collection[str],
    their_cash: Collection[str],
    their_holdings: Collection[tuple[str, str]],
) -> str:
    if account not in ours:
        return " (nothing on our books)"
    if account not in their_cash and all(name != account for name, _ in their_holdings):
        return " (an account the clearing firm does not carry)"
    return ""


# -- the reconciliation --------------------------------------------------------------------


def reconcile(
    date: int,
    our_executions: Sequence[BookedExecution],
    our_movements: Sequence[CashMovement],
    our_close: DayClose,
    their_activity: Sequence[ActivityRecord],
    their_positions: Sequence[PositionRecord],
    their_balances: Sequence[BalanceRecord],
    *,
    accounts: Collection[str] | None = None,
) -> list[Break]:
    """Every break between our books of ``date`` and the clearing firm's files of that day.

    ``our_executions`` and ``our_movements`` are the day's (by trade date and business date),
    ``our_close`` the books at the day's end. ``accounts``, when given, limits our side to the
    accounts the firm carries at the clearing firm (everything the clearing firm reports is
    compared, whatever its account). Item breaks come first, then position and cash breaks,
    each in account, symbol and reference order."""

    def scope(account: str) -> bool:
        return accounts is None or account in accounts

    ours = [_ours_execution(e) for e in our_executions if e.trade_date == date and scope(e.account)]
    ours += _ours_movements(
        m for m in our_movements if m.business_date == date and scope(m.account)
    )
    theirs = [_theirs(record) for record in their_activity]
    breaks = _item_breaks(ours, theirs)
    rank = {code: index for index, code in enumerate(CODE_ORDER)}
    items = sorted(breaks.items, key=lambda b: (b.account, b.symbol, b.reference, rank[b.code]))
    holdings = _holdings(breaks, our_close, accounts, their_positions, their_balances)
    return items + holdings

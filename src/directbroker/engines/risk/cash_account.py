"""Regulation T in cash accounts: which purchase was paid with what, so a sale can be judged.

A cash account may buy with settled cash or with the proceeds of sales that have not settled
yet (they settle before the purchase does under T+1). Selling a security bought with unsettled
proceeds before those proceeds settle is a good-faith violation; selling a security that was
never paid for before paying for it is free-riding. Free-riding, or the third good-faith
violation in twelve months, restricts the account to settled cash for 90 days.

Shares are matched first in, first out; shares held before any tracked purchase are sold first
and were paid for long ago.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from directbroker.domain.order_status import CashViolation
from directbroker.engines.risk.money import add_days, days_from_civil


@dataclass(slots=True)
class Lot:
    """Shares bought on one execution and how they were paid for. ``funded_until`` is when
    the sale proceeds that paid for them settle (0: paid with settled cash)."""

    quantity: int
    funded_until: int
    unfunded: bool
    settles: int


@dataclass(slots=True)
class CashRecord:
    """One cash account's funding history."""

    proceeds: list[list[int]] = field(default_factory=list)
    """Unspent, unsettled sale proceeds as [settlement date, amount], oldest first."""
    committed: list[list[int]] = field(default_factory=list)
    """Purchases paid from settled cash that have not settled, as [settlement date, amount]."""
    lots: dict[str, list[Lot]] = field(default_factory=dict)
    violations: list[list[object]] = field(default_factory=list)
    """[date, violation value] for the last twelve months."""
    restricted_until: int = 0

    def free_settled(self, settled_cash: int) -> int:
        """Settled cash not already promised to a purchase that has not settled."""
        return settled_cash - sum(amount for _, amount in self.committed)

    def roll(self, date: int) -> None:
        """A new business day: settled proceeds and purchases leave the books of promises."""
        self.proceeds = [p for p in self.proceeds if p[0] > date]
        self.committed = [c for c in self.committed if c[0] > date]
        cutoff = days_from_civil(date) - 365
        self.violations = [v for v in self.violations if days_from_civil(int(v[0])) > cutoff]  # type: ignore[call-overload]
        for symbol in list(self.lots):
            lots = [lot for lot in self.lots[symbol] if not _paid(lot, date)]
            if lots:
                self.lots[symbol] = lots
            else:
                del self.lots[symbol]
        if self.restricted_until and self.restricted_until <= date:
            self.restricted_until = 0


def _paid(lot: Lot, date: int) -> bool:
    if lot.unfunded:
        return lot.settles <= date
    return lot.funded_until <= date


def record_buy(
    record: CashRecord,
    symbol: str,
    quantity: int,
    cost: int,
    settled_cash: int,
    trade_date: int,
    settlement_date: int,
) -> None:
    """Pay for a purchase: settled cash first, then the oldest unsettled proceeds."""
    from_settled = min(cost, max(0, record.free_settled(settled_cash)))
    if from_settled:
        record.committed.append([settlement_date, from_settled])
    rest = cost - from_settled
    funded_until = 0
    while rest > 0 and record.proceeds:
        date, amount = record.proceeds[0]
        used = min(rest, amount)
        rest -= used
        funded_until = max(funded_until, date)
        if used == amount:
            record.proceeds.pop(0)
        else:
            record.proceeds[0][1] = amount - used
    if funded_until <= trade_date:
        funded_until = 0
    if funded_until or rest > 0:
        lot = Lot(quantity, funded_until, rest > 0, settlement_date)
    else:
        lot = Lot(quantity, 0, False, settlement_date)
    record.lots.setdefault(symbol, []).append(lot)


def record_sell(
    record: CashRecord,
    symbol: str,
    quantity: int,
    position_before: int,
    proceeds: int,
    trade_date: int,
    settlement_date: int,
) -> CashViolation | None:
    """Match a sale against purchases; the violation it is, if any (free-riding first)."""
    lots = record.lots.get(symbol, [])
    older = max(0, position_before - sum(lot.quantity for lot in lots))
    remaining = max(0, quantity - older)
    found: CashViolation | None = None
    while remaining and lots:
        lot = lots[0]
        used = min(remaining, lot.quantity)
        remaining -= used
        if lot.unfunded and lot.settles > trade_date:
            found = CashViolation.FREE_RIDING
        elif lot.funded_until > trade_date and found is None:
            found = CashViolation.GOOD_FAITH
        if used == lot.quantity:
            lots.pop(0)
        else:
            lot.quantity -= used
    if not lots:
        record.lots.pop(symbol, None)
    if proceeds > 0:
        record.proceeds.append([settlement_date, proceeds])
    return found


def record_violation(
    record: CashRecord, violation: CashViolation, date: int, good_faith_limit: int, days: int
) -> int:
    """Count a violation; returns how many of its kind in twelve months (restricting the
    account when the rules say so)."""
    record.violations.append([date, violation.value])
    count = sum(1 for _, kind in record.violations if kind == violation.value)
    if violation is CashViolation.FREE_RIDING or count >= good_faith_limit:
        record.restricted_until = max(record.restricted_until, add_days(date, days))
    return count

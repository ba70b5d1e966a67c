"""Portfolio views across a group's accounts: exposure by symbol and side, P&L by account, and
concentration. Pure functions over the ledger's ``PositionView`` values, so they work the same on
live positions, a snapshot or a backtest."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from directbroker.domain.accounts import PositionView
from directbroker.domain.portfolio_messages import PERCENT_SCALE


@dataclass(frozen=True, slots=True)
class Exposure:
    """A symbol's long and short holdings across the group (values in money units; short
    value reported positive)."""

    symbol: str
    long_quantity: int
    short_quantity: int
    long_value: int
    short_value: int

    @property
    def net_value(self) -> int:
        """Long less short."""
        return self.long_value - self.short_value

    @property
    def gross_value(self) -> int:
        """Long plus short."""
        return self.long_value + self.short_value


@dataclass(frozen=True, slots=True)
class AccountPnl:
    """An account's P&L summed over its positions."""

    account: str
    unrealized: int
    realized: int
    day: int


@dataclass(frozen=True, slots=True)
class Concentration:
    """A symbol's share of the group's gross exposure, in basis points (rounded down)."""

    symbol: str
    gross_value: int
    share_bps: int


def exposure_by_symbol(positions: Iterable[PositionView]) -> list[Exposure]:
    """Exposure per symbol, sorted by symbol."""
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for p in positions:
        row = sums[p.symbol]
        if p.quantity > 0:
            row[0] += p.quantity
            row[2] += p.market_value
        elif p.quantity < 0:
            row[1] -= p.quantity
            row[3] -= p.market_value
    return [Exposure(symbol, *sums[symbol]) for symbol in sorted(sums)]


def pnl_by_account(positions: Iterable[PositionView]) -> list[AccountPnl]:
    """P&L per account, sorted by account."""
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for p in positions:
        row = sums[p.account]
        row[0] += p.unrealized_pnl
        row[1] += p.realized_pnl
        row[2] += p.day_pnl
    return [AccountPnl(account, *sums[account]) for account in sorted(sums)]


def concentration(positions: Iterable[PositionView]) -> list[Concentration]:
    """Each symbol's share of gross exposure, largest first (ties by symbol)."""
    exposures = exposure_by_symbol(positions)
    gross = sum(e.gross_value for e in exposures)
    rows = [
        Concentration(
            e.symbol, e.gross_value, e.gross_value * PERCENT_SCALE // gross if gross else 0
        )
        for e in exposures
    ]
    return sorted(rows, key=lambda r: (-r.gross_value, r.symbol))

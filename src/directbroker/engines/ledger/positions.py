"""Positions with FIFO tax lots: quantity, cost basis, realized and day P&L for one symbol.

Cost and P&L are exact money units (price x shares needs no rounding in $0.0001). A closing
execution consumes the oldest lots first (FIFO, the IRS default), realizing
``(close - open) x shares`` for a long lot and ``(open - close) x shares`` for a short one.
"""

from __future__ import annotations

from collections import deque

from directbroker.domain.accounts import PositionView, TaxLot


class Position:
    """One account's holding in one symbol. ``mark`` and the requirement fields are derived
    (set by the valuation code); everything else is state that snapshots carry."""

    __slots__ = (
        "account",
        "cost_basis",
        "day_flow",
        "lots",
        "maintenance",
        "mark",
        "quantity",
        "realized_pnl",
        "reg_t",
        "sod_quantity",
        "sod_value",
        "symbol",
    )

    def __init__(self, account: str, symbol: str) -> None:
        self.account = account
        self.symbol = symbol
        self.quantity = 0
        self.lots: deque[TaxLot] = deque()
        self.cost_basis = 0
        self.realized_pnl = 0
        self.sod_quantity = 0
        self.sod_value = 0
        self.day_flow = 0
        self.mark = 0
        self.reg_t = 0
        self.maintenance = 0

    @property
    def market_value(self) -> int:
        """Signed: negative for a short."""
        return self.quantity * self.mark

    @property
    def unrealized_pnl(self) -> int:
        """Market value less cost basis (both signed, so it reads right for shorts)."""
        return self.market_value - self.cost_basis

    @property
    def day_pnl(self) -> int:
        """Against the prior close: value now, less the start-of-day shares at the prior close,
        less what today's executions cost (buys) or brought in (sells)."""
        return self.market_value - self.sod_value - self.day_flow

    def apply(self, delta: int, price: int, trade_date: int, execution_id: str) -> int:
        """Apply ``delta`` shares (positive bought, negative sold) at ``price``; returns the P&L
        realized by the shares that closed existing lots."""
        realized = 0
        remaining = delta
        while remaining and self.lots and (self.lots[0].quantity > 0) != (remaining > 0):
            lot = self.lots[0]
            closing = min(abs(remaining), abs(lot.quantity))
            sign = 1 if lot.quantity > 0 else -1
            realized += sign * closing * (price - lot.price)
            self.cost_basis -= sign * closing * lot.price
            if closing == abs(lot.quantity):
                self.lots.popleft()
            else:
                self.lots[0] = TaxLot(
                    lot.quantity - sign * closing, lot.price, lot.trade_date, lot.execution_id
                )
            remaining += sign * closing
        if remaining:
            self.lots.append(TaxLot(remaining, price, trade_date, execution_id))
            self.cost_basis += remaining * price
        self.quantity += delta
        self.day_flow += delta * price
        self.realized_pnl += realized
        return realized

    @property
    def average_cost(self) -> int:
        """Cost per share of the open lots, rounded half up to $0.0001 (0 when flat)."""
        if not self.quantity:
            return 0
        numerator = abs(self.cost_basis) * 2 + abs(self.quantity)
        return numerator // (2 * abs(self.quantity))

    def view(self) -> PositionView:
        """An immutable picture for queries."""
        return PositionView(
            account=self.account,
            symbol=self.symbol,
            quantity=self.quantity,
            average_cost=self.average_cost,
            cost_basis=self.cost_basis,
            mark=self.mark,
            market_value=self.market_value,
            unrealized_pnl=self.unrealized_pnl,
            realized_pnl=self.realized_pnl,
            day_pnl=self.day_pnl,
            lots=tuple(self.lots),
        )

"""Everything risk remembers between orders, and its canonical snapshot form.

Counters that feed a check (the duplicate window, per-account order rates, day trades, cash
account funding) change only when an order is accepted or executes, never when one is refused,
so a rejection leaves no trace in the state.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from directbroker.domain.broker_messages import AccountConfiguration, CheckWhen, ConfirmEmail
from directbroker.engines.risk.cash_account import CashRecord, Lot
from directbroker.engines.risk.limits import FirmLimits, Limits

SECOND_NS = 1_000_000_000


@dataclass(slots=True)
class DayTrades:
    """Today's opening and closing shares per symbol, and day trades counted per order."""

    bought: dict[str, int] = field(default_factory=dict)
    sold: dict[str, int] = field(default_factory=dict)
    shorted: dict[str, int] = field(default_factory=dict)
    covered: dict[str, int] = field(default_factory=dict)
    orders: list[str] = field(default_factory=list)
    history: list[list[int]] = field(default_factory=list)
    """[date, day trades] for the previous business days of the window, oldest first."""

    def to_plain(self) -> list[Any]:
        return [
            sorted(self.bought.items()),
            sorted(self.sold.items()),
            sorted(self.shorted.items()),
            sorted(self.covered.items()),
            list(self.orders),
            [list(h) for h in self.history],
        ]

    @classmethod
    def from_plain(cls, plain: list[Any]) -> DayTrades:
        bought, sold, shorted, covered, orders, history = plain
        return cls(dict(bought), dict(sold), dict(shorted), dict(covered), list(orders), history)


class RiskState:
    """Limits, lists, switches and counters."""

    def __init__(self) -> None:
        self.date = 0
        self.firm = FirmLimits()
        self.account_limits: dict[str, Limits] = {}
        self.firm_kill: str | None = None
        self.account_kill: dict[str, str] = {}
        self.symbol_kill: dict[str, str] = {}
        self.restricted: dict[str, str] = {}
        self.easy_to_borrow: set[str] = set()
        self.locates: dict[tuple[str, str], int] = {}
        self.locate_ids: set[str] = set()
        self.house_margin: dict[str, int] = {}
        self.close_only: dict[str, str] = {}
        self.duplicates: dict[tuple[Any, ...], int] = {}
        self.duplicate_order: deque[tuple[int, tuple[Any, ...]]] = deque()
        self.rates: dict[str, list[int]] = {}
        """Accepted order times per account within the last second (sequencer times never go
        backwards, so each list is sorted)."""
        self.cash: dict[str, CashRecord] = {}
        self.day_trades: dict[str, DayTrades] = {}
        self.configs: dict[str, AccountConfiguration] = {}
        """Accounts whose holders changed a configuration (the rest have the defaults)."""

    def configuration(self, account: str) -> AccountConfiguration:
        """The account's configuration (the defaults until its holder changes one)."""
        return self.configs.get(account, _DEFAULT_CONFIGURATION)

    # --- counters ------------------------------------------------------------------------

    def recent_orders(self, account: str, ts: int) -> int:
        """Orders accepted for the account in the second up to ``ts``."""
        stamps = self.rates.get(account)
        if not stamps:
            return 0
        return len(stamps) - bisect_right(stamps, ts - SECOND_NS)

    def count_order(self, account: str, fingerprint: tuple[Any, ...] | None, ts: int) -> None:
        """An order was accepted: it counts towards rates and duplicate detection."""
        stamps = self.rates.setdefault(account, [])
        stamps.append(ts)
        stale = bisect_right(stamps, ts - SECOND_NS)
        if stale:
            del stamps[:stale]
        window = self.firm.duplicate_window_ns
        queue = self.duplicate_order
        while queue and queue[0][0] <= ts - window:
            old_ts, old = queue.popleft()
            if self.duplicates.get(old) == old_ts:
                del self.duplicates[old]
        if fingerprint is not None and window:
            self.duplicates[fingerprint] = ts
            queue.append((ts, fingerprint))

    # --- snapshot ------------------------------------------------------------------------

    def to_plain(self) -> list[Any]:
        """Canonical plain form (sorted wherever order carries no meaning)."""
        firm = self.firm
        return [
            self.date,
            [list(_limits(firm.limits)), firm.duplicate_window_ns, firm.market_buffer_bps],
            [[a, _limits(x)] for a, x in sorted(self.account_limits.items())],
            self.firm_kill,
            sorted(self.account_kill.items()),
            sorted(self.restricted.items()),
            sorted(self.easy_to_borrow),
            [[a, s, q] for (a, s), q in sorted(self.locates.items())],
            sorted(self.locate_ids),
            sorted(self.house_margin.items()),
            sorted(self.close_only.items()),
            [[ts, list(fp)] for ts, fp in self.duplicate_order],
            [[a, list(stamps)] for a, stamps in sorted(self.rates.items())],
            [[a, _cash_plain(r)] for a, r in sorted(self.cash.items())],
            [[a, d.to_plain()] for a, d in sorted(self.day_trades.items())],
            [[a, _config_plain(c)] for a, c in sorted(self.configs.items())],
            sorted(self.symbol_kill.items()),
        ]

    @classmethod
    def from_plain(cls, plain: list[Any]) -> RiskState:
        """Rebuild from :meth:`to_plain`."""
        state = cls()
        (
            state.date,
            firm,
            accounts,
            state.firm_kill,
            kills,
            restricted,
            etb,
            locates,
            locate_ids,
            house,
            close_only,
            duplicates,
            rates,
            cash,
            day_trades,
            *rest,
        ) = plain
        # Older snapshots end before configurations (and symbol kill switches) existed.
        state.symbol_kill = dict(rest[1]) if len(rest) > 1 else {}
        state.firm = FirmLimits(Limits(*firm[0]), firm[1], firm[2])
        state.account_limits = {a: Limits(*x) for a, x in accounts}
        state.account_kill = dict(kills)
        state.restricted = dict(restricted)
        state.easy_to_borrow = set(etb)
        state.locates = {(a, s): q for a, s, q in locates}
        state.locate_ids = set(locate_ids)
        state.house_margin = dict(house)
        state.close_only = dict(close_only)
        for ts, fp in duplicates:
            key = tuple(fp)
            state.duplicate_order.append((ts, key))
            state.duplicates[key] = ts
        state.rates = {a: list(stamps) for a, stamps in rates}
        state.cash = {a: _cash_record(r) for a, r in cash}
        state.day_trades = {a: DayTrades.from_plain(d) for a, d in day_trades}
        # Snapshots taken before configurations existed have no such element.
        state.configs = {a: _config(c) for a, c in (rest[0] if rest else [])}
        return state


def _limits(limits: Limits) -> list[int]:
    return [
        limits.max_order_quantity,
        limits.max_order_notional,
        limits.credit_limit,
        limits.max_daily_loss,
        limits.max_orders_per_second,
        limits.collar_bps,
    ]


def _cash_plain(record: CashRecord) -> list[Any]:
    return [
        [list(p) for p in record.proceeds],
        [list(c) for c in record.committed],
        [
            [symbol, [[lot.quantity, lot.funded_until, lot.unfunded, lot.settles] for lot in lots]]
            for symbol, lots in sorted(record.lots.items())
        ],
        [list(v) for v in record.violations],
        record.restricted_until,
    ]


def _cash_record(plain: list[Any]) -> CashRecord:
    proceeds, committed, lots, violations, restricted_until = plain
    return CashRecord(
        [list(p) for p in proceeds],
        [list(c) for c in committed],
        {symbol: [Lot(*lot) for lot in items] for symbol, items in lots},
        [list(v) for v in violations],
        restricted_until,
    )


_DEFAULT_CONFIGURATION = AccountConfiguration()


def _config_plain(config: AccountConfiguration) -> list[Any]:
    return [
        config.dtbp_check.value,
        config.pdt_check.value,
        config.no_shorting,
        config.suspend_trade,
        config.fractional_trading,
        config.max_margin_multiplier,
        config.trade_confirm_email.value,
        config.ptp_no_exception_entry,
        config.max_options_trading_level,
    ]


def _config(plain: list[Any]) -> AccountConfiguration:
    dtbp, pdt, no_short, suspend, fractional, multiplier, email, ptp, options = plain
    return AccountConfiguration(
        CheckWhen(dtbp), CheckWhen(pdt), no_short, suspend, fractional, multiplier,
        ConfirmEmail(email), ptp, options,
    )  # fmt: skip

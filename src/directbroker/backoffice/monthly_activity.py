"""The monthly activity report's figures, as a brokerage's monthly press release gives them.

Folded from the broker journal by :class:`~directbroker.backoffice.books.FirmBooks` and, beside
it, an :class:`ActivityFold` that keeps what the books do not: when each customer order was
first executed, and when accounts opened and closed. Both are pure folds over journal entries,
so the CLI (from a data directory) and ``serve`` (from committed batches) count the same.

Definitions, for a calendar month (US Eastern time; business dates are the books'):

- **customer accounts**: customer accounts open at the end of the month: opened before the
  month's end and not closed then. Customer accounts are those whose registration is not one
  of the firm's transit accounts (average price, step-outs: ``books.FIRM_REGISTRATIONS``).
  Opening and closing are placed in time by the instants of ``AccountOpened`` and of the
  ``AccountStatusChanged`` to or from closed, not by business date, so an account opened on a
  weekend belongs to the calendar month it was opened in;
- **new accounts**: customer accounts opened in the month;
- **trades processed**: customer orders with at least one execution at a venue
  (``ParentFilled``), each counted once, in the month of the trade date of its first
  execution. A block order counts once: its parent, placed in the firm's average-price account
  for its group of customers, is the order the street executed; the allocations into each
  account (and step-outs) are bookings of that one trade and are not counted again. An order
  filled over several days or months is one trade, in its first month;
- **shares traded**: shares executed at a venue for customer orders (block parents included,
  allocations not), by trade date;
- **DARTs** (daily average revenue trades): trades processed divided by the number of XNYS
  sessions in the month, rounded half-up to one decimal; ``None`` when the month has none;
- **customer assets**: the sum over customer accounts of cash (settled, unsettled and held)
  plus the market value of positions at the marks, at the month's last close (the last
  ``BrokerDayEnded`` with a business date in the month: ``FirmBooks.month_closes``); for the
  month in progress the latest close so far; ``None`` when no day of the month has closed;
- **net new assets**: cash that crossed the bank (``CashMovement.external``) into customer
  accounts minus cash out of them, by business date in the month. Journals between accounts
  and trades do not count.

A month that ended before the journal's first entry with events (in practice the firm's first
``BrokerDayStarted``) had no firm: its figures are ``None``.

**Changes** (year over year, month over month) are ``(now - before) / before`` in percent,
computed exactly on integers and rounded half-up (away from zero) to one decimal; they are
``None`` ("n/a") when the earlier month had no firm or its figure is not positive (no division
by zero, and no percentage of a negative base). For display (:func:`display_change`) a change of
20% or more in size is shown to the whole percent and a smaller one to one decimal, both rounded
half-up from the exact value, as press releases do: assets 36,019,838 to 56,350,508 is "56%",
trades 14,746 to 16,467 is "11.7%", shares 54,738,776 to 243,495,204 is "345%".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from math import floor
from typing import Protocol

from directbroker.backoffice.books import FIRM_REGISTRATIONS, FirmBooks
from directbroker.backoffice.periods import month_bounds
from directbroker.domain.accounts import AccountStatus, Registration
from directbroker.domain.broker_messages import ParentFilled
from directbroker.domain.ledger_messages import (
    AccountOpened,
    AccountStatusChanged,
    ExecutionRecorded,
)
from directbroker.domain.messages import Event, Message

HISTORY_MONTHS = 13
"""Months the report carries for its charts: the month and the twelve before it."""

WHOLE_PERCENT_FROM = 20
"""A change this large (in percent, either way) is displayed to the whole percent."""

Month = tuple[int, int]
Number = int | Fraction


class Sessions(Protocol):
    """The exchange calendar's sessions (``adapters.calendar.XnysCalendar`` provides it)."""

    def sessions_between(self, start: int, end: int) -> list[int]:
        """Session dates (YYYYMMDD) from ``start`` to ``end`` inclusive."""
        ...


@dataclass
class _Account:
    registration: Registration
    opened_ts: int
    closes: list[tuple[int, bool]] = field(default_factory=list)
    """(instant, closed afterwards) for every change to or from closed, in order."""

    @property
    def customer(self) -> bool:
        return self.registration not in FIRM_REGISTRATIONS

    def open_at(self, ts_ns: int) -> bool:
        """Whether the account was open just before ``ts_ns``."""
        if self.opened_ts >= ts_ns:
            return False
        closed = False
        for when, now_closed in self.closes:
            if when >= ts_ns:
                break
            closed = now_closed
        return not closed


class ActivityFold:
    """What the monthly report needs beyond :class:`FirmBooks`: feed it the same entries."""

    def __init__(self) -> None:
        self.first_ts = 0
        """The instant of the journal's first entry that caused events (0: none yet)."""
        self.accounts: dict[str, _Account] = {}
        self.first_month: dict[str, Month] = {}
        """Each counted order's month of first execution."""
        self.trades: dict[Month, int] = {}
        self.shares: dict[Month, int] = {}

    def take(self, message: Message, events: Sequence[Event], ts_ns: int) -> None:
        """Fold one journal entry: the input and the events it caused."""
        if not events:
            return
        if not self.first_ts:
            self.first_ts = ts_ns
        street: dict[str, str] = {}
        for event in events:
            if type(event) is ParentFilled:
                assert isinstance(event, ParentFilled)
                street[event.execution_id] = event.order_id
        for event in events:
            kind = type(event)
            if kind is ExecutionRecorded:
                assert isinstance(event, ExecutionRecorded)
                order_id = street.get(event.execution_id)
                if order_id is not None:
                    self._street_execution(event, order_id)
            elif kind is AccountOpened:
                assert isinstance(event, AccountOpened)
                self.accounts[event.account] = _Account(event.registration, event.ts_ns)
            elif kind is AccountStatusChanged:
                assert isinstance(event, AccountStatusChanged)
                record = self.accounts.get(event.account)
                closing = event.new_status is AccountStatus.CLOSED
                if record is not None and closing != (event.old_status is AccountStatus.CLOSED):
                    record.closes.append((event.ts_ns, closing))

    def _street_execution(self, event: ExecutionRecorded, order_id: str) -> None:
        record = self.accounts.get(event.account)
        if record is None or record.registration is Registration.STEP_OUT:
            return
        month = (event.trade_date // 10_000, event.trade_date // 100 % 100)
        if order_id not in self.first_month:
            self.first_month[order_id] = month
            self.trades[month] = self.trades.get(month, 0) + 1
        self.shares[month] = self.shares.get(month, 0) + event.quantity


class ActivityBooks:
    """The firm's books and the activity fold: :meth:`take` feeds both. A back office that
    already folds a :class:`FirmBooks` (or an :class:`ActivityFold`) passes it in and feeds
    each itself; the report only reads them."""

    def __init__(self, books: FirmBooks | None = None, fold: ActivityFold | None = None) -> None:
        self.books = books if books is not None else FirmBooks()
        self.fold = fold if fold is not None else ActivityFold()

    def take(self, message: Message, events: Sequence[Event], ts_ns: int) -> None:
        """Fold one journal entry into both."""
        self.books.take(message, events, ts_ns)
        self.fold.take(message, events, ts_ns)


@dataclass(frozen=True, slots=True)
class MonthFigures:
    """One month's figures. Money in $0.0001 units."""

    year: int
    month: int
    customer_accounts: int
    new_accounts: int
    trades: int
    shares: int
    sessions: int
    customer_assets: int | None
    net_new_assets: int

    @property
    def period(self) -> str:
        """``YYYY-MM``."""
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def darts(self) -> Decimal | None:
        """Trades per session, rounded half-up to one decimal (None without sessions)."""
        if not self.sessions:
            return None
        return half_up(Fraction(self.trades, self.sessions), 1)

    @property
    def darts_exact(self) -> Fraction | None:
        """Trades per session, exactly (what changes in DARTs are computed from)."""
        return Fraction(self.trades, self.sessions) if self.sessions else None


FIGURES = (
    "customer_accounts", "new_accounts", "trades", "darts", "shares", "customer_assets",
    "net_new_assets",
)  # fmt: skip
"""Every figure, in the report's order; each is compared with a year and a month earlier."""

HEADLINES = ("customer_accounts", "trades", "shares", "customer_assets")
"""The figures a release leads with."""


@dataclass(frozen=True, slots=True)
class Comparison:
    """One figure now, a year earlier and a month earlier, with the changes (DARTs exact,
    as a fraction; money in $0.0001 units)."""

    name: str
    now: Number | None
    year_ago: Number | None
    year_change: Decimal | None
    prior: Number | None
    month_change: Decimal | None


@dataclass(frozen=True, slots=True)
class MonthlyActivity:
    """The report for one month."""

    current: MonthFigures | None
    year_ago: MonthFigures | None
    prior: MonthFigures | None
    comparisons: tuple[Comparison, ...]
    """Every one of :data:`FIGURES`, in order."""
    history: tuple[tuple[Month, MonthFigures | None], ...]
    """The last :data:`HISTORY_MONTHS` months, oldest first, ending with the report's."""
    year: int
    month: int

    @property
    def period(self) -> str:
        """``YYYY-MM``."""
        return f"{self.year:04d}-{self.month:02d}"


def _percent(now: Number | None, before: Number | None) -> Fraction | None:
    if now is None or before is None or before <= 0:
        return None
    return Fraction(now - before) * 100 / before


def half_up(value: Fraction, places: int) -> Decimal:
    """``value`` rounded half-up (away from zero) to ``places`` decimals, exactly."""
    scaled = floor(abs(value) * 10**places + Fraction(1, 2))
    return Decimal(scaled if value >= 0 else -scaled).scaleb(-places)


def change_pct(now: Number | None, before: Number | None) -> Decimal | None:
    """The change in percent, rounded half-up (away from zero) to one decimal; None (n/a)
    without a positive earlier figure."""
    exact = _percent(now, before)
    return None if exact is None else half_up(exact, 1)


def display_change(now: Number | None, before: Number | None) -> str:
    """The change as a release prints it: "56%", "11.7%", "-3.2%", "n/a"."""
    exact = _percent(now, before)
    if exact is None:
        return "n/a"
    whole = half_up(exact, 0)
    if abs(whole) >= WHOLE_PERCENT_FROM:
        return f"{whole}%"
    return f"{half_up(exact, 1)}%"


def shift(year: int, month: int, months: int) -> Month:
    """The month ``months`` after (negative: before) ``(year, month)``."""
    index = year * 12 + month - 1 + months
    return index // 12, index % 12 + 1


def _date(ym: Month, day: int) -> int:
    return ym[0] * 10_000 + ym[1] * 100 + day


def month_figures(
    activity: ActivityBooks, year: int, month: int, sessions: Sessions
) -> MonthFigures | None:
    """A month's figures; None when the month ended before the firm's journal began."""
    start, end = month_bounds(year, month)
    fold, books = activity.fold, activity.books
    if not fold.first_ts or end <= fold.first_ts:
        return None
    customers = [record for record in fold.accounts.values() if record.customer]
    open_at_end = sum(record.open_at(end) for record in customers)
    opened = sum(start <= record.opened_ts < end for record in customers)
    first, last = _date((year, month), 1), _date((year, month), 31)
    close = books.month_closes.get((year, month))
    assets: int | None = None
    if close is not None:
        assets = sum(
            balances.equity(close.marks)
            for account, balances in close.balances.items()
            if (record := fold.accounts.get(account)) is not None and record.customer
        )
    net = sum(
        movement.amount
        for movement in books.movements_between(first, last)
        if movement.external
        and (record := fold.accounts.get(movement.account)) is not None
        and record.customer
    )
    return MonthFigures(
        year, month, open_at_end, opened, fold.trades.get((year, month), 0),
        fold.shares.get((year, month), 0), len(sessions.sessions_between(first, last)),
        assets, net,
    )  # fmt: skip


def figure(figures: MonthFigures | None, name: str) -> Number | None:
    """One of :data:`FIGURES` of a month (DARTs exact); None for a month without a firm."""
    if figures is None:
        return None
    if name == "darts":
        return figures.darts_exact
    value: int | None = getattr(figures, name)
    return value


def monthly_activity(
    activity: ActivityBooks, year: int, month: int, sessions: Sessions
) -> MonthlyActivity:
    """The report for ``year``-``month``: the figures, a year and a month earlier, the
    changes, and the last :data:`HISTORY_MONTHS` months for the charts."""
    if not 1 <= month <= 12 or not 1971 <= year <= 2260:
        raise ValueError(f"no such month: {year}-{month}")
    history = tuple(
        (ym, month_figures(activity, ym[0], ym[1], sessions))
        for ym in (shift(year, month, k) for k in range(1 - HISTORY_MONTHS, 1))
    )
    current = history[-1][1]
    prior = history[-2][1]
    year_ago = history[0][1]  # thirteen months: the first is the same month a year earlier
    comparisons = []
    for name in FIGURES:
        now, before, last = figure(current, name), figure(year_ago, name), figure(prior, name)
        comparisons.append(
            Comparison(name, now, before, change_pct(now, before), last, change_pct(now, last))
        )
    return MonthlyActivity(current, year_ago, prior, tuple(comparisons), history, year, month)

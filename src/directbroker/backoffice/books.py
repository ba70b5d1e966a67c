"""The firm's books as the back office sees them, folded from the broker core's journal.

A pure fold over journaled entries (the input and the events it caused, in order), like
:mod:`~directbroker.backoffice.order_flow`: it reads no core state, so the trade file, the
reconciliation, the statements and the monthly report can be rebuilt from any copy of the
journal, by the CLI from a data directory or by ``serve`` as batches commit, and a test can
recount the same journal another way. It keeps:

- every account the books opened, its owner, type, registration and status
  (:class:`AccountRecord`); the firm's own transit accounts (average price, step-outs) are
  accounts but not customers;
- every execution the books recorded, by trade date (:class:`BookedExecution`), with the venue
  and liquidity of the street fill it came from;
- every cash movement to or from a customer's cash books that is not a trade
  (:class:`CashMovement`: deposits, withdrawals, returns, journals, adjustments);
- each account's balances now, summed from the postings alone (:class:`AccountBalances`), and
  the last sale of each symbol (the marks);
- a :class:`DayClose` at each end of a business day (``BrokerDayEnded``), handed to
  ``on_day_end`` while the fold stands exactly there, and the last one of every month.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from directbroker.domain.accounts import CASH_ASSET, AccountStatus, AccountType, Registration
from directbroker.domain.broker_messages import BrokerDayEnded, BrokerDayStarted, ParentFilled
from directbroker.domain.ledger_messages import (
    AccountOpened,
    AccountStatusChanged,
    ExecutionRecorded,
    PostingsRecorded,
    RecordPriorClose,
)
from directbroker.domain.marketdata_messages import TradePrinted
from directbroker.domain.messages import Event, Message
from directbroker.domain.orders import Side
from directbroker.engines.ledger import chart

FIRM_REGISTRATIONS = frozenset({Registration.AVERAGE_PRICE, Registration.STEP_OUT})
"""Registrations of the firm's own transit accounts: on the books, but nobody's assets."""

_TRADE_KINDS = frozenset({"execution", "settlement"})

QUIET_INPUTS = frozenset({b"TradePrinted", b"RecordPriorClose"})
"""Type tags of the inputs the fold reads even when they caused no event (the marks); a reader
may skip every other entry without events (``broker_entries(..., quiet_inputs=...)``)."""


@dataclass
class AccountRecord:
    """An account on the books. Dates are YYYYMMDD business dates (0: not yet)."""

    account: str
    owner: str
    account_type: AccountType
    registration: Registration
    opened_ts: int
    opened_date: int
    status: AccountStatus = AccountStatus.ACTIVE
    closed_date: int = 0

    @property
    def customer(self) -> bool:
        """Whether this is a customer's account (not one of the firm's transit accounts)."""
        return self.registration not in FIRM_REGISTRATIONS


@dataclass(frozen=True, slots=True)
class BookedExecution:
    """One execution as the books recorded it. Money in $0.0001 units; ``venue`` and
    ``liquidity`` are empty for an allocation out of the average-price account."""

    execution_id: str
    order_id: str
    account: str
    symbol: str
    side: Side
    quantity: int
    price: int
    principal: int
    commission: int
    sec_fee: int
    taf_fee: int
    net_amount: int
    trade_date: int
    settlement_date: int
    ts_ns: int
    venue: str
    liquidity: str


@dataclass(frozen=True, slots=True)
class CashMovement:
    """Cash into (positive) or out of (negative) a customer's cash books, not from a trade.
    ``kind`` is the ledger entry's (deposit, withdrawal, journal_cash, adjustment ...);
    ``external`` says whether the money crossed the firm's boundary (the bank), which is what
    net new assets count."""

    account: str
    kind: str
    reference: str
    amount: int
    business_date: int
    ts_ns: int
    external: bool


@dataclass(frozen=True, slots=True)
class AccountBalances:
    """One account's books at a moment: cash by kind and shares by symbol (short negative)."""

    account: str
    settled: int = 0
    unsettled: int = 0
    held: int = 0
    positions: Mapping[str, int] = field(default_factory=dict)

    @property
    def cash(self) -> int:
        """The trade-date cash balance: settled, unsettled and held together."""
        return self.settled + self.unsettled + self.held

    def market_value(self, marks: Mapping[str, int]) -> int:
        """The positions at ``marks`` (shares times price units; short positions negative)."""
        return sum(quantity * marks.get(symbol, 0) for symbol, quantity in self.positions.items())

    def equity(self, marks: Mapping[str, int]) -> int:
        """Cash plus the positions' market value."""
        return self.cash + self.market_value(marks)


@dataclass(frozen=True, slots=True)
class DayClose:
    """The books at the end of a business day: every account with a balance, and the marks."""

    date: int
    ts_ns: int
    balances: Mapping[str, AccountBalances]
    marks: Mapping[str, int]

    def of(self, account: str) -> AccountBalances:
        """An account's balances (empty when it had none)."""
        return self.balances.get(account) or AccountBalances(account)


@dataclass
class _Live:
    settled: int = 0
    unsettled: int = 0
    held: int = 0
    positions: dict[str, int] = field(default_factory=dict)

    def frozen(self, account: str) -> AccountBalances:
        positions = {symbol: qty for symbol, qty in self.positions.items() if qty}
        return AccountBalances(account, self.settled, self.unsettled, self.held, positions)

    def empty(self) -> bool:
        return not (self.settled or self.unsettled or self.held or any(self.positions.values()))


DayEndListener = Callable[[DayClose, "FirmBooks"], None]


class FirmBooks:
    """The fold: feed it every broker journal entry in order (:meth:`take`)."""

    def __init__(self, on_day_end: DayEndListener | None = None) -> None:
        self.accounts: dict[str, AccountRecord] = {}
        self.executions: dict[int, list[BookedExecution]] = {}
        """Executions by trade date, in journal order."""
        self.movements: dict[int, list[CashMovement]] = {}
        """Cash movements by business date, in journal order."""
        self.marks: dict[str, int] = {}
        self.date = 0
        """The business date the books are in (from the last ``BrokerDayStarted``)."""
        self.days_ended: list[int] = []
        self.month_closes: dict[tuple[int, int], DayClose] = {}
        """The last day close of each (year, month)."""
        self.last_ts = 0
        self._live: dict[str, _Live] = {}
        self._on_day_end = on_day_end
        self._orders_of_fills: dict[str, tuple[str, str, str]] = {}

    # -- the fold ---------------------------------------------------------------------------

    def take(self, message: Message, events: Sequence[Event], ts_ns: int) -> None:
        """Fold one journal entry: the input and the events it caused."""
        self.last_ts = ts_ns
        kind = type(message)
        if kind is TradePrinted:
            assert isinstance(message, TradePrinted)
            self.marks[message.symbol] = message.price
        elif kind is RecordPriorClose:
            assert isinstance(message, RecordPriorClose)
            self.marks.setdefault(message.symbol, message.price)
        if not events:
            return
        fills = self._orders_of_fills
        for event in events:
            if type(event) is ParentFilled:
                assert isinstance(event, ParentFilled)
                fills[event.execution_id] = (event.order_id, event.venue, event.liquidity.value)
        for event in events:
            self._event(event)

    def _event(self, event: Event) -> None:
        kind = type(event)
        if kind is PostingsRecorded:
            assert isinstance(event, PostingsRecorded)
            self._postings(event)
        elif kind is ExecutionRecorded:
            assert isinstance(event, ExecutionRecorded)
            self._execution(event)
        elif kind is AccountOpened:
            assert isinstance(event, AccountOpened)
            self.accounts[event.account] = AccountRecord(
                event.account, event.owner, event.account_type, event.registration,
                event.ts_ns, self.date,
            )  # fmt: skip
        elif kind is AccountStatusChanged:
            assert isinstance(event, AccountStatusChanged)
            record = self.accounts.get(event.account)
            if record is not None:
                record.status = event.new_status
                if event.new_status is AccountStatus.CLOSED:
                    record.closed_date = self.date
        elif kind is BrokerDayStarted:
            assert isinstance(event, BrokerDayStarted)
            self.date = event.date
        elif kind is BrokerDayEnded:
            assert isinstance(event, BrokerDayEnded)
            self._day_ended(event)

    def _postings(self, event: PostingsRecorded) -> None:
        external = False
        customer_cash: dict[str, int] = {}
        for book_account, asset, amount in zip(
            event.book_accounts, event.assets, event.amounts, strict=True
        ):
            if book_account == chart.EXTERNAL_BANK:
                external = True
            owner = chart.customer_of(book_account)
            if owner is None:
                continue
            account, part = owner
            live = self._live.get(account)
            if live is None:
                live = self._live[account] = _Live()
            if part == "securities":
                live.positions[asset] = live.positions.get(asset, 0) + amount
                continue
            if asset != CASH_ASSET:
                continue
            if part == "cash":
                live.settled += amount
            elif part == "unsettled":
                live.unsettled += amount
            elif part == "held":
                live.held += amount
            else:
                continue
            customer_cash[account] = customer_cash.get(account, 0) + amount
        if event.kind in _TRADE_KINDS:
            return
        for account, amount in customer_cash.items():
            if amount:
                self.movements.setdefault(event.business_date, []).append(
                    CashMovement(account, event.kind, event.reference, amount,
                                 event.business_date, event.ts_ns, external)
                )  # fmt: skip

    def _execution(self, event: ExecutionRecorded) -> None:
        found = self._orders_of_fills.pop(event.execution_id, None)
        if found is None:
            order_id, venue, liquidity = event.execution_id.rpartition(".")[0], "", ""
        else:
            order_id, venue, liquidity = found
        booked = BookedExecution(
            event.execution_id, order_id, event.account, event.symbol, event.side,
            event.quantity, event.price, event.principal, event.commission, event.sec_fee,
            event.taf_fee, event.net_amount, event.trade_date, event.settlement_date,
            event.ts_ns, venue, liquidity,
        )  # fmt: skip
        self.executions.setdefault(event.trade_date, []).append(booked)

    def _day_ended(self, event: BrokerDayEnded) -> None:
        close = self.close(event.date, event.ts_ns)
        self.days_ended.append(event.date)
        self.month_closes[(event.date // 10_000, event.date // 100 % 100)] = close
        if self._on_day_end is not None:
            self._on_day_end(close, self)

    # -- reading ----------------------------------------------------------------------------

    def balances(self, account: str) -> AccountBalances:
        """An account's balances now."""
        live = self._live.get(account)
        return live.frozen(account) if live is not None else AccountBalances(account)

    def close(self, date: int, ts_ns: int) -> DayClose:
        """The books now, as the close of ``date``."""
        live = self._live
        balances = {name: book.frozen(name) for name, book in live.items() if not book.empty()}
        return DayClose(date, ts_ns, balances, dict(self.marks))

    def customers(self) -> list[AccountRecord]:
        """Customer accounts in the order they were opened."""
        return [record for record in self.accounts.values() if record.customer]

    def executions_between(self, first: int, last: int) -> list[BookedExecution]:
        """Executions with a trade date in [first, last], in trade-date then journal order."""
        return [
            execution
            for date in sorted(d for d in self.executions if first <= d <= last)
            for execution in self.executions[date]
        ]

    def movements_between(self, first: int, last: int) -> list[CashMovement]:
        """Cash movements with a business date in [first, last], in order."""
        return [
            movement
            for date in sorted(d for d in self.movements if first <= d <= last)
            for movement in self.movements[date]
        ]

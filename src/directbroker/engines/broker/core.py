"""BrokerCore: the OMS, pre-trade risk, routing and the ledger behind one ``Core``.

Numbered stages of a new order (the first refusal wins and leaves no trace but the rejection):

1. field validation (OMS) and id uniqueness;
2. the account must exist and be open (ledger);
3. pre-trade risk over the ledger's account values, the OMS's working orders and the broker's
   own market view (risk);
4. the routing plan (router);
5. the OMS takes the order: it is held, or its children are sent; risk counts it.

An order the broker held (a triggered stop, a bracket/OTO leg released by its entry's fill)
passes stage 3 again, minus the rate and duplicate checks, when it would go to market
(:meth:`BrokerCore._admit_held`, the OMS's routing gate); fills are booked as the OMS books
them, so that check sees the fill that released the leg.

Every other input is a fact: venue execution reports (fills post to the ledger at once, so
buying power moves in real time), market data (marks, triggers, the market view), the day roll
and administration. Market data enters as journaled inputs only, so replay is exact.

The router learns of every child the OMS sends and every venue report the OMS applies through
the routing port (docs/adr/0005-routing.md), within the same input, so its execution-quality
statistics and Rule 606 history are part of this core's state, snapshot and replay. They are
read from :attr:`BrokerCore.router` (``SmartRouting``): no engine imports the router's types.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from typing import Any

import msgpack

from directbroker.domain.access_messages import IssueApiKey, RevokeApiKey
from directbroker.domain.accounts import AccountStatus, AccountType, AccountValues
from directbroker.domain.block_messages import AVERAGE_PRICE_ACCOUNT, STEP_OUT_PREFIX
from directbroker.domain.broker_messages import (
    BrokerCommandRejected,
    BrokerDayEnded,
    BrokerDayStarted,
    CancelCustomerOrder,
    ConfigureAccount,
    CustomerOrderRejected,
    EndBrokerDay,
    ParentFilled,
    PlaceOrder,
    ReplaceCustomerOrder,
    SetKillSwitch,
    StartBrokerDay,
)
from directbroker.domain.ledger_messages import (
    AdjustCash,
    ChangeAccountLimits,
    ChangeAccountStatus,
    Deposit,
    ExecutionRecorded,
    LedgerRejected,
    OpenAccount,
    RecordExecution,
    RecordPriorClose,
    ReleaseHold,
    SettleDue,
    StartBusinessDay,
    UpdateMark,
    Withdraw,
)
from directbroker.domain.marketdata_messages import (
    DepthUpdated,
    QuoteUpdated,
    TradePrinted,
    TradingStatusChanged,
)
from directbroker.domain.messages import Event, Message
from directbroker.domain.onboarding_messages import ONBOARDING_COMMANDS
from directbroker.domain.order_status import KillSwitchScope
from directbroker.domain.orders import Side, TimeInForce
from directbroker.domain.rejects import RejectCode
from directbroker.domain.sessions import SessionPhase, SessionPhaseChanged, SetSessionPhase
from directbroker.domain.venue_messages import (
    EXECUTION_REPORTS,
)
from directbroker.engines.access import AccessRegistry
from directbroker.engines.broker.block_desk import BlockBooksError, BlockDesk
from directbroker.engines.broker.books import BrokenBooks, LedgerBooks
from directbroker.engines.broker.config import BrokerConfig
from directbroker.engines.broker.exposure import account_facts, held_ticket, ticket_for
from directbroker.engines.broker.funding import FundingDesk
from directbroker.engines.broker.market import MarketView
from directbroker.engines.broker.rebalancing import RebalancingDesk
from directbroker.engines.funding import FundingBook
from directbroker.engines.ledger import LedgerCore
from directbroker.engines.oms import (
    BrokenInvariant,
    OmsBook,
    OrderManager,
    Parent,
    Refusal,
    RoutingPolicy,
    check_place,
)
from directbroker.engines.oms.validation import MAX_CLIENT_ORDER_ID
from directbroker.engines.onboarding import OnboardingEngine, OnboardingState
from directbroker.engines.portfolio.models import RebalancingBook
from directbroker.engines.risk import ADMIN_HANDLERS, OrderTicket, RiskEngine, RiskState

SNAPSHOT_VERSION = 1

_LEDGER_COMMANDS = (
    OpenAccount,
    ChangeAccountStatus,
    ChangeAccountLimits,
    Deposit,
    Withdraw,
    ReleaseHold,
    AdjustCash,
    SettleDue,
    RecordPriorClose,
)

_IMMEDIATE = (TimeInForce.IOC, TimeInForce.FOK)
_EXTENDED = (SessionPhase.PRE_MARKET, SessionPhase.AFTER_HOURS)

_Handler = Callable[[Any, int], list[Event]]

MARKET_INPUTS = (QuoteUpdated, DepthUpdated, TradePrinted, TradingStatusChanged)
"""The consolidated market data the broker core takes as inputs (the rest it does not need)."""


class BrokerInvariantError(Exception):
    """The broker core found its state impossible (the books refused a fill); it stops."""


class BrokerCore:
    """The broker's single-writer core. Implements :class:`directbroker.engines.core.Core`."""

    def __init__(
        self, ledger: LedgerCore, router: RoutingPolicy, config: BrokerConfig | None = None
    ) -> None:
        self.config = config if config is not None else BrokerConfig()
        self.ledger = ledger
        self.router = router
        self.oms = OrderManager(router, self.config.participant, self._admit_held, self._post)
        self.risk = RiskEngine(self.config.policy)
        self.market = MarketView()
        self.access = AccessRegistry()
        self.onboarding = OnboardingEngine()
        self.date = 0
        self.open = False
        self.phase = SessionPhase.CLOSED
        """Where the day is: orders route in the regular session (extended-hours ones in
        pre-market and after-hours too) and wait for it otherwise."""
        self._account_types: dict[str, AccountType] = {}
        self._handlers: dict[type[Message], _Handler] = {
            PlaceOrder: self._place,
            CancelCustomerOrder: self._cancel,
            ReplaceCustomerOrder: self._replace,
            QuoteUpdated: self._on_quote,
            TradePrinted: self._on_trade,
            TradingStatusChanged: self._on_status,
            DepthUpdated: self._on_depth,
            StartBrokerDay: self._start_day,
            EndBrokerDay: self._end_day,
            SetSessionPhase: self._set_phase,
            IssueApiKey: self._access,
            RevokeApiKey: self._access,
        }
        for report in EXECUTION_REPORTS:
            self._handlers[report] = self._on_report
        for command in _LEDGER_COMMANDS:
            self._handlers[command] = self._to_ledger
        for admin in ADMIN_HANDLERS:
            self._handlers[admin] = self._admin
        self.funding = FundingDesk(ledger, self.open_orders)
        self._handlers.update(self.funding.handlers())
        for onboarding in ONBOARDING_COMMANDS:
            self._handlers[onboarding] = self._onboard
        self.blocks = BlockDesk(self)
        """Account groups and block orders (docs/adr/0023-block-orders.md)."""
        self._handlers.update(self.blocks.handlers())
        self.rebalancing = RebalancingDesk(
            ledger, lambda: self.risk, lambda: self.market, self.oms.order, self.open_orders,
            lambda: self.open and self.phase is SessionPhase.REGULAR, self._place, self._cancel,
        )  # fmt: skip
        self._handlers.update(self.rebalancing.handlers())

    # --- Core ----------------------------------------------------------------------------

    def handle(self, command: Message, ts_ns: int) -> list[Event]:
        """Apply one input and return the events it caused, in order."""
        handler = self._handlers.get(type(command))
        if handler is None:
            return [
                BrokerCommandRejected(
                    type(command).__name__,
                    "",
                    RejectCode.MALFORMED,
                    "The broker core does not take this input",
                    ts_ns,
                )
            ]
        events = handler(command, ts_ns)
        if self.blocks.book.waiting:
            # Any input may finish a block's parent (a fill, a cancel, the close, a kill
            # switch): its allocation is booked in the same input.
            try:
                events.extend(self.blocks.settle(ts_ns))
            except BlockBooksError as exc:
                raise BrokerInvariantError(str(exc)) from exc
        if self.rebalancing.busy:
            # A fill, a cancel or the day's end may have finished a run's orders.
            events.extend(self.rebalancing.follow(ts_ns))
        return events

    def snapshot(self) -> bytes:
        """Canonical bytes of the whole state, the ledger and the router's included."""
        plain = [
            SNAPSHOT_VERSION,
            self.date,
            self.open,
            self.oms.book.to_plain(),
            self.risk.state.to_plain(),
            self.market.to_plain(),
            self.router.snapshot(),
            self.ledger.snapshot(),
            self.access.to_plain(),
            self.funding.book.to_plain(),
            self.onboarding.state.to_plain(),
            self.phase.value,
            self.blocks.to_plain(),
            self.rebalancing.book.to_plain(),
        ]
        data: bytes = msgpack.packb(plain, use_bin_type=True)
        return data

    def restore(self, data: bytes) -> None:
        """Replace the whole state with a snapshot's."""
        version, date, is_open, book, risk, market, router, ledger, *more = msgpack.unpackb(
            data, raw=False, strict_map_key=False
        )
        if version != SNAPSHOT_VERSION:
            raise ValueError(f"broker snapshot version {version} is not {SNAPSHOT_VERSION}")
        self.date, self.open = date, is_open
        self.oms.restore(OmsBook.from_plain(book))
        self.risk.state = RiskState.from_plain(risk)
        self.market = MarketView.from_plain(market)
        self.router.restore(router)
        self.ledger.restore(ledger)
        # Snapshots taken before keys were facts of this core have no registry.
        self.access = AccessRegistry.from_plain(more[0] if more else [])
        self.funding.book = FundingBook.from_plain(more[1]) if len(more) > 1 else FundingBook()
        self.onboarding.state = OnboardingState.from_plain(more[2] if len(more) > 2 else [])
        self.phase = SessionPhase(more[3]) if len(more) > 3 else SessionPhase.CLOSED
        self.blocks = BlockDesk(self)
        if len(more) > 4:
            self.blocks.restore(more[4])
        self._handlers.update(self.blocks.handlers())
        self.rebalancing.restore(RebalancingBook.from_plain(more[5] if len(more) > 5 else []))

    def state_hash(self) -> str:
        """sha256 of the snapshot."""
        return hashlib.sha256(self.snapshot()).hexdigest()

    # --- queries -------------------------------------------------------------------------

    def order(self, order_id: str) -> Parent | None:
        """One customer order (done or not)."""
        return self.oms.order(order_id)

    def open_orders(self, account: str) -> list[Parent]:
        """An account's working orders."""
        return self.oms.open_orders(account)

    # --- customer commands ---------------------------------------------------------------

    def _place(self, cmd: PlaceOrder, ts: int) -> list[Event]:
        refusal = (
            check_place(cmd)
            or self.oms.check_new(cmd)
            or self.accepting(cmd)
            or _not_average_price(cmd.account)
        )
        if refusal is not None:
            return [_rejected(cmd, cmd.order_id, cmd.client_order_id, refusal, ts)]
        values = self.account_values(cmd.account)
        if isinstance(values, tuple):
            return [_rejected(cmd, cmd.order_id, cmd.client_order_id, values, ts)]
        market = self.market.facts(cmd.symbol)
        parents = self.oms.build(cmd, 0, market.last)
        primary = parents[0]
        ticket = ticket_for(primary, cmd.quantity, cmd.limit_price, cmd.stop_price, market.last)
        facts = account_facts(
            self.ledger, self.risk, values, cmd.symbol, self.oms.book.open_orders(cmd.account),
            blocks_reserved=self.blocks.reserved(cmd.account),
        )  # fmt: skip
        verdict = self.risk.check(ticket, facts, market, ts)
        if isinstance(verdict, tuple):
            return [_rejected(cmd, cmd.order_id, cmd.client_order_id, verdict, ts)]
        primary.reserve_price = verdict
        if not self.routes_now(cmd):
            # Outside its session the order waits at the broker (pending new, no children)
            # and goes to market when its session opens (:meth:`_set_phase`).
            self.risk.count_order(ticket, ts)
            return self.oms.place(parents, [], ts)
        plan = self.oms.route_first(parents, ts)
        if isinstance(plan, tuple):
            return [_rejected(cmd, cmd.order_id, cmd.client_order_id, plan, ts)]
        self.risk.count_order(ticket, ts)
        return self.oms.place(parents, plan, ts)

    def _cancel(self, cmd: CancelCustomerOrder, ts: int) -> list[Event]:
        found = self.oms.find(cmd.order_id, cmd.account)
        if isinstance(found, tuple):
            return [_rejected(cmd, cmd.order_id, "", found, ts)]
        return self.oms.cancel(found, ts)

    def _replace(self, cmd: ReplaceCustomerOrder, ts: int) -> list[Event]:
        found = self.oms.find(cmd.order_id, cmd.account)
        if isinstance(found, tuple):
            return [_rejected(cmd, cmd.order_id, "", found, ts)]
        # A block's parent keeps its id to the end (its fills are allocated by that id).
        fixed = _not_average_price(cmd.account)
        if fixed is not None:
            return [_rejected(cmd, cmd.order_id, found.client_order_id, fixed, ts)]
        parent = found
        terms = self.oms.check_replace(parent, cmd)
        if isinstance(terms, tuple):
            return [_rejected(cmd, cmd.order_id, parent.client_order_id, terms, ts)]
        new_id: object = cmd.new_order_id
        if not (type(new_id) is str and 0 < len(new_id) <= 48 and ":" not in new_id):
            no_id = RejectCode.INVALID_ID, "A replace needs the new order's id (new_order_id)"
            return [_rejected(cmd, cmd.order_id, parent.client_order_id, no_id, ts)]
        if new_id in self.oms.book.parents:
            used = RejectCode.DUPLICATE_ORDER_ID, f"Order id {new_id} is already used"
            return [_rejected(cmd, cmd.order_id, parent.client_order_id, used, ts)]
        refusal = self._trading_open()
        if refusal is not None:
            return [_rejected(cmd, cmd.order_id, parent.client_order_id, refusal, ts)]
        values = self.account_values(cmd.account)
        if isinstance(values, tuple):
            return [_rejected(cmd, cmd.order_id, parent.client_order_id, values, ts)]
        market = self.market.facts(parent.symbol)
        ticket = ticket_for(
            parent, terms.quantity - parent.cum_quantity, terms.limit_price, terms.stop_price,
            market.last,
        )  # fmt: skip
        ticket = _as_replace(ticket)
        exclude = frozenset(
            [parent.order_id, *(s.order_id for s in self.oms.book.siblings(parent))]
        )
        facts = account_facts(
            self.ledger, self.risk, values, parent.symbol,
            self.oms.book.open_orders(cmd.account), exclude,
            self.blocks.reserved(cmd.account),
        )  # fmt: skip
        verdict = self.risk.check(ticket, facts, market, ts)
        if isinstance(verdict, tuple):
            return [_rejected(cmd, cmd.order_id, parent.client_order_id, verdict, ts)]
        successor = self.oms.successor(parent, terms, new_id, cmd.new_client_order_id)
        successor.reserve_price = verdict
        self.risk.count_order(ticket, ts)
        return self.oms.replace(parent, terms, ts, successor)

    def accepting(self, cmd: PlaceOrder) -> Refusal | None:
        """Orders are taken at any hour once the firm has a business day (they wait for
        their session, as Alpaca's do), except those that must trade at once."""
        if not self.date:
            return RejectCode.MARKET_CLOSED, "The trading day has not started yet"
        if self.routes_now(cmd) or cmd.time_in_force not in _IMMEDIATE:
            return None
        return RejectCode.MARKET_CLOSED, "IOC and FOK orders need the market open"

    def routes_now(self, cmd: PlaceOrder) -> bool:
        if not self.open:
            return False
        if self.phase is SessionPhase.REGULAR:
            return True
        return bool(cmd.extended_hours) and self.phase in _EXTENDED

    def _trading_open(self) -> Refusal | None:
        if self.open:
            return None
        if self.date:
            return RejectCode.MARKET_CLOSED, "The trading day has ended; trade again tomorrow"
        return RejectCode.MARKET_CLOSED, "The trading day has not started yet"

    def account_values(self, account: str) -> AccountValues | Refusal:
        """The account's values, or why it cannot trade."""
        if not self.ledger.has_account(account):
            return RejectCode.UNKNOWN_ACCOUNT, f"Unknown account {account!r}"
        values = self.ledger.account_values(account)
        if values.status is AccountStatus.CLOSED:
            return RejectCode.ACCOUNT_CLOSED, f"Account {account} is closed"
        return values

    def _admit_held(self, parent: Parent, ts: int) -> Refusal | int:
        """Pre-trade risk for an order the broker held, as it goes to market: the order as it
        will be sent (a triggered stop is a market or limit order now), the account's values
        from the ledger and the NBBO now. Its own reservation and its OCO siblings' (only one
        of them can fill) are left out of the working orders it is checked against."""
        if parent.account == AVERAGE_PRICE_ACCOUNT:
            return self.blocks.admit_held(parent)
        values = self.account_values(parent.account)
        if isinstance(values, tuple):
            return values
        book = self.oms.book
        exclude = frozenset([parent.order_id, *(s.order_id for s in book.siblings(parent))])
        facts = account_facts(
            self.ledger, self.risk, values, parent.symbol,
            book.open_orders(parent.account), exclude,
            self.blocks.reserved(parent.account),
        )  # fmt: skip
        market = self.market.facts(parent.symbol)
        return self.risk.check_held(held_ticket(parent), facts, market, ts)

    # --- venue reports and fills ---------------------------------------------------------

    def _on_report(self, report: Any, ts: int) -> list[Event]:
        try:
            return self.oms.on_report(report, ts)
        except BrokenInvariant as exc:
            raise BrokerInvariantError(str(exc)) from exc

    def _post(self, fill: ParentFilled, ts: int) -> list[Event]:
        if fill.account == AVERAGE_PRICE_ACCOUNT:
            # A block's street fill: booked to the average-price account now, allocated to
            # the group's accounts when the parent is done (BlockDesk.settle).
            self.blocks.on_fill(fill.order_id, fill.last_quantity, fill.last_price)
            record = RecordExecution(
                fill.account, fill.execution_id, fill.symbol, fill.side, fill.last_quantity,
                fill.last_price, self.date, fill.order_id,
            )  # fmt: skip
            posted = self.ledger.handle(record, ts)
            if any(type(event) is LedgerRejected for event in posted):
                raise BrokerInvariantError(f"the books refused a block fill: {posted!r}")
            return posted
        return self.book_execution(
            fill.account, fill.execution_id, fill.symbol, fill.side, fill.last_quantity,
            fill.last_price, fill.order_id, ts,
        )  # fmt: skip

    def book_execution(
        self, account: str, execution_id: str, symbol: str, side: Side, quantity: int,
        price: int, order_id: str, ts: int,
    ) -> list[Event]:  # fmt: skip
        """Book one execution of a customer account (a fill, or its share of a block) and
        let risk count it (day trades, cash-account rules, the daily loss)."""
        account_type = self._account_type(account)
        settled = 0
        if account_type is AccountType.CASH:
            before = self.ledger.account_values(account)
            settled = before.settled_cash + before.held_cash
        view = self.ledger.position(account, symbol)
        position_before = view.quantity if view is not None else 0
        record = RecordExecution(
            account, execution_id, symbol, side, quantity, price, self.date, order_id
        )
        posted = self.ledger.handle(record, ts)
        booked = None
        for event in posted:
            if type(event) is LedgerRejected:
                raise BrokerInvariantError(f"the books refused a fill: {event!r}")
            if type(event) is ExecutionRecorded:
                booked = event
        assert booked is not None
        execution = (account, symbol, side, quantity, booked.net_amount)
        posted.extend(
            self.risk.on_execution(
                order_id,
                account_type,
                execution,
                settled,
                position_before,
                (booked.trade_date, booked.settlement_date),
                ts,
            )
        )
        if self.risk.loss_limited(account):
            day_pnl = self.ledger.account_values(account).day_pnl
            posted.extend(self.risk.check_daily_loss(account, day_pnl, ts))
        return posted

    def _account_type(self, account: str) -> AccountType:
        """Cash or margin (fixed at opening, so remembered rather than valued every fill)."""
        known = self._account_types.get(account)
        if known is None:
            known = self.ledger.account_values(account).account_type
            self._account_types[account] = known
        return known

    # --- market data ---------------------------------------------------------------------

    def _on_quote(self, event: QuoteUpdated, ts: int) -> list[Event]:
        if self.market.on_quote(event):
            self.router.observe(event)
        return []

    def _on_depth(self, event: DepthUpdated, ts: int) -> list[Event]:
        self.router.observe(event)
        return []

    def _on_status(self, event: TradingStatusChanged, ts: int) -> list[Event]:
        if self.market.on_status(event):
            self.router.observe(event)
        return []

    def _on_trade(self, event: TradePrinted, ts: int) -> list[Event]:
        if not self.market.on_trade(event):
            return []
        self.router.observe(event)
        symbol, price = event.symbol, event.price
        out = self.ledger.handle(UpdateMark(symbol, price), ts)
        out.extend(self._daily_losses(symbol, ts))
        out.extend(self.oms.on_trade(symbol, price, ts))
        return out

    def _daily_losses(self, symbol: str, ts: int) -> list[Event]:
        risk = self.risk
        state = risk.state
        if state.firm.limits.max_daily_loss:
            accounts = [p.account for p in self.ledger.positions_in(symbol)]
        else:
            limited = [a for a, x in state.account_limits.items() if x.max_daily_loss]
            accounts = [a for a in limited if self.ledger.position(a, symbol) is not None]
        out: list[Event] = []
        for account in accounts:
            if risk.loss_limited(account):
                day_pnl = self.ledger.account_values(account).day_pnl
                out.extend(risk.check_daily_loss(account, day_pnl, ts))
        return out

    # --- the day and administration ------------------------------------------------------

    def _start_day(self, cmd: StartBrokerDay, ts: int) -> list[Event]:
        date: object = cmd.date
        if type(date) is not int or date <= self.date:
            return [
                _admin_rejected(
                    cmd, RejectCode.INVALID_DATE, f"date {date!r} after {self.date}", ts
                )
            ]
        started = self.ledger.handle(StartBusinessDay(date), ts)
        if any(type(e) is LedgerRejected for e in started):
            return [
                _admin_rejected(cmd, RejectCode.INVALID_DATE, f"{date} is not a business day", ts)
            ]
        out = started + self.ledger.handle(SettleDue(date), ts)
        out.extend(self.risk.start_day(date, ts))
        self.date, self.open = date, True
        out.append(BrokerDayStarted(date, ts))
        if not cmd.pre_market:
            # A day without a pre-market (a test or a backtest): the session opens at once.
            self.phase = SessionPhase.REGULAR
            out.extend(self.oms.start_day(ts))
        else:
            self.phase = SessionPhase.PRE_MARKET
            out.append(SessionPhaseChanged(date, self.phase, ts))
            out.extend(self.oms.open_session(ts, extended_only=True))
        return out

    def _set_phase(self, cmd: SetSessionPhase, ts: int) -> list[Event]:
        """The open (waiting orders and carried GTC orders go to market) or the regular
        close (regular-session DAY orders expire, GTC orders come off the venues)."""
        phase: object = cmd.phase
        moves = {SessionPhase.PRE_MARKET: SessionPhase.REGULAR,
                 SessionPhase.REGULAR: SessionPhase.AFTER_HOURS}  # fmt: skip
        if cmd.date != self.date or not self.open or moves.get(self.phase) is not phase:
            text = f"{phase!r} does not follow {self.phase.value} on {self.date}"
            return [_admin_rejected(cmd, RejectCode.INVALID_DATE, text, ts)]
        self.phase = cmd.phase
        out: list[Event] = [SessionPhaseChanged(self.date, self.phase, ts)]
        if self.phase is SessionPhase.REGULAR:
            out.extend(self.oms.open_session(ts, extended_only=False))
        else:
            out.extend(self.oms.end_day(ts, extended_too=False))
        return out

    def _end_day(self, cmd: EndBrokerDay, ts: int) -> list[Event]:
        if cmd.date != self.date or not self.open:
            return [
                _admin_rejected(cmd, RejectCode.INVALID_DATE, f"the open day is {self.date}", ts)
            ]
        out = self.oms.end_day(ts)
        self.open = False
        self.phase = SessionPhase.CLOSED
        out.append(SessionPhaseChanged(self.date, self.phase, ts))
        out.append(BrokerDayEnded(self.date, ts))
        return out

    def _to_ledger(self, command: Any, ts: int) -> list[Event]:
        return self.ledger.handle(command, ts)

    def _onboard(self, command: Any, ts: int) -> list[Event]:
        try:
            return self.onboarding.handle(command, ts, LedgerBooks(self.ledger))
        except BrokenBooks as exc:
            raise BrokerInvariantError(str(exc)) from exc

    def _access(self, command: Any, ts: int) -> list[Event]:
        if isinstance(command, IssueApiKey):
            result = self.access.issue(command, ts, self.ledger.has_account)
        else:
            result = self.access.revoke(command, ts)
        if isinstance(result, tuple):
            return [_admin_rejected(command, result[0], result[1], ts)]
        return result

    def _admin(self, command: Any, ts: int) -> list[Event]:
        if isinstance(command, ConfigureAccount) and not self.ledger.has_account(command.account):
            refusal = RejectCode.UNKNOWN_ACCOUNT, f"Unknown account {command.account!r}"
            return [_admin_rejected(command, *refusal, ts)]
        result = ADMIN_HANDLERS[type(command)](self.risk.state, command, ts)
        if isinstance(result, tuple):
            return [_admin_rejected(command, result[0], result[1], ts)]
        if isinstance(command, SetKillSwitch) and command.engaged:
            scope = command.scope
            account = command.account if scope is KillSwitchScope.ACCOUNT else None
            symbol = command.symbol if scope is KillSwitchScope.SYMBOL else ""
            reason = command.reason or "kill switch"
            result.extend(self.oms.cancel_all(account, ts, RejectCode.KILL_SWITCH, reason, symbol))
        return result


def _not_average_price(account: object) -> Refusal | None:
    """Customers' orders never go to the average-price account (it takes block parents only),
    and a block's parent is not replaced (cancel it and place another block)."""
    if account == AVERAGE_PRICE_ACCOUNT:
        return RejectCode.UNKNOWN_ACCOUNT, "The average-price account takes block orders only"
    if type(account) is str and account.startswith(STEP_OUT_PREFIX):
        return RejectCode.UNKNOWN_ACCOUNT, "A give-up account takes step-outs only"
    return None


def _rejected(
    command: Message, order_id: object, client_order_id: object, refusal: Refusal, ts: int
) -> CustomerOrderRejected:
    account: object = getattr(command, "account", "")
    return CustomerOrderRejected(
        _text(order_id),
        _text(client_order_id, MAX_CLIENT_ORDER_ID),
        _text(account),
        type(command).__name__,
        refusal[0],
        refusal[1],
        ts,
    )


def _admin_rejected(
    command: Message, code: RejectCode, message: str, ts: int
) -> BrokerCommandRejected:
    reference = (
        getattr(command, "account", "")
        or getattr(command, "symbol", "")
        or getattr(command, "key_id", "")
    )
    return BrokerCommandRejected(type(command).__name__, _text(reference), code, message, ts)


def _text(value: object, most: int = 64) -> str:
    """An id for a rejection, bounded (the input may be anything); a client order id keeps
    all of its up to 128 characters, so the client can match the refusal to its order."""
    return value[:most] if type(value) is str else repr(value)[:most]


def _as_replace(ticket: OrderTicket) -> OrderTicket:
    return dataclasses.replace(ticket, is_replace=True)

"""Rebalancing runs inside the broker core: planning, execution (sells, then buys),
outcomes, cancellation and drift checks. See :mod:`.rebalancing` for the statuses.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import replace

from directbroker.domain.broker_messages import (
    CancelCustomerOrder,
    CustomerOrderRejected,
    PlaceOrder,
)
from directbroker.domain.messages import Event, Message
from directbroker.domain.order_status import OrdStatus
from directbroker.domain.orders import OrderType, Side, TimeInForce
from directbroker.domain.portfolio_messages import ProposedOrder
from directbroker.domain.rebalancing_messages import (
    FROM_API,
    FROM_SYSTEM,
    REBALANCER_ACTOR,
    RUN_BUYS_IN_PROGRESS,
    RUN_CANCELED,
    RUN_CANCELED_MID_RUN,
    RUN_COMPLETED_ADJUSTED,
    RUN_COMPLETED_SUCCESS,
    RUN_DONE,
    RUN_ERROR,
    RUN_QUEUED,
    RUN_SELLS_IN_PROGRESS,
    CancelRebalanceRun,
    CheckRebalanceDrift,
    CreateRebalanceRun,
    ExecuteRebalanceRun,
    PlannedOrder,
    RebalanceRunUpdated,
    RebalancingRejected,
    Weight,
)
from directbroker.domain.rejects import RejectCode
from directbroker.engines.broker.exposure import account_buying_power
from directbroker.engines.broker.market import MarketView
from directbroker.engines.ledger import LedgerCore
from directbroker.engines.oms import Parent
from directbroker.engines.portfolio.models import (
    RebalancingBook,
    Refusal,
    check_id,
    check_run_type,
    check_weights,
    drift_conditions,
)
from directbroker.engines.portfolio.rebalance import drifted, plan_account
from directbroker.engines.risk import RiskEngine

NS_PER_DAY = 86_400 * 1_000_000_000
BPS = 10_000

Place = Callable[[PlaceOrder, int], list[Event]]
Cancel = Callable[[CancelCustomerOrder, int], list[Event]]


def derived_id(*parts: str) -> str:
    """A UUID-shaped id from a hash of ``parts`` (ids are inputs; this derives more of them)."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-4{digest[13:16]}-8{digest[17:20]}-{digest[20:32]}"


class RunDesk:
    """The run half of the rebalancing desk (the portfolio and subscription half is
    :class:`~directbroker.engines.broker.rebalancing.RebalancingDesk`, built on this)."""

    def __init__(
        self,
        ledger: LedgerCore,
        risk: Callable[[], RiskEngine],
        market: Callable[[], MarketView],
        orders: Callable[[str], Parent | None],
        open_orders: Callable[[str], list[Parent]],
        trading: Callable[[], bool],
        place: Place,
        cancel: Cancel,
    ) -> None:
        self.ledger = ledger
        self._risk = risk
        self._market = market
        self._order = orders
        self._open_orders = open_orders
        self._trading = trading
        self._place = place
        self._cancel = cancel
        self.book = RebalancingBook()
        self._moving: set[str] = set()

    def _account_refusal(self, account: object) -> Refusal | None:
        if type(account) is not str or not self.ledger.has_account(account):
            return RejectCode.UNKNOWN_ACCOUNT, f"account not found: {account!r}"
        return None

    def _create_run(self, cmd: CreateRebalanceRun, ts: int) -> list[Event]:
        refusal = (
            check_id(cmd.run_id, "run_id")
            or self._account_refusal(cmd.account)
            or check_run_type(cmd.run_type)
        )
        if refusal is None and self.book.used(cmd.run_id):
            refusal = RejectCode.DUPLICATE_REBALANCING_ID, f"{cmd.run_id} exists"
        subscription = self.book.subscription_of(cmd.account) if refusal is None else None
        weights: tuple[Weight, ...] = ()
        portfolio_id = ""
        if refusal is None and self.book.open_run(cmd.account) is not None:
            refusal = RejectCode.RUN_IN_PROGRESS, f"account {cmd.account} has a run open"
        elif refusal is None and cmd.weights:
            if subscription is not None:
                refusal = RejectCode.ALREADY_SUBSCRIBED, "a one-off run needs no subscription"
            else:
                refusal = check_weights(cmd.weights)
                weights = cmd.weights
        elif refusal is None:
            if subscription is None:
                refusal = RejectCode.NOT_SUBSCRIBED, "give weights or subscribe the account"
            else:
                portfolio_id = subscription.portfolio_id
                weights = self.book.portfolios[portfolio_id].weights
        if refusal is not None:
            return [rejected(cmd, cmd.run_id, refusal, ts)]
        initiated = (
            cmd.initiated_from if cmd.initiated_from in (FROM_API, FROM_SYSTEM) else FROM_API
        )
        return [
            self._plan(
                cmd.run_id,
                cmd.account,
                cmd.run_type,
                portfolio_id,
                weights,
                initiated,
                cmd.actor,
                ts,
            )
        ]

    def _prices(self, symbols: Iterable[str]) -> dict[str, int]:
        """A reference price per symbol: the last sale, else the NBBO midpoint."""
        market = self._market()
        prices: dict[str, int] = {}
        for symbol in symbols:
            facts = market.facts(symbol)
            if facts.last:
                prices[symbol] = facts.last
            elif facts.bid and facts.ask:
                prices[symbol] = (facts.bid + facts.ask) // 2
        return prices

    def _plan(
        self,
        run_id: str,
        account: str,
        run_type: str,
        portfolio_id: str,
        weights: tuple[Weight, ...],
        initiated: str,
        actor: str,
        ts: int,
    ) -> RebalanceRunUpdated:
        values = self.ledger.account_values(account)
        held = {p.symbol: p.quantity for p in self.ledger.positions(account) if p.quantity}
        symbols = set(held) | {symbol for kind, symbol, _ in weights if symbol}
        orders, skipped = plan_account(
            account, held, values.equity, values.cash, weights, self._prices(symbols), run_type
        )
        planned = tuple(_planned(order) for order in orders)
        run = RebalanceRunUpdated(
            run_id,
            account,
            run_type,
            portfolio_id,
            weights,
            initiated,
            RUN_QUEUED,
            "",
            planned,
            (),
            (),
            tuple(skipped),
            ts,
            0,
            0,
            actor,
            ts,
        )
        self.store(run)
        return run

    def _run(self, run_id: object) -> RebalanceRunUpdated | Refusal:
        run = self.book.runs.get(run_id) if type(run_id) is str else None
        if run is None:
            return RejectCode.UNKNOWN_RUN, f"run not found: {run_id!r}"
        return run

    def _execute(self, cmd: ExecuteRebalanceRun, ts: int) -> list[Event]:
        run = self._run(cmd.run_id)
        if isinstance(run, tuple):
            return [rejected(cmd, cmd.run_id, run, ts)]
        if run.status != RUN_QUEUED:
            return [rejected(cmd, cmd.run_id, (RejectCode.RUN_NOT_QUEUED, run.status), ts)]
        if not self._trading():
            refusal = RejectCode.MARKET_CLOSED, "runs execute in the regular session"
            return [rejected(cmd, cmd.run_id, refusal, ts)]
        out: list[Event] = []
        sells = [p for p in run.planned if p[1] != Side.BUY.value]
        run = self._send(replace(run, status=RUN_SELLS_IN_PROGRESS), sells, ts, out)
        return self._advance(run, ts, out)

    def _send(
        self, run: RebalanceRunUpdated, orders: list[PlannedOrder], ts: int, out: list[Event]
    ) -> RebalanceRunUpdated:
        """Place ``orders`` for the run's account; the refused ones go on the failed list."""
        order_ids = list(run.order_ids)
        failed = list(run.failed)
        for symbol, side, quantity, _ in orders:
            order_id = derived_id(run.run_id, str(len(order_ids) + len(failed)))
            command = PlaceOrder(
                order_id,
                f"rebalance-{order_id}",
                run.account,
                symbol,
                Side(side),
                OrderType.MARKET,
                quantity,
                time_in_force=TimeInForce.DAY,
                entered_by=REBALANCER_ACTOR,
            )
            events = self._place(command, ts)
            out.extend(events)
            refused = next((e for e in events if isinstance(e, CustomerOrderRejected)), None)
            if refused is None:
                order_ids.append(order_id)
            else:
                failed.append((symbol, side, quantity, refused.message))
        return replace(run, order_ids=tuple(order_ids), failed=tuple(failed), ts_ns=ts)

    def _buys(self, run: RebalanceRunUpdated) -> tuple[list[PlannedOrder], str]:
        """The planned buys, each cut to the cash the account has then (never on margin),
        priced as risk prices a market buy (the far side plus its buffer)."""
        values = self.ledger.account_values(run.account)
        risk = self._risk()
        cash = account_buying_power(
            self.ledger, risk, values, self._open_orders(run.account)
        ).non_marginable_buying_power
        buffer = risk.state.firm.market_buffer_bps
        market = self._market()
        buys: list[PlannedOrder] = []
        notes = ""
        for symbol, side, quantity, reference in run.planned:
            if side != Side.BUY.value:
                continue
            facts = market.facts(symbol)
            far = facts.ask or facts.last or reference
            padded = max(1, far * (BPS + buffer) // BPS)
            affordable = min(quantity, max(0, cash) // padded)
            if affordable < quantity:
                notes = "buys cut to the cash available"
            if affordable > 0:
                buys.append((symbol, side, affordable, reference))
                cash -= affordable * padded
        return buys, notes

    def _advance(self, run: RebalanceRunUpdated, ts: int, out: list[Event]) -> list[Event]:
        """Move a run on while its current side has nothing working."""
        while run.status in (RUN_SELLS_IN_PROGRESS, RUN_BUYS_IN_PROGRESS):
            if any(self._working(order_id) for order_id in run.order_ids):
                break
            if run.status == RUN_SELLS_IN_PROGRESS:
                buys, notes = self._buys(run)
                run = replace(run, status=RUN_BUYS_IN_PROGRESS, reason=_note(run.reason, notes))
                run = self._send(run, buys, ts, out)
            else:
                run = self._finish(run, ts)
                out.extend(self._rebalanced(run, ts))
        self.store(run)
        out.append(run)
        return out

    def _working(self, order_id: str) -> bool:
        order = self._order(order_id)
        return order is not None and not order.status.is_terminal

    def _finish(self, run: RebalanceRunUpdated, ts: int) -> RebalanceRunUpdated:
        orders = [o for o in (self._order(i) for i in run.order_ids) if o is not None]
        filled = sum(o.cum_quantity for o in orders)
        complete = all(o.status is OrdStatus.FILLED for o in orders)
        planned = {(p[0], p[1]): p[2] for p in run.planned}
        sent = {(o.symbol, o.side.value): o.quantity for o in orders}
        if run.planned and not filled:
            status = RUN_ERROR
        elif complete and not run.failed and sent == planned:
            status = RUN_COMPLETED_SUCCESS
        else:
            status = RUN_COMPLETED_ADJUSTED
        reason = run.reason
        if run.failed:
            reason = _note(reason, f"{len(run.failed)} orders refused")
        if not complete:
            reason = _note(reason, "some orders did not fill in full")
        if status == RUN_ERROR and not reason:
            reason = "no order filled"
        return replace(run, status=status, reason=reason, completed_ns=ts, ts_ns=ts)

    def _rebalanced(self, run: RebalanceRunUpdated, ts: int) -> list[Event]:
        """Note the time on the account's subscription (its cooldown starts now)."""
        subscription = self.book.subscription_of(run.account)
        if subscription is None or subscription.portfolio_id != run.portfolio_id:
            return []
        record = replace(subscription, last_rebalanced_ns=ts, ts_ns=ts)
        self.book.subscriptions[record.subscription_id] = record
        return [record]

    def _cancel_run(self, cmd: CancelRebalanceRun, ts: int) -> list[Event]:
        run = self._run(cmd.run_id)
        if isinstance(run, tuple):
            return [rejected(cmd, cmd.run_id, run, ts)]
        if run.status in RUN_DONE:
            return [rejected(cmd, cmd.run_id, (RejectCode.RUN_NOT_CANCELABLE, run.status), ts)]
        out: list[Event] = []
        status = RUN_CANCELED if run.status == RUN_QUEUED else RUN_CANCELED_MID_RUN
        for order_id in run.order_ids:
            if self._working(order_id):
                out.extend(self._cancel(CancelCustomerOrder(order_id, run.account), ts))
        run = replace(run, status=status, canceled_ns=ts, actor=cmd.actor, ts_ns=ts)
        self.store(run)
        out.append(run)
        return out

    def _check_drift(self, cmd: CheckRebalanceDrift, ts: int) -> list[Event]:
        if type(cmd.seed) is not str or not 0 < len(cmd.seed) <= 64:
            return [rejected(cmd, "", (RejectCode.INVALID_ID, "seed must be 1 to 64 chars"), ts)]
        out: list[Event] = []
        for _, subscription in sorted(self.book.subscriptions.items()):
            portfolio = self.book.portfolios.get(subscription.portfolio_id)
            if not subscription.active or portfolio is None:
                continue
            bands = drift_conditions(portfolio)
            cooled = subscription.last_rebalanced_ns + portfolio.cooldown_days * NS_PER_DAY
            account = subscription.account
            if not bands or ts < cooled or self.book.open_run(account) is not None:
                continue
            values = self.ledger.account_values(account)
            market_values = {p.symbol: p.market_value for p in self.ledger.positions(account)}
            if not drifted(market_values, values.equity, portfolio.weights, bands):
                continue
            run_id = derived_id(cmd.seed, subscription.subscription_id)
            if self.book.used(run_id):
                continue
            out.append(
                self._plan(
                    run_id,
                    account,
                    "full_rebalance",
                    portfolio.portfolio_id,
                    portfolio.weights,
                    FROM_SYSTEM,
                    cmd.actor,
                    ts,
                )
            )
        return out

    # --- following the orders ------------------------------------------------------------------

    def store(self, run: RebalanceRunUpdated) -> None:
        """Keep a run's latest record (and whether it has orders out)."""
        self.book.runs[run.run_id] = run
        if run.status in _MOVING:
            self._moving.add(run.run_id)
        else:
            self._moving.discard(run.run_id)

    def restore(self, book: RebalancingBook) -> None:
        """Take a snapshot's book."""
        self.book = book
        self._moving = {r.run_id for r in book.runs.values() if r.status in _MOVING}

    @property
    def busy(self) -> bool:
        """Whether any run has orders out (the core calls :meth:`follow` only then)."""
        return bool(self._moving)

    def follow(self, ts: int) -> list[Event]:
        """Move on every run in progress whose current orders are all done."""
        out: list[Event] = []
        for run_id in sorted(self._moving):
            run = self.book.runs[run_id]
            if any(self._working(order_id) for order_id in run.order_ids):
                continue
            self._advance(run, ts, out)
        return out


NO_REASON: Refusal = (RejectCode.MALFORMED, "refused")
"""A refusal for a branch the checks before it make unreachable (keeps the types total)."""
_MOVING = (RUN_SELLS_IN_PROGRESS, RUN_BUYS_IN_PROGRESS)


def _planned(order: ProposedOrder) -> PlannedOrder:
    return order.symbol, order.side.value, order.quantity, order.reference_price


def _note(reason: str, note: str) -> str:
    if not note or note in reason:
        return reason
    return f"{reason}; {note}" if reason else note


def rejected(command: Message, reference: object, refusal: Refusal, ts: int) -> Event:
    """The one event a refused rebalancing command causes (its reference bounded: the input
    may be anything)."""
    text = reference[:64] if type(reference) is str else repr(reference)[:64]
    return RebalancingRejected(type(command).__name__, text, refusal[0], refusal[1], ts)

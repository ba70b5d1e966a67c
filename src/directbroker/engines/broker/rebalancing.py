"""The broker core's rebalancing desk: model portfolios, subscriptions and runs joined to the
books and the order path.

A run goes through Alpaca's statuses:

1. ``QUEUED``: computed from the account's holdings, cash and the market now (the plan is on
   the record, for review); nothing is sent;
2. ``SELLS_IN_PROGRESS``: on :class:`ExecuteRebalanceRun` the sells go out as market DAY orders
   through :meth:`BrokerCore._place` (the same validation and pre-trade risk as a customer's);
3. ``BUYS_IN_PROGRESS``: once every sell is done, the buys go out, each cut to the cash then
   available (at the price risk reserves a market buy at), so a run never borrows;
4. ``COMPLETED_SUCCESS`` when everything was sent as planned and filled in full,
   ``COMPLETED_ADJUSTED`` when something was cut, refused or filled in part, ``ERROR`` when
   nothing filled; ``CANCELED`` (before any order) or ``CANCELED_MID_RUN``.

After every input the desk looks at the orders of runs in progress (:meth:`follow`), so a run
moves on in the same input that finished its last order. Order ids are derived from the run id
(a hash shaped as a UUID), so the same journal always makes the same orders.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from directbroker.domain.messages import Event, Message
from directbroker.domain.rebalancing_messages import (
    FROM_SYSTEM,
    PORTFOLIO_ACTIVE,
    PORTFOLIO_INACTIVE,
    CancelRebalanceRun,
    CheckRebalanceDrift,
    CreateModelPortfolio,
    CreateRebalanceRun,
    DeactivateModelPortfolio,
    ExecuteRebalanceRun,
    ModelPortfolioUpdated,
    SubscribeAccount,
    SubscriptionUpdated,
    UnsubscribeAccount,
    UpdateModelPortfolio,
)
from directbroker.domain.rejects import RejectCode
from directbroker.engines.broker.rebalancing_runs import (
    NO_REASON,
    RunDesk,
    derived_id,
    rejected,
)
from directbroker.engines.portfolio.models import (
    Refusal,
    check_id,
    check_portfolio_fields,
)

_Handler = Callable[[Any, int], list[Event]]


class RebalancingDesk(RunDesk):
    """Rebalancing inside the broker core (same thread, same journal, same snapshot)."""

    def handlers(self) -> dict[type[Message], _Handler]:
        """The broker core's dispatch entries for rebalancing."""
        return {
            CreateModelPortfolio: self._create_portfolio,
            UpdateModelPortfolio: self._update_portfolio,
            DeactivateModelPortfolio: self._deactivate_portfolio,
            SubscribeAccount: self._subscribe,
            UnsubscribeAccount: self._unsubscribe,
            CreateRebalanceRun: self._create_run,
            ExecuteRebalanceRun: self._execute,
            CancelRebalanceRun: self._cancel_run,
            CheckRebalanceDrift: self._check_drift,
        }

    # --- portfolios ----------------------------------------------------------------------------

    def _create_portfolio(self, cmd: CreateModelPortfolio, ts: int) -> list[Event]:
        refusal = check_id(cmd.portfolio_id, "portfolio_id") or check_portfolio_fields(
            cmd.name, cmd.description, cmd.weights, cmd.cooldown_days, cmd.conditions
        )
        if refusal is None and self.book.used(cmd.portfolio_id):
            refusal = RejectCode.DUPLICATE_REBALANCING_ID, f"{cmd.portfolio_id} exists"
        if refusal is not None:
            return [rejected(cmd, cmd.portfolio_id, refusal, ts)]
        record = ModelPortfolioUpdated(
            cmd.portfolio_id,
            cmd.name,
            cmd.description,
            PORTFOLIO_ACTIVE,
            cmd.weights,
            cmd.cooldown_days,
            cmd.conditions,
            ts,
            cmd.actor,
            ts,
        )
        self.book.portfolios[record.portfolio_id] = record
        return [record]

    def _update_portfolio(self, cmd: UpdateModelPortfolio, ts: int) -> list[Event]:
        held = self.book.portfolios.get(cmd.portfolio_id) if type(cmd.portfolio_id) is str else None
        if held is None:
            unknown = RejectCode.UNKNOWN_PORTFOLIO, f"portfolio not found: {cmd.portfolio_id!r}"
            return [rejected(cmd, cmd.portfolio_id, unknown, ts)]
        record = replace(
            held,
            name=held.name if cmd.name is None else cmd.name,
            description=held.description if cmd.description is None else cmd.description,
            weights=held.weights if cmd.weights is None else cmd.weights,
            cooldown_days=held.cooldown_days if cmd.cooldown_days is None else cmd.cooldown_days,
            conditions=held.conditions if cmd.conditions is None else cmd.conditions,
            actor=cmd.actor,
            ts_ns=ts,
        )
        refusal = check_portfolio_fields(
            record.name,
            record.description,
            record.weights,
            record.cooldown_days,
            record.conditions,
        )
        if refusal is None and held.status != PORTFOLIO_ACTIVE:
            refusal = RejectCode.PORTFOLIO_INACTIVE, "an inactive portfolio cannot change"
        if refusal is not None:
            return [rejected(cmd, cmd.portfolio_id, refusal, ts)]
        self.book.portfolios[record.portfolio_id] = record
        out: list[Event] = [record]
        if record.weights != held.weights:
            # New weights: every subscribed account is rebalanced to them (as Alpaca does),
            # by a system run whose id derives from the portfolio and the time of the change.
            for _, sub in sorted(self.book.subscriptions.items()):
                following = sub.active and sub.portfolio_id == record.portfolio_id
                if not following or self.book.open_run(sub.account) is not None:
                    continue
                run_id = derived_id(record.portfolio_id, str(ts), sub.subscription_id)
                run = self._plan(
                    run_id, sub.account, "full_rebalance", record.portfolio_id, record.weights,
                    FROM_SYSTEM, cmd.actor, ts,
                )  # fmt: skip
                out.append(run)
        return out

    def _deactivate_portfolio(self, cmd: DeactivateModelPortfolio, ts: int) -> list[Event]:
        held = self.book.portfolios.get(cmd.portfolio_id) if type(cmd.portfolio_id) is str else None
        refusal: Refusal | None = None
        if held is None:
            refusal = RejectCode.UNKNOWN_PORTFOLIO, f"portfolio not found: {cmd.portfolio_id!r}"
        elif any(
            s.active and s.portfolio_id == held.portfolio_id
            for s in self.book.subscriptions.values()
        ):
            refusal = RejectCode.PORTFOLIO_IN_USE, "unsubscribe its accounts first"
        if refusal is not None or held is None:
            return [rejected(cmd, cmd.portfolio_id, refusal or NO_REASON, ts)]
        record = replace(held, status=PORTFOLIO_INACTIVE, actor=cmd.actor, ts_ns=ts)
        self.book.portfolios[record.portfolio_id] = record
        return [record]

    # --- subscriptions -------------------------------------------------------------------------

    def _subscribe(self, cmd: SubscribeAccount, ts: int) -> list[Event]:
        refusal = (
            check_id(cmd.subscription_id, "subscription_id")
            or check_id(cmd.run_id, "run_id")
            or self._account_refusal(cmd.account)
        )
        portfolio = self.book.portfolios.get(cmd.portfolio_id) if refusal is None else None
        if refusal is None:
            if self.book.used(cmd.subscription_id) or self.book.used(cmd.run_id):
                refusal = RejectCode.DUPLICATE_REBALANCING_ID, f"{cmd.subscription_id} exists"
            elif portfolio is None:
                refusal = RejectCode.UNKNOWN_PORTFOLIO, f"portfolio not found: {cmd.portfolio_id}"
            elif portfolio.status != PORTFOLIO_ACTIVE:
                refusal = RejectCode.PORTFOLIO_INACTIVE, "subscribe to an active portfolio"
            elif self.book.subscription_of(cmd.account) is not None:
                refusal = RejectCode.ALREADY_SUBSCRIBED, f"account {cmd.account} is subscribed"
            elif self.book.open_run(cmd.account) is not None:
                refusal = RejectCode.RUN_IN_PROGRESS, f"account {cmd.account} has a run open"
        if refusal is not None or portfolio is None:
            return [rejected(cmd, cmd.subscription_id, refusal or NO_REASON, ts)]
        subscription = SubscriptionUpdated(
            cmd.subscription_id, cmd.account, portfolio.portfolio_id, True, ts, 0, cmd.actor, ts
        )
        self.book.subscriptions[subscription.subscription_id] = subscription
        # Alpaca rebalances a newly subscribed account at once (a run from the system).
        run = self._plan(
            cmd.run_id,
            cmd.account,
            "full_rebalance",
            portfolio.portfolio_id,
            portfolio.weights,
            FROM_SYSTEM,
            cmd.actor,
            ts,
        )
        return [subscription, run]

    def _unsubscribe(self, cmd: UnsubscribeAccount, ts: int) -> list[Event]:
        held = self.book.subscriptions.get(cmd.subscription_id)
        if held is None or not held.active:
            refusal = (
                RejectCode.UNKNOWN_SUBSCRIPTION,
                f"subscription not found: {cmd.subscription_id!r}",
            )
            return [rejected(cmd, cmd.subscription_id, refusal, ts)]
        record = replace(held, active=False, actor=cmd.actor, ts_ns=ts)
        self.book.subscriptions[record.subscription_id] = record
        return [record]

    # --- runs ----------------------------------------------------------------------------------

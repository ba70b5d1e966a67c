"""Rebalancing's read models: portfolios, subscriptions and runs as the Broker API shows them.

Fed only by committed broker batches (rebuilt from the journal at start-up, then live through
the edge feed), never from the core's state. Each record is the latest event about it.
"""

from __future__ import annotations

from collections.abc import Sequence

from directbroker.domain.ledger_messages import AccountOpened
from directbroker.domain.rebalancing_messages import (
    ModelPortfolioUpdated,
    RebalanceRunUpdated,
    SubscriptionUpdated,
)
from directbroker.runtime.sequencer import Outcome


class RebalancingViews:
    """Portfolios, subscriptions and runs by id."""

    def __init__(self) -> None:
        self.accounts: set[str] = set()
        self.portfolios: dict[str, ModelPortfolioUpdated] = {}
        self.subscriptions: dict[str, SubscriptionUpdated] = {}
        self.runs: dict[str, RebalanceRunUpdated] = {}

    def apply(self, outcomes: Sequence[Outcome]) -> None:
        """Follow one committed broker batch."""
        for outcome in outcomes:
            if outcome.duplicate:
                continue
            for event in outcome.events:
                kind = type(event)
                if kind is RebalanceRunUpdated:
                    assert isinstance(event, RebalanceRunUpdated)
                    self.runs[event.run_id] = event
                elif kind is ModelPortfolioUpdated:
                    assert isinstance(event, ModelPortfolioUpdated)
                    self.portfolios[event.portfolio_id] = event
                elif kind is SubscriptionUpdated:
                    assert isinstance(event, SubscriptionUpdated)
                    self.subscriptions[event.subscription_id] = event
                elif kind is AccountOpened:
                    assert isinstance(event, AccountOpened)
                    self.accounts.add(event.account)

    def portfolio_list(self) -> list[ModelPortfolioUpdated]:
        """Every portfolio, oldest first."""
        return sorted(self.portfolios.values(), key=lambda p: (p.created_ns, p.portfolio_id))

    def subscription_list(self) -> list[SubscriptionUpdated]:
        """Active subscriptions, oldest first."""
        chosen = [s for s in self.subscriptions.values() if s.active]
        return sorted(chosen, key=lambda s: (s.created_ns, s.subscription_id))

    def run_list(self) -> list[RebalanceRunUpdated]:
        """Every run, newest first."""
        return sorted(self.runs.values(), key=lambda r: (r.created_ns, r.run_id), reverse=True)

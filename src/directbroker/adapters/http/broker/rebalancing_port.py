"""The rebalancing family's port: model portfolios, subscriptions and runs.

Commands are answered once durable (a refusal raises
:class:`~directbroker.adapters.http.ports.PortRejection` with its reject code); queries come
from read models fed by committed events, never from a core.
"""

from __future__ import annotations

from typing import Protocol

from directbroker.adapters.http.ports import OrderView
from directbroker.domain.rebalancing_messages import (
    CreateModelPortfolio,
    CreateRebalanceRun,
    ModelPortfolioUpdated,
    RebalanceRunUpdated,
    SubscribeAccount,
    SubscriptionUpdated,
    UpdateModelPortfolio,
)


class RebalancingPort(Protocol):
    """Portfolios, subscriptions, runs and the orders runs sent."""

    def has_account(self, account: str) -> bool:
        """Whether the account exists (as the read models know it)."""
        ...

    async def create_portfolio(self, command: CreateModelPortfolio) -> ModelPortfolioUpdated:
        """Define a portfolio."""
        ...

    async def update_portfolio(self, command: UpdateModelPortfolio) -> ModelPortfolioUpdated:
        """Change a portfolio."""
        ...

    async def deactivate_portfolio(self, portfolio_id: str, actor: str) -> None:
        """Make a portfolio inactive."""
        ...

    def portfolios(self) -> list[ModelPortfolioUpdated]:
        """Every portfolio, oldest first."""
        ...

    def portfolio(self, portfolio_id: str) -> ModelPortfolioUpdated | None:
        """One portfolio."""
        ...

    async def subscribe(self, command: SubscribeAccount) -> SubscriptionUpdated:
        """Subscribe an account (its first run is queued with it)."""
        ...

    async def unsubscribe(self, subscription_id: str, actor: str) -> None:
        """End a subscription."""
        ...

    def subscriptions(self) -> list[SubscriptionUpdated]:
        """Every active subscription, oldest first."""
        ...

    def subscription(self, subscription_id: str) -> SubscriptionUpdated | None:
        """One active subscription."""
        ...

    async def create_run(self, command: CreateRebalanceRun) -> RebalanceRunUpdated:
        """Compute a run (queued for review, then executed by the platform)."""
        ...

    async def cancel_run(self, run_id: str, actor: str) -> None:
        """Cancel a run."""
        ...

    def runs(self) -> list[RebalanceRunUpdated]:
        """Every run, newest first."""
        ...

    def run(self, run_id: str) -> RebalanceRunUpdated | None:
        """One run."""
        ...

    def order(self, order_id: str) -> OrderView | None:
        """An order a run sent, as the Trading API shows it."""
        ...

"""The Broker API's rebalancing port bound to the platform: commands through the bounded
command gate (answered once durable), queries from :class:`RebalancingViews` and, for the
orders a run sent, the orders read model."""

from __future__ import annotations

from typing import TypeVar

from directbroker.adapters.http.ports import OrderView, PortRejection
from directbroker.app.api_ports import CommandGate, EdgeModels
from directbroker.app.rebalancing_views import RebalancingViews
from directbroker.domain.messages import Command, Event
from directbroker.domain.rebalancing_messages import (
    CancelRebalanceRun,
    CreateModelPortfolio,
    CreateRebalanceRun,
    DeactivateModelPortfolio,
    ModelPortfolioUpdated,
    RebalanceRunUpdated,
    RebalancingRejected,
    SubscribeAccount,
    SubscriptionUpdated,
    UnsubscribeAccount,
    UpdateModelPortfolio,
)
from directbroker.domain.rejects import RejectCode

_E = TypeVar("_E", bound=Event)


class PlatformRebalancing:
    """:class:`~directbroker.adapters.http.broker.rebalancing_port.RebalancingPort` on the
    platform."""

    def __init__(self, gate: CommandGate, views: RebalancingViews, models: EdgeModels) -> None:
        self._gate = gate
        self._views = views
        self._models = models

    @property
    def _live(self) -> RebalancingViews:
        self._models.here()
        return self._views

    async def _submit(self, command: Command) -> tuple[Event, ...]:
        events = await self._gate.submit(command)
        for event in events:
            if isinstance(event, RebalancingRejected):
                raise PortRejection(event.code, event.message)
        return events

    def has_account(self, account: str) -> bool:
        """Whether the account was opened."""
        return account in self._live.accounts

    async def create_portfolio(self, command: CreateModelPortfolio) -> ModelPortfolioUpdated:
        """Define a portfolio."""
        return _one(await self._submit(command), ModelPortfolioUpdated)

    async def update_portfolio(self, command: UpdateModelPortfolio) -> ModelPortfolioUpdated:
        """Change a portfolio."""
        return _one(await self._submit(command), ModelPortfolioUpdated)

    async def deactivate_portfolio(self, portfolio_id: str, actor: str) -> None:
        """Make a portfolio inactive."""
        await self._submit(DeactivateModelPortfolio(portfolio_id, actor))

    def portfolios(self) -> list[ModelPortfolioUpdated]:
        """Every portfolio."""
        return self._live.portfolio_list()

    def portfolio(self, portfolio_id: str) -> ModelPortfolioUpdated | None:
        """One portfolio."""
        return self._live.portfolios.get(portfolio_id)

    async def subscribe(self, command: SubscribeAccount) -> SubscriptionUpdated:
        """Subscribe an account."""
        return _one(await self._submit(command), SubscriptionUpdated)

    async def unsubscribe(self, subscription_id: str, actor: str) -> None:
        """End a subscription."""
        await self._submit(UnsubscribeAccount(subscription_id, actor))

    def subscriptions(self) -> list[SubscriptionUpdated]:
        """Active subscriptions."""
        return self._live.subscription_list()

    def subscription(self, subscription_id: str) -> SubscriptionUpdated | None:
        """One active subscription."""
        found = self._live.subscriptions.get(subscription_id)
        return found if found is not None and found.active else None

    async def create_run(self, command: CreateRebalanceRun) -> RebalanceRunUpdated:
        """Compute a run."""
        return _one(await self._submit(command), RebalanceRunUpdated)

    async def cancel_run(self, run_id: str, actor: str) -> None:
        """Cancel a run."""
        await self._submit(CancelRebalanceRun(run_id, actor))

    def runs(self) -> list[RebalanceRunUpdated]:
        """Every run, newest first."""
        return self._live.run_list()

    def run(self, run_id: str) -> RebalanceRunUpdated | None:
        """One run."""
        return self._live.runs.get(run_id)

    def order(self, order_id: str) -> OrderView | None:
        """An order a run sent."""
        return self._models.orders.order(order_id)


def _one(events: tuple[Event, ...], kind: type[_E]) -> _E:
    for event in events:
        if isinstance(event, kind):
            return event
    raise PortRejection(RejectCode.MALFORMED, "the core did not answer as expected")

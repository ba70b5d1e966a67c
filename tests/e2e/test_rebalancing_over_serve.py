"""Model portfolios and rebalancing through alpaca-py's ``BrokerClient`` against
``directbroker serve`` (a subprocess with durable journals, a simulated market): three funded
accounts are brought to a model, two by subscribing (the system's first run) and one by a
one-off manual run, each within a stated tolerance; then the records survive a restart.

Tolerance: every asset's share of the account's equity ends within 3 percentage points of its
weight. Whole shares cost at most one share's price (well under 1% of $100,000 here); buys are
sized at the price risk reserves a market buy at (the far side plus 5%), which the model's 10%
cash absorbs; and the simulated market moves between the plan and the fills.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest

from tests.e2e.lifecycle import (
    admin_credential,
    config_file,
    fund,
    issue_customer_key,
    open_approved_account,
    quotes,
    serve,
    staff_client,
)
from tests.e2e.running import until

from alpaca.broker.enums import (  # isort: skip
    DriftBandSubType,
    RebalancingConditionsType,
    RunType,
    WeightType,
)
from alpaca.broker.requests import (  # isort: skip
    CreatePortfolioRequest,
    CreateRunRequest,
    CreateSubscriptionRequest,
    GetRunsRequest,
    RebalancingConditions,
    UpdatePortfolioRequest,
    Weight,
)

pytestmark = pytest.mark.timeout(600)

SYMBOLS = ("AAPL", "MSFT")
WEIGHTS = {"AAPL": Decimal(50), "MSFT": Decimal(40)}
CASH_WEIGHT = Decimal(10)
TOLERANCE = Decimal(3)
DONE = {"COMPLETED_SUCCESS", "COMPLETED_ADJUSTED"}


def _model() -> list[Weight]:
    return [
        Weight(type=WeightType.ASSET, symbol=symbol, percent=float(percent))
        for symbol, percent in WEIGHTS.items()
    ] + [Weight(type=WeightType.CASH, percent=float(CASH_WEIGHT))]


def _shares(broker: Any, account: str) -> dict[str, Decimal]:
    """Each asset's share of the account's equity, in percent."""
    equity = Decimal(str(broker.get_trade_account_by_id(account).equity))
    return {
        p.symbol: Decimal(str(p.market_value)) * 100 / equity
        for p in broker.get_all_positions_for_account(account)
    }


def test_a_rebalancing_run_brings_three_accounts_to_the_model(tmp_path: Path) -> None:
    data, config = tmp_path / "firm", config_file(tmp_path, simulate=True)
    with serve(data, config, tmp_path) as firm:
        broker = staff_client(firm, data)
        accounts = [open_approved_account(firm, data, broker) for _ in range(3)]
        for account in accounts:
            fund(broker, account, Decimal("100000.00"))
        key_id, secret = issue_customer_key(firm, data, accounts[0])
        quotes(firm, key_id, secret, SYMBOLS)

        drift = RebalancingConditions(
            type=RebalancingConditionsType.DRIFT_BAND, sub_type=DriftBandSubType.ABSOLUTE, percent=5
        )
        portfolio = broker.create_portfolio(
            CreatePortfolioRequest(
                name="Balanced", description="AAPL and MSFT with 10% cash", weights=_model(),
                cooldown_days=1, rebalance_conditions=[drift],
            )
        )  # fmt: skip
        assert portfolio.status.value == "active"
        assert {str(p.id) for p in broker.get_all_portfolios()} == {str(portfolio.id)}
        renamed = broker.update_portfolio_by_id(portfolio.id, UpdatePortfolioRequest(name="Core"))
        assert renamed.name == "Core" and len(renamed.weights) == 3

        subscriptions = [
            broker.create_subscription(
                CreateSubscriptionRequest(account_id=UUID(account), portfolio_id=portfolio.id)
            )
            for account in accounts[:2]
        ]
        assert {str(s.id) for s in broker.get_all_subscriptions()} == {
            str(s.id) for s in subscriptions
        }
        assert str(broker.get_subscription_by_id(subscriptions[0].id).account_id) == accounts[0]
        manual = broker.create_manual_run(
            CreateRunRequest(
                account_id=UUID(accounts[2]), type=RunType.FULL_REBALANCE, weights=_model()
            )
        )
        assert manual.status.value == "QUEUED"
        assert manual.orders is None

        def finished() -> list[Any] | None:
            runs = broker.get_all_runs()
            return runs if len(runs) == 3 and all(r.status.value in DONE for r in runs) else None

        runs = until(finished, "three runs to complete", 180)
        by_account = {str(r.account_id): r for r in runs}
        assert set(by_account) == set(accounts)
        for account in accounts:
            run = broker.get_run_by_id(by_account[account].id)
            assert run.orders and all(o.side.value == "buy" for o in run.orders), run
            shares = _shares(broker, account)
            for symbol, weight in WEIGHTS.items():
                assert abs(shares.get(symbol, Decimal(0)) - weight) <= TOLERANCE, (
                    account, symbol, shares,
                )  # fmt: skip
        assert {r.initiated_from.value for r in runs} == {"system", "api"}
        # The plan stays on the run for review (an extension of Alpaca's shape).
        raw = httpx.get(
            f"{firm.url}/v1/rebalancing/runs/{manual.id}", auth=admin_credential(data), timeout=30
        ).json()
        assert {p["symbol"] for p in raw["planned_orders"]} == set(SYMBOLS)
        listed = broker.get_all_runs(GetRunsRequest(account_id=UUID(accounts[2])))
        assert [str(r.id) for r in listed] == [str(manual.id)]

        # A one-off run for a subscribed account is refused; unsubscribe, then deactivate.
        with pytest.raises(Exception, match=r"409|subscri"):
            broker.create_manual_run(
                CreateRunRequest(account_id=UUID(accounts[0]), type=RunType.FULL_REBALANCE,
                                 weights=_model())
            )  # fmt: skip
        for subscription in subscriptions:
            broker.unsubscribe_account(subscription.id)
        broker.inactivate_portfolio_by_id(portfolio.id)
        assert broker.get_portfolio_by_id(portfolio.id).status.value == "inactive"
        run_ids = sorted(str(r.id) for r in runs)

    with serve(data, config, tmp_path) as firm:
        broker = staff_client(firm, data)
        assert sorted(str(r.id) for r in broker.get_all_runs()) == run_ids
        assert broker.get_all_subscriptions() == []
        # A run still in review is canceled before it sends anything.
        queued = broker.create_manual_run(
            CreateRunRequest(account_id=UUID(accounts[2]), type=RunType.FULL_REBALANCE,
                             weights=_model())
        )  # fmt: skip
        broker.cancel_run_by_id(queued.id)
        canceled = broker.get_run_by_id(queued.id)
        assert canceled.status.value == "CANCELED" and not canceled.orders, canceled


def test_the_platform_starts_a_run_when_an_account_drifts_out_of_its_band(tmp_path: Path) -> None:
    """A band of 0.01 points with no cooldown: whole shares and a moving market always leave
    it, so the platform's drift check (every second here) must start a system run after the
    subscription's first one completes."""
    data, config = tmp_path / "firm", config_file(tmp_path, simulate=True)
    config.write_text(config.read_text() + "[rebalancing]\ndrift_check_seconds = 1.0\n")
    with serve(data, config, tmp_path) as firm:
        broker = staff_client(firm, data)
        account = open_approved_account(firm, data, broker)
        fund(broker, account, Decimal("100000.00"))
        key_id, secret = issue_customer_key(firm, data, account)
        quotes(firm, key_id, secret, SYMBOLS)
        tight = RebalancingConditions(
            type=RebalancingConditionsType.DRIFT_BAND, sub_type=DriftBandSubType.ABSOLUTE,
            percent=0.01,
        )  # fmt: skip
        portfolio = broker.create_portfolio(
            CreatePortfolioRequest(
                name="Tight", description="", weights=_model(), cooldown_days=0,
                rebalance_conditions=[tight],
            )
        )  # fmt: skip
        subscription = broker.create_subscription(
            CreateSubscriptionRequest(account_id=UUID(account), portfolio_id=portfolio.id)
        )

        def drift_run() -> list[Any] | None:
            runs = broker.get_all_runs()
            done = [r for r in runs if r.status.value in DONE]
            return done if len(done) >= 2 else None

        runs = until(drift_run, "a drift-triggered run to complete", 180)
        assert all(r.initiated_from.value == "system" for r in runs)
        assert all(str(r.portfolio_id) == str(portfolio.id) for r in runs)
        rebalanced = broker.get_subscription_by_id(subscription.id).last_rebalanced_at
        assert rebalanced is not None

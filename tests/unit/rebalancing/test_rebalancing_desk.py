"""The broker core's rebalancing desk: a run's plan, its review state, sells before buys
through the normal order path, the outcome per account, drift-triggered runs, and replay."""

from __future__ import annotations

from directbroker.domain.accounts import AccountType
from directbroker.domain.broker_messages import PlaceOrder
from directbroker.domain.orders import OrderType, Side
from directbroker.domain.rebalancing_messages import (
    CancelRebalanceRun,
    CheckRebalanceDrift,
    CreateModelPortfolio,
    CreateRebalanceRun,
    DeactivateModelPortfolio,
    ExecuteRebalanceRun,
    RebalanceRunUpdated,
    RebalancingRejected,
    SubscribeAccount,
    UnsubscribeAccount,
    UpdateModelPortfolio,
)
from directbroker.domain.rejects import RejectCode
from directbroker.testing.broker_harness import BrokerHarness, dollars

MODEL = (("asset", "AAPL", 6_000), ("asset", "MSFT", 3_000), ("cash", "", 1_000))


def _market() -> BrokerHarness:
    h = BrokerHarness(symbols=(("AAPL", "100.00"), ("MSFT", "50.00")))
    h.quote("AAPL", "99.99", "100.01", size=100_000)
    h.quote("MSFT", "49.99", "50.01", size=100_000)
    h.print_trade("NSDQ", "AAPL", "100.00")
    h.print_trade("NSDQ", "MSFT", "50.00")
    return h


def _last_run(h: BrokerHarness, run_id: str) -> RebalanceRunUpdated:
    return [r for r in h.of_type(RebalanceRunUpdated) if r.run_id == run_id][-1]


def test_a_one_off_run_plans_then_sends_sells_before_buys_and_completes() -> None:
    h = _market()
    h.open_account("A1", "100000.00", AccountType.CASH)
    h.send(PlaceOrder("o1", "c1", "A1", "MSFT", Side.BUY, OrderType.MARKET, 1_000))
    events = h.send(CreateRebalanceRun("r1", "A1", "full_rebalance", MODEL))
    (run,) = h.of_type(RebalanceRunUpdated, events)
    assert run.status == "QUEUED" and run.order_ids == ()
    # Equity is about $100,000 less the spread paid: MSFT 1,000 held, target 30% = ~600.
    sides = [(symbol, side) for symbol, side, _, _ in run.planned]
    assert sides == [("MSFT", "sell"), ("AAPL", "buy")]
    events = h.send(ExecuteRebalanceRun("r1"))
    done = _last_run(h, "r1")
    assert done.status == "COMPLETED_SUCCESS", done
    placed = [m for m, _ in h.inputs if isinstance(m, PlaceOrder)]
    assert len(placed) == 1  # the run's orders are placed inside the core, not as inputs
    values = h.broker.ledger.account_values("A1")
    for symbol, weight in (("AAPL", 6_000), ("MSFT", 3_000)):
        position = h.broker.ledger.position("A1", symbol)
        assert position is not None
        share = position.market_value * 10_000 // values.equity
        assert abs(share - weight) <= 20, (symbol, share)


def test_queued_run_can_be_canceled_and_sends_nothing() -> None:
    h = _market()
    h.open_account("A1", "10000.00")
    h.send(CreateRebalanceRun("r1", "A1", "full_rebalance", MODEL))
    h.send(CancelRebalanceRun("r1", "staff"))
    assert _last_run(h, "r1").status == "CANCELED"
    (refused,) = h.of_type(RebalancingRejected, h.send(ExecuteRebalanceRun("r1")))
    assert refused.code is RejectCode.RUN_NOT_QUEUED
    assert h.broker.ledger.positions("A1") == []


def test_weights_must_sum_to_100_and_ids_are_unique() -> None:
    h = _market()
    h.open_account("A1", "10000.00")
    bad = (("asset", "AAPL", 6_000),)
    (refused,) = h.of_type(RebalancingRejected, h.send(CreateModelPortfolio("p", "n", "", bad, 0)))
    assert refused.code is RejectCode.INVALID_PORTFOLIO
    h.send(CreateModelPortfolio("p", "n", "", MODEL, 0))
    (dup,) = h.of_type(RebalancingRejected, h.send(CreateModelPortfolio("p", "n", "", MODEL, 0)))
    assert dup.code is RejectCode.DUPLICATE_REBALANCING_ID


def test_subscription_runs_at_once_then_drift_triggers_a_new_run_and_replay_matches() -> None:
    h = _market()
    h.open_account("A1", "100000.00")
    bands = (("drift_band", "absolute", 500),)
    h.send(CreateModelPortfolio("p", "Balanced", "", MODEL, 0, bands))
    h.send(SubscribeAccount("s1", "A1", "p", "r1", "staff"))
    first = _last_run(h, "r1")
    assert first.status == "QUEUED" and first.initiated_from == "system"
    h.send(ExecuteRebalanceRun("r1"))
    assert _last_run(h, "r1").status == "COMPLETED_SUCCESS"
    # In band: no run. Then AAPL doubles: 60% becomes about 75%, out of a 5-point band.
    assert h.of_type(RebalanceRunUpdated, h.send(CheckRebalanceDrift("tick-1"))) == []
    h.quote("AAPL", "199.99", "200.01", size=100_000)
    h.print_trade("NSDQ", "AAPL", "200.00")
    (drift,) = h.of_type(RebalanceRunUpdated, h.send(CheckRebalanceDrift("tick-2")))
    assert drift.status == "QUEUED" and drift.portfolio_id == "p"
    assert drift.planned[0][:2] == ("AAPL", "sell")
    (busy,) = h.of_type(RebalancingRejected, h.send(DeactivateModelPortfolio("p")))
    assert busy.code is RejectCode.PORTFOLIO_IN_USE
    h.send(UnsubscribeAccount("s1"))
    assert h.replay().state_hash() == h.broker.state_hash()
    restored = h.new_core()
    restored.restore(h.broker.snapshot())
    assert restored.state_hash() == h.broker.state_hash()


def test_buys_are_cut_to_the_cash_available() -> None:
    h = _market()
    h.open_account("A1", "10000.00", AccountType.CASH)
    all_in = (("asset", "AAPL", 10_000),)
    h.send(CreateRebalanceRun("r1", "A1", "full_rebalance", all_in))
    assert _last_run(h, "r1").planned == (("AAPL", "buy", 100, dollars("100.00")),)
    h.send(ExecuteRebalanceRun("r1"))
    run = _last_run(h, "r1")
    assert run.status == "COMPLETED_ADJUSTED" and "cut" in run.reason
    position = h.broker.ledger.position("A1", "AAPL")
    assert position is not None and 90 <= position.quantity < 100


def test_new_weights_queue_a_system_run_for_each_subscribed_account() -> None:
    h = _market()
    h.open_account("A1", "10000.00")
    h.open_account("A2", "10000.00")
    h.send(CreateModelPortfolio("p", "Balanced", "", MODEL, 0))
    for account in ("A1", "A2"):
        h.send(SubscribeAccount(f"s-{account}", account, "p", f"r-{account}", "staff"))
        h.send(ExecuteRebalanceRun(f"r-{account}"))
    assert h.of_type(RebalanceRunUpdated, h.send(UpdateModelPortfolio("p", name="x"))) == []
    tilted = (("asset", "AAPL", 9_000), ("cash", "", 1_000))
    runs = h.of_type(RebalanceRunUpdated, h.send(UpdateModelPortfolio("p", weights=tilted)))
    assert sorted(r.account for r in runs) == ["A1", "A2"]
    assert all(r.status == "QUEUED" and r.weights == tilted for r in runs)
    assert all(r.planned[0][:2] == ("MSFT", "sell") for r in runs)

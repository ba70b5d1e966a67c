"""Order groups and the day roll through real venues."""

from __future__ import annotations

from directbroker.domain.accounts import AccountType
from directbroker.domain.broker_messages import (
    CashAccountViolationRecorded,
    CustomerOrderRejected,
    EndBrokerDay,
    PlaceOrder,
    StartBrokerDay,
)
from directbroker.domain.order_status import CashViolation, OrderClass, OrdStatus
from directbroker.domain.orders import OrderType, Side, TimeInForce
from directbroker.domain.rejects import RejectCode
from directbroker.testing.broker_harness import BrokerHarness, dollars


def status(h: BrokerHarness, order_id: str) -> OrdStatus:
    order = h.broker.order(order_id)
    assert order is not None
    return order.status


def test_a_brackets_take_profit_fill_cancels_its_stop_loss() -> None:
    h = BrokerHarness()
    h.open_account("A1", "50000.00")
    h.quote("AAPL", "199.99", "200.01")
    h.send(
        PlaceOrder(
            "br", "c-br", "A1", "AAPL", Side.BUY, OrderType.MARKET, 100,
            order_class=OrderClass.BRACKET,
            take_profit_price=dollars("205.00"),
            stop_loss_price=dollars("195.00"),
        )
    )  # fmt: skip
    assert status(h, "br") is OrdStatus.FILLED
    assert status(h, "br.tp") is OrdStatus.NEW  # resting at a venue
    assert status(h, "br.sl") is OrdStatus.NEW  # held by the broker
    # the market maker still offers 900 at $200.01; a buyer of 1,000 at $205 reaches us
    h.resting("NSDQ", "AAPL", Side.BUY, "205.00", 1_000, "LIFTER")
    assert status(h, "br.tp") is OrdStatus.FILLED
    assert status(h, "br.sl") is OrdStatus.CANCELED
    assert h.broker.ledger.position("A1", "AAPL").quantity == 0  # type: ignore[union-attr]
    assert h.replay().state_hash() == h.broker.state_hash()


def test_day_orders_expire_and_gtc_orders_come_back_the_next_day() -> None:
    h = BrokerHarness()
    h.open_account("A1", "50000.00")
    h.send(PlaceOrder("day", "c", "A1", "AAPL", Side.BUY, OrderType.LIMIT, 10, dollars(150)))
    h.send(
        PlaceOrder("gtc", "c", "A1", "AAPL", Side.BUY, OrderType.LIMIT, 10, dollars(151),
                   time_in_force=TimeInForce.GTC)
    )  # fmt: skip
    h.send(EndBrokerDay(20260601))
    assert status(h, "day") is OrdStatus.EXPIRED
    assert status(h, "gtc") is OrdStatus.DONE_FOR_DAY
    # After the close an order is taken and waits for the next session (as Alpaca's do);
    # one that must trade at once is refused.
    h.send(PlaceOrder("x", "c", "A1", "AAPL", Side.BUY, OrderType.LIMIT, 1, dollars(1)))
    assert status(h, "x") is OrdStatus.PENDING_NEW
    ioc = h.send(PlaceOrder("y", "c", "A1", "AAPL", Side.BUY, OrderType.LIMIT, 1, dollars(1),
                            time_in_force=TimeInForce.IOC))  # fmt: skip
    assert isinstance(ioc[0], CustomerOrderRejected)
    assert ioc[0].code is RejectCode.MARKET_CLOSED
    h.send(StartBrokerDay(20260602))
    assert status(h, "gtc") is OrdStatus.NEW
    assert status(h, "x") is OrdStatus.NEW
    order = h.broker.order("gtc")
    assert order is not None and order.children == ["gtc.1", "gtc.2"]
    assert h.venues["NSDQ"].order("gtc.2") is not None
    assert h.replay().state_hash() == h.broker.state_hash()


def test_a_cash_account_good_faith_violation_is_detected() -> None:
    h = BrokerHarness(symbols=(("AAPL", "200.00"), ("MSFT", "400.00")))
    h.open_account("C1", "20000.00", AccountType.CASH)
    h.quote("AAPL", "199.99", "200.01")
    h.quote("MSFT", "399.99", "400.01")
    # Day 1: buy AAPL with settled cash. Day 2: sell it (proceeds settle day 3), buy MSFT with
    # the unsettled proceeds and sell MSFT the same day: a good-faith violation.
    h.send(PlaceOrder("b1", "c", "C1", "AAPL", Side.BUY, OrderType.MARKET, 90))
    h.send(EndBrokerDay(20260601))
    h.send(StartBrokerDay(20260602))
    h.quote("AAPL", "199.99", "200.01")
    h.send(PlaceOrder("s1", "c", "C1", "AAPL", Side.SELL, OrderType.MARKET, 90))
    assert h.broker.ledger.account_values("C1").settled_cash < dollars(20000)
    h.send(PlaceOrder("b2", "c", "C1", "MSFT", Side.BUY, OrderType.MARKET, 40))
    events = h.send(PlaceOrder("s2", "c", "C1", "MSFT", Side.SELL, OrderType.MARKET, 40))
    violations = h.of_type(CashAccountViolationRecorded, events)
    assert [(v.violation, v.violations_12m) for v in violations] == [(CashViolation.GOOD_FAITH, 1)]

"""The broker core's composition, driven input by input: every rejection leaves the state hash
as it was, market data enters as inputs, and routing falls back to directed routing."""

from __future__ import annotations

from directbroker.domain.accounts import AccountType, Registration
from directbroker.domain.broker_messages import (
    AccountCloseOnlyChanged,
    AccountConfigured,
    BrokerCommandRejected,
    ChildOrderSent,
    ConfigureAccount,
    CustomerOrderRejected,
    OrderReceived,
    PlaceOrder,
    RecordLocate,
    ReplaceCustomerOrder,
    SetAccountRiskLimits,
    SetEasyToBorrow,
    SetHouseMargin,
    StartBrokerDay,
)
from directbroker.domain.ledger_messages import Deposit, OpenAccount
from directbroker.domain.marketdata_messages import (
    QuoteUpdated,
    TradePrinted,
    TradingStatusChanged,
)
from directbroker.domain.messages import Command, Event, Message
from directbroker.domain.orders import Liquidity, OrderType, Side, TimeInForce
from directbroker.domain.rejects import RejectCode
from directbroker.domain.routing import SMART, ChildPurpose, RouteRequest
from directbroker.domain.venue_messages import OrderAccepted, OrderFilled
from directbroker.engines.broker import BrokerConfig, BrokerCore, DirectedRouting
from directbroker.engines.ledger import LedgerCore
from directbroker.testing.broker_harness import dollars, shared_calendar


class Driver:
    """A broker core fed by hand with a monotonic clock."""

    def __init__(self) -> None:
        self.router = DirectedRouting(("NSDQ", "ARCA"), {"AAPL": "NSDQ"})
        self.core = BrokerCore(LedgerCore(shared_calendar()), self.router, BrokerConfig())
        self.ts = 0
        self.send(StartBrokerDay(20260601))
        self.send(OpenAccount("A1", "o", AccountType.MARGIN, Registration.INDIVIDUAL))
        self.send(Deposit("A1", "d1", dollars("10000.00")))
        self.send(
            QuoteUpdated("AAPL", dollars(100), 500, "ARCA", dollars("100.02"), 300, "NSDQ", 1)
        )

    def send(self, message: Message) -> list[Event]:
        self.ts += 1
        return self.core.handle(message, self.ts)

    def refused(self, message: Message) -> CustomerOrderRejected | BrokerCommandRejected:
        before = self.core.state_hash()
        events = self.send(message)
        assert len(events) == 1, events
        assert self.core.state_hash() == before
        rejected = events[0]
        assert isinstance(rejected, CustomerOrderRejected | BrokerCommandRejected)
        return rejected


def order(order_id: str = "o1", **fields: object) -> PlaceOrder:
    values: dict[str, object] = {
        "order_id": order_id, "client_order_id": "c", "account": "A1", "symbol": "AAPL",
        "side": Side.BUY, "order_type": OrderType.LIMIT, "quantity": 10,
        "limit_price": dollars(100),
    }  # fmt: skip
    values.update(fields)
    return PlaceOrder(**values)  # type: ignore[arg-type]


def test_orders_need_an_open_day_and_a_known_account() -> None:
    core = BrokerCore(LedgerCore(shared_calendar()), DirectedRouting(("NSDQ",)))
    early = core.handle(order(), 1)[0]
    assert isinstance(early, CustomerOrderRejected) and early.code is RejectCode.MARKET_CLOSED
    d = Driver()
    assert d.refused(order(account="ZZ")).code is RejectCode.UNKNOWN_ACCOUNT
    assert d.refused(order(quantity=-5)).code is RejectCode.QUANTITY_NOT_POSITIVE
    assert d.refused(order(route="NOPE")).code is RejectCode.ROUTE_UNKNOWN_VENUE


def test_every_refusal_leaves_the_state_as_it_was() -> None:
    d = Driver()
    d.send(order("o1"))
    assert d.refused(order("o1")).code is RejectCode.DUPLICATE_ORDER_ID
    assert d.refused(order("o2")).code is RejectCode.DUPLICATE_ORDER  # same terms, same second
    assert d.refused(order("o3", quantity=201)).code is RejectCode.INSUFFICIENT_BUYING_POWER
    assert d.refused(order("o4", limit_price=dollars(111))).code is RejectCode.PRICE_COLLAR
    assert d.refused(order("o5", side=Side.SELL)).code is RejectCode.LONG_SALE_EXCEEDS_POSITION
    assert d.refused(SetHouseMargin("AAPL", -1)).code is RejectCode.MALFORMED
    assert d.refused(StartBrokerDay(20260530)).code is RejectCode.INVALID_DATE
    assert d.refused(ReplaceCustomerOrder("o1", "A1", 5)).code is RejectCode.CHANGE_PENDING
    unknown = d.send(TradingStatusChanged("AAPL", (), False, "", 1))
    assert unknown == []


def test_smart_routes_to_the_venue_quoting_the_far_side() -> None:
    d = Driver()
    events = d.send(order("b", limit_price=dollars("100.02")))
    child = next(e for e in events if isinstance(e, ChildOrderSent))
    assert (child.venue, child.purpose) == ("NSDQ", ChildPurpose.POST)  # the offer is at NSDQ
    router = d.router
    request = RouteRequest("x", "AAPL", Side.SELL, 10, None, TimeInForce.DAY, SMART)
    plan = router.plan(request, 1)
    assert isinstance(plan, list) and plan[0].venue == "ARCA"  # the bid is at ARCA
    auction = RouteRequest("y", "AAPL", Side.BUY, 10, None, TimeInForce.CLS, SMART, (), None,
                           False, order_type=OrderType.MARKET_ON_CLOSE)  # fmt: skip
    assert router.plan(auction, 1)[0].venue == "NSDQ"  # type: ignore[index]
    unknown = RouteRequest("z", "MSFT", Side.BUY, 10, None, TimeInForce.DAY, SMART)
    assert router.plan(unknown, 1) is RejectCode.ROUTE_NO_VENUE


def test_a_replace_is_checked_like_a_new_order() -> None:
    d = Driver()
    d.send(order("o1", limit_price=dollars(99)))
    d.send(OrderAccepted("NSDQ", "o1.1", "DBRK", "AAPL", Side.BUY, OrderType.LIMIT, 10,
                         dollars(99), TimeInForce.DAY, 1))  # fmt: skip
    assert d.refused(
        ReplaceCustomerOrder("o1", "A1", 10, dollars(115), new_order_id="o2")
    ).code is (RejectCode.PRICE_COLLAR)
    assert d.refused(ReplaceCustomerOrder("o1", "A1", 250, new_order_id="o2")).code is (
        RejectCode.INSUFFICIENT_BUYING_POWER
    )
    assert d.refused(ReplaceCustomerOrder("o1", "A1", 20)).code is RejectCode.INVALID_ID
    assert d.refused(ReplaceCustomerOrder("o1", "A1", 20, new_order_id="o1")).code is (
        RejectCode.DUPLICATE_ORDER_ID
    )
    events = d.send(ReplaceCustomerOrder("o1", "A1", 20, dollars("99.50"), new_order_id="o2"))
    assert events[-1].quantity == 20  # type: ignore[attr-defined]
    received = [e for e in events if isinstance(e, OrderReceived)]
    assert [(e.order_id, e.quantity, e.limit_price) for e in received] == [
        ("o2", 20, dollars("99.50"))
    ]


def test_account_configurations_are_journaled_commands_of_known_accounts() -> None:
    d = Driver()
    changed = d.send(ConfigureAccount("A1", suspend_trade=True))
    assert isinstance(changed[0], AccountConfigured) and changed[0].suspend_trade
    assert d.refused(ConfigureAccount("NOPE", no_shorting=True)).code is RejectCode.UNKNOWN_ACCOUNT
    assert d.refused(order("o1")).code is RejectCode.TRADING_SUSPENDED
    d.send(ConfigureAccount("A1", suspend_trade=False))
    placed = d.send(order("o1"))
    assert any(isinstance(e, OrderReceived) for e in placed)


def test_short_sales_need_a_locate_and_rule_201_comes_from_market_data() -> None:
    d = Driver()
    short = order("s", side=Side.SELL_SHORT, limit_price=dollars("100.01"))
    assert d.refused(short).code is RejectCode.LOCATE_REQUIRED
    d.send(RecordLocate("A1", "AAPL", "L-1", 10))
    d.send(TradingStatusChanged("AAPL", (), True, "down 10%", 1))
    low = order("s2", side=Side.SELL_SHORT, limit_price=dollars(100))
    assert d.refused(low).code is RejectCode.SHORT_SALE_PRICE_TEST
    assert isinstance(d.send(short)[0], OrderReceived)
    d.send(SetEasyToBorrow("AAPL"))
    exempt = order("s3", side=Side.SELL_SHORT_EXEMPT, limit_price=dollars(100))
    assert isinstance(d.send(exempt)[0], OrderReceived)


def test_a_fill_posts_to_the_ledger_and_a_falling_mark_trips_the_daily_loss_limit() -> None:
    d = Driver()
    d.send(SetAccountRiskLimits("A1", max_daily_loss=dollars(50)))
    d.send(order("o1", limit_price=dollars("100.02")))
    d.send(OrderAccepted("NSDQ", "o1.1", "DBRK", "AAPL", Side.BUY, OrderType.LIMIT, 10,
                         dollars("100.02"), TimeInForce.DAY, 1))  # fmt: skip
    d.send(OrderFilled("NSDQ", "o1.1", "DBRK", "AAPL", Side.BUY, 7, dollars("100.02"), 10, 0,
                       10, Liquidity.TAKER, 0, 1))  # fmt: skip
    assert d.core.ledger.position("A1", "AAPL").quantity == 10  # type: ignore[union-attr]
    assert d.send(TradePrinted(1, "AAPL", "ARCA", 1, dollars(96), 100, None, "", 1)) == []
    events = d.send(TradePrinted(2, "AAPL", "ARCA", 2, dollars(95), 100, None, "", 1))
    assert [type(e) for e in events] == [AccountCloseOnlyChanged]
    assert d.refused(order("o2", limit_price=dollars(95))).code is RejectCode.CLOSE_ONLY
    assert isinstance(
        d.send(order("o3", side=Side.SELL, limit_price=dollars(95)))[0], OrderReceived
    )


def test_snapshot_and_restore_give_the_same_hash() -> None:
    d = Driver()
    d.send(order("o1"))
    d.send(RecordLocate("A1", "AAPL", "L-1", 10))
    other = Driver()
    other.core.restore(d.core.snapshot())
    assert other.core.state_hash() == d.core.state_hash()


def test_inputs_the_core_does_not_take_are_refused() -> None:
    d = Driver()
    rejected = d.refused(StartBrokerDay.__new__(StartBrokerDay) if False else _Stray())
    assert rejected.code is RejectCode.MALFORMED


class _Stray(Command):
    """A command for some other core."""

    __slots__ = ()


def test_a_refusal_keeps_the_whole_client_order_id_bounded_at_128() -> None:
    d = Driver()
    longest = "c" * 128
    refused = d.refused(order("o1", client_order_id=longest, symbol="NOPE"))
    assert refused.client_order_id == longest  # type: ignore[union-attr]
    too_long = d.refused(order("o2", client_order_id="x" * 1_000))
    assert too_long.code is RejectCode.INVALID_ID
    assert too_long.client_order_id == "x" * 128  # type: ignore[union-attr]
    assert len(d.refused(order("o3", client_order_id=7)).client_order_id) <= 128  # type: ignore[union-attr]


def test_a_replace_gives_the_new_order_the_clients_new_id() -> None:
    d = Driver()
    d.send(order("o1", limit_price=dollars(99)))
    d.send(OrderAccepted("NSDQ", "o1.1", "DBRK", "AAPL", Side.BUY, OrderType.LIMIT, 10,
                         dollars(99), TimeInForce.DAY, 1))  # fmt: skip
    too_long = ReplaceCustomerOrder(
        "o1", "A1", 20, new_order_id="o2", new_client_order_id="n" * 129
    )
    assert d.refused(too_long).code is RejectCode.INVALID_ID
    events = d.send(
        ReplaceCustomerOrder("o1", "A1", 20, new_order_id="o2", new_client_order_id="n2")
    )
    received = [e for e in events if isinstance(e, OrderReceived)]
    assert [(e.order_id, e.client_order_id) for e in received] == [("o2", "n2")]

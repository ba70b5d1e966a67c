"""Pre-trade risk at trigger time: an order the broker held (a stop, a released bracket leg) is
checked again, against the market and the account as they are, when it would go to market.

Prices in the comments are dollars; the default market buffer is 5%, so a market buy is
estimated at the offer x 1.05.
"""

from __future__ import annotations

from directbroker.domain.accounts import AccountStatus, AccountType
from directbroker.domain.broker_messages import (
    ChildOrderSent,
    OrderStatusChanged,
    OrderTriggered,
    PlaceOrder,
    RestrictSymbol,
    SetEasyToBorrow,
    SetKillSwitch,
)
from directbroker.domain.ledger_messages import ChangeAccountStatus, Withdraw
from directbroker.domain.marketdata_messages import TradingStatusChanged
from directbroker.domain.messages import Event
from directbroker.domain.order_status import KillSwitchScope, OrderClass, OrdStatus
from directbroker.domain.orders import OrderType, Side
from directbroker.domain.rejects import RejectCode
from directbroker.testing.broker_harness import BrokerHarness, dollars


def status(h: BrokerHarness, order_id: str) -> OrdStatus:
    order = h.broker.order(order_id)
    assert order is not None
    return order.status


def moves(events: list[Event], order_id: str) -> list[OrderStatusChanged]:
    return [e for e in events if isinstance(e, OrderStatusChanged) and e.order_id == order_id]


def sent(events: list[Event], order_id: str) -> list[ChildOrderSent]:
    return [e for e in events if isinstance(e, ChildOrderSent) and e.parent_id == order_id]


def reserved(h: BrokerHarness, account: str) -> int:
    """Buying power held by the account's working orders."""
    return sum(o.reserve_price * o.leaves_quantity for o in h.broker.open_orders(account))


def stop(
    order_id: str, side: Side, stop_price: str, quantity: int = 100, **kw: object
) -> PlaceOrder:
    return PlaceOrder(
        order_id, "c-" + order_id, "A1", "AAPL", side, OrderType.STOP, quantity,
        stop_price=dollars(stop_price), **kw,  # type: ignore[arg-type]
    )  # fmt: skip


def assert_rejected_at_trigger(
    h: BrokerHarness, events: list[Event], order_id: str, code: RejectCode
) -> OrderStatusChanged:
    """Triggered, then exactly one status event (held new -> rejected), nothing sent."""
    assert order_id in [e.order_id for e in events if isinstance(e, OrderTriggered)]
    [move] = moves(events, order_id)
    assert (move.old_status, move.status, move.code) == (
        OrdStatus.NEW,
        OrdStatus.REJECTED,
        code,
    )
    assert not sent(events, order_id)
    assert status(h, order_id) is OrdStatus.REJECTED
    assert all(o.order_id != order_id for o in h.broker.open_orders("A1"))
    return move


def test_a_buy_stop_triggered_after_the_cash_was_spent_is_rejected_for_buying_power() -> None:
    h = BrokerHarness()
    h.open_account("A1", "30000.00", AccountType.CASH)
    # No quote yet: the stop is estimated at its stop, 205.00 x 1.05 = 215.25, and reserves
    # 100 x 215.25 = $21,525.00 of the $30,000.00.
    assert not sent(h.send(stop("bs", Side.BUY, "205.00")), "bs")
    assert reserved(h, "A1") == dollars("21525.00")
    # The customer then spends: 40 shares bought at 200.01 ($8,000.40) and $5,000 withdrawn.
    h.resting("NSDQ", "AAPL", Side.SELL, "200.01", 40)
    h.send(PlaceOrder("mkt", "c", "A1", "AAPL", Side.BUY, OrderType.MARKET, 40))
    assert status(h, "mkt") is OrdStatus.FILLED
    h.send(Withdraw("A1", "w1", dollars("5000.00")))
    assert h.broker.ledger.account_values("A1").buying_power == dollars("16999.60")
    # The market trades up through the stop; the offer is 205.01 when it triggers, so the
    # market order it becomes needs 100 x 205.01 x 1.05 = $21,526.05.
    h.resting("NSDQ", "AAPL", Side.SELL, "205.01", 500)
    events = h.print_trade("NSDQ", "AAPL", "205.00")
    move = assert_rejected_at_trigger(h, events, "bs", RejectCode.INSUFFICIENT_BUYING_POWER)
    assert move.text == ("Insufficient buying power: order needs $21,526.05, available $16,999.60")
    assert reserved(h, "A1") == 0  # the stop's reservation is released
    assert h.replay().state_hash() == h.broker.state_hash()


def test_a_short_stop_triggered_under_rule_201_at_or_below_the_bid_is_rejected() -> None:
    h = BrokerHarness()
    h.open_account("A1", "50000.00")
    h.send(SetEasyToBorrow("AAPL"))
    h.send(stop("ss", Side.SELL_SHORT, "195.00"))
    h.send(
        PlaceOrder(
            "ssl", "c", "A1", "AAPL", Side.SELL_SHORT, OrderType.STOP_LIMIT, 100,
            limit_price=dollars("194.50"), stop_price=dollars("195.00"),
        )
    )  # fmt: skip
    assert status(h, "ss") is status(h, "ssl") is OrdStatus.NEW  # no Rule 201 when placed
    h.send(TradingStatusChanged("AAPL", (), True, "Rule 201 triggered", h.ts))
    h.resting("NSDQ", "AAPL", Side.BUY, "194.99", 500)  # the national best bid
    events = h.print_trade("NSDQ", "AAPL", "195.00")
    market = assert_rejected_at_trigger(h, events, "ss", RejectCode.SHORT_SALE_PRICE_TEST)
    assert market.text == (
        "Rule 201 is in effect for AAPL: short sales need a limit price above the national best bid"
    )
    limit = assert_rejected_at_trigger(h, events, "ssl", RejectCode.SHORT_SALE_PRICE_TEST)
    assert limit.text == (
        "Rule 201 is in effect for AAPL: limit $194.50 must be above the national best bid $194.99"
    )
    assert h.broker.ledger.position("A1", "AAPL") is None
    assert h.replay().state_hash() == h.broker.state_hash()


def test_a_stop_on_a_symbol_restricted_after_placement_is_rejected() -> None:
    h = BrokerHarness()
    h.open_account("A1", "50000.00")
    h.send(stop("bs", Side.BUY, "205.00"))
    h.send(RestrictSymbol("AAPL", True, "pending merger news"))
    events = h.print_trade("NSDQ", "AAPL", "205.00")
    move = assert_rejected_at_trigger(h, events, "bs", RejectCode.RESTRICTED_SECURITY)
    assert move.text == "AAPL is on the firm's restricted list: pending merger news"
    assert h.replay().state_hash() == h.broker.state_hash()


def test_a_stop_loss_on_a_long_position_still_executes_under_close_only() -> None:
    h = BrokerHarness()
    h.open_account("A1", "50000.00")
    h.resting("NSDQ", "AAPL", Side.SELL, "200.01", 100)
    h.send(PlaceOrder("buy", "c", "A1", "AAPL", Side.BUY, OrderType.MARKET, 100))
    h.send(stop("sl", Side.SELL, "195.00"))
    h.send(stop("add", Side.BUY, "206.00"))
    h.send(ChangeAccountStatus("A1", AccountStatus.CLOSE_ONLY, "compliance review"))
    # All cash withdrawn would not matter either: a sale of shares held needs no buying power.
    h.resting("NSDQ", "AAPL", Side.BUY, "194.99", 100)
    events = h.print_trade("NSDQ", "AAPL", "195.00")
    assert [e.order_id for e in events if isinstance(e, OrderTriggered)] == ["sl"]
    assert len(sent(events, "sl")) == 1
    assert status(h, "sl") is OrdStatus.FILLED  # sold 100 to the 194.99 bid
    position = h.broker.ledger.position("A1", "AAPL")
    assert position is not None and position.quantity == 0
    # The buy stop would add a position: at its trigger it is refused as close-only.
    h.resting("NSDQ", "AAPL", Side.SELL, "206.01", 100)
    events = h.print_trade("NSDQ", "AAPL", "206.00")
    move = assert_rejected_at_trigger(h, events, "add", RejectCode.CLOSE_ONLY)
    assert move.text == "Account A1 may only close positions: the account is close only"
    assert h.replay().state_hash() == h.broker.state_hash()


def test_the_kill_switch_cancels_held_stops_so_nothing_triggers_later() -> None:
    h = BrokerHarness()
    h.open_account("A1", "50000.00")
    h.send(stop("bs", Side.BUY, "205.00"))
    events = h.send(SetKillSwitch(KillSwitchScope.ACCOUNT, "A1", True, "runaway algo"))
    [move] = moves(events, "bs")
    assert (move.status, move.code) == (OrdStatus.CANCELED, RejectCode.KILL_SWITCH)
    events = h.print_trade("NSDQ", "AAPL", "205.00")
    assert not [e for e in events if isinstance(e, OrderTriggered)]
    assert not sent(events, "bs")
    assert h.replay().state_hash() == h.broker.state_hash()


def bracket(entry: OrderType = OrderType.MARKET, limit: str | None = None) -> PlaceOrder:
    return PlaceOrder(
        "br", "c-br", "A1", "AAPL", Side.BUY, entry, 100,
        limit_price=dollars(limit) if limit is not None else None,
        order_class=OrderClass.BRACKET,
        take_profit_price=dollars("210.00"),
        stop_loss_price=dollars("195.00"),
    )  # fmt: skip


def test_a_brackets_stop_loss_leg_is_checked_when_it_triggers() -> None:
    h = BrokerHarness()
    h.open_account("A1", "50000.00")
    h.resting("NSDQ", "AAPL", Side.SELL, "200.01", 100)
    h.send(bracket())
    assert status(h, "br") is OrdStatus.FILLED
    assert status(h, "br.tp") is OrdStatus.NEW and status(h, "br.sl") is OrdStatus.NEW
    h.send(RestrictSymbol("AAPL", True, "regulatory hold"))
    events = h.print_trade("NSDQ", "AAPL", "195.00")
    move = assert_rejected_at_trigger(h, events, "br.sl", RejectCode.RESTRICTED_SECURITY)
    assert move.text == "AAPL is on the firm's restricted list: regulatory hold"
    # The rejected stop-loss leaves the take-profit working at its venue: the position still
    # has an exit, and a refusal is not a fill, so one-cancels-other does not apply.
    assert status(h, "br.tp") is OrdStatus.NEW
    assert h.venues["NSDQ"].order("br.tp.1") is not None
    assert h.replay().state_hash() == h.broker.state_hash()


def test_a_brackets_take_profit_leg_is_checked_when_the_entry_fill_releases_it() -> None:
    h = BrokerHarness()
    h.open_account("A1", "50000.00")
    h.send(bracket(OrderType.LIMIT, "200.00"))
    assert status(h, "br") is OrdStatus.NEW
    h.send(RestrictSymbol("AAPL", True, "regulatory hold"))
    before = len(h.events)
    h.resting("NSDQ", "AAPL", Side.SELL, "200.00", 100)  # the entry fills
    events = h.events[before:]
    assert status(h, "br") is OrdStatus.FILLED
    [move] = moves(events, "br.tp")  # suspended -> rejected: one event, nothing sent
    assert (move.old_status, move.status, move.code) == (
        OrdStatus.SUSPENDED,
        OrdStatus.REJECTED,
        RejectCode.RESTRICTED_SECURITY,
    )
    assert not sent(events, "br.tp")
    # The stop-loss is released to the broker's book (held, not at a market): it is checked
    # when it triggers, and stays there to protect the position meanwhile.
    assert status(h, "br.sl") is OrdStatus.NEW
    assert h.replay().state_hash() == h.broker.state_hash()


def test_a_released_take_profit_sees_the_position_the_entry_fill_just_created() -> None:
    # The fill is booked before the leg is checked: a sale of 100 marked long needs 100 held.
    h = BrokerHarness()
    h.open_account("A1", "50000.00")
    h.resting("NSDQ", "AAPL", Side.SELL, "200.01", 100)
    h.send(bracket())
    assert status(h, "br.tp") is OrdStatus.NEW
    tp = h.broker.order("br.tp")
    assert tp is not None and tp.children == ["br.tp.1"] and tp.reserve_price == 0
    assert h.replay().state_hash() == h.broker.state_hash()

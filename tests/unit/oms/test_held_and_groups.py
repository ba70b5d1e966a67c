"""Orders the broker holds until the tape triggers them, order groups, and the day roll."""

from __future__ import annotations

from directbroker.domain.broker_messages import (
    ChildCancelSent,
    ChildOrderSent,
    OrderReceived,
    OrderRestated,
    OrderStatusChanged,
    OrderTriggered,
    PlaceOrder,
)
from directbroker.domain.order_status import OrderClass, OrdStatus
from directbroker.domain.orders import OrderType, Side, TimeInForce
from directbroker.domain.rejects import RejectCode
from directbroker.engines.oms import Parent, Refusal
from tests.unit.oms.oms_helpers import USD, Desk, order, statuses

N, F, CXL, SUS = OrdStatus.NEW, OrdStatus.FILLED, OrdStatus.CANCELED, OrdStatus.SUSPENDED


def stop(order_id: str = "s1", **fields: object) -> PlaceOrder:
    values: dict[str, object] = {
        "side": Side.SELL,
        "order_type": OrderType.STOP,
        "limit_price": None,
        "stop_price": 95 * USD,
    }
    values.update(fields)
    return order(order_id, **values)


def test_a_sell_stop_waits_for_a_print_at_or_below_its_stop() -> None:
    desk = Desk()
    events = desk.place(stop())
    assert [type(e) for e in events] == [OrderReceived]
    assert desk.status("s1") is N
    assert desk.oms.on_trade("AAPL", 95 * USD + 1, desk.tick()) == []
    triggered = desk.oms.on_trade("AAPL", 95 * USD, desk.tick())
    assert [type(e) for e in triggered] == [OrderTriggered, ChildOrderSent]
    child = triggered[1]
    assert isinstance(child, ChildOrderSent)
    assert (child.order_type, child.limit_price, child.quantity) == (OrderType.MARKET, None, 100)
    assert desk.oms.book.held == {}


def test_a_stop_limit_becomes_a_limit_when_triggered() -> None:
    desk = Desk()
    desk.place(order("b1", order_type=OrderType.STOP_LIMIT, stop_price=105 * USD))
    triggered = desk.oms.on_trade("AAPL", 106 * USD, desk.tick())
    child = triggered[1]
    assert isinstance(child, ChildOrderSent)
    assert (child.order_type, child.limit_price) == (OrderType.LIMIT, 100 * USD)


def test_a_trailing_stop_by_amount_follows_the_high_and_never_backs_off() -> None:
    desk = Desk()
    desk.place(
        order("t1", side=Side.SELL, order_type=OrderType.TRAILING_STOP, limit_price=None,
              trail_amount=2 * USD),
        last=100 * USD,
    )  # fmt: skip
    parent = desk.parent("t1")
    assert parent.stop_price == 98 * USD
    desk.oms.on_trade("AAPL", 104 * USD, desk.tick())
    assert parent.stop_price == 102 * USD
    desk.oms.on_trade("AAPL", 103 * USD, desk.tick())
    assert parent.stop_price == 102 * USD
    fired = desk.oms.on_trade("AAPL", 102 * USD, desk.tick())
    assert isinstance(fired[0], OrderTriggered) and fired[0].stop_price == 102 * USD


def test_a_trailing_buy_stop_by_percent_follows_the_low() -> None:
    desk = Desk()
    desk.place(
        order("t2", order_type=OrderType.TRAILING_STOP, limit_price=None, trail_percent_bps=500)
    )
    parent = desk.parent("t2")
    assert desk.parent("t2").stop_price is None  # no print yet
    desk.oms.on_trade("AAPL", 80 * USD, desk.tick())
    assert parent.stop_price == 84 * USD  # 80 + 5%
    desk.oms.on_trade("AAPL", 60 * USD, desk.tick())
    assert parent.stop_price == 63 * USD
    assert desk.oms.on_trade("AAPL", 62 * USD, desk.tick()) == []
    assert isinstance(desk.oms.on_trade("AAPL", 63 * USD, desk.tick())[0], OrderTriggered)


def test_a_triggered_stop_the_risk_gate_refuses_is_rejected_and_sends_nothing() -> None:
    def gate(parent: Parent, ts: int) -> Refusal | int:
        return RejectCode.SHORT_SALE_PRICE_TEST, f"Rule 201: {parent.order_id} not above the bid"

    desk = Desk(gate=gate)
    desk.place(stop("ss", side=Side.SELL_SHORT))
    events = desk.oms.on_trade("AAPL", 90 * USD, desk.tick())
    assert isinstance(events[0], OrderTriggered)
    assert statuses(events) == [("ss", OrdStatus.REJECTED)]
    assert isinstance(events[-1], OrderStatusChanged)
    assert events[-1].code is RejectCode.SHORT_SALE_PRICE_TEST
    assert events[-1].text == "Rule 201: ss not above the bid"
    assert not desk.router.sent and not desk.oms.book.held.get("AAPL")


def bracket() -> PlaceOrder:
    return order(
        "b",
        order_class=OrderClass.BRACKET,
        take_profit_price=110 * USD,
        stop_loss_price=95 * USD,
    )


def test_a_bracket_waits_then_the_take_profit_cancels_the_stop_loss() -> None:
    desk = Desk()
    events = desk.place(bracket())
    received = [e for e in events if isinstance(e, OrderReceived)]
    assert [(e.order_id, e.status) for e in received] == [
        ("b", OrdStatus.PENDING_NEW),
        ("b.tp", SUS),
        ("b.sl", SUS),
    ]
    desk.accept("b.1")
    released = desk.fill("b.1", 100)
    assert statuses(released) == [("b", F), ("b.tp", OrdStatus.PENDING_NEW), ("b.sl", N)]
    take_profit = [e for e in released if isinstance(e, ChildOrderSent)]
    assert [(e.side, e.limit_price, e.quantity) for e in take_profit] == [
        (Side.SELL, 110 * USD, 100)
    ]
    desk.accept("b.tp.1")
    done = desk.fill("b.tp.1", 100, 110 * USD)
    assert statuses(done) == [("b.tp", F), ("b.sl", CXL)]
    assert desk.oms.book.held == {}


def test_the_stop_loss_firing_cancels_the_resting_take_profit() -> None:
    desk = Desk()
    desk.place(bracket())
    desk.accept("b.1")
    desk.fill("b.1", 100)
    desk.accept("b.tp.1")
    desk.oms.on_trade("AAPL", 94 * USD, desk.tick())
    desk.accept("b.sl.1")
    events = desk.fill("b.sl.1", 100, 94 * USD)
    assert statuses(events) == [("b.sl", F), ("b.tp", OrdStatus.PENDING_CANCEL)]
    assert isinstance(events[-1], ChildCancelSent)
    assert statuses(desk.cancelled("b.tp.1")) == [("b.tp", CXL)]


def test_a_partly_filled_take_profit_shrinks_the_stop_loss() -> None:
    desk = Desk()
    desk.place(bracket())
    desk.accept("b.1")
    desk.fill("b.1", 100)
    desk.accept("b.tp.1")
    events = desk.fill("b.tp.1", 30, 110 * USD)
    restated = [e for e in events if isinstance(e, OrderRestated)]
    assert [(e.order_id, e.quantity) for e in restated] == [("b.sl", 70)]


def test_a_bracket_whose_entry_never_fills_cancels_its_legs() -> None:
    desk = Desk()
    desk.place(bracket())
    desk.accept("b.1")
    desk.cancel("b")
    events = desk.cancelled("b.1")
    assert statuses(events) == [("b", CXL), ("b.tp", CXL), ("b.sl", CXL)]


def test_a_partly_filled_entry_releases_legs_for_what_filled() -> None:
    desk = Desk()
    desk.place(bracket())
    desk.accept("b.1")
    desk.fill("b.1", 40)
    desk.cancel("b")
    desk.cancelled("b.1")
    assert (desk.parent("b.tp").quantity, desk.parent("b.sl").quantity) == (40, 40)


def test_an_oto_releases_its_one_leg() -> None:
    desk = Desk()
    desk.place(order("x", order_class=OrderClass.OTO, stop_loss_price=90 * USD))
    desk.accept("x.1")
    assert statuses(desk.fill("x.1", 100)) == [("x", F), ("x.sl", N)]


def test_an_oco_pairs_a_working_limit_with_a_held_stop() -> None:
    desk = Desk()
    events = desk.place(
        order("k", side=Side.SELL, limit_price=110 * USD, order_class=OrderClass.OCO,
              stop_loss_price=95 * USD)
    )  # fmt: skip
    received = [(e.order_id, e.status) for e in events if isinstance(e, OrderReceived)]
    assert received == [("k", OrdStatus.PENDING_NEW), ("k.sl", N)]
    desk.accept("k.1")
    assert statuses(desk.fill("k.1", 100, 110 * USD)) == [("k", F), ("k.sl", CXL)]


def test_day_orders_expire_and_gtc_orders_sleep_at_the_close() -> None:
    desk = Desk()
    desk.place(order("day"))
    desk.place(order("gtc", time_in_force=TimeInForce.GTC))
    desk.place(stop("held"))
    desk.place(stop("held-gtc", time_in_force=TimeInForce.GTC))
    for child in ("day.1", "gtc.1"):
        desk.accept(child)
    desk.fill("gtc.1", 25)
    closing = desk.oms.end_day(desk.tick())
    assert statuses(closing) == [
        ("day", OrdStatus.PENDING_CANCEL),
        ("gtc", OrdStatus.PENDING_CANCEL),
        ("held", OrdStatus.EXPIRED),
    ]
    assert statuses(desk.cancelled("day.1")) == [("day", OrdStatus.EXPIRED)]
    assert statuses(desk.cancelled("gtc.1")) == [("gtc", OrdStatus.DONE_FOR_DAY)]
    assert desk.status("held-gtc") is N
    opening = desk.oms.start_day(desk.tick())
    assert statuses(opening) == [("gtc", OrdStatus.PARTIALLY_FILLED)]
    resent = [e for e in opening if isinstance(e, ChildOrderSent)]
    assert [(e.child_id, e.quantity, e.time_in_force) for e in resent] == [
        ("gtc.2", 75, TimeInForce.DAY)
    ]

"""The order tickets (Rule 17a-3(a)(6)) folded from a broker journal: terms, time of entry, who
entered it, routing, executions, modifications and cancellations with who asked, refusals."""

from __future__ import annotations

import csv
import io
import json

from directbroker.backoffice.order_tickets import OrderTickets, fold
from directbroker.backoffice.ticket_formats import CSV_COLUMNS, as_csv, as_json, as_text
from directbroker.backoffice.ticket_records import REPLACE_SENT, SYSTEM
from directbroker.domain.broker_messages import (
    CancelCustomerOrder,
    EndBrokerDay,
    OrderReceived,
    OrderRestated,
    ParentFilled,
    PlaceOrder,
    ReplaceCustomerOrder,
    SetKillSwitch,
    StartBrokerDay,
)
from directbroker.domain.messages import Event, Message
from directbroker.domain.order_status import KillSwitchScope, LegRole, OrderClass, OrdStatus
from directbroker.domain.orders import OrderType, Side, TimeInForce
from directbroker.domain.rebalancing_messages import REBALANCER_ACTOR
from directbroker.domain.rejects import RejectCode
from directbroker.runtime.schedule import new_york_date
from directbroker.testing.broker_harness import BrokerHarness, dollars

Entry = tuple[Message, list[Event], int]


def _journal(h: BrokerHarness) -> list[Entry]:
    """The journal the harness's broker core would write: each input and its events."""
    core = h.new_core()
    return [(message, core.handle(message, ts), ts) for message, ts in h.inputs]


def _day() -> BrokerHarness:
    """A limit buy that fills in part, is replaced by the customer and cancelled by staff;
    an order refused at entry; a directed short sale refused for the shares held long."""
    h = BrokerHarness()
    h.quote("AAPL", "199.99", "200.01", size=100)
    h.open_account("A1", "100000.00")
    h.send(PlaceOrder("o1", "c1", "A1", "AAPL", Side.BUY, OrderType.LIMIT, 300,
                      dollars("200.01"), entered_by="key:K1"))  # fmt: skip
    h.send(ReplaceCustomerOrder("o1", "A1", 300, limit_price=dollars("199.50"),
                                new_order_id="o2", actor="key:K1"))  # fmt: skip
    h.send(CancelCustomerOrder("o2", "A1", actor="staff:S1"))
    h.send(PlaceOrder("bad", "c3", "A1", "ZZZZ", Side.BUY, OrderType.MARKET, 10,
                      entered_by="fix:CLIENT1"))  # fmt: skip
    h.send(PlaceOrder("s1", "c4", "A1", "AAPL", Side.SELL_SHORT, OrderType.LIMIT, 50,
                      dollars("250"), route="ARCA", entered_by="key:K1"))  # fmt: skip
    return h


def test_an_order_that_fills_in_part_is_replaced_then_cancelled_keeps_every_fact() -> None:
    h = _day()
    tickets = fold(_journal(h)).tickets
    assert list(tickets) == ["o1", "o2", "bad", "s1"]
    first, second = tickets["o1"], tickets["o2"]
    # Terms, account, time of entry and who entered it.
    assert (first.account, first.symbol, first.side, first.order_type) == (
        "A1", "AAPL", Side.BUY, OrderType.LIMIT,
    )  # fmt: skip
    assert (first.quantity, first.limit_price, first.time_in_force) == (
        300, dollars("200.01"), TimeInForce.DAY,
    )  # fmt: skip
    (received,) = [e for e in h.of_type(OrderReceived) if e.order_id == "o1"]
    assert first.received_ns == received.ts_ns and first.entered_by == "key:K1"
    # Routing: the child sent, then changed by the replace.
    assert [(r.venue, r.quantity, r.action) for r in first.routes] == [
        ("NSDQ", 300, "post"), ("NSDQ", 300, REPLACE_SENT),
    ]  # fmt: skip
    # The execution, exactly as the core recorded it.
    (fill,) = [e for e in h.of_type(ParentFilled) if e.order_id == "o1"]
    (execution,) = first.executions
    assert (execution.execution_id, execution.venue, execution.quantity, execution.price) == (
        fill.execution_id, "NSDQ", 100, dollars("200.01"),
    )  # fmt: skip
    assert execution.ts_ns == fill.ts_ns
    # The modification: when, by whom, the new terms, when it took effect.
    (change,) = first.modifications
    assert (change.actor, change.quantity, change.limit_price, change.new_order_id) == (
        "key:K1", 300, dollars("199.50"), "o2",
    )  # fmt: skip
    assert change.requested_ns < change.effective_ns and not change.refused
    assert first.status is OrdStatus.REPLACED and first.replaced_by == "o2"
    assert (first.cum_quantity, first.avg_price) == (100, dollars("200.01"))
    # The new order carries on under the new terms, entered by whoever asked for the replace.
    assert second.replaces == "o1" and second.entered_by == "key:K1"
    assert (second.quantity, second.limit_price) == (200, dollars("199.50"))
    # The cancellation: who asked, when, when it took effect.
    cancel = second.cancellation
    assert cancel is not None and cancel.actor == "staff:S1"
    assert cancel.requested_ns < cancel.effective_ns and second.status is OrdStatus.CANCELED


def test_orders_refused_at_entry_get_a_ticket_with_the_request_terms_and_the_reason() -> None:
    tickets = fold(_journal(_day())).tickets
    refused = tickets["bad"]
    assert refused.status is OrdStatus.REJECTED and refused.entered_by == "fix:CLIENT1"
    assert (refused.symbol, refused.quantity, refused.order_type) == ("ZZZZ", 10, OrderType.MARKET)
    (why,) = refused.rejections
    assert why.command == "PlaceOrder" and why.code.number // 1000 == 2
    short = tickets["s1"]
    # The short-sale marking and the directed venue are on the ticket.
    assert short.side is Side.SELL_SHORT and short.route == "ARCA" and short.directed
    assert short.status is OrdStatus.REJECTED and short.rejections


def test_the_kill_switch_cancels_in_its_actors_name_and_the_close_expires_day_orders() -> None:
    h = BrokerHarness()
    h.open_account("A1", "100000.00")
    h.quote("AAPL", "199.00", "201.00", size=100)
    h.send(PlaceOrder("k1", "k1", "A1", "AAPL", Side.BUY, OrderType.LIMIT, 10, dollars("150")))
    h.send(SetKillSwitch(KillSwitchScope.ACCOUNT, account="A1", reason="test", actor="risk:rita"))
    h.send(SetKillSwitch(KillSwitchScope.ACCOUNT, account="A1", engaged=False, actor="risk:rita"))
    h.send(PlaceOrder("d1", "d1", "A1", "AAPL", Side.BUY, OrderType.LIMIT, 20, dollars("150")))
    h.send(EndBrokerDay(20260601))
    tickets = fold(_journal(h)).tickets
    killed = tickets["k1"]
    assert killed.status is OrdStatus.CANCELED
    assert killed.cancellation is not None and killed.cancellation.actor == "risk:rita"
    assert killed.cancellation.effective_ns
    # An order from a journal written before orders said who entered them.
    assert killed.entered_by == "" and "by unrecorded" in as_text([killed])
    expired = tickets["d1"]
    assert expired.status is OrdStatus.EXPIRED and expired.cancellation is None
    assert any("expired" in change.text for change in expired.history)


def _received(order_id: str, client_order_id: str, ts: int) -> OrderReceived:
    return OrderReceived(
        order_id, client_order_id, "A1", "AAPL", Side.BUY, OrderType.MARKET, 10, None, None,
        TimeInForce.DAY, OrderClass.SIMPLE, "", LegRole.PRIMARY, OrdStatus.PENDING_NEW, ts,
    )  # fmt: skip


def test_orders_the_firm_enters_name_the_rebalancer_the_inputs_actor_or_the_system() -> None:
    report = EndBrokerDay(20260601)  # an input without an actor
    kill = SetKillSwitch(KillSwitchScope.FIRM, actor="risk:rita")
    tickets = fold([
        (report, [_received("r1", "rebalance-r1", 1)], 1),
        (report, [_received("x1", "x1", 2)], 2),
        (kill, [_received("y1", "y1", 3)], 3),
    ]).tickets  # fmt: skip
    assert tickets["r1"].entered_by == REBALANCER_ACTOR
    assert tickets["x1"].entered_by == SYSTEM
    assert tickets["y1"].entered_by == "risk:rita"


def test_a_refused_cancel_is_recorded_and_a_later_one_is_recorded_anew() -> None:
    h = BrokerHarness()
    h.open_account("A1", "100000.00")
    h.quote("AAPL", "199.00", "201.00", size=100)
    h.send(PlaceOrder("o1", "o1", "A1", "AAPL", Side.BUY, OrderType.LIMIT, 10, dollars("150")))
    h.send(CancelCustomerOrder("o1", "B9", actor="key:wrong"))  # not the order's account
    h.send(CancelCustomerOrder("o1", "A1", actor="key:K1"))
    ticket = fold(_journal(h)).tickets["o1"]
    assert [r.command for r in ticket.rejections] == ["CancelCustomerOrder"]
    assert ticket.cancellation is not None and ticket.cancellation.actor == "key:K1"
    assert ticket.cancellation.effective_ns and not ticket.cancellation.refused


def test_orders_belong_to_the_business_day_open_or_the_next_one_to_open() -> None:
    h = BrokerHarness()  # opens 2026-06-01
    h.open_account("A1", "100000.00")
    h.quote("AAPL", "199.00", "201.00", size=100)
    h.send(PlaceOrder("d1", "d1", "A1", "AAPL", Side.BUY, OrderType.LIMIT, 10, dollars("150")))
    h.send(EndBrokerDay(20260601))
    h.send(PlaceOrder("n1", "n1", "A1", "AAPL", Side.BUY, OrderType.LIMIT, 20, dollars("150"),
                      time_in_force=TimeInForce.GTC))  # fmt: skip
    after_close = fold(_journal(h))
    assert [t.order_id for t in after_close.of_date(20260601)] == ["d1"]
    # Until the next day opens, an order entered after the close is dated by the calendar.
    late = after_close.tickets["n1"]
    assert late.business_date == 0
    assert late.entered_date == new_york_date(late.received_ns)
    h.send(StartBrokerDay(20260602))
    folded = fold(_journal(h))
    assert [t.order_id for t in folded.of_date(20260602)] == ["n1"]
    assert folded.tickets["n1"].business_date == 20260602
    assert OrderTickets().of_date(20260601) == []


def test_csv_and_json_carry_the_same_facts() -> None:
    tickets = list(fold(_journal(_day())).tickets.values())
    rows = list(csv.DictReader(io.StringIO(as_csv(tickets))))
    assert tuple(rows[0]) == CSV_COLUMNS and [r["order_id"] for r in rows] == [
        "o1", "o2", "bad", "s1",
    ]  # fmt: skip
    first, second = rows[0], rows[1]
    assert (first["entered_by"], first["executions"], first["filled_quantity"]) == (
        "key:K1", "1", "100",
    )  # fmt: skip
    assert first["avg_price"] == "200.01" and first["replaced_by"] == "o2"
    assert first["modified_by"] == "key:K1"
    assert second["canceled_by"] == "staff:S1" and second["canceled_at"]
    assert rows[2]["rejections"].startswith(str(RejectCode.NO_MARKET_PRICE.number))
    document = json.loads(as_json(tickets))
    assert document[0]["executions"][0]["price"] == "200.01"
    assert document[0]["modifications"][0]["by"] == "key:K1"
    assert document[1]["cancellation"]["by"] == "staff:S1"
    assert document[3]["side"] == "sell_short" and document[3]["route"] == "ARCA"


def test_a_restatement_is_a_modification_by_the_system_and_the_entered_terms_stay() -> None:
    restated = OrderRestated("o1", "A1", 6, 6, "the OCO sibling filled 4", 9)
    placed = PlaceOrder("o1", "o1", "A1", "AAPL", Side.BUY, OrderType.MARKET, 10)
    ticket = fold([
        (placed, [_received("o1", "o1", 1)], 1),
        (EndBrokerDay(20260601), [restated], 9),
    ]).tickets["o1"]  # fmt: skip
    assert ticket.quantity == 10
    (change,) = ticket.modifications
    assert (change.actor, change.quantity, change.effective_ns) == (SYSTEM, 6, 9)
    assert change.reason == "the OCO sibling filled 4" and not change.new_order_id
    assert json.loads(as_json([ticket]))[0]["modifications"][0]["reason"] == change.reason

"""The back office's books, folded from a broker journal the broker core really wrote."""

from __future__ import annotations

from directbroker.backoffice.books import DayClose, FirmBooks
from directbroker.domain.accounts import AccountType
from directbroker.domain.broker_messages import EndBrokerDay, PlaceOrder, StartBrokerDay
from directbroker.domain.orders import OrderType, Side
from directbroker.testing.broker_harness import BrokerHarness, dollars


def traded_day() -> BrokerHarness:
    """One account buys 100 AAPL and sells 40; the day ends and the next starts."""
    harness = BrokerHarness(date=20260601)
    harness.open_account("C1", "100000.00", AccountType.MARGIN)
    harness.quote("AAPL", "199.99", "200.01")
    harness.send(PlaceOrder("o1", "c1", "C1", "AAPL", Side.BUY, OrderType.MARKET, 100))
    harness.send(PlaceOrder("o2", "c2", "C1", "AAPL", Side.SELL, OrderType.MARKET, 40))
    harness.print_trade("NSDQ", "AAPL", "200.00")
    harness.send(EndBrokerDay(20260601))
    harness.send(StartBrokerDay(20260602))
    return harness


def test_books_hold_executions_cash_positions_and_a_day_close() -> None:
    harness = traded_day()
    closes: list[DayClose] = []
    books = FirmBooks(on_day_end=lambda close, _books: closes.append(close))
    for message, events, ts_ns in harness.entries:
        books.take(message, events, ts_ns)
    executions = books.executions[20260601]
    assert [(e.order_id, e.side, e.quantity, e.price) for e in executions] == [
        ("o1", Side.BUY, 100, dollars("200.01")),
        ("o2", Side.SELL, 40, dollars("199.99")),
    ]
    assert all(e.venue == "NSDQ" and e.liquidity == "taker" for e in executions)
    net = sum(e.net_amount for e in executions)
    assert [c.date for c in closes] == [20260601]
    close = closes[0].of("C1")
    assert close.positions == {"AAPL": 60}
    assert close.cash == dollars("100000.00") + net
    assert closes[0].marks["AAPL"] == dollars("200.00")
    assert close.equity(closes[0].marks) == close.cash + 60 * dollars("200.00")
    assert books.month_closes[(2026, 6)] is closes[0]
    assert [m.kind for m in books.movements[20260601]] == ["deposit"]
    assert books.movements[20260601][0].external
    assert [a.account for a in books.customers()] == ["C1"]
    assert books.date == 20260602

"""The trade blotter (Rule 17a-3(a)(1)): every purchase and sale of a trade date, with its
side and short marking, quantity, price, venue and the ids back to the order ticket."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from directbroker.backoffice import order_tickets, retention, trade_blotter
from directbroker.backoffice.books import FirmBooks
from directbroker.backoffice.records_files import write_day_records
from directbroker.domain.broker_messages import PlaceOrder, SetEasyToBorrow
from directbroker.domain.ledger_messages import ExecutionRecorded
from directbroker.domain.messages import Event, Message
from directbroker.domain.orders import OrderType, Side
from directbroker.testing.broker_harness import BrokerHarness, dollars, smart_routing

Entry = tuple[Message, list[Event], int]
DATE = 20260601


def _journal(h: BrokerHarness) -> list[Entry]:
    core = h.new_core()
    return [(message, core.handle(message, ts), ts) for message, ts in h.inputs]


def _day() -> BrokerHarness:
    """A buy taking two venues' offers, a long sale and a short sale into the bid."""
    h = BrokerHarness(symbols=(("AAPL", "200.00"), ("MSFT", "400.00")), router=smart_routing())
    h.quote("AAPL", "199.99", "200.01", size=100, venue="NSDQ")
    h.quote("AAPL", "199.98", "200.02", size=100, venue="ARCA")
    h.quote("MSFT", "399.99", "400.01", size=500, venue="NSDQ")
    h.open_account("A1", "500000.00")
    h.open_account("B2", "500000.00")
    h.send(SetEasyToBorrow("MSFT"))
    h.send(PlaceOrder("b1", "b1", "A1", "AAPL", Side.BUY, OrderType.LIMIT, 150, dollars("200.02")))
    h.send(PlaceOrder("s1", "s1", "A1", "AAPL", Side.SELL, OrderType.LIMIT, 50, dollars("199.99")))
    h.send(PlaceOrder("ss", "ss", "B2", "MSFT", Side.SELL_SHORT, OrderType.LIMIT, 30,
                      dollars("399.99"), route="NSDQ"))  # fmt: skip
    return h


def _books(entries: list[Entry]) -> FirmBooks:
    books = FirmBooks()
    for message, events, ts in entries:
        books.take(message, events, ts)
    return books


def test_the_blotter_lists_every_execution_of_the_day_once_as_booked() -> None:
    h = _day()
    entries = _journal(h)
    lines = trade_blotter.blotter(_books(entries), DATE)
    booked = h.of_type(ExecutionRecorded)
    assert [line.execution_id for line in lines] == [e.execution_id for e in booked]
    assert len({line.execution_id for line in lines}) == len(lines) >= 4
    # Each line ties back to an order ticket's execution, venue and price included.
    tickets = order_tickets.fold(entries).tickets
    for line in lines:
        (fill,) = [e for e in tickets[line.order_id].executions
                   if e.execution_id == line.execution_id]  # fmt: skip
        assert (fill.venue, fill.quantity, fill.price) == (line.venue, line.quantity, line.price)
    assert {line.venue for line in lines if line.order_id == "b1"} == {"NSDQ", "ARCA"}
    (short,) = [line for line in lines if line.order_id == "ss"]
    assert (short.side, short.account, short.symbol) == (Side.SELL_SHORT, "B2", "MSFT")
    assert trade_blotter.blotter(_books(entries), DATE + 1) == []


def test_totals_and_formats_agree_with_the_lines() -> None:
    lines = trade_blotter.blotter(_books(_journal(_day())), DATE)
    totals = trade_blotter.totals(lines)
    assert totals.executions == len(lines)
    assert totals.shares_bought == 150 and totals.shares_sold == 80
    assert totals.principal_bought == sum(x.principal for x in lines if x.side is Side.BUY)
    rows = list(csv.DictReader(io.StringIO(trade_blotter.as_csv(lines))))
    assert tuple(rows[0]) == trade_blotter.COLUMNS and len(rows) == len(lines)
    assert {r["side"] for r in rows} == {"buy", "sell", "sell_short"}
    assert all(r["trade_date"] == "2026-06-01" for r in rows)
    document = json.loads(trade_blotter.as_json(DATE, lines))
    assert document["executions"] == len(lines) and document["shares_sold"] == 80
    assert [r["execution_id"] for r in document["lines"]] == [x.execution_id for x in lines]
    text = trade_blotter.as_text(DATE, lines)
    assert text.startswith("Trade blotter for 2026-06-01") and f"{len(lines)} executions" in text


def test_a_days_records_are_filed_whole_where_the_retention_policy_finds_them(
    tmp_path: Path,
) -> None:
    entries = _journal(_day())
    books, tickets = _books(entries), order_tickets.fold(entries)
    written = write_day_records(tmp_path, DATE, books, tickets)
    names = [path.relative_to(tmp_path).as_posix() for path in written]
    assert names == [
        "backoffice/records/tickets/2026-06-01.csv",
        "backoffice/records/tickets/2026-06-01.json",
        "backoffice/records/blotter/2026-06-01.csv",
    ]
    first = [path.read_bytes() for path in written]
    assert write_day_records(tmp_path, DATE, books, tickets) == written
    assert [path.read_bytes() for path in written] == first  # a day written twice: same files
    assert sorted(p.name for p in written[0].parent.iterdir()) == ["2026-06-01.csv",
                                                                   "2026-06-01.json"]  # fmt: skip
    classes = [retention.class_of(path.relative_to(tmp_path / "backoffice")) for path in written]
    assert [c.name if c else None for c in classes] == ["order tickets"] * 2 + ["trade blotters"]
    blotter = list(csv.DictReader(io.StringIO(written[2].read_text(encoding="utf-8"))))
    assert len(blotter) == len(trade_blotter.blotter(books, DATE))
    assert len(json.loads(written[1].read_text(encoding="utf-8"))) == len(tickets.tickets)

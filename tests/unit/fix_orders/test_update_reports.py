"""Trade updates into ExecutionReports: platform-ended orders carry their stable code, a
cancel or replace in flight carries its ClOrdIDs, and a replace chain is one FIX order."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import cast

from directbroker.adapters.fix.terms import FixVersion, SessionKind, SessionTerms
from directbroker.adapters.http.ports import OrderView, TradeEvent, TradeUpdate, TradingPort
from directbroker.app.fix_reporting import OrderChains, PendingIds, SessionState, update_reports
from directbroker.domain.order_status import OrdStatus
from directbroker.domain.orders import OrderType, Side, TimeInForce
from directbroker.domain.rejects import RejectCode

BASE = OrderView(
    order_id="fx1-a",
    client_order_id="c1",
    account="A1",
    symbol="AAPL",
    side=Side.BUY,
    order_type=OrderType.LIMIT,
    time_in_force=TimeInForce.DAY,
    quantity=100,
    filled_quantity=0,
    filled_avg_price=None,
    limit_price=2_310_000,
    stop_price=None,
    status=OrdStatus.NEW,
    created_ns=1,
    updated_ns=1,
)


class Orders:
    """Just enough of the trading port: orders by id."""

    def __init__(self, *views: OrderView) -> None:
        self.views = {v.order_id: v for v in views}
        self.reads = 0

    async def get_order(self, order_id: str) -> OrderView | None:
        self.reads += 1
        return self.views.get(order_id)


def reports(
    orders: Orders, update: TradeUpdate, version: FixVersion = FixVersion.FIX44
) -> tuple[SessionState, list[dict[int, str]]]:
    terms = SessionTerms("S", SessionKind.ORDER_ENTRY, version, frozenset({"A1"}))
    session = SessionState(terms, "fx1-")
    return session, _run(orders, session, update)


def _run(orders: Orders, session: SessionState, update: TradeUpdate) -> list[dict[int, str]]:
    trading = cast(TradingPort, orders)
    chains = OrderChains(trading)
    found = asyncio.run(update_reports(chains, trading, session, update))
    return [dict(body) for _, body in found]


def test_an_order_the_platform_ended_carries_its_code() -> None:
    expired = dataclasses.replace(
        BASE,
        status=OrdStatus.EXPIRED,
        reject_code=RejectCode.SYMBOL_HALTED.number,
        reject_reason="halted at the close",
    )
    _, (report,) = reports(Orders(expired), TradeUpdate(TradeEvent.EXPIRED, expired, 7))
    assert (report[150], report[39], report[151], report[17]) == ("C", "C", "0", "fx1-a.C.7")
    assert report[58] == "3001 halted at the close"
    rejected = dataclasses.replace(
        expired, status=OrdStatus.REJECTED, reject_code=RejectCode.UNKNOWN_SYMBOL.number
    )
    _, (report,) = reports(Orders(rejected), TradeUpdate(TradeEvent.REJECTED, rejected, 8))
    assert (report[150], report[39], report[103]) == ("8", "8", "1")
    assert report[58].startswith("1001 ")


def test_done_for_day_has_nothing_left() -> None:
    done = dataclasses.replace(
        BASE, status=OrdStatus.DONE_FOR_DAY, filled_quantity=30, filled_avg_price=2_310_000
    )
    _, (report,) = reports(Orders(done), TradeUpdate(TradeEvent.DONE_FOR_DAY, done, 9))
    assert (report[150], report[39], report[151], report[14], report[6]) == (
        "3",
        "3",
        "0",
        "30",
        "231.00",
    )


def test_a_cancel_in_flight_names_its_client_ids() -> None:
    pending = dataclasses.replace(BASE, status=OrdStatus.PENDING_CANCEL)
    terms = SessionTerms("S", SessionKind.ORDER_ENTRY, FixVersion.FIX42, frozenset({"A1"}))
    session = SessionState(terms, "fx1-")
    session.cancels["fx1-a"] = PendingIds("c9", "c1")
    orders = Orders(pending)
    (report,) = _run(orders, session, TradeUpdate(TradeEvent.PENDING_CANCEL, pending, 3))
    assert (report[150], report[39], report[11], report[41], report[20]) == (
        "6",
        "6",
        "c9",
        "c1",
        "0",
    )
    canceled = dataclasses.replace(BASE, status=OrdStatus.CANCELED)
    (report,) = _run(orders, session, TradeUpdate(TradeEvent.CANCELED, canceled, 4))
    assert (report[150], report[11], report[41]) == ("4", "c9", "c1")
    assert session.cancels == {}


def test_a_replace_chain_is_one_fix_order() -> None:
    first = dataclasses.replace(
        BASE,
        status=OrdStatus.REPLACED,
        filled_quantity=40,
        filled_avg_price=2_310_000,
        replaced_by="fx1-b",
    )
    second = dataclasses.replace(
        BASE,
        order_id="fx1-b",
        client_order_id="c2",
        quantity=60,
        filled_quantity=20,
        filled_avg_price=2_300_000,
        status=OrdStatus.REPLACED,
        replaces="fx1-a",
        replaced_by="fx1-c",
    )
    third = dataclasses.replace(
        BASE,
        order_id="fx1-c",
        client_order_id="c3",
        quantity=90,
        status=OrdStatus.PENDING_NEW,
        replaces="fx1-b",
        limit_price=2_290_000,
    )
    orders = Orders(first, second, third)
    quiet = TradeUpdate(TradeEvent.PENDING_NEW, third, 5)
    assert reports(orders, quiet)[1] == []
    _, (report,) = reports(orders, TradeUpdate(TradeEvent.REPLACED, second, 6))
    # 40 @ 231.00 then 20 @ 230.00: 60 filled at 230.6667 (half up), 90 left of 150.
    assert (report[150], report[39], report[37], report[11], report[41]) == (
        "5",
        "1",
        "fx1-a",
        "c3",
        "c2",
    )
    assert (report[38], report[14], report[151], report[6], report[44]) == (
        "150",
        "60",
        "90",
        "230.6667",
        "229.00",
    )
    working = dataclasses.replace(
        third, status=OrdStatus.PARTIALLY_FILLED, filled_quantity=10, filled_avg_price=2_290_000
    )
    fill = TradeUpdate(
        TradeEvent.PARTIAL_FILL, working, 7, "NSDQ.5", 2_290_000, 10, 70, venue="NSDQ"
    )
    _, (report,) = reports(Orders(first, second, working), fill, FixVersion.FIX42)
    assert (report[150], report[39], report[17], report[30]) == ("1", "1", "NSDQ.5", "NSDQ")
    assert (report[38], report[14], report[151], report[37]) == ("150", "70", "80", "fx1-a")


def test_replaced_bases_are_read_once() -> None:
    first = dataclasses.replace(
        BASE, status=OrdStatus.REPLACED, filled_quantity=5, filled_avg_price=2_310_000
    )
    second = dataclasses.replace(BASE, order_id="fx1-b", replaces="fx1-a", quantity=95)
    orders = Orders(first, second)
    chains = OrderChains(cast(TradingPort, orders))

    async def twice() -> None:
        assert (await chains.base(second)).cum_quantity == 5
        assert (await chains.base(second)).root_id == "fx1-a"

    asyncio.run(twice())
    assert orders.reads == 1

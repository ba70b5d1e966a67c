"""The Rule 606 report of a simulated trading day, checked against a brute-force recount of
the journal: ``directbroker serve`` (a subprocess, durable journals, the simulated market)
takes market, marketable limit, non-marketable limit and stop orders for a customer through
alpaca-py; the report through the Broker API and ``directbroker report 606 --format json``
must agree with each other, and with a recount written here from the journal's raw events (a
plain loop: the NBBO per symbol at each order's arrival, the venues each order was sent to,
the fee schedule applied to each fill), so the report's counting is checked by a second,
independent one. The 605 report is read both ways too.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from directbroker.adapters.storage.sqlite import SqliteStorage
from directbroker.protocols.codec import decode, decode_many
from directbroker.sim.universe import VENUE_FEES
from tests.e2e.lifecycle import (
    account_orders,
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

from alpaca.trading.enums import OrderSide, TimeInForce  # isort: skip
from alpaca.trading.requests import (  # isort: skip
    LimitOrderRequest,
    MarketOrderRequest,
    StopOrderRequest,
)

pytestmark = pytest.mark.timeout(600)
SYMBOLS = ("AAPL", "MSFT")


def _cents(value: Decimal) -> float:
    return float(value.quantize(Decimal("0.01")))


def _place_day(broker: Any, account: str, prices: dict[str, tuple[Decimal, Decimal]]) -> None:
    """A day's mix (quantities differ so no two orders are alike)."""
    day = TimeInForce.DAY
    for n in range(6):
        symbol = SYMBOLS[n % 2]
        bid, ask = prices[symbol]
        qty = 10 + n
        crossing = _cents(ask * Decimal("1.02"))
        resting = _cents(bid * Decimal("0.9"))
        far_stop = _cents(ask * Decimal("1.5"))
        orders: list[Any] = [
            MarketOrderRequest(symbol=symbol, qty=qty, side=OrderSide.BUY, time_in_force=day),
            LimitOrderRequest(
                symbol=symbol, qty=qty + 20, side=OrderSide.BUY, time_in_force=day,
                limit_price=crossing,
            ),
            LimitOrderRequest(
                symbol=symbol, qty=qty + 40, side=OrderSide.BUY, time_in_force=day,
                limit_price=resting,
            ),
            StopOrderRequest(
                symbol=symbol, qty=qty + 60, side=OrderSide.BUY, time_in_force=day,
                stop_price=far_stop,
            ),
        ]  # fmt: skip
        for order in orders:
            broker.submit_order_for_account(account, order)
    for symbol in SYMBOLS:  # sell part of what the market orders bought, marketable
        bid, _ = prices[symbol]
        sell = LimitOrderRequest(
            symbol=symbol, qty=5, side=OrderSide.SELL, time_in_force=day,
            limit_price=_cents(bid * Decimal("0.98")),
        )  # fmt: skip
        broker.submit_order_for_account(account, sell)


def recount(journal: Path) -> dict[tuple[str, str], tuple[int, int, int]]:
    """(category, venue) -> (orders, shares, net payment in micro-dollars), by a plain loop
    over the journal's events; directed orders (none here) would be left out."""
    quote: dict[str, tuple[int | None, int | None]] = {}
    category: dict[str, str] = {}
    venues: dict[str, dict[str, list[int]]] = defaultdict(dict)
    rates = {venue: fees for venue, (_, fees, _) in VENUE_FEES.items()}
    importlib.import_module("directbroker.engines.broker")  # registers the journal's messages
    with SqliteStorage(str(journal), readonly=True) as storage:
        for entry in storage.journal.read(0, None):
            message = decode(entry.command)
            if type(message).__name__ == "QuoteUpdated":
                quote[message.symbol] = (message.bid_price, message.ask_price)  # type: ignore[attr-defined]
            for event in decode_many(entry.events):
                name = type(event).__name__
                e: Any = event
                if name == "OrderReceived":
                    bid, ask = quote.get(e.symbol, (None, None))
                    kind = e.order_type.value
                    if kind == "market":
                        category[e.order_id] = "market"
                    elif kind == "limit":
                        if e.side.value == "buy":
                            crosses = ask is not None and e.limit_price >= ask
                        else:
                            crosses = bid is not None and e.limit_price <= bid
                        category[e.order_id] = (
                            "marketable_limit" if crosses else "non_marketable_limit"
                        )
                    else:
                        category[e.order_id] = "other"
                elif name == "ChildOrderSent":
                    cell = venues[e.parent_id].setdefault(e.venue, [0, 0])
                    cell[0] += e.quantity
                elif name == "ParentFilled":
                    fees = rates[e.venue]
                    rate = getattr(fees, e.liquidity.value)
                    cell = venues[e.order_id].setdefault(e.venue, [0, 0])
                    cell[1] -= rate * e.last_quantity
    rows: dict[tuple[str, str], tuple[int, int, int]] = {}
    for order_id, sent in venues.items():
        for venue, (shares, net) in sent.items():
            key = (category[order_id], venue)
            orders, total_shares, total_net = rows.get(key, (0, 0, 0))
            rows[key] = (orders + 1, total_shares + shares, total_net + net)
    return rows


def test_606_of_a_simulated_day_matches_a_recount_of_the_journal(tmp_path: Path) -> None:
    data, config = tmp_path / "firm", config_file(tmp_path, simulate=True)
    with serve(data, config, tmp_path) as firm:
        broker = staff_client(firm, data)
        account = open_approved_account(firm, data, broker)
        fund(broker, account, Decimal("500000.00"))
        key_id, secret = issue_customer_key(firm, data, account)
        prices = quotes(firm, key_id, secret, SYMBOLS)
        _place_day(broker, account, prices)
        until(
            lambda: sum(o.status.value == "filled" for o in account_orders(broker, account)) >= 12,
            "the marketable orders to fill", 120,
        )  # fmt: skip
        broker.cancel_orders_for_account(account)
        until(
            lambda: all(o.status.value in ("filled", "canceled", "expired", "rejected")
                        for o in account_orders(broker, account)),
            "every order to end", 120,
        )  # fmt: skip
        auth = admin_credential(data)
        cli = subprocess.run(
            [sys.executable, "-m", "directbroker.app.cli", "report", "606", "--data-dir",
             str(data), "--format", "json"],
            capture_output=True, text=True, timeout=120, check=True,
        )  # fmt: skip
        report = json.loads(cli.stdout)
        year, quarter = report["year"], report["quarter"]
        over_api = httpx.get(
            f"{firm.url}/v1/reports/606", params={"year": year, "quarter": quarter},
            auth=auth, timeout=30,
        )  # fmt: skip
        assert over_api.status_code == 200, over_api.text
        month = next(m["period"] for m in report["months"] if m["venues"])
        quality = httpx.get(
            f"{firm.url}/v1/reports/605", params={"month": month}, auth=auth, timeout=30
        )
        assert quality.status_code == 200 and quality.json()["rows"], quality.text
    assert over_api.json()["total"] == report["total"]

    expected = recount(data / "journals" / "broker.journal.db")
    total = report["total"]
    got = {
        (row["category"], row["venue"]): (
            row["orders"], row["shares"], Decimal(row["net_payment"]),
        )
        for row in total["venues"]
    }  # fmt: skip
    assert got == {
        key: (orders, shares, (Decimal(net) / 1_000_000).quantize(Decimal("0.01")))
        for key, (orders, shares, net) in expected.items()
    }
    assert {kind for kind, _ in got} == {"market", "marketable_limit", "non_marketable_limit"}
    assert any(net for _, _, net in got.values())  # fees and rebates were counted
    assert total["orders_by_category"]["market"] == 6
    assert total["directed_orders"] == 0
    for row in total["venues"]:
        routed = total["orders_by_category"][row["category"]]
        share = Decimal(row["orders"]) * 100 / routed
        assert Decimal(row["percent_of_orders"]) == share.quantize(Decimal("0.01"))
    csv = subprocess.run(
        [sys.executable, "-m", "directbroker.app.cli", "report", "606", "--data-dir", str(data),
         "--format", "csv"],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout  # fmt: skip
    assert csv.splitlines()[0].startswith("period,category,venue")
    assert sum(line.startswith(f"{year}Q{quarter},") for line in csv.splitlines()) == len(got)

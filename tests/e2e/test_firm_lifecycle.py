"""A customer's whole life at the firm, as the firm's staff run it: ``directbroker serve`` in a
subprocess on durable journals at the default market rate, driven by the unmodified alpaca-py
``BrokerClient``. Open an account (KYC, a disclosure that waits for staff approval), link a
bank, deposit and wait for it to clear, issue the customer a Trading API key, then trade on the
account's behalf from several threads (resting and marketable limit orders) and SIGKILL the
server while submissions are still running. After a restart on the same directory every order
the server acknowledged is found, by id and by client order id, none twice; the cash is the
deposit less the fills exactly and the positions are the fills; the customer's key still works
and sees the same orders through ``TradingClient``. A second run does it all with two
CPU-burning processes beside the server."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.lifecycle import (
    DEPOSIT,
    Submitted,
    account_orders,
    config_file,
    fills_of,
    fund,
    issue_customer_key,
    open_approved_account,
    quotes,
    serve,
    staff_client,
)
from tests.e2e.running import cpu_burners, stop_all, until

from alpaca.trading.client import TradingClient  # isort: skip
from alpaca.trading.enums import OrderSide, QueryOrderStatus, TimeInForce  # isort: skip
from alpaca.trading.requests import GetOrdersRequest, LimitOrderRequest  # isort: skip
from alpaca.common.exceptions import APIError  # isort: skip
from alpaca.trading.models import AccountConfiguration  # isort: skip

SYMBOLS = ("AAPL", "MSFT")
THREADS = 4
PER_THREAD = 40
"""Most submissions are still to come when the server is killed."""
KILL_AFTER = 24
"""Acknowledged orders before the SIGKILL."""


@pytest.fixture(params=[0, 2], ids=["idle", "two-cpu-burners"])
def load(request: pytest.FixtureRequest) -> Iterator[int]:
    """An idle machine, or two processes burning a core each beside the server."""
    burners = cpu_burners(request.param)
    try:
        yield request.param
    finally:
        stop_all(burners)


def _submitter(
    broker: Any, account: str, worker: int, prices: dict[str, tuple[Decimal, Decimal]],
    acknowledged: list[Submitted], failed: list[BaseException], go: threading.Event,
) -> None:  # fmt: skip
    """Submit until the server is gone: odd orders rest below the bid, even ones cross."""
    go.wait()
    for n in range(PER_THREAD):
        symbol = SYMBOLS[(worker + n) % len(SYMBOLS)]
        bid, ask = prices[symbol]
        marketable = n % 2 == 0
        # No two orders alike (the firm refuses an identical order within a second): the
        # price moves a cent per order, the quantity differs per thread.
        cents = Decimal(n) / 100
        price = ask * Decimal("1.05") + cents if marketable else bid * Decimal("0.8") - cents
        client_id = f"life-{worker}-{n}-{uuid.uuid4().hex[:8]}"
        order = LimitOrderRequest(
            symbol=symbol, qty=1 + worker, side=OrderSide.BUY, time_in_force=TimeInForce.DAY,
            limit_price=float(price.quantize(Decimal("0.01"))), client_order_id=client_id,
        )  # fmt: skip
        try:
            placed = broker.submit_order_for_account(account, order)
        except Exception as error:  # the server died: this one was never acknowledged
            failed.append(error)
            return
        acknowledged.append(Submitted(str(placed.id), client_id, symbol))


def test_open_fund_trade_crash_and_find_everything(tmp_path: Path, load: int) -> None:
    data, config = tmp_path / "firm", config_file(tmp_path, simulate=True)
    with serve(data, config, tmp_path) as firm:
        broker = staff_client(firm, data)
        account = open_approved_account(firm, data, broker)
        fund(broker, account, DEPOSIT)
        key_id, secret = issue_customer_key(firm, data, account)
        customer = TradingClient(key_id, secret, url_override=firm.url)
        assert Decimal(str(customer.get_account().cash)) == DEPOSIT  # type: ignore[union-attr]
        prices = quotes(firm, key_id, secret, SYMBOLS)

        acknowledged: list[Submitted] = []
        failed: list[BaseException] = []
        go = threading.Event()
        workers = [
            threading.Thread(
                target=_submitter,
                args=(broker, account, worker, prices, acknowledged, failed, go),
                daemon=True,
            )
            for worker in range(THREADS)
        ]
        for worker in workers:
            worker.start()
        go.set()
        until(lambda: len(acknowledged) >= KILL_AFTER or failed, "acknowledgements", 120)
        assert not failed, failed
        firm.kill()  # submissions still running
        for worker in workers:
            worker.join(60)
        in_flight = THREADS * PER_THREAD - len(acknowledged)
        assert in_flight > 0 and len(failed) == THREADS

    with serve(data, config, tmp_path) as firm:
        broker = staff_client(firm, data)
        orders = account_orders(broker, account)
        ids = [str(o.id) for o in orders]
        client_ids = [o.client_order_id for o in orders]
        assert len(ids) == len(set(ids)) and len(client_ids) == len(set(client_ids))
        by_id = {str(o.id): o for o in orders}
        for sent in acknowledged:
            assert sent.order_id in by_id, f"acknowledged order {sent} lost"
            assert by_id[sent.order_id].client_order_id == sent.client_order_id
            found = broker.get_order_for_account_by_id(account, sent.order_id)
            assert found.client_order_id == sent.client_order_id
        # Anything else is a submission the kill cut short, which the journal had taken.
        assert set(client_ids) - {s.client_order_id for s in acknowledged} <= {
            o.client_order_id for o in orders if o.client_order_id.startswith("life-")
        }
        _check_books(broker, account, orders)

        # The customer's own key survived and sees the very same orders.
        customer = TradingClient(key_id, secret, url_override=firm.url)
        theirs = customer.get_orders(GetOrdersRequest(status=QueryOrderStatus.ALL, limit=500))
        assert {str(o.id) for o in theirs} == set(ids)  # type: ignore[union-attr]
        assert firm.terminate() == 0


def _check_books(broker: Any, account: str, orders: list[Any]) -> None:
    """Cash is the deposit less every fill, exactly; positions are the fills; each order's
    filled quantity is its fills'."""
    # Settle: the fills of orders that were in flight reach the read models.
    fills = until(lambda: _settled(broker, account, orders), "fills to settle", 60)
    assert fills, "no marketable order filled"
    assert any(o.status.value in ("new", "accepted") for o in orders), "no order rests"
    cost = sum((qty * price for _, _, qty, price in fills), Decimal(0))
    trade = broker.get_trade_account_by_id(account)
    assert Decimal(str(trade.cash)) == DEPOSIT - cost, (trade.cash, DEPOSIT, cost)
    held: Counter[str] = Counter()
    for _, symbol, qty, _ in fills:
        held[symbol] += int(qty)
    positions = {
        p.symbol: int(Decimal(p.qty)) for p in broker.get_all_positions_for_account(account)
    }
    assert positions == {s: q for s, q in held.items() if q}


def _settled(
    broker: Any, account: str, orders: list[Any]
) -> list[tuple[str, str, Decimal, Decimal]] | None:
    """The fills, once every order's filled quantity equals its fills' (else ``None``)."""
    fills = fills_of(broker, account)
    per_order: Counter[str] = Counter()
    for order_id, _, qty, _ in fills:
        per_order[order_id] += int(qty)
    current = {str(o.id): o for o in account_orders(broker, account)}
    if set(current) != {str(o.id) for o in orders}:
        return None
    for order_id, order in current.items():
        if int(Decimal(order.filled_qty or "0")) != per_order.get(order_id, 0):
            return None
    return fills


def test_an_account_configuration_survives_a_crash(tmp_path: Path) -> None:
    """Staff set an account's configuration through the Broker API; after SIGKILL and a
    restart the configuration reads back the same and is still honoured (a suspended account's
    order is refused, changing nothing)."""
    data, config = tmp_path / "firm", config_file(tmp_path, simulate=False)
    wanted = {
        "suspend_trade": True, "no_shorting": True, "dtbp_check": "both", "pdt_check": "exit",
        "trade_confirm_email": "none", "fractional_trading": False,
        "max_margin_multiplier": "1",
    }  # fmt: skip
    with serve(data, config, tmp_path) as firm:
        broker = staff_client(firm, data)
        account = open_approved_account(firm, data, broker)
        fund(broker, account, Decimal("1000.00"))
        changed = broker.update_trade_configuration_for_account(
            account, AccountConfiguration(**_defaults(broker, account) | wanted)
        )
        assert _chosen(changed) == wanted
        firm.kill()

    with serve(data, config, tmp_path) as firm:
        broker = staff_client(firm, data)
        assert _chosen(broker.get_trade_configuration_for_account(account)) == wanted
        order = LimitOrderRequest(
            symbol="AAPL", qty=1, side=OrderSide.BUY, time_in_force=TimeInForce.DAY,
            limit_price=1.00,
        )  # fmt: skip
        with pytest.raises(APIError) as refused:
            broker.submit_order_for_account(account, order)
        assert refused.value.status_code == 403, str(refused.value)
        assert int(refused.value.code) % 100_000 == 2030  # suspended by the configuration
        assert account_orders(broker, account) == []
        assert firm.terminate() == 0


def _defaults(broker: Any, account: str) -> dict[str, Any]:
    current = broker.get_trade_configuration_for_account(account)
    return {name: getattr(current, name) for name in type(current).model_fields}


def _chosen(configuration: Any) -> dict[str, Any]:
    """The fields this test sets, as plain values."""
    values = {}
    for name in ("suspend_trade", "no_shorting", "dtbp_check", "pdt_check",
                 "trade_confirm_email", "fractional_trading", "max_margin_multiplier"):  # fmt: skip
        value = getattr(configuration, name)
        values[name] = getattr(value, "value", value)
    return values

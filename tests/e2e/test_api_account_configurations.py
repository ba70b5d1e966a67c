"""Account configurations and buying power through the unmodified alpaca-py TradingClient:
a configuration change goes through the broker core and is honoured by pre-trade risk, and
``/v2/account`` shows the buying power risk checks against (net of working orders)."""

from __future__ import annotations

import uuid
import warnings
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

with warnings.catch_warnings():
    # alpaca-py's streams import websockets.legacy, which warns that it is deprecated.
    warnings.simplefilter("ignore", DeprecationWarning)
    from alpaca.trading.client import TradingClient

from alpaca.common.exceptions import APIError
from alpaca.trading.enums import DTBPCheck, OrderSide, PDTCheck, TimeInForce, TradeConfirmationEmail
from alpaca.trading.models import AccountConfiguration, Order, TradeAccount
from alpaca.trading.requests import LimitOrderRequest, MarketOrderRequest

from directbroker.adapters.http import ApiServer
from directbroker.testing.fake_trading import FakeTrading
from tests.e2e.conftest import ApiPlatform, wait_for

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(scope="module")
def client(server: ApiServer, platform: ApiPlatform) -> Iterator[TradingClient]:
    # bob's account B1: the SDK tests trade in alice's, and these change configurations.
    trading = TradingClient(*platform.keys["bob"], url_override=server.url)
    yield trading
    trading._session.close()


def _config(result: Any) -> AccountConfiguration:
    assert isinstance(result, AccountConfiguration)
    return result


def _account(trading: TradingClient) -> TradeAccount:
    result = trading.get_account()
    assert isinstance(result, TradeAccount)
    return result


def _reset(trading: TradingClient) -> None:
    trading.set_account_configurations(
        AccountConfiguration(
            dtbp_check=DTBPCheck.ENTRY, pdt_check=PDTCheck.ENTRY, no_shorting=False,
            suspend_trade=False, fractional_trading=False, max_margin_multiplier="4",
            trade_confirm_email=TradeConfirmationEmail.ALL, ptp_no_exception_entry=False,
            max_options_trading_level=0,
        )
    )  # fmt: skip


def test_configurations_round_trip_with_every_alpaca_field(client: TradingClient) -> None:
    _reset(client)
    current = _config(client.get_account_configurations())
    assert current.dtbp_check is DTBPCheck.ENTRY and current.max_margin_multiplier == "4"
    changed = current.model_copy(
        update={"dtbp_check": DTBPCheck.BOTH, "pdt_check": PDTCheck.EXIT, "no_shorting": True,
                "max_margin_multiplier": "2",
                "trade_confirm_email": TradeConfirmationEmail.NONE}
    )  # fmt: skip
    answered = _config(client.set_account_configurations(changed))
    again = _config(client.get_account_configurations())
    for seen in (answered, again):
        assert seen.dtbp_check is DTBPCheck.BOTH and seen.pdt_check is PDTCheck.EXIT
        assert seen.no_shorting and seen.max_margin_multiplier == "2"
        assert seen.trade_confirm_email is TradeConfirmationEmail.NONE
    account = _account(client)
    assert account.shorting_enabled is False and account.multiplier == "2"
    _reset(client)


def test_a_bad_value_is_refused_with_a_stable_code_and_changes_nothing(
    server: ApiServer, platform: ApiPlatform, client: TradingClient
) -> None:
    _reset(client)
    key, secret = platform.keys["bob"]
    headers = {"APCA-API-KEY-ID": key, "APCA-API-SECRET-KEY": secret}
    for body in ({"max_margin_multiplier": "3"}, {"dtbp_check": "never"},
                 {"trade_confirm_email": "weekly"}):  # fmt: skip
        answer = httpx.patch(f"{server.url}/v2/account/configurations", json=body,
                             headers=headers, timeout=10)  # fmt: skip
        assert answer.status_code == 422, answer.text
        assert answer.json()["code"] % 100_000 == 1030, (body, answer.text)
    current = _config(client.get_account_configurations())
    assert current.max_margin_multiplier == "4" and current.dtbp_check is DTBPCheck.ENTRY


def _real(platform: ApiPlatform) -> None:
    if isinstance(platform.ports.trading, FakeTrading):
        pytest.skip("the fake broker has no pre-trade risk; this is the broker core's rule")


def _limit(symbol: str, side: OrderSide, qty: int, price: str) -> LimitOrderRequest:
    return LimitOrderRequest(
        symbol=symbol, qty=qty, side=side, time_in_force=TimeInForce.DAY,
        limit_price=float(price), client_order_id=f"cfg-{uuid.uuid4().hex[:12]}",
    )  # fmt: skip


def test_suspend_trade_and_no_shorting_refuse_orders(
    platform: ApiPlatform, client: TradingClient
) -> None:
    _real(platform)
    _reset(client)
    current = _config(client.get_account_configurations())
    client.set_account_configurations(current.model_copy(update={"suspend_trade": True}))
    assert _account(client).trade_suspended_by_user is True
    with pytest.raises(APIError) as refused:
        client.submit_order(
            MarketOrderRequest(symbol="AAPL", qty=1, side=OrderSide.BUY,
                               time_in_force=TimeInForce.DAY)
        )  # fmt: skip
    assert refused.value.status_code == 403 and "suspend" in refused.value.message
    client.set_account_configurations(
        current.model_copy(update={"suspend_trade": False, "no_shorting": True})
    )
    with pytest.raises(APIError) as short:
        client.submit_order(_limit("AAPL", OrderSide.SELL, 1, "999"))  # no position: a short
    assert short.value.status_code == 403 and "no_shorting" in short.value.message
    _reset(client)


def test_account_buying_power_is_net_of_open_orders_and_the_multiplier(
    platform: ApiPlatform, client: TradingClient
) -> None:
    _real(platform)
    _reset(client)
    before = _account(client)
    power = Decimal(str(before.buying_power))
    cash = Decimal(str(before.cash))
    assert power > cash > 0  # a margin account: Regulation T lets it buy twice its cash
    order = client.submit_order(_limit("AAPL", OrderSide.BUY, 10, "1.00"))  # rests far below
    assert isinstance(order, Order)
    wait_for(
        lambda: Decimal(str(_account(client).buying_power)) == power - Decimal("10.00"),
        what="buying power net of the working order",
    )
    after = _account(client)
    assert Decimal(str(after.regt_buying_power)) == power - Decimal("10.00")
    assert Decimal(str(after.non_marginable_buying_power)) <= cash - Decimal("10.00")
    current = _config(client.get_account_configurations())
    client.set_account_configurations(current.model_copy(update={"max_margin_multiplier": "1"}))
    capped = Decimal(str(_account(client).buying_power))
    assert capped == cash - Decimal("10.00")
    with pytest.raises(APIError) as refused:  # more than its cash, less than Reg T would allow
        client.submit_order(_limit("AAPL", OrderSide.BUY, 1, str(capped + 100)))
    assert refused.value.status_code == 403
    client.cancel_order_by_id(order.id)
    _reset(client)
    wait_for(lambda: Decimal(str(_account(client).buying_power)) == power, what="the release")


def test_replace_makes_a_new_order_as_alpaca_does(
    platform: ApiPlatform, client: TradingClient
) -> None:
    _reset(client)
    first = client.submit_order(_limit("AAPL", OrderSide.BUY, 3, "1.00"))
    assert isinstance(first, Order)
    wait_for(
        lambda: str(_order(client, first.id).status.value) in ("new", "accepted"),
        what="the order to be working",
    )
    from alpaca.trading.requests import ReplaceOrderRequest

    second = client.replace_order_by_id(first.id, ReplaceOrderRequest(qty=5, limit_price=1.01))
    assert isinstance(second, Order)
    assert second.id != first.id and str(second.replaces) == str(first.id)
    assert second.qty == "5" and second.limit_price == "1.01"
    wait_for(
        lambda: str(_order(client, first.id).status.value) == "replaced",
        what="the old order to end replaced",
    )
    old = _order(client, first.id)
    assert str(old.replaced_by) == str(second.id)
    wait_for(
        lambda: str(_order(client, second.id).status.value) in ("new", "accepted"),
        what="the new order to work",
    )
    client.cancel_order_by_id(second.id)


def _order(trading: TradingClient, order_id: Any) -> Order:
    result = trading.get_order_by_id(order_id)
    assert isinstance(result, Order)
    return result

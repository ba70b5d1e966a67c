"""The unmodified alpaca-py SDK against DirectBroker on loopback: only the base URL changes."""

from __future__ import annotations

import itertools
import threading
import warnings
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from directbroker.adapters.http import ApiServer
from tests.e2e.conftest import (
    HISTORY_BARS,
    HISTORY_START_NS,
    ApiPlatform,
    StreamRunner,
    wait_for,
)

with warnings.catch_warnings():
    # alpaca-py's streams import websockets.legacy, which warns that it is deprecated.
    warnings.simplefilter("ignore", DeprecationWarning)
    from alpaca.data.live import StockDataStream
    from alpaca.trading.stream import TradingStream

from alpaca.common.exceptions import APIError
from alpaca.data.historical import StockHistoricalDataClient
from alpaca.data.requests import StockBarsRequest, StockLatestQuoteRequest
from alpaca.data.timeframe import TimeFrame
from alpaca.trading.client import TradingClient
from alpaca.trading.enums import OrderClass, OrderSide, OrderStatus, QueryOrderStatus, TimeInForce
from alpaca.trading.models import Order, Position, TradeUpdate
from alpaca.trading.requests import (
    GetCalendarRequest,
    GetOrdersRequest,
    LimitOrderRequest,
    MarketOrderRequest,
    ReplaceOrderRequest,
    StopLossRequest,
    StopOrderRequest,
    TakeProfitRequest,
)

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(scope="module")
def alice(platform: ApiPlatform) -> tuple[str, str]:
    return platform.keys["alice"]


@pytest.fixture(scope="module")
def trading(server: ApiServer, alice: tuple[str, str]) -> Iterator[TradingClient]:
    client = TradingClient(*alice, url_override=server.url)
    yield client
    client._session.close()


def _order(result: Any) -> Order:
    assert isinstance(result, Order)
    return result


def test_account_clock_and_calendar(trading: TradingClient) -> None:
    account = trading.get_account()
    assert account.account_number == "A1"  # type: ignore[union-attr]
    assert float(account.equity or 0) > 0  # type: ignore[union-attr]
    clock = trading.get_clock()
    assert clock.next_open > clock.timestamp or clock.is_open  # type: ignore[union-attr]
    days = trading.get_calendar(GetCalendarRequest(start=date(2026, 1, 1), end=date(2026, 1, 9)))
    assert [str(d.date) for d in days] == [  # type: ignore[union-attr]
        "2026-01-02",
        "2026-01-05",
        "2026-01-06",
        "2026-01-07",
        "2026-01-08",
        "2026-01-09",
    ]


def test_trading_flow_with_trade_updates(
    server: ApiServer, trading: TradingClient, alice: tuple[str, str]
) -> None:
    updates: list[TradeUpdate] = []
    lock = threading.Lock()

    async def on_update(update: TradeUpdate) -> None:
        with lock:
            updates.append(update)

    def events(order_id: str) -> list[str]:
        with lock:
            return [str(u.event) for u in updates if str(u.order.id) == order_id]

    stream = TradingStream(*alice, url_override=f"{server.ws_url}/stream")
    stream.subscribe_trade_updates(on_update)
    context = server_context(server)
    with StreamRunner(stream):
        wait_for(lambda: context.trade_listeners > 0, what="the trade stream to listen")

        market = _order(
            trading.submit_order(
                MarketOrderRequest(
                    symbol="AAPL", qty=10, side=OrderSide.BUY, time_in_force=TimeInForce.DAY
                )
            )
        )
        limit = _order(
            trading.submit_order(
                LimitOrderRequest(
                    symbol="MSFT",
                    qty=5,
                    side=OrderSide.BUY,
                    time_in_force=TimeInForce.GTC,
                    limit_price=100.25,
                    client_order_id="my-limit-1",
                )
            )
        )
        stop = _order(
            trading.submit_order(
                StopOrderRequest(
                    symbol="AAPL",
                    qty=3,
                    side=OrderSide.SELL,
                    time_in_force=TimeInForce.DAY,
                    stop_price=200,
                )
            )
        )
        bracket = _order(
            trading.submit_order(
                MarketOrderRequest(
                    symbol="NVDA",
                    qty=4,
                    side=OrderSide.BUY,
                    time_in_force=TimeInForce.DAY,
                    order_class=OrderClass.BRACKET,
                    take_profit=TakeProfitRequest(limit_price=160),
                    stop_loss=StopLossRequest(stop_price=120),
                )
            )
        )
        assert limit.status in (OrderStatus.NEW, OrderStatus.PENDING_NEW, OrderStatus.ACCEPTED)
        assert limit.limit_price == "100.25" and limit.client_order_id == "my-limit-1"
        assert bracket.order_class is OrderClass.BRACKET and len(bracket.legs or []) == 2

        wait_for(lambda: "fill" in events(str(market.id)), what="the market order's fill")
        filled = _order(trading.get_order_by_id(market.id))
        assert filled.status is OrderStatus.FILLED and filled.filled_qty == "10"
        fill = next(u for u in updates if u.event == "fill" and u.order.id == market.id)
        assert fill.position_qty == 10 and fill.qty == 10 and fill.price

        open_orders = trading.get_orders(GetOrdersRequest(status=QueryOrderStatus.OPEN))
        open_ids = {_order(o).id for o in open_orders}
        assert {limit.id, stop.id} <= open_ids and market.id not in open_ids
        assert _order(trading.get_order_by_client_id("my-limit-1")).id == limit.id

        replaced = _order(
            trading.replace_order_by_id(limit.id, ReplaceOrderRequest(qty=7, limit_price=101.5))
        )
        assert replaced.qty == "7" and replaced.limit_price == "101.50"
        wait_for(lambda: "replaced" in events(str(limit.id)), what="the replaced event")

        trading.cancel_order_by_id(stop.id)
        wait_for(lambda: "canceled" in events(str(stop.id)), what="the canceled event")
        assert _order(trading.get_order_by_id(stop.id)).status is OrderStatus.CANCELED
        with pytest.raises(APIError) as again:
            trading.cancel_order_by_id(stop.id)
        assert again.value.status_code == 422 and "canceled" in again.value.message

        positions = trading.get_all_positions()
        by_symbol = {p.symbol: p for p in positions}  # type: ignore[union-attr]
        assert isinstance(by_symbol["AAPL"], Position) and by_symbol["AAPL"].qty == "10"
        closing = _order(trading.close_position("AAPL"))
        assert closing.side is OrderSide.SELL and closing.qty == "10"
        wait_for(lambda: "fill" in events(str(closing.id)), what="the closing fill")
        closing_fill = next(u for u in updates if u.event == "fill" and u.order.id == closing.id)
        assert closing_fill.position_qty == 0
        assert "AAPL" not in {p.symbol for p in trading.get_all_positions()}  # type: ignore[union-attr]
        assert events(str(market.id))[0] in ("new", "pending_new", "accepted")


def test_market_data_stream_delivers_quotes_trades_and_bars(
    server: ApiServer, platform: ApiPlatform, alice: tuple[str, str]
) -> None:
    seen: dict[str, list[Any]] = {"quote": [], "trade": [], "bar": []}

    async def on_quote(quote: Any) -> None:
        seen["quote"].append(quote)

    async def on_trade(trade: Any) -> None:
        seen["trade"].append(trade)

    async def on_bar(bar: Any) -> None:
        seen["bar"].append(bar)

    stream = StockDataStream(*alice, url_override=f"{server.ws_url}/v2/iex")
    stream.subscribe_quotes(on_quote, "AAPL")
    stream.subscribe_trades(on_trade, "AAPL")
    stream.subscribe_bars(on_bar, "AAPL")
    fanout = platform.ports.market_data.fanout()
    with StreamRunner(stream):
        wait_for(lambda: fanout.subscriber_count() > 0, what="the data stream to subscribe")
        wait_for(lambda: _tick_until_seen(platform, seen), what="quotes, trades and bars")
    quote, trade, bar = seen["quote"][0], seen["trade"][0], seen["bar"][0]
    assert quote.symbol == "AAPL" and quote.ask_price > quote.bid_price > 0
    assert trade.symbol == "AAPL" and trade.price > 0 and trade.size > 0
    assert bar.symbol == "AAPL" and bar.volume > 0
    assert trade.timestamp.tzinfo is not None


def _tick_until_seen(platform: ApiPlatform, seen: dict[str, list[Any]]) -> bool:
    if all(seen.values()):
        return True
    platform.tick("AAPL")
    return False


def test_historical_bars_and_latest_quote(
    server: ApiServer, platform: ApiPlatform, alice: tuple[str, str]
) -> None:
    platform.tick("AAPL")
    client = StockHistoricalDataClient(*alice, url_override=server.url)
    try:
        start = datetime.fromtimestamp(HISTORY_START_NS / 1e9, UTC)
        bars = client.get_stock_bars(
            StockBarsRequest(
                symbol_or_symbols="AAPL",
                timeframe=TimeFrame.Minute,
                start=start,
                end=start + timedelta(hours=2),
            )
        )
        series = bars["AAPL"]
        assert len(series) == HISTORY_BARS
        assert series[0].timestamp == start and series[0].open == 231.0
        assert all(a.timestamp < b.timestamp for a, b in itertools.pairwise(series))
        latest = client.get_stock_latest_quote(StockLatestQuoteRequest(symbol_or_symbols="AAPL"))
        assert latest["AAPL"].ask_price > 0
    finally:
        client._session.close()


def server_context(server: ApiServer) -> Any:
    """The app's shared context (to see how many trade streams listen)."""
    return server.app.state.context

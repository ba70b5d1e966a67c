"""Responses in Alpaca's shapes, and API ids that map back to ours."""

from __future__ import annotations

from dataclasses import replace

import msgpack

from directbroker.adapters.http.errors import ApiError
from directbroker.adapters.http.ids import api_order_id, core_order_id, is_uuid, new_order_id
from directbroker.adapters.http.md_shapes import bar_json, montage_json, quote_json, trade_json
from directbroker.adapters.http.ports import OrderView, TradeEvent, TradeUpdate
from directbroker.adapters.http.shapes import iso, render_order, render_trade_update
from directbroker.domain.marketdata_messages import (
    Bar,
    Montage,
    PriceLevel,
    QuoteUpdated,
    Timeframe,
    TradePrinted,
    VenueDepth,
)
from directbroker.domain.order_status import LegRole, OrderClass, OrdStatus
from directbroker.domain.orders import BookSide, OrderType, Side, TimeInForce
from directbroker.domain.rejects import RejectCode

TS = 1_767_623_400_123_456_789


def view(**changes: object) -> OrderView:
    base = OrderView(
        "0c6a3c9e-8a8f-4d6b-9a57-6f0e0c2b1a11",
        "c1",
        "A1",
        "AAPL",
        Side.BUY,
        OrderType.LIMIT,
        TimeInForce.DAY,
        10,
        4,
        2_310_100,
        2_310_500,
        None,
        OrdStatus.PARTIALLY_FILLED,
        TS,
        TS,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_order_fields_are_alpaca_fields_with_decimal_strings() -> None:
    body = render_order(view())
    assert body["id"] == "0c6a3c9e-8a8f-4d6b-9a57-6f0e0c2b1a11"
    assert (body["qty"], body["filled_qty"], body["filled_avg_price"]) == ("10", "4", "231.01")
    assert (body["limit_price"], body["stop_price"], body["status"]) == (
        "231.05",
        None,
        "partially_filled",
    )
    assert body["created_at"] == "2026-01-05T14:30:00.123456789Z"
    assert body["type"] == body["order_type"] == "limit" and body["asset_class"] == "us_equity"
    assert is_uuid(body["asset_id"]) and body["route"] == "SMART" and body["legs"] is None
    required = {
        "id",
        "client_order_id",
        "created_at",
        "updated_at",
        "submitted_at",
        "filled_at",
        "expired_at",
        "canceled_at",
        "failed_at",
        "replaced_at",
        "replaced_by",
        "replaces",
        "asset_id",
        "symbol",
        "asset_class",
        "notional",
        "qty",
        "filled_qty",
        "filled_avg_price",
        "order_class",
        "order_type",
        "type",
        "side",
        "time_in_force",
        "limit_price",
        "stop_price",
        "status",
        "extended_hours",
        "legs",
        "trail_percent",
        "trail_price",
        "hwm",
        "position_intent",
    }
    assert required <= set(body)


def test_statuses_and_auction_types_map_to_alpaca() -> None:
    replaced = render_order(view(status=OrdStatus.REPLACED, replaced_by="o2"))
    assert replaced["status"] == "replaced" and replaced["replaced_by"] == api_order_id("o2")
    assert render_order(view(status=OrdStatus.SUSPENDED))["status"] == "held"
    moo = render_order(view(order_type=OrderType.MARKET_ON_OPEN, time_in_force=TimeInForce.OPG))
    assert (moo["type"], moo["time_in_force"]) == ("market", "opg")
    short = render_order(view(side=Side.SELL_SHORT))
    assert (short["side"], short["short_sale"]) == ("sell", True)


def test_bracket_legs_get_uuids_that_map_back() -> None:
    parent = new_order_id()
    for suffix in (".tp", ".sl"):
        shown = api_order_id(parent + suffix)
        assert is_uuid(shown) and shown != parent
        assert core_order_id(shown) == parent + suffix
    assert core_order_id(parent) == parent and api_order_id(parent) == parent
    assert core_order_id(parent.upper()) == parent
    assert is_uuid(api_order_id("FIX-ORDER-7")) and core_order_id("junk") == "junk"
    leg = view(order_id=parent + ".tp", role=LegRole.TAKE_PROFIT, order_class=OrderClass.BRACKET)
    body = render_order(view(order_id=parent, order_class=OrderClass.BRACKET, legs=(leg,)))
    assert body["legs"][0]["id"] == api_order_id(parent + ".tp")


def test_trade_update_message() -> None:
    update = TradeUpdate(TradeEvent.FILL, view(), TS, "E-17", 2_310_100, 4, 104)
    message = render_trade_update(update)
    assert message["stream"] == "trade_updates"
    data = message["data"]
    assert (data["event"], data["price"], data["qty"], data["position_qty"]) == (
        "fill",
        "231.01",
        "4",
        "104",
    )
    assert is_uuid(data["execution_id"]) and data["exec_id"] == "E-17"


def test_market_data_shapes() -> None:
    bar = Bar(
        "AAPL",
        Timeframe.MINUTE,
        TS,
        2_310_000,
        2_311_000,
        2_309_900,
        2_310_500,
        500,
        2_310_000 * 500,
        7,
        "2026-01-05",
    )
    assert bar_json(bar) == {
        "t": iso(TS),
        "o": 231.0,
        "h": 231.1,
        "l": 230.99,
        "c": 231.05,
        "v": 500,
        "n": 7,
        "vw": 231.0,
    }
    quote = quote_json(QuoteUpdated("AAPL", 2_310_000, 300, "NSDQ", None, 0, "", TS))
    assert (quote["bx"], quote["bp"], quote["ap"], quote["ax"]) == ("Q", 231.0, 0.0, "")
    stamp = msgpack.Timestamp.from_unix_nano
    trade = trade_json(
        TradePrinted(1, "AAPL", "IEX", 9, 2_310_000, 100, BookSide.BID, "", TS), stamp
    )
    packed = msgpack.unpackb(msgpack.packb(trade))
    assert packed["t"] == stamp(TS) and packed["x"] == "V" and packed["c"] == ["@"]


def test_montage_merges_venues_best_first() -> None:
    montage = Montage(
        "AAPL",
        (
            VenueDepth("ARCA", (PriceLevel(100, 5, 1),), (PriceLevel(110, 5, 1),)),
            VenueDepth("NSDQ", (PriceLevel(101, 9, 2),), (PriceLevel(110, 9, 1),)),
        ),
    )
    body = montage_json(montage, iso, TS)
    assert [(b["x"], b["s"]) for b in body["b"]] == [("NSDQ", 9), ("ARCA", 5)]
    assert [(a["x"], a["s"]) for a in body["a"]] == [("NSDQ", 9), ("ARCA", 5)]


def test_error_codes_carry_the_reject_number() -> None:
    error = ApiError.from_reject(RejectCode.INSUFFICIENT_BUYING_POWER)
    assert (error.status, error.code) == (403, 40_302_002)
    assert ApiError.from_reject(RejectCode.REPLACE_TOO_LATE).status == 422
    assert ApiError.from_reject(RejectCode.UNKNOWN_ORDER).status == 404
    assert ApiError.from_reject(RejectCode.JOURNAL_UNAVAILABLE).status == 503

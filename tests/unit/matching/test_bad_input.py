"""Every kind of bad input is refused with its stable code and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from directbroker.domain.messages import Command
from directbroker.domain.numbers import MAX_PRICE, MAX_QUANTITY
from directbroker.domain.orders import AuctionKind, OrderType, PostOnly, Side, TimeInForce
from directbroker.domain.rejects import RejectCode
from directbroker.domain.venue_messages import (
    CancelOrder,
    HaltTrading,
    OrderRejected,
    ReplaceOrder,
    ResumeTrading,
    RunAuction,
    SubmitOrder,
)
from tests.unit.matching.matching_helpers import Engine, limit, order, run, usd

BUY, SELL = Side.BUY, Side.SELL


def _with(cmd: SubmitOrder, **changes: Any) -> SubmitOrder:
    values = {name: getattr(cmd, name) for name in SubmitOrder.__slots__}
    values.update(changes)
    return SubmitOrder(**values)


GOOD = limit("new", BUY, 10, "9.00")
"""A valid order that would rest below the book; each case breaks one thing about it."""

BAD_SUBMITS: list[tuple[str, SubmitOrder, RejectCode]] = [
    ("unknown symbol", _with(GOOD, symbol="NOPE"), RejectCode.SYMBOL_NOT_TRADED_HERE),
    ("symbol not text", _with(GOOD, symbol=["XYZ"]), RejectCode.MALFORMED),
    ("zero quantity", _with(GOOD, quantity=0), RejectCode.QUANTITY_NOT_POSITIVE),
    ("negative quantity", _with(GOOD, quantity=-5), RejectCode.QUANTITY_NOT_POSITIVE),
    ("bool quantity", _with(GOOD, quantity=True), RejectCode.QUANTITY_NOT_INTEGRAL),
    ("float quantity", _with(GOOD, quantity=10.0), RejectCode.QUANTITY_NOT_INTEGRAL),
    ("text quantity", _with(GOOD, quantity="10"), RejectCode.QUANTITY_NOT_INTEGRAL),
    ("huge quantity", _with(GOOD, quantity=MAX_QUANTITY + 1), RejectCode.QUANTITY_TOO_LARGE),
    ("price off tick", _with(GOOD, price=usd("9.005")), RejectCode.PRICE_OFF_TICK),
    ("zero price", _with(GOOD, price=0), RejectCode.PRICE_OUT_OF_RANGE),
    ("negative price", _with(GOOD, price=-100), RejectCode.PRICE_OUT_OF_RANGE),
    ("huge price", _with(GOOD, price=MAX_PRICE + 100), RejectCode.PRICE_OUT_OF_RANGE),
    ("float price", _with(GOOD, price=9.0), RejectCode.PRICE_NOT_A_NUMBER),
    ("bool price", _with(GOOD, price=True), RejectCode.PRICE_NOT_A_NUMBER),
    ("limit without price", _with(GOOD, price=None), RejectCode.PRICE_REQUIRED),
    (
        "market with price",
        order("new", BUY, OrderType.MARKET, 10, "9.00"),
        RejectCode.PRICE_NOT_ALLOWED,
    ),
    ("duplicate id", _with(GOOD, order_id="live"), RejectCode.DUPLICATE_ORDER_ID),
    ("reused id of a done order", _with(GOOD, order_id="done"), RejectCode.DUPLICATE_ORDER_ID),
    ("empty id", _with(GOOD, order_id=""), RejectCode.INVALID_ID),
    ("id not text", _with(GOOD, order_id=7), RejectCode.INVALID_ID),
    ("long id", _with(GOOD, order_id="x" * 65), RejectCode.INVALID_ID),
    ("participant not text", _with(GOOD, participant=None), RejectCode.INVALID_ID),
    ("side not a side", _with(GOOD, side="buy"), RejectCode.MALFORMED),
    ("type not a type", _with(GOOD, order_type="limit"), RejectCode.MALFORMED),
    ("tif not a tif", _with(GOOD, time_in_force=3), RejectCode.MALFORMED),
    ("hidden not a bool", _with(GOOD, hidden=1), RejectCode.MALFORMED),
    ("post-only not a mode", _with(GOOD, post_only=True), RejectCode.MALFORMED),
    ("stop order", _with(GOOD, order_type=OrderType.STOP), RejectCode.UNSUPPORTED_ORDER_TYPE),
    ("limit OPG", _with(GOOD, time_in_force=TimeInForce.OPG), RejectCode.INVALID_TIME_IN_FORCE),
    (
        "MOO IOC",
        order("new", BUY, OrderType.MARKET_ON_OPEN, 10, tif=TimeInForce.IOC),
        RejectCode.INVALID_TIME_IN_FORCE,
    ),
    (
        "LOC with OPG",
        order("new", BUY, OrderType.LIMIT_ON_CLOSE, 10, "9.00", tif=TimeInForce.OPG),
        RejectCode.INVALID_TIME_IN_FORCE,
    ),
    (
        "market GTC",
        order("new", BUY, OrderType.MARKET, 10, tif=TimeInForce.GTC),
        RejectCode.INVALID_TIME_IN_FORCE,
    ),
    ("display zero", _with(GOOD, display_quantity=0), RejectCode.INVALID_DISPLAY_QUANTITY),
    ("display = size", _with(GOOD, display_quantity=10), RejectCode.INVALID_DISPLAY_QUANTITY),
    ("display not int", _with(GOOD, display_quantity="5"), RejectCode.INVALID_DISPLAY_QUANTITY),
    (
        "hidden reserve",
        _with(GOOD, display_quantity=5, hidden=True),
        RejectCode.INVALID_ATTRIBUTES,
    ),
    (
        "reserve IOC",
        _with(GOOD, display_quantity=5, time_in_force=TimeInForce.IOC),
        RejectCode.INVALID_ATTRIBUTES,
    ),
    (
        "post-only IOC",
        _with(GOOD, post_only=PostOnly.REJECT, time_in_force=TimeInForce.IOC),
        RejectCode.INVALID_ATTRIBUTES,
    ),
    (
        "hidden market",
        order("new", BUY, OrderType.MARKET, 10, hidden=True),
        RejectCode.INVALID_ATTRIBUTES,
    ),
]


def _setup(engine: Engine) -> None:
    run(
        engine,
        limit("live", SELL, 100, "10.00"),
        limit("done", SELL, 10, "9.99"),
        limit("taker", BUY, 10, "9.99", participant="p2", time_in_force=TimeInForce.IOC),
    )


@pytest.mark.parametrize(("case", "cmd", "code"), BAD_SUBMITS, ids=[c[0] for c in BAD_SUBMITS])
def test_bad_submit_is_rejected_and_changes_nothing(
    engine: Engine, case: str, cmd: SubmitOrder, code: RejectCode
) -> None:
    _setup(engine)
    before = engine.state_hash()
    events = engine.handle(cmd, 100)
    assert len(events) == 1 and isinstance(events[0], OrderRejected), case
    assert events[0].code is code, events[0].detail
    assert engine.state_hash() == before


BAD_OTHERS: list[tuple[str, Command, RejectCode]] = [
    ("cancel unknown", CancelOrder("nope", "p1"), RejectCode.UNKNOWN_ORDER),
    ("cancel someone else's", CancelOrder("live", "p2"), RejectCode.UNKNOWN_ORDER),
    ("cancel done", CancelOrder("done", "p1"), RejectCode.REPLACE_TOO_LATE),
    ("cancel id not text", CancelOrder({"a": 1}, "p1"), RejectCode.INVALID_ID),  # type: ignore[arg-type]
    ("replace unknown", ReplaceOrder("nope", "p1", 10), RejectCode.UNKNOWN_ORDER),
    ("replace someone else's", ReplaceOrder("live", "p2", 10), RejectCode.UNKNOWN_ORDER),
    ("replace done", ReplaceOrder("done", "p1", 10), RejectCode.REPLACE_TOO_LATE),
    ("replace to zero", ReplaceOrder("live", "p1", 0), RejectCode.QUANTITY_NOT_POSITIVE),
    ("replace bool size", ReplaceOrder("live", "p1", True), RejectCode.QUANTITY_NOT_INTEGRAL),
    ("replace off tick", ReplaceOrder("live", "p1", 10, 10_0050), RejectCode.PRICE_OFF_TICK),
    ("replace bad price", ReplaceOrder("live", "p1", 10, -1), RejectCode.PRICE_OUT_OF_RANGE),
    ("halt unknown", HaltTrading("NOPE"), RejectCode.SYMBOL_NOT_TRADED_HERE),
    ("halt bad reason", HaltTrading("XYZ", 5), RejectCode.MALFORMED),  # type: ignore[arg-type]
    ("resume running", ResumeTrading("XYZ"), RejectCode.SYMBOL_NOT_HALTED),
    ("auction bad kind", RunAuction("XYZ", "open", 10_0000), RejectCode.MALFORMED),  # type: ignore[arg-type]
    ("auction bad ref", RunAuction("XYZ", AuctionKind.OPEN, 0), RejectCode.PRICE_OUT_OF_RANGE),
    ("not a venue command", Command(), RejectCode.MALFORMED),
]


@pytest.mark.parametrize(("case", "cmd", "code"), BAD_OTHERS, ids=[c[0] for c in BAD_OTHERS])
def test_bad_command_is_rejected_and_changes_nothing(
    engine: Engine, case: str, cmd: Command, code: RejectCode
) -> None:
    _setup(engine)
    before = engine.state_hash()
    events = engine.handle(cmd, 100)
    assert len(events) == 1 and isinstance(events[0], OrderRejected), case
    assert events[0].code is code, events[0].detail
    assert engine.state_hash() == before


def test_replace_of_a_market_on_open_order_may_not_add_a_price(engine: Engine) -> None:
    run(engine, order("moo", BUY, OrderType.MARKET_ON_OPEN, 10, tif=TimeInForce.OPG))
    before = engine.state_hash()
    (reject,) = engine.handle(ReplaceOrder("moo", "p1", 10, usd("10.00")), 5)
    assert isinstance(reject, OrderRejected) and reject.code is RejectCode.PRICE_NOT_ALLOWED
    assert engine.state_hash() == before


def test_post_only_replace_that_would_take_is_rejected(engine: Engine) -> None:
    run(
        engine,
        limit("s1", SELL, 10, "10.02"),
        limit("b1", BUY, 10, "10.00", post_only=PostOnly.REJECT),
    )
    before = engine.state_hash()
    (reject,) = engine.handle(ReplaceOrder("b1", "p1", 10, usd("10.02")), 5)
    assert isinstance(reject, OrderRejected) and reject.code is RejectCode.POST_ONLY_WOULD_TAKE
    assert engine.state_hash() == before

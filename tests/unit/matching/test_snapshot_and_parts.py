"""Snapshots, state hashes, the shared pure rules, and the lean event constructors."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

from directbroker.domain.messages import Event, message_types
from directbroker.domain.orders import AuctionKind, OrderType, Side, TimeInForce
from directbroker.domain.venue_messages import OrderFilled, RunAuction
from directbroker.engines import matching
from directbroker.engines.core import Core
from directbroker.engines.matching import ReferenceVenueEngine, VenueEngine
from directbroker.engines.matching.fastevents import fast_constructor
from directbroker.engines.matching.pricing import peg_price, slide_price
from tests.unit.matching.matching_helpers import CONFIG, Engine, limit, of_type, order, run, usd

BUY, SELL = Side.BUY, Side.SELL


def _busy(engine: Engine) -> None:
    run(
        engine,
        limit("r1", SELL, 100, "10.05", display_quantity=20),
        limit("h1", SELL, 50, "10.04", hidden=True),
        limit("b1", BUY, 70, "10.00", participant="p2"),
        order("pg", BUY, OrderType.PEG_MIDPOINT, 30, "10.01"),
        order("moc", SELL, OrderType.MARKET_ON_CLOSE, 40, tif=TimeInForce.CLS),
        limit("t1", BUY, 60, "10.05", participant="p3"),
    )


def test_snapshot_restore_gives_the_same_hash_and_behaviour(engine_class: type) -> None:
    original = engine_class(CONFIG)
    _busy(original)
    restored = engine_class(CONFIG)
    restored.restore(original.snapshot())
    assert restored.snapshot() == original.snapshot()
    assert restored.state_hash() == original.state_hash()
    follow_up = [
        limit("t2", BUY, 80, "10.05", participant="p4"),
        RunAuction("XYZ", AuctionKind.CLOSE, usd("10.05")),
    ]
    assert run(restored, *follow_up) == run(original, *follow_up)
    assert restored.state_hash() == original.state_hash()


def test_both_engines_agree_on_state_and_views() -> None:
    fast, reference = VenueEngine(CONFIG), ReferenceVenueEngine(CONFIG)
    assert run(fast, limit("x", BUY, 1, "1.00")) == run(reference, limit("x", BUY, 1, "1.00"))
    _busy(fast)
    _busy(reference)
    assert fast.state_hash() == reference.state_hash()
    assert fast.depth("XYZ", 10) == reference.depth("XYZ", 10)
    assert fast.best_bid_offer("XYZ") == reference.best_bid_offer("XYZ")
    for order_id in ("r1", "h1", "b1", "pg", "moc", "t1", "x"):
        assert fast.order(order_id) == reference.order(order_id)
    assert fast.symbols == reference.symbols == ("XYZ", "PENNY")


def test_equal_states_reached_differently_have_equal_snapshots(engine_class: type) -> None:
    a, b = engine_class(CONFIG), engine_class(CONFIG)
    run(a, limit("s1", SELL, 10, "10.00"), limit("s2", SELL, 10, "10.01"))
    run(b, limit("s1", SELL, 10, "10.00"), limit("s2", SELL, 10, "10.01"))
    assert a.snapshot() == b.snapshot()
    run(b, limit("s3", SELL, 10, "10.02"))
    assert a.state_hash() != b.state_hash()


def test_restore_refuses_another_venues_snapshot(engine: Engine) -> None:
    other = VenueEngine(dataclasses.replace(CONFIG, mic="XOTH"))
    with pytest.raises(ValueError, match="XOTH"):
        engine.restore(other.snapshot())


def test_depth_aggregates_displayed_size_best_first(engine: Engine) -> None:
    run(
        engine,
        limit("b1", BUY, 10, "9.98"),
        limit("b2", BUY, 20, "9.99"),
        limit("b3", BUY, 30, "9.99", display_quantity=5),
        limit("b4", BUY, 40, "9.99", hidden=True),
        limit("a1", SELL, 15, "10.01"),
    )
    depth = engine.depth("XYZ", 1)
    assert depth.bids == ((usd("9.99"), 25),) and depth.asks == ((usd("10.01"), 15),)
    assert engine.depth("XYZ", 5).bids == ((usd("9.99"), 25), (usd("9.98"), 10))


@pytest.mark.parametrize(
    ("bid", "ask", "is_buy", "cap", "expected"),
    [
        (100_000, 100_200, True, None, 100_100),
        (100_000, 100_100, True, None, 100_050),  # a half-penny is representable
        (9_998, 9_999, True, None, 9_998),  # $0.99985 rounds down for a buy
        (9_998, 9_999, False, None, 9_999),  # and up for a sell
        (100_000, 100_400, True, 100_100, 100_100),  # the cap binds
        (100_000, 100_400, False, 100_300, 100_300),
        (None, 100_400, True, None, None),
        (100_000, 100_000, True, None, None),  # locked
    ],
)
def test_peg_price(
    bid: int | None, ask: int | None, is_buy: bool, cap: int | None, expected: int | None
) -> None:
    assert peg_price(bid, ask, is_buy, cap) == expected


@pytest.mark.parametrize(
    ("contra", "is_buy", "expected"),
    [
        (100_000, True, 99_900),
        (10_000, True, 9_999),  # below $1 the tick is $0.0001
        (9_999, False, 10_000),
        (10_000, False, 10_100),
        (100_050, True, 100_000),  # a half-penny contra: the nearest legal price away
        (100_050, False, 100_100),
        (1, True, None),
    ],
)
def test_slide_price(contra: int, is_buy: bool, expected: int | None) -> None:
    assert slide_price(contra, is_buy) == expected


@pytest.mark.parametrize(
    "cls",
    [
        c
        for c in message_types().values()
        if c.__module__ == "directbroker.domain.venue_messages" and issubclass(c, Event)
    ],
    ids=lambda c: c.__name__,
)
def test_fast_constructors_build_equal_events(cls: type[Event]) -> None:
    values = [f"v{i}" for i, _ in enumerate(dataclasses.fields(cls))]  # type: ignore[arg-type]
    assert fast_constructor(cls)(*values) == cls(*values)


def test_fast_constructor_builds_the_real_class() -> None:
    event = fast_constructor(OrderFilled)(*range(13))
    assert type(event) is OrderFilled
    assert of_type([event], OrderFilled) == [event]


def test_both_engines_are_cores() -> None:
    cores: list[Core] = [VenueEngine(CONFIG), ReferenceVenueEngine(CONFIG)]
    for core in cores:
        assert core.handle(limit("a", BUY, 1, "1.00"), 1)
        assert len(core.state_hash()) == 64


def test_engines_import_only_the_domain_the_core_protocol_and_the_stdlib() -> None:
    allowed = ("directbroker.domain", "directbroker.engines.core", "directbroker.engines.matching")
    forbidden = {"time", "datetime", "random", "uuid", "threading", "asyncio", "os", "socket"}
    for path in Path(matching.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                if name.startswith("directbroker"):
                    assert name.startswith(allowed), f"{path.name} imports {name}"
                assert name.split(".")[0] not in forbidden, f"{path.name} imports {name}"

"""The embedded platform end to end, in process: a customer order goes through the broker core
(risk, smart routing), trades with the simulated market at real venues, lands in the ledger,
and everything is rebuilt identically from the journals after a restart."""

from __future__ import annotations

from pathlib import Path

from directbroker.app.journals import SqliteJournals
from directbroker.app.platform import Platform
from directbroker.domain.broker_messages import (
    ChildOrderSent,
    CustomerOrderRejected,
    OrderStatusChanged,
    ParentFilled,
    PlaceOrder,
)
from directbroker.domain.messages import Event
from directbroker.domain.order_status import OrdStatus
from directbroker.domain.orders import OrderType, Side, TimeInForce
from directbroker.sim.session import DaySchedule
from directbroker.sim.simulation import SimulationConfig
from directbroker.sim.universe import LISTINGS

START_NS = 1_780_300_800_000_000_000  # a Monday session in June 2026
CONFIG = SimulationConfig(
    seed=4,
    schedule=DaySchedule(pre_open_seconds=1, continuous_seconds=6, closing_window_seconds=2),
    events_per_second=300,
)
LISTED = LISTINGS[:4]
SECOND = 1_000_000_000


def _events(platform: Platform) -> list[Event]:
    seen: list[Event] = []
    platform.on_customer_events(seen.extend)
    return seen


def test_a_market_order_trades_at_the_venues_and_posts_to_the_ledger(tmp_path: Path) -> None:
    journals = SqliteJournals(tmp_path)
    try:
        platform = Platform(journals, CONFIG, START_NS, listings=LISTED)
        seen = _events(platform)
        platform.step(START_NS + 2 * SECOND)  # the open has run; makers are quoting
        symbol = LISTED[0].symbol
        future = platform.submit(
            PlaceOrder(
                "ord-1",
                "cli-1",
                "DEMO-1",
                symbol,
                Side.BUY,
                OrderType.MARKET,
                300,
                time_in_force=TimeInForce.DAY,
            )
        )
        platform.step(START_NS + 2 * SECOND + 1)
        answer = future.result(timeout=5)
        assert not any(isinstance(e, CustomerOrderRejected) for e in answer), answer
        children = [e for e in seen if isinstance(e, ChildOrderSent) and e.parent_id == "ord-1"]
        assert children and all(c.participant == platform.participant for c in children)
        fills = [e for e in seen if isinstance(e, ParentFilled) and e.order_id == "ord-1"]
        assert sum(f.last_quantity for f in fills) == 300
        assert fills[-1].status is OrdStatus.FILLED and fills[-1].cum_quantity == 300
        statuses = [e.status for e in seen if isinstance(e, OrderStatusChanged)]
        assert OrdStatus.NEW in statuses
        position = platform.broker.ledger.position("DEMO-1", symbol)
        assert position is not None and position.quantity == 300
        values = platform.broker.ledger.account_values("DEMO-1")
        assert values.buying_power < 2 * 100_000 * 10_000
        platform.run_to_end()
        state = platform.broker.state_hash()
        venues = {name: engine.state_hash() for name, engine in platform.market.venues.items()}
    finally:
        journals.close()

    reopened = SqliteJournals(tmp_path)
    try:
        again = Platform(reopened, CONFIG, START_NS, listings=LISTED)
        assert again.broker.state_hash() == state
        assert {n: e.state_hash() for n, e in again.market.venues.items()} == venues
        position = again.broker.ledger.position("DEMO-1", LISTED[0].symbol)
        assert position is not None and position.quantity == 300
    finally:
        reopened.close()


def test_a_risk_rejection_is_answered_and_changes_nothing(tmp_path: Path) -> None:
    journals = SqliteJournals(tmp_path)
    try:
        platform = Platform(journals, CONFIG, START_NS, listings=LISTED)
        platform.step(START_NS + 2 * SECOND)
        before = platform.broker.ledger.account_values("DEMO-2")
        future = platform.submit(
            PlaceOrder(
                "big", "cli-big", "DEMO-2", LISTED[0].symbol, Side.BUY, OrderType.MARKET, 1_000_000
            )
        )
        platform.step(START_NS + 2 * SECOND + 1)
        answer = future.result(timeout=5)
        rejected = [e for e in answer if isinstance(e, CustomerOrderRejected)]
        assert rejected and "buying power" in rejected[0].message.lower(), rejected
        assert platform.broker.ledger.account_values("DEMO-2") == before
    finally:
        journals.close()

"""Five trading days across a weekend and a holiday with the real engines, driven by the day
driver on the XNYS calendar: T+1 settlement skips Good Friday and the weekend, GTC orders are
carried from day to day, DAY orders expire at the close (or wait for the next session when
placed after it), and a margin call is issued when the market falls.

The week of Good Friday 2026: Wed 1 April, Thu 2 April, (Fri 3 April: holiday; weekend),
Mon 6, Tue 7 and Wed 8 April. The simulated flow is off, so the test's own participants make
the market at the venues and every price is known.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TypeVar

from directbroker.adapters.calendar import XnysCalendar
from directbroker.app.journals import MemoryJournals
from directbroker.app.platform import DemoAccount, Platform
from directbroker.app.trading_days import DayPlan
from directbroker.domain.accounts import AccountType
from directbroker.domain.broker_messages import (
    BrokerDayStarted,
    CustomerOrderRejected,
    OrderStatusChanged,
    PlaceOrder,
)
from directbroker.domain.ledger_messages import ExecutionRecorded, MarginCallIssued, TradesSettled
from directbroker.domain.messages import Command, Event
from directbroker.domain.order_status import OrdStatus
from directbroker.domain.orders import OrderType, Side, TimeInForce
from directbroker.domain.sessions import SessionPhase, SessionPhaseChanged
from directbroker.domain.venue_messages import SubmitOrder
from directbroker.runtime.clocks import SimClock
from directbroker.runtime.schedule import NEW_YORK, TradingSchedule
from directbroker.sim.simulation import SimulationConfig
from directbroker.sim.universe import LISTINGS

E = TypeVar("E", bound=Event)
CALENDAR = XnysCalendar(2026, 2026)
SCHEDULE = TradingSchedule(CALENDAR)
LISTED = LISTINGS[:2]
SYMBOL = LISTED[0].symbol
VENUE = LISTED[0].primary_venue
DOLLAR = 10_000
ACCOUNTS = (
    DemoAccount("MARGIN-1", "alice", AccountType.MARGIN, 30_000 * DOLLAR),
    DemoAccount("CASH-1", "bob", AccountType.CASH, 50_000 * DOLLAR),
)


def _at(day: int, hour: int, minute: int = 0) -> int:
    moment = datetime(day // 10_000, day // 100 % 100, day % 100, hour, minute, tzinfo=NEW_YORK)
    return int(moment.timestamp()) * 1_000_000_000


class Week:
    """The platform, stepped by the test's clock, and everything the broker core said."""

    def __init__(self) -> None:
        start = _at(20260331, 21)
        plan = DayPlan(
            SCHEDULE,
            SimClock(start, 1.0, lambda: 0),
            SimulationConfig(seed=3, events_per_second=1e-9),
        )
        self.journals = MemoryJournals()
        self.platform = Platform(
            self.journals,
            plan.simulation,
            start,
            listings=LISTED,
            accounts=ACCOUNTS,
            calendar=CALENDAR,
            days=plan,
        )
        self.events: list[Event] = []
        self.platform.on_customer_events(self.events.extend)
        self._ids = 0

    def at(self, day: int, hour: int, minute: int = 0) -> None:
        self.platform.step(_at(day, hour, minute))

    def place(self, order: PlaceOrder, day: int, hour: int, minute: int = 0) -> list[Event]:
        reply = self.platform.submit(order)
        self.at(day, hour, minute)
        return list(reply.result(timeout=5))

    def market(self, commands: Sequence[Command], day: int, hour: int, minute: int = 0) -> None:
        """The test's own participants trade at the venue (the market moves)."""
        ts = _at(day, hour, minute)
        self.platform.step(ts)
        sent = [(VENUE, command) for command in commands]
        self.platform._react(self.platform.market.send(sent, ts), ts)
        self.platform.commit()

    def quote(self, bid: int, ask: int, day: int, hour: int) -> None:
        self._ids += 1
        self.market(
            [
                _venue_order(f"mm-b{self._ids}", "MAKR", Side.BUY, bid, 5_000),
                _venue_order(f"mm-s{self._ids}", "MAKR", Side.SELL, ask, 5_000),
            ],
            day,
            hour,
        )

    def status(self, order_id: str) -> OrdStatus:
        parent = self.platform.broker.order(order_id)
        assert parent is not None
        return parent.status

    def of(self, kind: type[E]) -> list[E]:
        return [event for event in self.events if isinstance(event, kind)]


def _phase(platform: Platform) -> SessionPhase:
    return platform.broker.phase


def _executions(week: Week, account: str, quantity: int) -> list[ExecutionRecorded]:
    """The executions of the account's latest order of ``quantity`` shares."""
    mine = [e for e in week.of(ExecutionRecorded) if e.account == account]
    total, out = 0, list[ExecutionRecorded]()
    for event in reversed(mine):
        out.append(event)
        total += event.quantity
        if total == quantity:
            return out
    raise AssertionError(f"no executions of {quantity} shares for {account}")


def _venue_order(order_id: str, who: str, side: Side, price: int, quantity: int) -> SubmitOrder:
    return SubmitOrder(
        order_id, who, SYMBOL, side, OrderType.LIMIT, quantity, price, TimeInForce.GTC
    )


def _order(order_id: str, account: str, side: Side, quantity: int, price: int | None,
           tif: TimeInForce) -> PlaceOrder:  # fmt: skip
    kind = OrderType.MARKET if price is None else OrderType.LIMIT
    return PlaceOrder(order_id, order_id, account, SYMBOL, side, kind, quantity, price,
                      time_in_force=tif)  # fmt: skip


def test_five_trading_days_across_a_weekend_and_a_holiday() -> None:
    week = Week()
    platform = week.platform
    # Created on Tuesday evening: Tuesday's session has run its course; orders wait.
    assert platform.broker.date == 20260331
    assert _phase(platform) is SessionPhase.CLOSED

    # --- Wednesday 1 April ---------------------------------------------------------------
    week.quote(199 * DOLLAR, 200 * DOLLAR, 20260401, 10)
    bought = week.place(_order("buy-1", "MARGIN-1", Side.BUY, 250, None, TimeInForce.DAY),
                        20260401, 10, 1)  # fmt: skip
    assert not [e for e in bought if isinstance(e, CustomerOrderRejected)], bought
    assert week.status("buy-1") is OrdStatus.FILLED
    first = _executions(week, "MARGIN-1", 250)
    assert {(e.trade_date, e.settlement_date) for e in first} == {(20260401, 20260402)}
    week.place(_order("gtc-1", "CASH-1", Side.BUY, 10, 50 * DOLLAR, TimeInForce.GTC),
               20260401, 11)  # fmt: skip
    week.place(_order("day-1", "CASH-1", Side.BUY, 10, 150 * DOLLAR, TimeInForce.DAY),
               20260401, 11, 1)  # fmt: skip
    assert week.status("gtc-1") is OrdStatus.NEW
    assert week.status("day-1") is OrdStatus.NEW
    week.at(20260401, 16, 30)  # after the close
    assert _phase(platform) is SessionPhase.AFTER_HOURS
    assert week.status("day-1") is OrdStatus.EXPIRED
    assert week.status("gtc-1") is OrdStatus.DONE_FOR_DAY
    # A DAY order placed after the close waits for the next session, and is not expired by
    # this day's end.
    week.place(_order("late-1", "CASH-1", Side.BUY, 5, 150 * DOLLAR, TimeInForce.DAY),
               20260401, 17)  # fmt: skip
    assert week.status("late-1") is OrdStatus.PENDING_NEW
    week.at(20260401, 23)
    assert _phase(platform) is SessionPhase.CLOSED
    assert week.status("late-1") is OrdStatus.PENDING_NEW
    # IOC orders need an open market.
    refused = week.place(_order("ioc-1", "CASH-1", Side.BUY, 5, 150 * DOLLAR, TimeInForce.IOC),
                         20260401, 23, 30)  # fmt: skip
    assert [e.code.number for e in refused if isinstance(e, CustomerOrderRejected)] == [2020]

    # --- Thursday 2 April: Wednesday's trade settles; the waiting and GTC orders work --------
    week.at(20260402, 9, 0)
    assert _phase(platform) is SessionPhase.PRE_MARKET
    settled = [e for e in week.of(TradesSettled) if e.account == "MARGIN-1"]
    assert [(e.settlement_date, e.executions) for e in settled] == [(20260402, len(first))]
    assert week.status("gtc-1") is OrdStatus.DONE_FOR_DAY  # back at the open, not before
    week.at(20260402, 9, 31)
    assert week.status("gtc-1") is OrdStatus.NEW
    assert week.status("late-1") is OrdStatus.NEW
    week.place(_order("buy-2", "MARGIN-1", Side.BUY, 10, None, TimeInForce.DAY), 20260402, 10)
    second = _executions(week, "MARGIN-1", 10)
    # T+1 from Thursday skips Good Friday and the weekend.
    assert {(e.trade_date, e.settlement_date) for e in second} == {(20260402, 20260406)}
    assert week.status("late-1") is OrdStatus.NEW
    week.at(20260402, 20, 30)
    assert week.status("late-1") is OrdStatus.EXPIRED

    # --- Good Friday and the weekend: no session -----------------------------------------
    week.at(20260404, 12)
    assert platform.broker.date == 20260402
    assert not [e for e in week.of(TradesSettled) if e.settlement_date == 20260406]

    # --- Monday 6 April: Thursday's trade settles; the market falls: a margin call ----------
    week.at(20260406, 9, 45)
    settled = [e for e in week.of(TradesSettled) if e.settlement_date == 20260406]
    assert [(e.account, e.executions) for e in settled] == [("MARGIN-1", len(second))]
    assert week.status("gtc-1") is OrdStatus.NEW
    assert not week.of(MarginCallIssued)
    week.market(
        [
            _venue_order("low-s", "SELR", Side.SELL, 90 * DOLLAR, 5_100),  # takes the bid
            _venue_order("low-b", "BUYR", Side.BUY, 90 * DOLLAR, 100),
        ],
        20260406,
        11,
    )
    calls = [e for e in week.of(MarginCallIssued) if e.account == "MARGIN-1"]
    assert len(calls) == 1 and calls[0].deficiency > 0

    # --- Tuesday 7 and Wednesday 8 April ----------------------------------------------------
    week.at(20260407, 21)
    week.at(20260408, 21)
    days = [e.date for e in week.of(BrokerDayStarted)]
    assert days[-5:] == [20260401, 20260402, 20260406, 20260407, 20260408]
    assert week.status("gtc-1") is OrdStatus.DONE_FOR_DAY  # carried every night, never expired
    phases = [(e.date, e.phase) for e in week.of(SessionPhaseChanged) if e.date == 20260407]
    assert [phase for _, phase in phases] == list(SessionPhase)
    reopened = [
        e
        for e in week.of(OrderStatusChanged)
        if e.order_id == "gtc-1" and e.status is OrdStatus.NEW
    ]
    assert len(reopened) >= 4  # placed, then back at each later open


def test_a_restart_replays_the_week_to_the_same_state() -> None:
    week = Week()
    week.quote(199 * DOLLAR, 200 * DOLLAR, 20260401, 10)
    week.place(_order("gtc-1", "CASH-1", Side.BUY, 10, 50 * DOLLAR, TimeInForce.GTC),
               20260401, 11)  # fmt: skip
    week.at(20260406, 12)
    before = week.platform.broker.state_hash()
    position = week.platform.position
    again = Platform(
        week.journals,
        SimulationConfig(),
        _at(20260406, 12),
        listings=LISTED,
        accounts=ACCOUNTS,
        calendar=CALENDAR,
        days=DayPlan(SCHEDULE, SimClock(0, 1.0, lambda: 0), SimulationConfig()),
    )
    assert again.position == position
    assert again.broker.state_hash() == before

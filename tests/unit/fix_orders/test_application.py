"""The FIX applications' own behaviour over the in-memory trading fake: a busy platform, an
unsupported message, reports held while logged out, requests for unknown orders, a drop copy
session refusing requests, and sessions the gateway does not know."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Sequence

from directbroker.adapters.fix.terms import FixVersion, SessionKind, SessionTerms
from directbroker.adapters.http.ports import OrderQuery, OrderView, PortBusy
from directbroker.app.fix_dropcopy import MemoryDropCopyStore
from directbroker.app.fix_gateway import FixGateway
from directbroker.domain.broker_messages import PlaceOrder
from directbroker.domain.orders import OrderType, Side
from directbroker.protocols.fix.effects import ApplicationMessage
from directbroker.protocols.fix.message import Field, FixMessage
from directbroker.testing.fake_trading import FakeTrading
from tests.unit.fix_orders.messages import new_order_fields

ENTRY = "ENTRY"
DROP = "DROP"
SESSIONS = (
    SessionTerms(ENTRY, SessionKind.ORDER_ENTRY, FixVersion.FIX42, frozenset({"A1"})),
    SessionTerms(DROP, SessionKind.DROP_COPY, FixVersion.FIX44, frozenset({"A1"})),
)
_clock = itertools.count(1_000)


def now_ns() -> int:
    return next(_clock)


class BusyTrading(FakeTrading):
    """A platform whose admission queue is full."""

    async def place_order(self, command: PlaceOrder) -> OrderView:
        raise PortBusy(2.0, "the command queue is full")


class Wire:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str, dict[int, str]]] = []
        self._seq = itertools.count(1)

    def send(self, session_id: str, msg_type: str, body: Sequence[Field]) -> None:
        self.sent.append((session_id, msg_type, dict(body)))

    def message(self, msg_type: str, *body: Field) -> ApplicationMessage:
        header = ((8, "FIX.4.2"), (35, msg_type), (34, str(next(self._seq))))
        return ApplicationMessage(FixMessage.of((*header, *body)), False)

    def of(self, session_id: str, msg_type: str) -> list[dict[int, str]]:
        return [f for s, t, f in self.sent if s == session_id and t == msg_type]


def _trading(kind: type[FakeTrading] = FakeTrading) -> FakeTrading:
    trading = kind({"AAPL": 2_310_000}, now_ns)
    trading.open_account("A1")
    return trading


def test_a_busy_platform_is_refused_with_a_retry_text() -> None:
    async def scenario() -> None:
        wire, trading = Wire(), _trading(BusyTrading)
        gateway = FixGateway(trading, SESSIONS, wire.send, now_ns, MemoryDropCopyStore())
        gateway.on_logon(ENTRY)
        gateway.on_message(ENTRY, wire.message("D", *new_order_fields()))
        await gateway.order_entry.idle(ENTRY)
        (report,) = wire.of(ENTRY, "8")
        assert (report[39], report[150], report[20], report[11]) == ("8", "8", "0", "c1")
        assert report[58].startswith("6002 the platform is busy (the command queue is full)")
        assert "retry in 2 s" in report[58]
        assert await trading.list_orders(["A1"], OrderQuery(status="all")) == []
        await gateway.close()

    asyncio.run(scenario())


def test_unsupported_messages_and_unknown_orders() -> None:
    async def scenario() -> None:
        wire, trading = Wire(), _trading()
        gateway = FixGateway(trading, SESSIONS, wire.send, now_ns, MemoryDropCopyStore())
        gateway.on_logon(ENTRY)
        gateway.on_message(ENTRY, wire.message("R", (131, "q1")))
        cancel = ((41, "nope"), (11, "c9"), (1, "A1"), (55, "AAPL"), (54, "1"))
        gateway.on_message(ENTRY, wire.message("F", *cancel))
        replace = (*cancel, (38, "5"), (40, "2"), (44, "230"))
        gateway.on_message(ENTRY, wire.message("G", *replace))
        gateway.on_message(ENTRY, wire.message("H", (11, "nope"), (1, "A1"), (55, "AAPL")))
        await gateway.order_entry.idle(ENTRY)
        (business,) = wire.of(ENTRY, "j")
        assert (business[45], business[372], business[380]) == ("1", "R", "3")
        assert business[58].startswith("6006 ")
        cancel_rejects = wire.of(ENTRY, "9")
        assert [(r[434], r[102], r[37], r[58][:5]) for r in cancel_rejects] == [
            ("1", "1", "NONE", "1011 "),
            ("2", "1", "NONE", "1011 "),
        ]
        (status,) = wire.of(ENTRY, "8")
        assert (status[20], status[150], status[39], status[103]) == ("3", "8", "8", "5")
        assert status[58].startswith("1011 ")
        await gateway.close()

    asyncio.run(scenario())


def test_reports_are_held_while_logged_out() -> None:
    async def scenario() -> None:
        wire, trading = Wire(), _trading()
        gateway = FixGateway(trading, SESSIONS, wire.send, now_ns, MemoryDropCopyStore())
        gateway.on_logon(ENTRY)
        gateway.on_message(ENTRY, wire.message("D", *new_order_fields(t40="1", t44=None)))
        await gateway.order_entry.idle(ENTRY)
        for _ in range(20):
            await asyncio.sleep(0)
        before = len(wire.of(ENTRY, "8"))
        assert before >= 1
        gateway.on_logout(ENTRY)
        order = await trading.place_order(
            PlaceOrder(
                "fx-other",
                "elsewhere",
                "A1",
                "AAPL",
                Side.BUY,
                OrderType.MARKET,
                5,
            )
        )
        assert order.client_order_id == "elsewhere"
        gateway.on_message(ENTRY, wire.message("D", *new_order_fields(t11="c2", t40="1")))
        await gateway.order_entry.idle(ENTRY)
        for _ in range(20):
            await asyncio.sleep(0)
        assert len(wire.of(ENTRY, "8")) == before
        gateway.on_logon(ENTRY)
        held = wire.of(ENTRY, "8")[before:]
        assert held and {r[11] for r in held} == {"c2"}  # only this session's orders
        await gateway.close()

    asyncio.run(scenario())


def test_a_drop_copy_takes_no_requests_and_unknown_sessions_get_nothing() -> None:
    async def scenario() -> None:
        wire, trading = Wire(), _trading()
        gateway = FixGateway(trading, SESSIONS, wire.send, now_ns, MemoryDropCopyStore())
        gateway.on_logon(DROP)
        gateway.on_message(DROP, wire.message("D", *new_order_fields()))
        (business,) = wire.of(DROP, "j")
        assert (business[372], business[380], business[379]) == ("D", "3", "c1")
        assert business[58].startswith("6006 ")
        gateway.on_logon("STRANGER")
        gateway.on_message("STRANGER", wire.message("D", *new_order_fields()))
        gateway.on_logout("STRANGER")
        assert [s for s, _, _ in wire.sent] == [DROP]
        assert await trading.list_orders(["A1"], OrderQuery(status="all")) == []
        await gateway.close()

    asyncio.run(scenario())

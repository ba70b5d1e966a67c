"""FIX order entry and drop copy against the real platform, in process: FIX messages in,
ExecutionReports out, through the client API's trading port bound to the broker core, the
router and the simulated venues (no simulated flow: only these clients trade)."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable, Coroutine, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from directbroker.adapters.fix.terms import FixVersion, SessionKind, SessionTerms
from directbroker.adapters.history import open_sqlite
from directbroker.adapters.http.history import ThreadedHistory
from directbroker.adapters.http.ports import OrderQuery, TradingPort
from directbroker.app.api import PlatformApi
from directbroker.app.fix_dropcopy import FixDropCopy, SqliteDropCopyStore
from directbroker.app.fix_gateway import FixGateway
from directbroker.app.journals import MemoryJournals
from directbroker.app.platform import DemoAccount, Platform, accelerated_clock
from directbroker.domain.accounts import AccountType
from directbroker.domain.broker_messages import SetEasyToBorrow
from directbroker.protocols.fix.effects import ApplicationMessage
from directbroker.protocols.fix.message import Field, FixMessage
from directbroker.sim.session import DaySchedule
from directbroker.sim.simulation import SimulationConfig
from directbroker.sim.universe import LISTINGS

pytestmark = pytest.mark.timeout(180)

BUYER = "FIX.4.4:BROKER->BUYER"
SELLER = "FIX.4.2:BROKER->SELLER"
DROP = "FIX.4.4:BROKER->DROP"
SESSIONS = (
    SessionTerms(BUYER, SessionKind.ORDER_ENTRY, FixVersion.FIX44, frozenset({"A1"})),
    SessionTerms(SELLER, SessionKind.ORDER_ENTRY, FixVersion.FIX42, frozenset({"B1"})),
    SessionTerms(DROP, SessionKind.DROP_COPY, FixVersion.FIX44, frozenset({"A1", "B1"})),
)


@dataclass
class Firm:
    """The platform, its trading port, and what each session was sent."""

    trading: TradingPort
    now_ns: Callable[[], int]
    sent: dict[str, list[tuple[str, dict[int, str]]]] = field(default_factory=dict)
    seq: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def send(self, session_id: str, msg_type: str, body: Sequence[Field]) -> None:
        fields = dict(body)
        assert len(fields) == len(body), f"a tag repeated in {body}"
        self.sent.setdefault(session_id, []).append((msg_type, fields))

    def message(
        self, session_id: str, msg_type: str, *body: Field, dup: bool = False
    ) -> ApplicationMessage:
        version = next(t.version for t in SESSIONS if t.session_id == session_id)
        header = ((8, version.value), (35, msg_type), (34, str(next(self.seq))))
        return ApplicationMessage(FixMessage.of((*header, *body)), dup)

    def reports(self, session_id: str, cl_ord_id: str | None = None) -> list[dict[int, str]]:
        """Execution reports a session was sent (for one ClOrdID)."""
        return [
            fields
            for msg_type, fields in self.sent.get(session_id, [])
            if msg_type == "8" and (cl_ord_id is None or fields.get(11) == cl_ord_id)
        ]

    def of_type(self, session_id: str, msg_type: str) -> list[dict[int, str]]:
        return [f for t, f in self.sent.get(session_id, []) if t == msg_type]


def _memory_store() -> SqliteDropCopyStore:
    return SqliteDropCopyStore(":memory:")


@contextmanager
def running_platform(
    account_names: Sequence[str],
) -> Iterator[tuple[PlatformApi, Callable[[], int]]]:
    """The embedded platform, started, with a funded margin account per name and AAPL easy
    to borrow, and its clock; stopped afterwards (and checked not to have failed)."""
    clock = accelerated_clock(1.0)
    config = SimulationConfig(
        seed=3,
        schedule=DaySchedule(
            pre_open_seconds=0.2, continuous_seconds=23_400, closing_window_seconds=60
        ),
        events_per_second=0.01,
    )
    accounts = [
        DemoAccount(n, n.lower(), AccountType.MARGIN, 1_000_000 * 10_000) for n in account_names
    ]
    history = open_sqlite(":memory:")
    platform = Platform(
        MemoryJournals(), config, clock(), accounts=accounts, history=history, listings=LISTINGS[:2]
    )
    api = PlatformApi(platform, ThreadedHistory(lambda: history))
    platform.apply_before_start([SetEasyToBorrow("AAPL", True, "system:test")])
    api.feed.drain_now()
    platform.start(clock)
    try:
        yield api, clock
    finally:
        platform.stop()
        history.close()
        assert platform.failure is None


@pytest.fixture
def firm() -> Iterator[Firm]:
    with running_platform(("A1", "B1")) as (api, clock):
        yield Firm(api.ports.trading, clock)


async def until(probe: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    """Wait (on the loop, so the read models keep up) until ``probe`` holds."""
    deadline = time.monotonic() + timeout
    while not probe():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


def run(scenario: Callable[[], Coroutine[Any, Any, None]]) -> None:
    asyncio.run(scenario())


def new_order(cl_ord_id: str, side: str, qty: int, price: str, *extra: Field) -> list[Field]:
    return [
        (11, cl_ord_id),
        (21, "1"),
        (55, "AAPL"),
        (54, side),
        (60, "20261207-15:00:00.000"),
        (38, str(qty)),
        (40, "2"),
        (44, price),
        (59, "0"),
        (100, "ARCA"),
        *extra,
    ]


def changed(body: list[Field], tags: dict[int, str]) -> list[Field]:
    """``body`` with some tags' values changed ("" removes the tag), and any new ones added."""
    kept = [(t, tags.get(t, v)) for t, v in body if tags.get(t, v) != ""]
    return kept + [(t, v) for t, v in tags.items() if v and t not in dict(body)]


def test_place_partial_fill_replace_cancel_and_status(firm: Firm) -> None:
    async def scenario() -> None:
        gateway = FixGateway(firm.trading, SESSIONS, firm.send, firm.now_ns, _memory_store())
        for session in (BUYER, SELLER):
            gateway.on_logon(session)
        gateway.on_message(BUYER, firm.message(BUYER, "D", *new_order("b1", "1", 100, "231")))
        await until(lambda: len(firm.reports(BUYER, "b1")) >= 2, "the buy to be working")
        pending, new = firm.reports(BUYER, "b1")[:2]
        assert (pending[150], pending[39], new[150], new[39]) == ("A", "A", "0", "0")
        assert 20 not in new  # FIX 4.4
        order_id = new[37]

        short = new_order("s1", "5", 40, "231.00", (114, "N"))
        gateway.on_message(SELLER, firm.message(SELLER, "D", *short))
        await until(lambda: any(r[150] == "2" for r in firm.reports(SELLER, "s1")), "the fill")
        sold = next(r for r in firm.reports(SELLER, "s1") if r[150] == "2")
        assert (sold[20], sold[39], sold[32], sold[31], sold[30]) == (
            "0",
            "2",
            "40",
            "231.00",
            "ARCA",
        )
        assert (sold[14], sold[151], sold[6], sold[54]) == ("40", "0", "231.00", "5")
        await until(lambda: any(r[150] == "F" for r in firm.reports(BUYER, "b1")), "buyer fill")
        bought = next(r for r in firm.reports(BUYER, "b1") if r[150] == "F")
        assert (bought[39], bought[32], bought[31], bought[30]) == ("1", "40", "231.00", "ARCA")
        assert (bought[14], bought[151], bought[6], bought[37]) == ("40", "60", "231.00", order_id)
        assert bought[17] != sold[17]  # each side's own execution id

        replace = [(41, "b1"), (11, "b2"), (1, "A1"), (55, "AAPL"), (54, "1"), (38, "150")]
        replace += [(40, "2"), (44, "230.50"), (59, "0")]
        gateway.on_message(BUYER, firm.message(BUYER, "G", *replace))
        await until(lambda: any(r[150] == "5" for r in firm.reports(BUYER, "b2")), "replaced")
        pending_replace = next(r for r in firm.reports(BUYER, "b2") if r[150] == "E")
        replaced = next(r for r in firm.reports(BUYER, "b2") if r[150] == "5")
        assert pending_replace[41] == "b1" and replaced[41] == "b1"
        assert (replaced[37], replaced[39], replaced[38]) == (order_id, "1", "150")
        assert (replaced[14], replaced[151], replaced[6], replaced[44]) == (
            "40",
            "110",
            "231.00",
            "230.50",
        )
        # The replacement's own pending-new and new are not reported again.
        assert [r[150] for r in firm.reports(BUYER, "b2")] == ["E", "5"]

        cancel = [(41, "b2"), (11, "b3"), (1, "A1"), (55, "AAPL"), (54, "1"), (38, "150")]
        gateway.on_message(BUYER, firm.message(BUYER, "F", *cancel))
        await until(lambda: any(r[150] == "4" for r in firm.reports(BUYER, "b3")), "canceled")
        canceled = next(r for r in firm.reports(BUYER, "b3") if r[150] == "4")
        assert (canceled[41], canceled[39], canceled[14], canceled[151]) == ("b2", "4", "40", "0")
        assert canceled[37] == order_id

        again = [(41, "b2"), (11, "b4"), (1, "A1"), (55, "AAPL"), (54, "1"), (38, "150")]
        gateway.on_message(BUYER, firm.message(BUYER, "F", *again))
        await gateway.order_entry.idle(BUYER)
        refused = firm.of_type(BUYER, "9")[-1]
        assert (refused[11], refused[41], refused[434], refused[102]) == ("b4", "b2", "1", "0")
        assert refused[58].startswith("3006 ") and refused[39] == "4"

        status = [(11, "b1"), (1, "A1"), (55, "AAPL"), (54, "1")]
        gateway.on_message(BUYER, firm.message(BUYER, "H", *status))
        await gateway.order_entry.idle(BUYER)
        answer = firm.reports(BUYER)[-1]
        # The chain as it stands: its last order (ClOrdID b2) canceled after 40 filled.
        assert (answer[150], answer[39], answer[37], answer[11], answer[14]) == (
            "I",
            "4",
            order_id,
            "b2",
            "40",
        )
        await gateway.close()

    run(scenario)


def test_refusals_change_nothing(firm: Firm) -> None:
    async def scenario() -> None:
        gateway = FixGateway(firm.trading, SESSIONS, firm.send, firm.now_ns, _memory_store())
        gateway.on_logon(BUYER)
        gateway.on_logon(SELLER)
        cases: list[tuple[str, list[Field], str]] = [
            (BUYER, changed(new_order("r1", "1", 10, "231"), {59: "6"}), "1014 "),
            (BUYER, changed(new_order("r2", "1", 10, "231"), {55: "ZZZZ"}), "1001 "),
            # MSFT is not easy to borrow and B1 has no locate for it.
            (SELLER, changed(new_order("r3", "5", 10, "425.50"), {55: "MSFT"}), "2011 "),
            (BUYER, new_order("r4", "1", 10, "231.001"), "1005 "),
            # A sale marked long needs the shares.
            (SELLER, new_order("r9", "2", 10, "231"), "2015 "),
            (BUYER, changed(new_order("r5", "1", 10, "231"), {100: "NOWHERE"}), "4001 "),
            # Primary pegs (capped here, so risk can price one with no quote): no venue has them.
            (BUYER, changed(new_order("r6", "1", 10, "231"), {40: "P", 18: "R"}), "4008 "),
        ]
        for session, body, _ in cases:
            gateway.on_message(session, firm.message(session, "D", *body))
        gateway.on_message(
            BUYER, firm.message(BUYER, "D", *new_order("r7", "1", 10, "231", (1, "B1")))
        )
        allocs = [(78, "2"), (79, "A1"), (80, "5"), (79, "A2"), (80, "5")]
        gateway.on_message(
            BUYER, firm.message(BUYER, "D", *new_order("r8", "1", 10, "231", *allocs))
        )
        await gateway.order_entry.idle(BUYER)
        await gateway.order_entry.idle(SELLER)
        for session, body, prefix in cases:
            cl_ord_id = dict(body)[11]
            reports = firm.reports(session, cl_ord_id)
            assert len(reports) == 1, (cl_ord_id, reports)
            report = reports[0]
            assert (report[150], report[39], report[37]) == ("8", "8", "NONE"), report
            assert report[58].startswith(prefix), report[58]
        business = firm.of_type(BUYER, "j")
        assert [(b[379], b[380], b[58][:5]) for b in business] == [
            ("r7", "6", "6005 "),
            ("r8", "0", "1031 "),
        ]
        everything = OrderQuery(status="all", limit=500)
        assert await firm.trading.list_orders(["A1", "B1"], everything) == []
        await gateway.close()

    run(scenario)


def test_a_midpoint_peg_rests_and_fills_at_the_venue_midpoint(firm: Firm) -> None:
    async def scenario() -> None:
        gateway = FixGateway(firm.trading, SESSIONS, firm.send, firm.now_ns, _memory_store())
        gateway.on_logon(BUYER)
        gateway.on_logon(SELLER)
        # ARCA shows 230.00 bid (A1) and 231.00 offered (B1, short): the midpoint is 230.50.
        gateway.on_message(BUYER, firm.message(BUYER, "D", *new_order("k1", "1", 100, "230")))
        offer = new_order("k2", "5", 100, "231")
        gateway.on_message(SELLER, firm.message(SELLER, "D", *offer))
        await until(lambda: len(firm.reports(SELLER, "k2")) >= 2, "the offer to work")
        peg = changed(new_order("m1", "1", 50, "0"), {40: "P", 44: "", 18: "M"})
        gateway.on_message(BUYER, firm.message(BUYER, "D", *peg))
        await until(lambda: len(firm.reports(BUYER, "m1")) >= 2, "the peg to work")
        new = firm.reports(BUYER, "m1")[1]
        assert (new[150], new[39], new[40], new[18], new[151]) == ("0", "0", "P", "M", "50")
        assert 44 not in new
        # A seller at 230.00 meets the peg (230.50 beats the 230.00 bid) at the midpoint.
        hit = new_order("k3", "5", 50, "230")
        gateway.on_message(SELLER, firm.message(SELLER, "D", *hit))
        await until(lambda: any(r[150] == "F" for r in firm.reports(BUYER, "m1")), "peg fill")
        fill = next(r for r in firm.reports(BUYER, "m1") if r[150] == "F")
        assert (fill[39], fill[32], fill[31], fill[30], fill[151]) == (
            "2",
            "50",
            "230.50",
            "ARCA",
            "0",
        )
        sold = next(r for r in firm.reports(SELLER, "k3") if r[150] == "2")
        assert (sold[32], sold[31]) == ("50", "230.50")
        await gateway.close()

    run(scenario)


def test_a_possible_duplicate_is_never_placed_twice(firm: Firm) -> None:
    async def scenario() -> None:
        gateway = FixGateway(firm.trading, SESSIONS, firm.send, firm.now_ns, _memory_store())
        gateway.on_logon(BUYER)
        body = new_order("d1", "1", 10, "230")
        gateway.on_message(BUYER, firm.message(BUYER, "D", *body))
        await until(lambda: len(firm.reports(BUYER, "d1")) >= 2, "the order to work")
        gateway.on_message(BUYER, firm.message(BUYER, "D", *body, dup=True))
        await gateway.order_entry.idle(BUYER)
        status = firm.reports(BUYER, "d1")[-1]
        assert (status[150], status[39]) == ("I", "0")
        gateway.on_message(BUYER, firm.message(BUYER, "D", *body))  # not marked: a reuse
        await gateway.order_entry.idle(BUYER)
        reuse = firm.reports(BUYER, "d1")[-1]
        assert (reuse[150], reuse[39], reuse[103]) == ("8", "8", "6")
        assert reuse[58].startswith("1010 ")
        orders = await firm.trading.list_orders(["A1"], OrderQuery(status="all"))
        assert [o.client_order_id for o in orders] == ["d1"]
        await gateway.close()

    run(scenario)


def test_drop_copy_sends_each_fill_once_across_reconnects_and_restarts(
    firm: Firm, tmp_path: Path
) -> None:
    store_path = str(tmp_path / "dropcopy.sqlite")

    async def scenario() -> None:
        store = SqliteDropCopyStore(store_path)
        gateway = FixGateway(firm.trading, SESSIONS, firm.send, firm.now_ns, store)
        gateway.on_logon(BUYER)
        gateway.on_logon(SELLER)
        gateway.on_message(BUYER, firm.message(BUYER, "D", *new_order("p1", "1", 100, "231")))
        await until(lambda: len(firm.reports(BUYER, "p1")) >= 2, "the buy to work")
        gateway.on_message(SELLER, firm.message(SELLER, "D", *new_order("q1", "5", 30, "231")))
        await until(lambda: any(r[150] == "F" for r in firm.reports(BUYER, "p1")), "a fill")
        # The drop copy logs on after the first fill: it catches up from the activities.
        gateway.on_logon(DROP)
        await until(lambda: len(firm.reports(DROP)) == 2, "the first fill copied")
        gateway.on_message(SELLER, firm.message(SELLER, "D", *new_order("q2", "5", 70, "231")))
        await until(lambda: len(firm.reports(DROP)) == 4, "the second fill copied")
        gateway.on_logout(DROP)
        gateway.on_message(SELLER, firm.message(SELLER, "D", *new_order("q3", "5", 5, "230")))
        gateway.on_message(BUYER, firm.message(BUYER, "D", *new_order("p2", "1", 5, "230")))
        await until(lambda: any(r[150] == "F" for r in firm.reports(BUYER, "p2")), "p2 fill")
        assert len(firm.reports(DROP)) == 4  # logged out: nothing sent
        gateway.on_logon(DROP)
        await until(lambda: len(firm.reports(DROP)) == 6, "the fills made while away")
        await gateway.drop_copy.idle(DROP)
        copies = firm.reports(DROP)
        exec_ids = [r[17] for r in copies]
        assert len(set(exec_ids)) == 6
        by_account = {account: [r for r in copies if r[1] == account] for account in ("A1", "B1")}
        assert sum(int(r[32]) for r in by_account["A1"]) == 105
        assert sum(int(r[32]) for r in by_account["B1"]) == 105
        buyer_fills = {r[17] for r in firm.reports(BUYER) if r[150] == "F"}
        assert buyer_fills == {r[17] for r in by_account["A1"]}
        last_p1 = [r for r in by_account["A1"] if r[11] == "p1"][-1]
        assert (last_p1[14], last_p1[151], last_p1[39], last_p1[150]) == ("100", "0", "2", "F")
        await gateway.close()
        store.close()

        # A restart: a new application on the same store sends nothing again.
        restarted_store = SqliteDropCopyStore(store_path)
        restarted = FixDropCopy(firm.trading, SESSIONS, firm.send, restarted_store)
        restarted.on_logon(DROP)
        await restarted.idle(DROP)
        assert len(firm.reports(DROP)) == 6
        await restarted.close()
        restarted_store.close()

        # Without its record, the same fills come again with the same ExecIDs.
        forgetful = FixDropCopy(firm.trading, SESSIONS, firm.send, _memory_store())
        forgetful.on_logon(DROP)
        await forgetful.idle(DROP)
        assert sorted(r[17] for r in firm.reports(DROP)[6:]) == sorted(exec_ids)
        await forgetful.close()

    run(scenario)

"""FIX block orders against the real platform, in process: a portfolio manager's session places
a block for a group with its NoAllocs pre-allocation, it fills against another client's order,
the client gets the block's reports as the group's order, and each account is booked its exact
share at the average price; refusals place nothing; a block without allocations is cancelled
over FIX."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import pytest

from directbroker.adapters.fix.terms import FixVersion, SessionKind, SessionTerms
from directbroker.adapters.http.blocks_port import BlocksPort
from directbroker.adapters.http.ports import TradingPort
from directbroker.app.fix_dropcopy import SqliteDropCopyStore
from directbroker.app.fix_gateway import FixGateway
from directbroker.domain.block_messages import AVERAGE_PRICE_ACCOUNT
from directbroker.domain.portfolio_messages import CreateAccountGroup
from directbroker.protocols.fix.effects import ApplicationMessage
from directbroker.protocols.fix.message import Field, FixMessage
from tests.integration.test_fix_orders_platform import new_order, run, running_platform, until

pytestmark = pytest.mark.timeout(180)

PM = "FIX.4.4:BROKER->PM"
PM42 = "FIX.4.2:BROKER->PM42"
SELLER = "FIX.4.2:BROKER->SELLER"
GROUP = ("A1", "A2", "A3")
SESSIONS = (
    SessionTerms(PM, SessionKind.ORDER_ENTRY, FixVersion.FIX44, frozenset(), frozenset({"G1"})),
    SessionTerms(
        PM42, SessionKind.ORDER_ENTRY, FixVersion.FIX42, frozenset(), frozenset({"G1", "G9"})
    ),
    SessionTerms(SELLER, SessionKind.ORDER_ENTRY, FixVersion.FIX42, frozenset({"B1"})),
)


@dataclass
class Desk:
    """The platform's ports and what each session was sent."""

    trading: TradingPort
    blocks: BlocksPort
    now_ns: Callable[[], int]
    sent: dict[str, list[tuple[str, dict[int, str]]]] = field(default_factory=dict)
    seq: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def send(self, session_id: str, msg_type: str, body: Sequence[Field]) -> None:
        fields = dict(body)
        assert len(fields) == len(body), f"a tag repeated in {body}"
        self.sent.setdefault(session_id, []).append((msg_type, fields))

    def message(self, session_id: str, msg_type: str, *body: Field) -> ApplicationMessage:
        version = next(t.version for t in SESSIONS if t.session_id == session_id)
        header = ((8, version.value), (35, msg_type), (34, str(next(self.seq))))
        return ApplicationMessage(FixMessage.of((*header, *body)), False)

    def reports(self, session_id: str, cl_ord_id: str) -> list[dict[int, str]]:
        return [
            fields
            for msg_type, fields in self.sent.get(session_id, [])
            if msg_type == "8" and fields.get(11) == cl_ord_id
        ]

    async def held(self, account: str) -> int:
        return sum(p.quantity for p in await self.trading.positions(account) if p.symbol == "AAPL")

    def gateway(self) -> FixGateway:
        store = SqliteDropCopyStore(":memory:")
        return FixGateway(self.trading, SESSIONS, self.send, self.now_ns, store, blocks=self.blocks)


@pytest.fixture
def desk() -> Iterator[Desk]:
    with running_platform((*GROUP, "B1")) as (api, clock):
        blocks = api.ports.blocks
        assert blocks is not None
        yield Desk(api.ports.trading, blocks, clock)


ALLOCS: tuple[Field, ...] = ((78, "2"), (79, "A1"), (80, "60"), (79, "A3"), (80, "40"))


def block_order(cl_ord_id: str, qty: int, price: str, group: str, *allocs: Field) -> list[Field]:
    body = new_order(cl_ord_id, "1", qty, price)
    return [*body[:1], (1, group), *allocs, *body[1:]]


def test_a_pre_allocated_block_fills_and_each_account_gets_its_share(desk: Desk) -> None:
    async def scenario() -> None:
        await desk.blocks.change_group(CreateAccountGroup("G1", GROUP, "Desk", "staff:test"))
        gateway = desk.gateway()
        for session in (PM, SELLER):
            gateway.on_logon(session)
        gateway.on_message(PM, desk.message(PM, "D", *block_order("k1", 100, "231", "G1", *ALLOCS)))
        await until(lambda: any(r[150] == "0" for r in desk.reports(PM, "k1")), "the block")
        new = next(r for r in desk.reports(PM, "k1") if r[150] == "0")
        assert (new[1], new[39], new[38], new[55]) == ("G1", "0", "100", "AAPL")
        block_id = new[37]
        view = desk.blocks.block(block_id)
        assert view is not None and view.parent_account == AVERAGE_PRICE_ACCOUNT
        assert view.group == "G1" and view.client_order_id == "k1"
        assert view.shares == (60, 0, 40)

        short = new_order("s1", "5", 100, "231.00", (114, "N"))
        gateway.on_message(SELLER, desk.message(SELLER, "D", *short))
        await until(lambda: any(r[39] == "2" for r in desk.reports(PM, "k1")), "the block filled")
        fills = [r for r in desk.reports(PM, "k1") if r[150] in ("1", "2", "F")]
        assert sum(int(r[32]) for r in fills) == 100
        assert all((r[1], r[30], r[31]) == ("G1", "ARCA", "231.00") for r in fills)
        done = fills[-1]
        assert (done[39], done[14], done[151], done[6], done[37]) == (
            "2", "100", "0", "231.00", block_id,
        )  # fmt: skip

        def allocated() -> bool:
            view = desk.blocks.block(block_id)
            return view is not None and view.status == "allocated"

        await until(allocated, "the allocation")
        assert [await desk.held(account) for account in GROUP] == [60, 0, 40]
        assert await desk.held(AVERAGE_PRICE_ACCOUNT) == 0
        # Every report of the block was the group's order; none leaked the average-price account.
        assert all(r[1] == "G1" for r in desk.reports(PM, "k1"))
        again = block_order("k1", 100, "231", "G1", *ALLOCS)
        gateway.on_message(PM, desk.message(PM, "D", *again))
        await gateway.order_entry.idle(PM)
        duplicate = desk.reports(PM, "k1")[-1]
        assert (duplicate[39], duplicate[58][:5]) == ("8", "1010 ")
        assert len(desk.blocks.blocks(None)) == 1
        await gateway.close()

    run(scenario)


def test_refused_blocks_place_nothing(desk: Desk) -> None:
    async def scenario() -> None:
        await desk.blocks.change_group(CreateAccountGroup("G1", GROUP, "Desk", "staff:test"))
        gateway = desk.gateway()
        gateway.on_logon(PM42)
        stranger = ((78, "2"), (79, "A1"), (80, "60"), (79, "B1"), (80, "40"))
        short = ((78, "2"), (79, "A1"), (80, "60"), (79, "A2"), (80, "30"))
        extra_tag = ((78, "1"), (79, "A1"), (661, "1"), (80, "100"))
        cases: list[tuple[str, str, tuple[Field, ...], str]] = [
            ("r1", "G1", stranger, "5017 "),
            ("r2", "G1", short, "5017 "),
            ("r3", "G9", ALLOCS, "5014 "),
            ("r4", "G1", extra_tag, "1000 "),
        ]
        for cl_ord_id, group, allocs, _ in cases:
            body = block_order(cl_ord_id, 100, "231", group, *allocs)
            gateway.on_message(PM42, desk.message(PM42, "D", *body))
        await gateway.order_entry.idle(PM42)
        for cl_ord_id, _, _, code in cases:
            (report,) = desk.reports(PM42, cl_ord_id)
            assert (report[150], report[39]) == ("8", "8"), report
            assert report[58].startswith(code), report[58]
        assert desk.blocks.blocks(None) == []
        await gateway.close()

    run(scenario)


def test_a_block_without_allocations_is_cancelled_over_fix(desk: Desk) -> None:
    async def scenario() -> None:
        await desk.blocks.change_group(CreateAccountGroup("G1", GROUP, "Desk", "staff:test"))
        gateway = desk.gateway()
        gateway.on_logon(PM42)
        gateway.on_message(PM42, desk.message(PM42, "D", *block_order("k2", 90, "200", "G1")))
        await until(lambda: any(r[150] == "0" for r in desk.reports(PM42, "k2")), "the block")
        new = next(r for r in desk.reports(PM42, "k2") if r[150] == "0")
        assert (new[1], new[20], new[38]) == ("G1", "0", "90")
        (view,) = desk.blocks.blocks(None)
        assert view.method == "" and view.shares == (30, 30, 30)

        status = [(11, "k2"), (1, "G1"), (55, "AAPL"), (54, "1")]
        gateway.on_message(PM42, desk.message(PM42, "H", *status))
        await gateway.order_entry.idle(PM42)
        answer = desk.reports(PM42, "k2")[-1]
        assert (answer[150], answer[39], answer[1], answer[37]) == ("0", "0", "G1", view.block_id)

        cancel = [(41, "k2"), (11, "k3"), (1, "G1"), (55, "AAPL"), (54, "1"), (38, "90")]
        gateway.on_message(PM42, desk.message(PM42, "F", *cancel))
        await until(lambda: any(r[150] == "4" for r in desk.reports(PM42, "k3")), "canceled")
        canceled = next(r for r in desk.reports(PM42, "k3") if r[150] == "4")
        assert (canceled[41], canceled[39], canceled[1], canceled[37]) == (
            "k2", "4", "G1", view.block_id,
        )  # fmt: skip
        finished = desk.blocks.block
        await until(lambda: getattr(finished(view.block_id), "status", "") == "finished", "end")

        replace = [(41, "k2"), (11, "k4"), (1, "G1"), (55, "AAPL"), (54, "1"), (38, "50")]
        replace += [(40, "2"), (44, "200"), (59, "0")]
        gateway.on_message(PM42, desk.message(PM42, "G", *replace))
        await gateway.order_entry.idle(PM42)
        (refused,) = [f for t, f in desk.sent[PM42] if t == "9"]
        assert (refused[11], refused[41], refused[434]) == ("k4", "k2", "2")
        assert refused[58].startswith("1016 ")
        await gateway.close()

    run(scenario)

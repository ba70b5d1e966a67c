"""A drop copy of every account (``accounts = ["*"]``, the clearing firm's) against the real
platform, in process: it catches up over every account the firm has at logon, then follows
fills of any account as they happen, each once, the firm's transit accounts included."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import pytest

from directbroker.adapters.fix.terms import FixVersion, SessionKind, SessionTerms
from directbroker.app.fix_dropcopy import ALL_ACCOUNTS, MemoryDropCopyStore
from directbroker.app.fix_gateway import FixGateway
from directbroker.domain.block_messages import AVERAGE_PRICE_ACCOUNT
from directbroker.domain.portfolio_messages import CreateAccountGroup
from tests.integration.test_fix_blocks_platform import ALLOCS, GROUP, PM, Desk, block_order
from tests.integration.test_fix_blocks_platform import SELLER as BLOCK_SELLER
from tests.integration.test_fix_blocks_platform import SESSIONS as BLOCK_SESSIONS
from tests.integration.test_fix_orders_platform import (
    BUYER,
    SELLER,
    SESSIONS,
    Firm,
    new_order,
    run,
    running_platform,
    until,
)

pytestmark = pytest.mark.timeout(180)

EVERYTHING = "FIX.4.4:BROKER->CLEARING"
ALL = (
    *SESSIONS[:2],
    SessionTerms(EVERYTHING, SessionKind.DROP_COPY, FixVersion.FIX44, frozenset({ALL_ACCOUNTS})),
)


@pytest.fixture
def firm_and_accounts() -> Iterator[tuple[Firm, Callable[[], Iterable[str]]]]:
    """The platform and what lists its accounts (the accounts read model, as ``serve``)."""
    with running_platform(("A1", "B1")) as (api, clock):
        yield Firm(api.ports.trading, clock), api.models.accounts.accounts


def test_an_all_accounts_drop_copy_sees_every_accounts_fills_once(
    firm_and_accounts: tuple[Firm, Callable[[], Iterable[str]]],
) -> None:
    firm, accounts = firm_and_accounts
    assert {"A1", "B1"} <= set(accounts())

    async def scenario() -> None:
        gateway = FixGateway(
            firm.trading, ALL, firm.send, firm.now_ns, MemoryDropCopyStore(),
            every_account=accounts,
        )  # fmt: skip
        gateway.on_logon(BUYER)
        gateway.on_logon(SELLER)
        gateway.on_message(BUYER, firm.message(BUYER, "D", *new_order("p1", "1", 100, "231")))
        await until(lambda: len(firm.reports(BUYER, "p1")) >= 2, "the buy to work")
        gateway.on_message(SELLER, firm.message(SELLER, "D", *new_order("q1", "5", 30, "231")))
        await until(lambda: any(r[150] == "F" for r in firm.reports(BUYER, "p1")), "a fill")
        # Logged on after the first trade: the catch-up finds both sides of it.
        gateway.on_logon(EVERYTHING)
        await until(lambda: len(firm.reports(EVERYTHING)) == 2, "the first trade copied")
        # Then the feed of every account brings the next trade.
        gateway.on_message(SELLER, firm.message(SELLER, "D", *new_order("q2", "5", 70, "231")))
        await until(lambda: len(firm.reports(EVERYTHING)) == 4, "the second trade copied")
        await gateway.drop_copy.idle(EVERYTHING)
        copies = firm.reports(EVERYTHING)
        assert len({r[17] for r in copies}) == 4
        assert sorted((r[1], r[32]) for r in copies) == [
            ("A1", "30"),
            ("A1", "70"),
            ("B1", "30"),
            ("B1", "70"),
        ]
        await gateway.close()

    run(scenario)


def test_the_firms_average_price_account_is_copied_too() -> None:
    """A block fills in the firm's average-price (transit) account: the street fills are
    copied from there; the allocations to the group's accounts are bookings, not executions
    (they reach the clearing firm in the trade file)."""
    with running_platform((*GROUP, "B1")) as (api, clock):
        blocks = api.ports.blocks
        assert blocks is not None
        desk = Desk(api.ports.trading, blocks, clock)
        sessions = (*BLOCK_SESSIONS, ALL[-1])

        async def scenario() -> None:
            await blocks.change_group(CreateAccountGroup("G1", GROUP, "Desk", "staff:test"))
            gateway = FixGateway(
                desk.trading, sessions, desk.send, clock, MemoryDropCopyStore(), blocks=blocks,
                every_account=api.models.accounts.accounts,
            )  # fmt: skip
            for session in (PM, BLOCK_SELLER, EVERYTHING):
                gateway.on_logon(session)
            block = block_order("k1", 100, "231", "G1", *ALLOCS)
            gateway.on_message(PM, desk.message(PM, "D", *block))
            await until(lambda: any(r[150] == "0" for r in desk.reports(PM, "k1")), "the block")
            short = new_order("s1", "5", 100, "231.00", (114, "N"))
            gateway.on_message(BLOCK_SELLER, desk.message(BLOCK_SELLER, "D", *short))

            def copied() -> dict[str, int]:
                totals: dict[str, int] = {}
                for msg_type, fields in desk.sent.get(EVERYTHING, []):
                    if msg_type == "8":
                        totals[fields[1]] = totals.get(fields[1], 0) + int(fields[32])
                return totals

            await until(lambda: copied() == {AVERAGE_PRICE_ACCOUNT: 100, "B1": 100}, "copies")
            block_id = next(r[37] for r in desk.reports(PM, "k1"))

            def allocated() -> bool:
                view = blocks.block(block_id)
                return view is not None and view.status == "allocated"

            await until(allocated, "the allocation")
            await gateway.drop_copy.idle(EVERYTHING)
            assert copied() == {AVERAGE_PRICE_ACCOUNT: 100, "B1": 100}
            await gateway.close()

        run(scenario)

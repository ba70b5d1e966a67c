"""A block order over FIX against ``directbroker demo`` as a user runs it.

The firm runs as a subprocess with durable journals at the default order-flow rate and a
``[fix]`` section: a portfolio manager's FIX 4.4 order entry session that may place blocks for
the group ``desk`` (and trade no account of its own). The counterparty is the project's own
engine as an initiator, over TCP. A block sent before staff made the group is refused (5014,
nothing placed); staff then group the demo's two customers through the Broker API
(``POST /v1/groups``); the manager places a market block with its NoAllocs pre-allocation, the
block fills from the simulated market, every report is the group's order under the block's
ClOrdID, and each account holds exactly its share more than before (``/v2/positions`` with the
account's own key).
"""

from __future__ import annotations

import asyncio
import time
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from directbroker.adapters.fix.initiator import Backoff
from directbroker.adapters.fix.settings import SessionID, SessionSettings
from directbroker.adapters.fix.store_memory import MemoryMessageStores
from directbroker.adapters.fix.transport import FixTransport
from directbroker.app.fix_service import session_factory
from directbroker.protocols.fix.effects import ApplicationMessage
from directbroker.protocols.fix.message import Field
from tests.e2e.lifecycle import admin_credential, quotes
from tests.e2e.running import RunningFirm, demo_args, until
from tests.e2e.test_fix_serve import _free_port, _until

pytestmark = pytest.mark.timeout(300)

FIRM = "DBRK"
MANAGER = SessionID("FIX.4.4", "PM1", FIRM)
GROUP = "desk"
SHARES = {"DEMO-1": 18, "DEMO-2": 12}


class Manager:
    """What the manager's session received, and whether it is logged on."""

    def __init__(self) -> None:
        self.received: list[ApplicationMessage] = []
        self.online = False

    def on_logon(self, session_id: SessionID) -> None:
        self.online = True

    def on_message(self, session_id: SessionID, message: ApplicationMessage) -> None:
        self.received.append(message)

    def on_logout(self, session_id: SessionID) -> None:
        self.online = False

    def reports(self, cl_ord_id: str) -> list[dict[int, str]]:
        return [
            dict(m.message.fields)
            for m in self.received
            if m.message.msg_type == "8" and m.message.get(11) == cl_ord_id
        ]


def _config(root: Path, port: int) -> Path:
    path = root / "firm.toml"
    path.write_text(
        f"[fix]\nenabled = true\nport = {port}\n\n"
        f'[[fix.sessions]]\nsender_comp_id = "{FIRM}"\ntarget_comp_id = "PM1"\n'
        f'version = "4.4"\nkind = "orders"\ngroups = ["{GROUP}"]\nheartbeat = 5\n'
    )
    return path


def _block(cl_ord_id: str) -> list[Field]:
    stamp = time.strftime("%Y%m%d-%H:%M:%S", time.gmtime())
    allocations = [(78, str(len(SHARES)))]
    for account, quantity in SHARES.items():
        allocations += [(79, account), (80, str(quantity))]
    return [
        (11, cl_ord_id), (1, GROUP), *allocations, (55, "AAPL"), (54, "1"), (60, stamp),
        (38, str(sum(SHARES.values()))), (40, "1"), (59, "0"),
    ]  # fmt: skip


def _held(firm: RunningFirm, account: str) -> Decimal:
    answer = httpx.get(f"{firm.url}/v2/positions/AAPL", headers=firm.headers(account), timeout=30)
    if answer.status_code == 404:
        return Decimal(0)
    assert answer.status_code == 200, answer.text
    return Decimal(answer.json()["qty"])


def test_a_fix_client_places_a_pre_allocated_block_for_the_demo_accounts(
    tmp_path: Path,
) -> None:
    port = _free_port()
    data = tmp_path / "firm"
    args = demo_args(data, "--config", str(_config(tmp_path, port)))
    manager = Manager()

    with RunningFirm(args, tmp_path).start(wait_for_keys=2) as firm:
        assert f"FIX sessions at 127.0.0.1:{port}" in firm.output
        settings = SessionSettings(
            MANAGER, role="initiator", host="127.0.0.1", port=port, heartbeat_s=5
        )
        client = FixTransport(
            [settings],
            stores=MemoryMessageStores(),
            factory=session_factory,
            app=manager,
            backoff=Backoff(base_s=0.2, max_s=1.0),
        )

        async def before_the_group() -> None:
            await client.start()
            await _until(lambda: manager.online, "the manager's logon")
            await client.send(MANAGER, "D", _block("early"))
            await _until(lambda: manager.reports("early"), "the refusal")

        async def the_block() -> None:
            await client.send(MANAGER, "D", _block("blk-1"))
            await _until(
                lambda: any(r[39] == "2" for r in manager.reports("blk-1")), "the block filled"
            )

        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(before_the_group())
            (early,) = manager.reports("early")
            assert (early[150], early[39]) == ("8", "8")
            assert early[58].startswith("5014 "), early[58]

            made = httpx.post(
                f"{firm.url}/v1/groups",
                json={"id": GROUP, "name": "Demo desk", "accounts": list(SHARES)},
                auth=admin_credential(data),
                timeout=30,
            )
            assert made.status_code == 200, made.text
            before = {account: _held(firm, account) for account in SHARES}
            quotes(firm, *firm.keys["DEMO-1"], ["AAPL"])  # a market order needs a price
            loop.run_until_complete(the_block())
        finally:
            loop.run_until_complete(client.close())
            loop.close()

        reports = manager.reports("blk-1")
        assert all(r[1] == GROUP for r in reports), reports
        assert [r[150] for r in reports][:2] == ["A", "0"]
        fills = [r for r in reports if r[150] == "F"]
        assert sum(int(r[32]) for r in fills) == sum(SHARES.values())
        assert all(r.get(30) for r in fills), "every fill names its market (LastMkt)"
        done = reports[-1]
        assert (done[39], done[14], done[151]) == ("2", str(sum(SHARES.values())), "0")

        def booked() -> bool:
            return all(
                _held(firm, account) == before[account] + quantity
                for account, quantity in SHARES.items()
            )

        until(booked, "each account's share to be booked")
        assert firm.terminate() == 0

"""FIX order entry and drop copy against ``directbroker demo`` as a user runs it.

The firm runs as a subprocess with durable journals at the default order-flow rate, with a
``[fix]`` section: an order entry session (FIX 4.4) and a drop copy session (FIX 4.2) for the
demo's margin customer; and one venue, ARCA, runs as its own process (``directbroker venue``)
that the firm reaches over FIX. The counterparty is the project's own engine as an initiator,
over TCP. The client places, replaces and cancels a resting order directed to ARCA (through
the firm, over FIX to the venue process) and trades at the market; the drop copy sees every
fill once. Then the firm is killed (SIGKILL) and restarted: the client,
having lost the last reports it was sent, asks for them again and they are served from the
firm's FIX store, the same reports with the same ExecIDs, nothing new and nothing missing.
"""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from directbroker.adapters.fix.initiator import Backoff
from directbroker.adapters.fix.settings import SessionID, SessionSettings
from directbroker.adapters.fix.store_memory import MemoryMessageStores
from directbroker.adapters.fix.transport import FixTransport
from directbroker.app.fix_service import session_factory
from directbroker.protocols.fix.effects import ApplicationMessage, SequenceState
from directbroker.protocols.fix.message import Field
from tests.e2e.running import RunningFirm, demo_args

pytestmark = pytest.mark.timeout(300)

ACCOUNT = "DEMO-1"
FIRM = "DBRK"
TRADER = SessionID("FIX.4.4", "TRADER1", FIRM)
DROP = SessionID("FIX.4.2", "CLEARING", FIRM)
VENUE = "ARCA"


@contextmanager
def _venue_process(directory: Path, port: int) -> Iterator[None]:
    """``directbroker venue`` for ARCA, taking the firm's orders over FIX."""
    command = [sys.executable, "-m", "directbroker.app.cli", "venue", "--venue", VENUE,
               "--fix-port", str(port), "--data-dir", str(directory), "--client", FIRM]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("READY "), line
        yield
    finally:
        process.kill()
        process.wait(30)
        if process.stdout is not None:
            process.stdout.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _config(root: Path, port: int, venue_port: int) -> Path:
    path = root / "firm.toml"
    path.write_text(
        f'[[venues.links]]\nvenue = "{VENUE}"\nlink = "fix"\nport = {venue_port}\n\n'
        f"[fix]\nenabled = true\nport = {port}\n\n"
        f'[[fix.sessions]]\nsender_comp_id = "{FIRM}"\ntarget_comp_id = "TRADER1"\n'
        f'version = "4.4"\nkind = "orders"\naccounts = ["{ACCOUNT}"]\nheartbeat = 5\n\n'
        f'[[fix.sessions]]\nsender_comp_id = "{FIRM}"\ntarget_comp_id = "CLEARING"\n'
        f'version = "4.2"\nkind = "drop_copy"\naccounts = ["{ACCOUNT}"]\nheartbeat = 5\n'
    )
    return path


class Counterparty:
    """What the client's sessions received, and whether they are logged on."""

    def __init__(self) -> None:
        self.received: dict[SessionID, list[ApplicationMessage]] = {TRADER: [], DROP: []}
        self.online: set[SessionID] = set()

    def on_logon(self, session_id: SessionID) -> None:
        self.online.add(session_id)

    def on_message(self, session_id: SessionID, message: ApplicationMessage) -> None:
        self.received[session_id].append(message)

    def on_logout(self, session_id: SessionID) -> None:
        self.online.discard(session_id)

    def reports(self, cl_ord_id: str) -> list[dict[int, str]]:
        return [
            dict(m.message.fields)
            for m in self.received[TRADER]
            if m.message.msg_type == "8" and m.message.get(11) == cl_ord_id
        ]

    def drop_copy_exec_ids(self) -> list[str]:
        return [m.message.require(17) for m in self.received[DROP] if m.message.msg_type == "8"]


def _client(port: int, app: Counterparty, stores: MemoryMessageStores) -> FixTransport:
    sessions = [
        SessionSettings(session_id, role="initiator", host="127.0.0.1", port=port, heartbeat_s=5)
        for session_id in (TRADER, DROP)
    ]
    return FixTransport(
        sessions,
        stores=stores,
        factory=session_factory,
        app=app,
        backoff=Backoff(base_s=0.2, max_s=1.0),
    )


async def _until(condition: Callable[[], object], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


def _order(cl_ord_id: str, side: str, quantity: int, *extra: Field) -> list[Field]:
    stamp = time.strftime("%Y%m%d-%H:%M:%S", time.gmtime())
    return [
        (11, cl_ord_id), (1, ACCOUNT), (55, "AAPL"), (54, side), (60, stamp),
        (38, str(quantity)), *extra,
    ]  # fmt: skip


def _exec_types(app: Counterparty, cl_ord_id: str) -> list[str]:
    return [report[150] for report in app.reports(cl_ord_id)]


async def _trade(client: FixTransport, app: Counterparty) -> None:
    await _until(lambda: {TRADER, DROP} <= app.online, "both sessions to log on")
    # A resting buy far under the market, directed to one venue, then replaced and cancelled.
    await client.send(TRADER, "D", _order("rest-1", "1", 100, (40, "2"), (44, "1.00"),
                                          (59, "0"), (100, "ARCA")))  # fmt: skip
    await _until(lambda: "0" in _exec_types(app, "rest-1"), "the resting order's New")
    await client.send(TRADER, "G", _order("rest-2", "1", 100, (41, "rest-1"), (40, "2"),
                                          (44, "1.01"), (59, "0")))  # fmt: skip
    await _until(lambda: "5" in _exec_types(app, "rest-2"), "the replace")
    (replaced,) = [r for r in app.reports("rest-2") if r[150] == "5"]
    assert replaced[44] == "1.01" and replaced[41] == "rest-1"
    await client.send(TRADER, "F", _order("rest-3", "1", 100, (41, "rest-2")))
    await _until(lambda: "4" in _exec_types(app, "rest-3"), "the cancel")
    # A market buy and the sale back: fills, seen by the trader and by the drop copy.
    await client.send(TRADER, "D", _order("buy-1", "1", 10, (40, "1"), (59, "0")))
    await client.send(TRADER, "D", _order("sell-1", "2", 10, (40, "1"), (59, "0")))
    for cl_ord_id in ("buy-1", "sell-1"):
        await _until(_filled(app, cl_ord_id), f"{cl_ord_id} filled")


def _filled(app: Counterparty, cl_ord_id: str) -> Callable[[], bool]:
    return lambda: any(report[39] == "2" for report in app.reports(cl_ord_id))


def _fill_ids(app: Counterparty) -> set[str]:
    return {
        report[17]
        for cl_ord_id in ("buy-1", "sell-1")
        for report in app.reports(cl_ord_id)
        if report[150] == "F"
    }


def test_fix_orders_and_drop_copy_survive_a_killed_firm(tmp_path: Path) -> None:
    port, venue_port = _free_port(), _free_port()
    config = _config(tmp_path, port, venue_port)
    args = demo_args(tmp_path / "firm", "--config", str(config))
    app = Counterparty()
    stores = MemoryMessageStores()

    async def first_run() -> None:
        client = _client(port, app, stores)
        await client.start()
        try:
            await _trade(client, app)
            fills = _fill_ids(app)
            await _until(
                lambda: set(app.drop_copy_exec_ids()) >= fills, "the drop copy of every fill"
            )
        finally:
            await client.close()

    with (
        _venue_process(tmp_path / "venue", venue_port),
        RunningFirm(args, tmp_path).start() as firm,
    ):
        assert f"FIX sessions at 127.0.0.1:{port}" in firm.output
        asyncio.run(first_run())
        firm.kill()

    fills = _fill_ids(app)
    assert len(fills) >= 2
    drop_copies = app.drop_copy_exec_ids()
    assert sorted(drop_copies) == sorted(set(drop_copies)), "a fill copied twice"
    assert set(drop_copies) == fills
    trader_state = stores.store(TRADER)
    before = list(app.received[TRADER])
    lost = 3

    async def after_restart() -> None:
        # The client lost the last reports it was sent: it expects them again.
        state = await trader_state.load()
        assert state is not None
        rewound = SequenceState(state.next_sender_seq, state.next_target_seq - lost)
        resumed = MemoryMessageStores()
        await resumed.store(TRADER).save(rewound, [])
        await resumed.store(DROP).save(await stores.store(DROP).load(), [])
        client = _client(port, app, resumed)
        await client.start()
        try:
            await _until(lambda: {TRADER, DROP} <= app.online, "logons after the restart")
            await _until(
                lambda: len(app.received[TRADER]) >= len(before) + lost, "the resent reports"
            )
            await asyncio.sleep(1.0)  # anything more would arrive now
        finally:
            await client.close()

    app.online.clear()
    with _venue_process(tmp_path / "venue", venue_port), RunningFirm(args, tmp_path).start():
        asyncio.run(after_restart())

    again = app.received[TRADER][len(before) :]
    assert all(message.possible_duplicate for message in again)
    resent = [dict(message.message.fields) for message in again]
    originals = [dict(message.message.fields) for message in before[-lost:]]
    assert [r.get(17) for r in resent] == [o.get(17) for o in originals]
    assert [r[35] for r in resent] == [o[35] for o in originals]
    # The drop copy sent nothing new after the restart: every fill had been copied once.
    assert sorted(app.drop_copy_exec_ids()) == sorted(drop_copies)

"""The clearing firm's end of the drop copy over real FIX sockets, in process: the firm's FIX
service with only the implied clearing session (``[fix]`` off, ``[backoffice] drop_copy``
on), and the clearing firm's initiator writing its log. Restarting the clearing side resumes
its session; a report lost between the session's store and the log (a crash there) is asked
for again and logged once."""

from __future__ import annotations

from pathlib import Path

import pytest

from directbroker.adapters.fix.store_sqlite import SqliteMessageStores
from directbroker.adapters.fix.transport import SQLITE_FILE
from directbroker.app.clearing_dropcopy import (
    ClearingDropCopy,
    clearing_fix_dir,
    effective_fix,
)
from directbroker.app.config import FirmConfig
from directbroker.app.fix_orders import FixOrderEntry
from directbroker.app.fix_service import FixService
from directbroker.backoffice.drop_copy_log import DropCopyRecord, drop_copy_dir, read_file
from directbroker.protocols.fix.effects import SequenceState
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


async def _forget_numbers(data_dir: Path, clearing: ClearingDropCopy) -> None:
    """Take the clearing side's next expected number back to 1."""
    stores = SqliteMessageStores(clearing_fix_dir(data_dir) / SQLITE_FILE)
    store = stores.store(clearing.session_id)
    state = await store.load()
    assert state is not None
    await store.save(SequenceState(state.next_sender_seq, 1), [])
    await stores.close()


def _logged(data_dir: Path) -> list[DropCopyRecord]:
    directory = drop_copy_dir(data_dir)
    return [r for path in sorted(directory.glob("*.csv")) for r in read_file(path)]


def test_the_clearing_firm_logs_every_fill_once_across_its_restarts(tmp_path: Path) -> None:
    section = effective_fix(FirmConfig())

    with running_platform(("A1", "B1")) as (api, clock):
        firm = Firm(api.ports.trading, clock)

        async def trade(cl_ord_id: str, quantity: int) -> None:
            orders = FixOrderEntry(firm.trading, SESSIONS, firm.send, firm.now_ns)
            orders.on_logon(BUYER)
            orders.on_logon(SELLER)
            buy = new_order(f"b{cl_ord_id}", "1", quantity, "231")
            orders.on_message(BUYER, firm.message(BUYER, "D", *buy))
            await until(lambda: len(firm.reports(BUYER, f"b{cl_ord_id}")) >= 2, "the buy")
            sell = new_order(f"s{cl_ord_id}", "5", quantity, "231")
            orders.on_message(SELLER, firm.message(SELLER, "D", *sell))
            await until(
                lambda: any(r[39] == "2" for r in firm.reports(BUYER, f"b{cl_ord_id}")), "fill"
            )
            await orders.close()

        async def scenario() -> None:
            service = FixService(
                section, tmp_path / "fix", firm.trading, every_account=api.models.accounts.accounts
            )
            port = await service.start()
            assert port is not None
            clearing = ClearingDropCopy(tmp_path, "DBRK")
            await clearing.start("127.0.0.1", port)
            await trade("1", 10)
            await until(lambda: len(_logged(tmp_path)) == 2, "both sides of the first trade")

            # The clearing firm is away for a trade: it gets it when it is back.
            await clearing.close()
            await trade("2", 20)
            clearing = ClearingDropCopy(tmp_path, "DBRK")
            await clearing.start("127.0.0.1", port)
            await until(lambda: len(_logged(tmp_path)) == 4, "the trade made while away")

            # A crash after the session stored a report's number but before the log had it:
            # the last line is lost. Back, the clearing firm asks for it again.
            await clearing.close()
            path = next(drop_copy_dir(tmp_path).glob("*.csv"))
            lines = path.read_text().splitlines(keepends=True)
            path.write_text("".join(lines[:-1]))
            lost = lines[-1].split(",")[0]
            clearing = ClearingDropCopy(tmp_path, "DBRK")
            await clearing.start("127.0.0.1", port)
            await until(lambda: lost in {r.exec_id for r in _logged(tmp_path)}, "the lost one")
            await trade("3", 30)
            await until(lambda: len(_logged(tmp_path)) == 6, "the third trade")
            await clearing.close()

            # Its numbers lost, the clearing firm is sent everything again: nothing is logged
            # twice.
            await _forget_numbers(tmp_path, clearing)
            clearing = ClearingDropCopy(tmp_path, "DBRK")
            await clearing.start("127.0.0.1", port)
            app = clearing.app
            assert app is not None
            await until(lambda: app.ignored == 6, "the resends of what it has")
            assert app.appended == 0
            await clearing.close()
            await service.close()

            records = _logged(tmp_path)
            assert len({r.exec_id for r in records}) == len(records) == 6
            assert sorted((r.account, r.quantity) for r in records) == [
                ("A1", 10), ("A1", 20), ("A1", 30), ("B1", 10), ("B1", 20), ("B1", 30),
            ]  # fmt: skip
            fills = [a for account in ("A1", "B1") for a in await firm.trading.activities(
                account, frozenset({"FILL"}), None, None)]  # fmt: skip
            assert {a.activity_id for a in fills} == {r.exec_id for r in records}

        run(scenario)

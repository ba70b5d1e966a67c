"""The clearing firm's drop copy session implied by ``[backoffice]``, and how the clearing
side reads each ExecutionReport it is sent."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from directbroker.app.clearing_dropcopy import (
    CLEARING_COMP_ID,
    clearing_session,
    effective_fix,
    record_of,
    settled_drop_copy_check,
)
from directbroker.app.config import BackOfficeSection, FirmConfig, FirmSection
from directbroker.app.config_fix import (
    FixConfigError,
    FixSection,
    FixSessionSection,
    check_fix,
    session_settings,
)
from directbroker.backoffice.books import BookedExecution
from directbroker.backoffice.drop_copy_log import DropCopyLog, drop_copy_dir
from directbroker.domain.orders import Side
from directbroker.protocols.fix.message import FixMessage

REPORT = (
    (8, "FIX.4.4"), (35, "8"), (34, "12"), (43, "Y"), (37, "o-1"), (11, "c-1"),
    (17, "ARCA.1.o-1.1"), (150, "F"), (39, "2"), (1, "DEMO-1"), (55, "AAPL"), (54, "5"),
    (38, "100"), (32, "100"),
    (31, "230.5"), (30, "ARCA"), (151, "0"), (14, "100"), (6, "230.5"),
    (60, "20261130-15:00:01.250"),
)  # fmt: skip
COPY = tuple((t, "e1" if t == 17 else "100" if t == 32 else v) for t, v in REPORT if t != 43)


def test_fix_off_the_clearing_session_alone_on_loopback() -> None:
    config = FirmConfig(firm=FirmSection(participant="ACME"))
    section = effective_fix(config)
    assert (section.enabled, section.host, section.port) == (True, "127.0.0.1", 0)
    [session] = section.sessions
    assert (session.sender_comp_id, session.target_comp_id) == ("ACME", CLEARING_COMP_ID)
    assert (session.kind, session.accounts, session.version) == ("drop_copy", ("*",), "4.4")
    check_fix(section)


def test_fix_on_the_clearing_session_joins_the_configured_ones() -> None:
    mine = FixSessionSection(sender_comp_id="DBRK", target_comp_id="TRADER1", accounts=("A1",))
    config = FirmConfig(fix=FixSection(enabled=True, port=9999, sessions=(mine,)))
    section = effective_fix(config)
    assert section.port == 9999
    assert [s.target_comp_id for s in section.sessions] == ["TRADER1", CLEARING_COMP_ID]
    assert len(session_settings(section)) == 2


def test_a_configured_session_cannot_be_the_clearing_firms() -> None:
    clash = FixSessionSection(sender_comp_id="DBRK", target_comp_id="CLEARING", kind="drop_copy")
    config = FirmConfig(fix=FixSection(enabled=True, sessions=(clash,)))
    with pytest.raises(FixConfigError, match=r"fix.sessions\[0\] is FIX 4.4 DBRK->CLEARING"):
        effective_fix(config)
    # Another version is another session (the FIX 4.2 drop copy some counterparties use).
    other = FirmConfig(fix=FixSection(enabled=True, sessions=(replace(clash, version="4.2"),)))
    assert len(session_settings(effective_fix(other))) == 2


@pytest.mark.parametrize(
    "backoffice", [BackOfficeSection(drop_copy=False), BackOfficeSection(enabled=False)]
)
def test_without_the_drop_copy_nothing_is_implied(backoffice: BackOfficeSection) -> None:
    config = FirmConfig(backoffice=backoffice)
    assert clearing_session(config) is None
    assert effective_fix(config) == config.fix


def test_every_account_is_for_drop_copies_only() -> None:
    orders = FixSessionSection(sender_comp_id="DBRK", target_comp_id="T", accounts=("*",))
    with pytest.raises(FixConfigError, match=r"fix.sessions\[0\]: .*for drop copies"):
        session_settings(FixSection(enabled=True, sessions=(orders,)))
    session_settings(FixSection(enabled=True, sessions=(replace(orders, kind="drop_copy"),)))


def test_a_report_is_read_as_the_execution_it_reports() -> None:
    record = record_of(FixMessage.of(REPORT))
    assert record.exec_id == "ARCA.1.o-1.1" and record.order_id == "o-1"
    assert (record.account, record.side, record.quantity) == ("DEMO-1", Side.SELL_SHORT, 100)
    assert (record.price, record.symbol, record.venue) == (2_305_000, "AAPL", "ARCA")
    assert (record.msg_seq, record.trade_date) == (12, 20261130)


@pytest.mark.parametrize(
    ("tag", "value", "problem"),
    [
        (17, "", "ExecID (17) is missing"),
        (54, "9", "Side (54) '9'"),
        (32, "0", "LastQty (32) '0'"),
        (31, "-1", "LastPx (31) '-1'"),
        (60, "noon", "transact_time 'noon'"),
    ],
)
def test_an_unusable_report_is_refused_naming_the_field(tag: int, value: str, problem: str) -> None:
    fields = [(t, value if t == tag else v) for t, v in REPORT]
    with pytest.raises(ValueError, match=re.escape(problem)):
        record_of(FixMessage.of([(t, v) for t, v in fields if v]))


def test_the_end_of_day_check_waits_a_while_for_copies_still_on_their_way(
    tmp_path: Path,
) -> None:
    execution = BookedExecution(
        "e1", "o-1", "DEMO-1", "AAPL", Side.SELL_SHORT, 100, 2_305_000, 0, 0, 0, 0, 0, 20261130,
        20261201, 0, "ARCA", "add",
    )  # fmt: skip
    naps: list[float] = []

    def nap(seconds: float) -> None:
        naps.append(seconds)
        if len(naps) == 3:  # the copy arrives while the check waits
            DropCopyLog(drop_copy_dir(tmp_path)).append(record_of(FixMessage.of(COPY)))

    assert settled_drop_copy_check(tmp_path, 20261130, [execution], sleep=nap) == []
    assert len(naps) == 3

    naps.clear()
    clock = iter(range(100))
    problems = settled_drop_copy_check(
        tmp_path, 20261130, [execution, replace(execution, execution_id="e2")],
        timeout_s=5, sleep=nap, monotonic=lambda: float(next(clock)),
    )  # fmt: skip
    assert [(p.code.value, p.exec_id) for p in problems] == [("DROPCOPY_MISSING", "e2")]
    assert len(naps) == 4  # at 1, 2, 3 and 4 seconds; at 5 the time is up

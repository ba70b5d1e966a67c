"""Funding end to end through alpaca-py's unmodified ``BrokerClient`` against a firm running in
this process on a durable data directory: an ACH relationship approved by the simulated bank,
a deposit held then cleared, a cash journal, a withdrawal limited to withdrawable cash, the
transfer and journal event streams, refusals in Alpaca's error shape, and a restart that keeps
every transfer and balance."""

from __future__ import annotations

import json
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest

with warnings.catch_warnings():
    # alpaca-py's streams import websockets.legacy, which warns that it is deprecated.
    warnings.simplefilter("ignore", DeprecationWarning)
    from alpaca.broker import BrokerClient
    from alpaca.broker.enums import (
        BankAccountType,
        JournalEntryType,
        TransferDirection,
        TransferTiming,
    )
    from alpaca.broker.requests import (
        CreateACHRelationshipRequest,
        CreateACHTransferRequest,
        CreateJournalRequest,
        GetEventsRequest,
    )
from alpaca.common.exceptions import APIError

from directbroker.adapters.http.ports import Role
from directbroker.app.config import ApiSection, FirmConfig, MarketSection
from directbroker.app.firm import Firm, open_firm
from directbroker.app.platform import DemoAccount
from directbroker.domain.accounts import AccountType

ALICE = str(uuid.UUID(int=1))
BOB = str(uuid.UUID(int=2))
ACCOUNTS = (
    DemoAccount(ALICE, "alice", AccountType.CASH, 1_000 * 10_000),
    DemoAccount(BOB, "bob", AccountType.CASH, 10 * 10_000),
)
T = TypeVar("T")


def eventually(probe: Callable[[], T | None], what: str, timeout: float = 30.0) -> T:
    """Poll until ``probe`` answers (the bank answers after its delays)."""
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if found is not None:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def start(root: Path) -> tuple[Firm, Any, Any]:
    """The firm on ``root`` and BrokerClients (typed loosely: alpaca-py's returns are unions)
    with an operations key and a risk key."""
    config = FirmConfig(market=MarketSection(simulate=False), api=ApiSection(port=0))
    firm = open_firm(root, config, accounts=ACCOUNTS)
    ops = firm.api.keys.issue("ops:olga", Role.OPERATIONS, key_id="OPS1", secret="s" * 32)
    risk = firm.api.keys.issue("risk:rick", Role.RISK, key_id="RISK1", secret="r" * 32)
    firm.start()
    assert firm.server is not None
    url = firm.server.url
    client = BrokerClient(*ops, sandbox=False, url_override=url)
    return firm, client, BrokerClient(*risk, sandbox=False, url_override=url)


@pytest.fixture
def running(tmp_path: Path) -> Iterator[tuple[Firm, Any, Any, Path]]:
    firm, client, risk = start(tmp_path / "firm")
    try:
        yield firm, client, risk, tmp_path / "firm"
    finally:
        firm.stop()


def transfer_status(client: Any, account: str, transfer_id: str) -> str:
    transfers = client.get_transfers_for_account(account)
    assert isinstance(transfers, list)
    return next(str(t.status.value) for t in transfers if str(t.id) == transfer_id)


def error_code(call: Callable[[], object]) -> tuple[int, int]:
    with pytest.raises(APIError) as caught:
        call()
    body = json.loads(str(caught.value))
    return caught.value.status_code, body["code"]


def test_fund_journal_withdraw_and_stream(
    running: tuple[Firm, Any, Any, Path],
) -> None:
    firm, client, risk, root = running
    request = CreateACHRelationshipRequest(
        account_owner_name="Bob Brown",
        bank_account_type=BankAccountType.CHECKING,
        bank_account_number="123456789",
        bank_routing_number="021000021",
    )
    # A staff key without the operations role changes nothing.
    assert error_code(lambda: risk.create_ach_relationship_for_account(BOB, request))[0] == 403
    # A bad routing number is refused with a stable code.
    bad = request.model_copy(update={"bank_routing_number": "021000022"})
    assert error_code(lambda: client.create_ach_relationship_for_account(BOB, bad)) == (
        422, 42205200,
    )  # fmt: skip
    unknown = str(uuid.UUID(int=99))
    assert error_code(lambda: client.create_ach_relationship_for_account(unknown, request)) == (
        404, 40405001,
    )  # fmt: skip
    relationship = client.create_ach_relationship_for_account(BOB, request)
    assert relationship.status.value == "QUEUED"

    def approved() -> bool | None:
        items = client.get_ach_relationships_for_account(BOB)
        return True if items and items[0].status.value == "APPROVED" else None

    eventually(approved, "the bank to approve the relationship")

    deposit = client.create_transfer_for_account(
        BOB,
        CreateACHTransferRequest(
            amount="500.00",
            direction=TransferDirection.INCOMING,
            timing=TransferTiming.IMMEDIATE,
            relationship_id=relationship.id,
        ),
    )
    assert deposit.status.value == "QUEUED"
    deposit_id = str(deposit.id)
    eventually(
        lambda: (
            transfer_status(client, BOB, deposit_id) in ("SENT_TO_CLEARING", "COMPLETE") or None
        ),
        "the deposit to reach clearing",
    )

    def withdraw(amount: str) -> Any:
        return client.create_transfer_for_account(
            BOB,
            CreateACHTransferRequest(
                amount=amount,
                direction=TransferDirection.OUTGOING,
                timing=TransferTiming.IMMEDIATE,
                relationship_id=relationship.id,
            ),
        )

    if transfer_status(client, BOB, deposit_id) == "SENT_TO_CLEARING":
        # Held: only the $10 opening cash may leave.
        assert error_code(lambda: withdraw("100.00")) == (403, 40305207)
    eventually(lambda: transfer_status(client, BOB, deposit_id) == "COMPLETE" or None, "clearing")

    # Alice journals $200 to Bob; more than she has is refused and changes nothing.
    too_much = CreateJournalRequest(
        from_account=uuid.UUID(ALICE),
        to_account=uuid.UUID(BOB),
        entry_type=JournalEntryType.CASH,
        amount=5000,
    )
    assert error_code(lambda: client.create_journal(too_much)) == (403, 40305210)
    journal = client.create_journal(
        CreateJournalRequest(
            from_account=uuid.UUID(ALICE),
            to_account=uuid.UUID(BOB),
            entry_type=JournalEntryType.CASH,
            amount=200,
        )
    )
    assert journal.status.value == "queued"
    eventually(
        lambda: client.get_journal_by_id(journal.id).status.value == "executed" or None,
        "the journal to execute",
    )
    assert [str(j.id) for j in client.get_journals()] == [str(journal.id)]

    # Bob has 10 + 500 + 200 withdrawable; a cent more is refused.
    assert error_code(lambda: withdraw("710.01")) == (403, 40305207)
    out = withdraw("710.00")
    eventually(lambda: transfer_status(client, BOB, str(out.id)) == "COMPLETE" or None, "payout")

    today = datetime.now(UTC).date()
    events = [
        json.loads(data)
        for data in client.get_transfer_events(GetEventsRequest(since=today, until=today))
    ]
    mine = [(e["transfer_id"], e["status_from"], e["status_to"]) for e in events]
    assert (deposit_id, "", "QUEUED") in mine
    assert (deposit_id, "QUEUED", "SENT_TO_CLEARING") in mine
    assert (deposit_id, "SENT_TO_CLEARING", "COMPLETE") in mine
    assert [e["event_id"] for e in events] == sorted(e["event_id"] for e in events)
    journal_events = [
        json.loads(d) for d in client.get_journal_events(GetEventsRequest(since_id=0, until_id=99))
    ]
    assert [e["status_to"] for e in journal_events] == ["queued", "executed"]

    # A restart (clean here; the subprocess e2e kills it) keeps every transfer, none twice.
    before = client.get_transfers_for_account(BOB)
    firm.stop()
    firm2, client2, _ = start(root)
    try:
        after = client2.get_transfers_for_account(BOB)
        assert [(t.id, t.status) for t in after] == [(t.id, t.status) for t in before]
        assert len({t.id for t in after}) == len(after) == 2
    finally:
        firm2.stop()

"""Funding end to end through alpaca-py's ``BrokerClient`` against ``directbroker serve`` in a
subprocess on a durable data directory: link a bank, deposit (held, then cleared), journal
cash, withdraw, follow the transfer stream over SSE; then SIGKILL the server and restart it:
every transfer and balance is there, none twice."""

from __future__ import annotations

import json
import time
import uuid
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import httpx

from directbroker.app.config import FirmConfig, MarketSection
from directbroker.app.firm import open_firm
from directbroker.app.platform import DemoAccount
from directbroker.domain.accounts import AccountType
from tests.e2e.running import SIM_SESSION, RunningFirm

with warnings.catch_warnings():
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

ALICE = uuid.UUID(int=11)
BOB = uuid.UUID(int=12)
T = TypeVar("T")


def eventually(probe: Callable[[], T | None], what: str, timeout: float = 60.0) -> T:
    """Poll until ``probe`` answers (the simulated bank answers after its delays)."""
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if found is not None:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def create_firm(root: Path) -> None:
    """The firm with two customer accounts (account opening is another family's work)."""
    accounts = (
        DemoAccount(str(ALICE), "alice", AccountType.CASH, 1_000 * 10_000),
        DemoAccount(str(BOB), "bob", AccountType.CASH, 10 * 10_000),
    )
    firm = open_firm(root, FirmConfig(market=MarketSection(simulate=False)), accounts=accounts)
    firm.start(serve_api=False)
    firm.stop()


def serve(root: Path, cwd: Path) -> RunningFirm:
    return RunningFirm(
        ["serve", "--data-dir", str(root), "--api-port", "0", *SIM_SESSION], cwd
    ).start()


def client_for(firm: RunningFirm, root: Path) -> Any:
    key_id, secret = (root / "admin.key").read_text().strip().split(":", 1)
    return BrokerClient(key_id, secret, sandbox=False, url_override=firm.url)


def statuses(client: Any, account: uuid.UUID) -> dict[str, str]:
    return {str(t.id): t.status.value for t in client.get_transfers_for_account(account)}


def test_fund_then_crash_and_restart(tmp_path: Path) -> None:
    root = tmp_path / "firm"
    create_firm(root)
    with serve(root, tmp_path) as running:
        client = client_for(running, root)
        relationship = client.create_ach_relationship_for_account(
            BOB,
            CreateACHRelationshipRequest(
                account_owner_name="Bob Brown",
                bank_account_type=BankAccountType.SAVINGS,
                bank_account_number="44556677",
                bank_routing_number="121000358",
            ),
        )
        eventually(
            lambda: (
                client.get_ach_relationships_for_account(BOB)[0].status.value == "APPROVED" or None
            ),
            "approval",
        )

        def transfer(direction: TransferDirection, amount: str) -> str:
            made = client.create_transfer_for_account(
                BOB,
                CreateACHTransferRequest(
                    amount=amount,
                    direction=direction,
                    timing=TransferTiming.IMMEDIATE,
                    relationship_id=relationship.id,
                ),
            )
            return str(made.id)

        deposit = transfer(TransferDirection.INCOMING, "300.00")
        eventually(lambda: statuses(client, BOB)[deposit] == "COMPLETE" or None, "clearing")
        journal = client.create_journal(
            CreateJournalRequest(
                from_account=ALICE, to_account=BOB, entry_type=JournalEntryType.CASH, amount=90
            )
        )
        eventually(
            lambda: client.get_journal_by_id(journal.id).status.value == "executed" or None,
            "the journal",
        )
        withdrawal = transfer(TransferDirection.OUTGOING, "400.00")
        eventually(lambda: statuses(client, BOB)[withdrawal] == "COMPLETE" or None, "payout")
        # One more deposit left in flight when the server dies.
        in_flight = transfer(TransferDirection.INCOMING, "5.00")
        # The firm's day, not the wall's: a simulated clock started after the close skips
        # to the next session.
        today = client.get_transfers_for_account(BOB)[0].created_at.date()
        seen = [
            json.loads(data)
            for data in client.get_transfer_events(GetEventsRequest(since=today, until=today))
        ]
        assert ("", "QUEUED") in {(e["status_from"], e["status_to"]) for e in seen}
        assert {e["transfer_id"] for e in seen} >= {deposit, withdrawal}
        before = statuses(client, BOB)
        running.kill()

    with serve(root, tmp_path) as again:
        client = client_for(again, root)
        after = statuses(client, BOB)
        assert set(after) == set(before) == {deposit, withdrawal, in_flight}
        assert after[deposit] == after[withdrawal] == "COMPLETE"
        # The bank picks up what the crash left waiting, once.
        eventually(lambda: statuses(client, BOB)[in_flight] == "COMPLETE" or None, "resume")
        assert len(client.get_transfers_for_account(BOB)) == 3
        assert len(client.get_journals()) == 1
        # Bob: 10 + 300 + 90 - 400 + 5, all withdrawable: a cent more is refused.
        url = f"{again.url}/v1/accounts/{BOB}/transfers"
        key_id, secret = (root / "admin.key").read_text().strip().split(":", 1)
        body = {"amount": "5.01", "direction": "OUTGOING", "timing": "immediate",
                "relationship_id": str(relationship.id), "transfer_type": "ach"}  # fmt: skip
        refused = httpx.post(url, json=body, auth=(key_id, secret), timeout=10)
        assert refused.status_code == 403 and refused.json()["code"] == 40305207
        body["amount"] = "5.00"
        assert httpx.post(url, json=body, auth=(key_id, secret), timeout=10).status_code == 200
        assert again.terminate() == 0

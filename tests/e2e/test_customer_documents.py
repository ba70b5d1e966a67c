"""Customer documents end to end: a customer opened through alpaca-py's ``BrokerClient``,
funded through the simulated bank, trades through the Trading API on the demo's fast simulated
clock; after the month ends ``directbroker backoffice documents`` issues the day's trade
confirmation and the month's statement; the restarted firm lists and serves them through the
Broker API (``get_trade_documents_for_account``, ``download_trade_document_for_account_by_id``)
and through the customer's own ``/v2/account/documents``; the PDFs' text carries the fills."""

from __future__ import annotations

import io
import time
from datetime import datetime
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pypdf

from directbroker.app import documents_cli
from tests.e2e.lifecycle import fund
from tests.e2e.running import RunningFirm, until
from tests.e2e.test_broker_accounts import request  # imports alpaca quietly

from alpaca.broker.client import BrokerClient  # isort: skip
from alpaca.broker.requests import (  # isort: skip
    GetTradeDocumentsRequest,
)

SPEED = "2000"
START = "2026-11-30T08:00:00-05:00"
"""A Monday before the open: the customer is opened and funded before the session, so the
whole session is left for its trades however slow the machine."""


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def price_text(text: str) -> str:
    """A price as documents print it: two to four decimal places."""
    shown = f"{Decimal(text):,.4f}"
    while shown.endswith("0") and len(shown.rpartition(".")[2]) > 2:
        shown = shown[:-1]
    return shown


def firm(data: Path, cwd: Path) -> RunningFirm:
    args = ["demo", "--no-live", "--data-dir", str(data), "--api-port", "0", "--start", START,
            "--clock", "sim", "--speed", SPEED, "--rate", "100"]  # fmt: skip
    return RunningFirm(args, cwd).start(wait_for_keys=2)


def staff(running: RunningFirm, data: Path) -> tuple[Any, tuple[str, str]]:
    key_id, secret = (data / "admin.key").read_text().strip().split(":", 1)
    client = BrokerClient(key_id, secret, sandbox=False, url_override=running.url)
    return client, (key_id, secret)


def open_funded_customer(running: RunningFirm, data: Path) -> tuple[str, dict[str, str]]:
    """An account opened and funded through the Broker API, and its own Trading API key."""
    broker, auth = staff(running, data)
    account = str(broker.create_account(request()).id)
    fund(broker, account, Decimal("50000"))
    issued = httpx.post(
        f"{running.url}/v1/firm/keys", auth=auth, timeout=10,
        json={"user_id": "ada", "roles": ["customer"], "accounts": [account]},
    )  # fmt: skip
    assert issued.status_code == 201, issued.text
    key = issued.json()
    return account, {"APCA-API-KEY-ID": key["key_id"], "APCA-API-SECRET-KEY": key["secret"]}


def trade(client: httpx.Client, side: str, qty: int) -> None:
    """A market order that fills; again when the market had no liquidity for it (right after
    the opening cross the simulated books are thin for a few minutes, and an unfilled market
    order is cancelled)."""
    body = {"symbol": "AAPL", "qty": str(qty), "side": side, "type": "market",
            "time_in_force": "day"}  # fmt: skip
    for _attempt in range(20):
        placed = client.post("/v2/orders", json=body)
        assert placed.status_code == 200, placed.text
        order = placed.json()["id"]
        status = until(partial(_done, client, order), f"the {side} order done", 90)
        if status == "filled":
            return
        time.sleep(1.1)  # the same order again within a second is refused as a duplicate
    raise AssertionError(f"the {side} never filled")


def _done(client: httpx.Client, order: str) -> str | None:
    status: str = client.get(f"/v2/orders/{order}").json()["status"]
    return status if status in ("filled", "canceled", "expired", "rejected") else None


def test_confirmations_and_statements_issued_listed_and_read_back(tmp_path: Path) -> None:
    data = tmp_path / "firm"
    with firm(data, tmp_path) as running:
        account, headers = open_funded_customer(running, data)
        with httpx.Client(base_url=running.url, headers=headers, timeout=10) as client:
            until(lambda: client.get("/v2/clock").json()["is_open"], "the open", 90)
            trade(client, "buy", 30)
            trade(client, "sell", 12)
            fills = client.get("/v2/account/activities/FILL").json()
            cash = Decimal(client.get("/v2/account").json()["cash"])
            trade_day = datetime.fromisoformat(fills[0]["transaction_time"]).date()
            stamp = datetime.fromisoformat(client.get("/v2/clock").json()["timestamp"])
            assert (stamp.year, stamp.month) == (trade_day.year, trade_day.month), "traded late"
            month = f"{trade_day.year:04d}-{trade_day.month:02d}"

            def next_month() -> bool:
                now = datetime.fromisoformat(client.get("/v2/clock").json()["timestamp"])
                return (now.year, now.month) > (trade_day.year, trade_day.month) and now.hour >= 5

            until(next_month, "the next month's first day", 120)
        assert running.terminate() == 0

    # The documents command issues the day's confirmation and the month's statement.
    args = ["backoffice", "documents", "--data-dir", str(data)]
    assert documents_cli.main([*args, "--date", trade_day.isoformat()]) == 0
    assert documents_cli.main([*args, "--month", month]) == 0
    mine = sorted(p.name for p in (data / "backoffice" / "documents" / account).iterdir())
    assert f"trade_confirmation-{trade_day.isoformat()}.pdf" in mine
    assert any(name.startswith(f"account_statement-{month}") for name in mine)
    assert documents_cli.main([*args, "--month", "2099-01"]) == 2

    with firm(data, tmp_path) as again:
        broker, _ = staff(again, data)
        listed = broker.get_trade_documents_for_account(account, GetTradeDocumentsRequest())
        by_type = {d.type.value: d for d in listed}
        assert {"trade_confirmation", "account_statement"} <= set(by_type)
        contents = {}
        for kind in ("trade_confirmation", "account_statement"):
            target = tmp_path / f"{kind}.pdf"
            broker.download_trade_document_for_account_by_id(account, by_type[kind].id, str(target))
            contents[kind] = target.read_bytes()
        confirm = text_of(contents["trade_confirmation"])
        for fill in fills:
            assert fill["order_id"] in confirm
            assert f"{fill['qty']} AAPL {price_text(fill['price'])}" in confirm, fill
        assert "Buy" in confirm and "Sell" in confirm and "Agent" in confirm
        # The day's net amount is all that moved the deposit to the account's cash.
        assert f"Net amount {cash - 50_000:,.2f}" in confirm
        statement = text_of(contents["account_statement"])
        assert f"Closing cash balance {cash:,.2f}" in statement
        assert "50,000.00" in statement and "AAPL" in statement

        # The customer's own API: the same documents, only its own.
        with httpx.Client(base_url=again.url, headers=headers, timeout=10) as client:
            own = client.get("/v2/account/documents").json()
            assert {d["id"] for d in own} >= {str(d.id) for d in by_type.values()}
            for kind, content in contents.items():
                got = client.get(f"/v2/account/documents/{by_type[kind].id}/download")
                assert got.status_code == 200 and got.content == content
        other = httpx.get(
            f"{again.url}/v2/account/documents/{by_type['account_statement'].id}/download",
            headers=again.headers("DEMO-1"), timeout=10,
        )  # fmt: skip
        assert other.status_code == 404
        assert again.terminate() == 0

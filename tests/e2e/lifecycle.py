"""Steps of a customer's life at a firm run by ``directbroker serve``, through alpaca-py's
``BrokerClient`` and the firm's own ``/v1/firm`` routes: shared by the lifecycle e2e tests."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import httpx

from tests.e2e.running import SESSION_START, RunningFirm, until
from tests.e2e.test_broker_accounts import request  # imports alpaca quietly

from alpaca.broker.client import BrokerClient  # isort: skip
from alpaca.broker.enums import BankAccountType, TransferDirection, TransferTiming  # isort: skip
from alpaca.broker.requests import (  # isort: skip
    CreateACHRelationshipRequest,
    CreateACHTransferRequest,
    GetAccountActivitiesRequest,
)
from alpaca.trading.enums import AccountStatus, ActivityType, QueryOrderStatus  # isort: skip
from alpaca.trading.requests import GetOrdersRequest  # isort: skip

T = TypeVar("T")
DEPOSIT = Decimal("250000.00")
"""Enough for every order the test could send, even if all were acknowledged."""


@dataclass(frozen=True, slots=True)
class Submitted:
    """An order the server acknowledged."""

    order_id: str
    client_order_id: str
    symbol: str


def config_file(root: Path, *, simulate: bool) -> Path:
    """A firm on a simulated clock at speed 1 from just before an open: the market is open for
    the whole test whatever the wall clock says, at the default order-flow rate."""
    path = root / "firm.toml"
    path.write_text(
        f'[market]\nsimulate = {str(simulate).lower()}\n[clock]\nmode = "sim"\nspeed = 1.0\n'
        f'start = "{SESSION_START}"\n'
    )
    return path


def serve(data: Path, config: Path, cwd: Path) -> RunningFirm:
    """``directbroker serve`` on ``data``, any free port, started."""
    args = ["serve", "--data-dir", str(data), "--api-port", "0", "--config", str(config)]
    return RunningFirm(args, cwd).start()


def admin_credential(data: Path) -> tuple[str, str]:
    """The staff key the first start wrote."""
    key_id, secret = (data / "admin.key").read_text().strip().split(":", 1)
    return key_id, secret


def staff_client(firm: RunningFirm, data: Path) -> Any:
    """alpaca-py's Broker API client with the staff key (typed Any: its answers are unions)."""
    key_id, secret = admin_credential(data)
    return BrokerClient(key_id, secret, sandbox=False, url_override=firm.url)


def open_approved_account(firm: RunningFirm, data: Path, broker: Any) -> str:
    """Apply with a disclosure (the firm holds it for review), then approve it as staff."""
    applied = broker.create_account(request(politically_exposed=True))
    assert applied.status is AccountStatus.ACTION_REQUIRED, applied.status
    review = httpx.post(
        f"{firm.url}/v1/firm/accounts/{applied.id}/review",
        json={"decision": "approve", "reason": "disclosure reviewed"},
        auth=admin_credential(data),
        timeout=30,
    )
    assert review.status_code == 200 and review.json()["status"] == "ACTIVE", review.text
    assert broker.get_account_by_id(applied.id).status is AccountStatus.ACTIVE
    return str(applied.id)


def fund(broker: Any, account: str, amount: Decimal) -> None:
    """Link a bank account over ACH and deposit ``amount``; wait until it clears."""
    relationship = broker.create_ach_relationship_for_account(
        account,
        CreateACHRelationshipRequest(
            account_owner_name="Ada Lovelace", bank_account_type=BankAccountType.CHECKING,
            bank_account_number="12345678", bank_routing_number="121000358",
        ),
    )  # fmt: skip
    until(
        lambda: broker.get_ach_relationships_for_account(account)[0].status.value == "APPROVED",
        "the bank link",
    )
    made = broker.create_transfer_for_account(
        account,
        CreateACHTransferRequest(
            amount=str(amount), direction=TransferDirection.INCOMING,
            timing=TransferTiming.IMMEDIATE, relationship_id=relationship.id,
        ),
    )  # fmt: skip

    def cleared() -> bool:
        found = {str(t.id): t for t in broker.get_transfers_for_account(account)}
        return bool(found[str(made.id)].status.value == "COMPLETE")

    until(cleared, "the deposit to clear")
    until(lambda: Decimal(str(broker.get_trade_account_by_id(account).cash)) == amount, "cash")


def issue_customer_key(firm: RunningFirm, data: Path, account: str) -> tuple[str, str]:
    """A Trading API key for the account's owner, issued by operations."""
    issued = httpx.post(
        f"{firm.url}/v1/firm/keys",
        json={"user_id": f"customer:{account}", "roles": ["customer"], "accounts": [account]},
        auth=admin_credential(data),
        timeout=30,
    )
    assert issued.status_code == 201, issued.text
    body = issued.json()
    return str(body["key_id"]), str(body["secret"])


def quotes(
    firm: RunningFirm, key_id: str, secret: str, symbols: Sequence[str]
) -> dict[str, tuple[Decimal, Decimal]]:
    """Each symbol's (bid, ask), once the market quotes them all."""
    headers = {"APCA-API-KEY-ID": key_id, "APCA-API-SECRET-KEY": secret}

    def probe() -> dict[str, tuple[Decimal, Decimal]] | None:
        answer = httpx.get(
            f"{firm.url}/v2/stocks/snapshots", params={"symbols": ",".join(symbols)},
            headers=headers, timeout=10,
        )  # fmt: skip
        if answer.status_code != 200:
            return None
        found = {}
        for symbol in symbols:
            quote = (answer.json().get(symbol) or {}).get("latestQuote") or {}
            bid, ask = Decimal(str(quote.get("bp") or 0)), Decimal(str(quote.get("ap") or 0))
            if not 0 < bid <= ask:
                return None
            found[symbol] = (bid, ask)
        return found

    return until(probe, "the market to quote", 120)


def account_orders(broker: Any, account: str) -> list[Any]:
    """Every order of the account, whatever its state."""
    return list(
        broker.get_orders_for_account(
            account, GetOrdersRequest(status=QueryOrderStatus.ALL, limit=500)
        )
    )


def fills_of(broker: Any, account: str) -> list[tuple[str, str, Decimal, Decimal]]:
    """The account's fills as (order id, symbol, quantity, price), exact."""
    request_ = GetAccountActivitiesRequest(
        account_id=uuid.UUID(account), activity_types=[ActivityType.FILL]
    )  # type: ignore[no-untyped-call]
    found = broker.get_account_activities(request_)
    return [(str(a.order_id), a.symbol, Decimal(str(a.qty)), Decimal(str(a.price))) for a in found]

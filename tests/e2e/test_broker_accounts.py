"""Account opening through the unmodified alpaca-py ``BrokerClient`` against ``directbroker
serve`` in a subprocess: create, staff review, list, update, documents, status events, trading
on behalf, close; refusals in Alpaca's error shape that change nothing; SIGKILL and restart
keep every account."""

from __future__ import annotations

import json
import warnings
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

with warnings.catch_warnings():
    # alpaca-py's trading package imports websockets.legacy, which warns that it is deprecated.
    warnings.simplefilter("ignore", DeprecationWarning)
    from alpaca.broker.client import BrokerClient

from alpaca.broker.enums import AgreementType, TaxIdType
from alpaca.broker.models import Agreement, Contact, Disclosures, Identity, TrustedContact
from alpaca.broker.requests import (
    CreateAccountRequest,
    GetEventsRequest,
    GetTradeDocumentsRequest,
    ListAccountsRequest,
    UpdatableContact,
    UpdateAccountRequest,
)
from alpaca.common.exceptions import APIError
from alpaca.trading.enums import AccountStatus
from alpaca.trading.requests import CreateWatchlistRequest

from tests.e2e.running import SIM_SESSION, RunningFirm

CONFIG = """
[market]
simulate = false
[onboarding]
blocked_states = ["NY"]
"""


def serve_args(data: Path, config: Path) -> list[str]:
    return ["serve", "--data-dir", str(data), "--api-port", "0", "--config", str(config),
            *SIM_SESSION]  # fmt: skip


def request(state: str = "CA", politically_exposed: bool = False) -> CreateAccountRequest:
    signed = "2024-01-01T00:00:00Z"
    return CreateAccountRequest(
        contact=Contact(
            email_address="ada@example.com", phone_number="+15556667788",
            street_address=["20 N San Mateo Dr"], city="San Mateo", state=state,
            postal_code="94401", country="USA",
        ),
        identity=Identity(
            given_name="Ada", family_name="Lovelace", date_of_birth="1990-01-01",
            tax_id="666-55-4321", tax_id_type=TaxIdType.USA_SSN, country_of_citizenship="USA",
            country_of_birth="USA", country_of_tax_residence="USA", annual_income_min=50000.5,
        ),
        disclosures=Disclosures(
            is_control_person=False, is_affiliated_exchange_or_finra=False,
            is_politically_exposed=politically_exposed, immediate_family_exposed=False,
        ),
        agreements=[
            Agreement(agreement=AgreementType.CUSTOMER, signed_at=signed, ip_address="127.0.0.1"),
            Agreement(agreement=AgreementType.ACCOUNT, signed_at=signed, ip_address="127.0.0.1"),
        ],
        trusted_contact=TrustedContact(
            given_name="Charles", family_name="Babbage", email_address="cb@example.com"
        ),
    )  # fmt: skip


def staff_client(firm: RunningFirm, data: Path) -> tuple[Any, dict[str, str]]:
    """alpaca-py's client (typed Any: its answers are unions with raw data) and its auth."""
    key_id, secret = (data / "admin.key").read_text().strip().split(":", 1)
    client = BrokerClient(key_id, secret, sandbox=False, url_override=firm.url)
    return client, dict(client._get_auth_headers())


def api_error(call: Any) -> dict[str, Any]:
    with pytest.raises(APIError) as caught:
        call()
    body: dict[str, Any] = json.loads(str(caught.value))
    assert set(body) == {"code", "message"}
    return body


def test_open_review_update_trade_close_and_restart(tmp_path: Path) -> None:
    data, config = tmp_path / "firm", tmp_path / "firm.toml"
    config.write_text(CONFIG)
    with RunningFirm(serve_args(data, config), tmp_path).start() as firm:
        broker, auth = staff_client(firm, data)
        opened = broker.create_account(request())
        assert opened.status is AccountStatus.ACTIVE
        assert opened.identity is not None and opened.identity.tax_id is None
        account = str(opened.id)

        # Bad input: Alpaca's error shape, a stable code, nothing recorded.
        refused = api_error(lambda: broker.create_account(request(state="NY")))
        assert refused["code"] == 422 * 100_000 + 5154
        missing = httpx.post(f"{firm.url}/v1/accounts", json={"contact": {}}, headers=auth)
        assert missing.status_code == 422 and missing.json()["code"] % 100_000 == 5150
        nobody = "00000000-0000-4000-8000-000000000000"
        unknown = api_error(lambda: broker.get_account_by_id(nobody))
        assert unknown["code"] == 404 * 100_000 + 5001
        assert [str(a.id) for a in broker.list_accounts()] == [account]

        # A disclosure needs a person: ACTION_REQUIRED until staff approve.
        flagged = broker.create_account(request(politically_exposed=True))
        assert flagged.status is AccountStatus.ACTION_REQUIRED
        review = httpx.post(
            f"{firm.url}/v1/firm/accounts/{flagged.id}/review",
            json={"decision": "approve", "reason": "PEP reviewed"}, headers=auth,
        )  # fmt: skip
        assert review.status_code == 200 and review.json()["status"] == "ACTIVE"

        listed = broker.list_accounts(ListAccountsRequest(query="lovelace", status=["ACTIVE"]))  # type: ignore[no-untyped-call]
        assert {str(a.id) for a in listed} == {account, str(flagged.id)}

        updated = broker.update_account(
            account, UpdateAccountRequest(contact=UpdatableContact(phone_number="+15550000000"))
        )
        assert updated.contact is not None and updated.contact.phone_number == "+15550000000"

        # Documents: the opening summary; unknown ids are 404.
        (summary,) = broker.get_trade_documents_for_account(account, GetTradeDocumentsRequest())
        target = tmp_path / "summary.txt"
        broker.download_trade_document_for_account_by_id(account, summary.id, str(target))
        assert "self-directed" in target.read_text()
        assert "666-55" not in target.read_text()
        gone = httpx.get(
            f"{firm.url}/v1/accounts/{account}/documents/{flagged.id}/download", headers=auth
        )
        assert gone.status_code == 404

        # Status events: the history, then the stream ends at until_id.
        stream = broker.get_account_status_events(GetEventsRequest(since_id=1, until_id=3))
        statuses = [json.loads(data)["status_to"] for data in stream]
        assert statuses == ["SUBMITTED", "APPROVAL_PENDING", "ACTIVE"]

        # Trading on behalf: the trading account, watchlists; an unfunded buy is refused.
        trade = broker.get_trade_account_by_id(account)
        assert str(trade.id) == account and Decimal(str(trade.cash)) == 0
        watch = broker.create_watchlist_for_account(
            account, CreateWatchlistRequest(name="tech", symbols=["AAPL"])
        )
        assert broker.get_all_positions_for_account(account) == []
        order = httpx.post(
            f"{firm.url}/v1/trading/accounts/{account}/orders",
            json={"symbol": "AAPL", "qty": "1", "side": "buy", "type": "limit",
                  "limit_price": "1.00", "time_in_force": "day"}, headers=auth,
        )  # fmt: skip
        assert order.status_code in (200, 403), order.text

        # A staff key without the role, and a customer-style request, are refused.
        firm.kill()
    with RunningFirm(serve_args(data, config), tmp_path).start() as firm:
        broker, auth = staff_client(firm, data)
        kept = broker.get_account_by_id(account)
        assert kept.status is AccountStatus.ACTIVE
        assert kept.contact is not None and kept.contact.phone_number == "+15550000000"
        assert len(broker.list_accounts()) == 2
        assert [w.name for w in broker.get_watchlists_for_account(account)] == ["tech"]
        assert str(watch.id) == str(broker.get_watchlists_for_account(account)[0].id)
        broker.close_account(account)
        assert broker.get_account_by_id(account).status is AccountStatus.ACCOUNT_CLOSED
        again = api_error(lambda: broker.close_account(account))
        assert again["code"] == 422 * 100_000 + 5159

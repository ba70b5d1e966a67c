"""The Broker API's OpenAPI document tells the truth: schemathesis generates requests for every
``/v1`` operation from it (valid and invalid ones), sends them over HTTP to the real firm with a
staff key holding every role, and checks every answer with its default checks: no server error,
every status and header documented, bodies matching their schemas, invalid data refused and valid
data accepted.

The firm is the real in-process platform (``open_firm`` on a temporary directory, its own
uvicorn server, no simulated order flow), with one onboarded account, a bank relationship and a
deposit seeded so that drawn path ids can name something that exists. A finding is a bug in the
app (or in what it documents), never a reason to weaken a check.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import time
import warnings
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from directbroker.adapters.http.broker import basic_auth_header
from directbroker.app.config import ClockSection, FirmConfig, MarketSection
from directbroker.app.firm import Firm, open_firm

pytestmark = pytest.mark.timeout(600)


def _stop_quietly(firm: Firm) -> None:
    """Stop the firm at exit if the module's fixture never ran (collection only, or a
    failure while seeding); late in shutdown its storage threads may already be gone."""
    with contextlib.suppress(RuntimeError):
        firm.stop()


def _open() -> Firm:
    root = Path(tempfile.mkdtemp(prefix="broker-schema-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    config = FirmConfig()
    config = replace(
        config,
        api=replace(config.api, port=0, rate_per_second=100_000.0, burst=100_000),
        market=MarketSection(simulate=False),
        clock=ClockSection(mode="sim", speed=1.0),
    )
    firm = open_firm(root / "firm", config)
    firm.start()
    atexit.register(_stop_quietly, firm)
    return firm


# Built at import: schemathesis parametrises the test from the app's schema at collection.
FIRM = _open()
assert FIRM.server is not None
URL = FIRM.server.url
KEY_ID, SECRET = (FIRM.data.admin_key).read_text().strip().split(":", 1)
AUTH = basic_auth_header(KEY_ID, SECRET)
schema = schemathesis.openapi.from_url(f"{URL}/openapi.json").include(path_regex="^/v1/")


def _seed() -> dict[str, str]:
    """An onboarded account with a bank relationship, a deposit, an order and a watchlist, a
    second account for journals, and a spare account that a close may close: the ids a valid
    case's path takes (a drawn id names nothing, so it would only ever test a 404)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from tests.e2e.test_broker_accounts import request

    with httpx.Client(base_url=URL, headers=AUTH, timeout=30.0) as http:

        def made(method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
            answer = http.request(method, path, json=body)
            assert answer.status_code < 300, (path, answer.status_code, answer.text)
            result: dict[str, Any] = answer.json()
            return result

        application = json.loads(request().model_dump_json(exclude_none=True))
        account = made("POST", "/v1/accounts", application)["id"]
        other = made("POST", "/v1/accounts", application)["id"]
        spare = made("POST", "/v1/accounts", application)["id"]
        bank = {
            "account_owner_name": "Ada Lovelace", "bank_account_type": "CHECKING",
            "bank_account_number": "12345678", "bank_routing_number": "121000358",
        }  # fmt: skip
        relationship = made("POST", f"/v1/accounts/{account}/ach_relationships", bank)["id"]
        for _ in range(300):  # the simulated bank approves it shortly
            listed = http.get(f"/v1/accounts/{account}/ach_relationships").json()
            if listed[0]["status"] == "APPROVED":
                break
            time.sleep(0.1)
        transfer = made("POST", f"/v1/accounts/{account}/transfers", {
            "transfer_type": "ach", "relationship_id": relationship, "amount": "5000",
            "direction": "INCOMING", "timing": "immediate",
        })["id"]  # fmt: skip
        for _ in range(300):  # and clears the deposit
            if http.get(f"/v1/accounts/{account}/transfers").json()[0]["status"] == "COMPLETE":
                break
            time.sleep(0.1)
        journal = made("POST", "/v1/journals", {
            "from_account": account, "to_account": other, "entry_type": "JNLC", "amount": "1",
        })["id"]  # fmt: skip
        trading = f"/v1/trading/accounts/{account}"
        order = made("POST", f"{trading}/orders", {
            "symbol": "AAPL", "qty": "1", "side": "buy", "type": "limit",
            "time_in_force": "gtc", "limit_price": "1.00",
        })["id"]  # fmt: skip
        watchlist = made("POST", f"{trading}/watchlists", {"name": "seeded", "symbols": []})["id"]
        documents = http.get(f"/v1/accounts/{account}/documents").json()
    return {
        "account_id": account, "account": account, "other": other, "spare": spare,
        "relationship_id": relationship, "transfer_id": transfer, "journal_id": journal,
        "order_id": order, "watchlist_id": watchlist, "document_id": documents[0]["id"],
        "symbol_or_asset_id": "AAPL", "key_id": KEY_ID,
    }  # fmt: skip


SEEDED = _seed()
SPARED = ("/actions/close", "/review")
"""Operations that would end the seeded account's life: they get the spare account."""
KEEP = ("key_id",)
"""Path ids never substituted: revoking the key the test runs with would end the run."""


def respect_dependencies(case: Any) -> None:
    """Give a schema-valid case's path the seeded ids (a drawn id names nothing); the close
    and the review get the spare account. Invalid cases are sent as drawn."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or not case.path_parameters:
        return
    for name in case.path_parameters:
        if name in SEEDED and name not in KEEP:
            case.path_parameters[name] = SEEDED[name]
    if case.operation.path.endswith(SPARED):
        for name in ("account_id", "account"):
            if name in case.path_parameters:
                case.path_parameters[name] = SEEDED["spare"]


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_every_broker_operation_answers_as_documented(case: Any) -> None:
    respect_dependencies(case)
    case.call_and_validate(headers=AUTH)


@pytest.fixture(scope="module", autouse=True)
def _stop_firm() -> Iterator[None]:
    yield
    FIRM.stop()

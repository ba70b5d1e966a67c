"""Issued documents on disk: filed by account, kind and date, written whole, and loaded back
into the store at start-up under the same ids with the same bytes; the customer's own
documents routes list and download only the account the key acts on."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from directbroker.adapters.http import RateLimit, create_app
from directbroker.adapters.http.document_routes import customer_documents_router
from directbroker.app.config import FirmConfig
from directbroker.app.document_files import (
    PDF,
    document_path,
    firm_details,
    issue_documents,
    load_documents,
    write_documents,
)
from directbroker.app.documents import DocumentStore
from directbroker.backoffice.customer_documents import (
    ACCOUNT_STATEMENT,
    TRADE_CONFIRMATION,
    IssuedDocument,
)
from directbroker.testing.fake_platform import fake_platform

DOCS = [
    IssuedDocument("A1", TRADE_CONFIRMATION, 20261201, "Trade confirmation 2026-12-01", b"%PDF-1"),
    IssuedDocument("A1", ACCOUNT_STATEMENT, 20261231, "Account statement 2026-12", b"%PDF-2"),
    IssuedDocument("B1", TRADE_CONFIRMATION, 20261201, "Trade confirmation 2026-12-01", b"%PDF-3"),
]


def test_written_files_load_back_as_the_same_documents(tmp_path: Path) -> None:
    paths = write_documents(tmp_path, DOCS)
    assert [p.relative_to(tmp_path).as_posix() for p in paths] == [
        "backoffice/documents/A1/trade_confirmation-2026-12-01.pdf",
        "backoffice/documents/A1/account_statement-2026-12-31.pdf",
        "backoffice/documents/B1/trade_confirmation-2026-12-01.pdf",
    ]
    (paths[0].parent / ".trade_confirmation-2026-12-02.pdf.tmp").write_bytes(b"partial")
    issued, loaded = DocumentStore(), DocumentStore()
    issue_documents(issued, DOCS)
    assert load_documents(tmp_path, loaded) == 3
    for account in ("A1", "B1"):
        views = loaded.find(account, None, None, None)
        assert views == issued.find(account, None, None, None)
        for view in views:
            assert loaded.get(account, view.document_id) == issued.get(account, view.document_id)
    (statement,) = loaded.find("A1", None, None, ACCOUNT_STATEMENT)
    assert (statement.name, statement.date, statement.mime_type) == (
        "Account statement 2026-12", "2026-12-31", PDF,
    )  # fmt: skip
    # Issuing again replaces the file, and the store keeps one document.
    write_documents(tmp_path, [DOCS[0]])
    assert load_documents(tmp_path, loaded) == 3
    assert len(loaded.find("A1", None, None, None)) == 2


def test_an_unsafe_account_name_is_refused(tmp_path: Path) -> None:
    bad = IssuedDocument("../x", TRADE_CONFIRMATION, 20261201, "x", b"")
    with pytest.raises(ValueError, match="account"):
        document_path(tmp_path, bad)
    assert load_documents(tmp_path / "nothing", DocumentStore()) == 0


def test_the_firm_details_come_from_the_configuration() -> None:
    config = FirmConfig()
    details = firm_details(config)
    assert details.name == config.firm.name
    assert details.clearing_firm == config.backoffice.clearing_firm


def get(path: str, who: str, store: DocumentStore) -> httpx.Response:
    fake = fake_platform()
    app = create_app(fake.ports(), rate_limit=RateLimit(rate_per_second=10_000, burst=10_000))
    app.include_router(customer_documents_router(app.state.context, store))
    key, secret = fake.keys.get(who, ("DBNOSUCHKEY", "x"))

    async def run() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            headers = {"APCA-API-KEY-ID": key, "APCA-API-SECRET-KEY": secret}
            return await client.get(path, headers=headers)

    try:
        return asyncio.run(run())
    finally:
        fake.close()


def test_a_customer_lists_and_downloads_only_its_own_documents() -> None:
    store = DocumentStore()
    issue_documents(store, DOCS)
    listed = get("/v2/account/documents", "alice", store)
    assert listed.status_code == 200
    assert [(d["type"], d["date"]) for d in listed.json()] == [
        (TRADE_CONFIRMATION, "2026-12-01"), (ACCOUNT_STATEMENT, "2026-12-31"),
    ]  # fmt: skip
    assert set(listed.json()[0]) == {"id", "name", "type", "sub_type", "date"}
    only = get("/v2/account/documents?type=account_statement&start=2026-12-02", "alice", store)
    assert [d["type"] for d in only.json()] == [ACCOUNT_STATEMENT]
    mine = listed.json()[1]["id"]
    download = get(f"/v2/account/documents/{mine}/download", "alice", store)
    assert download.status_code == 200 and download.content == b"%PDF-2"
    assert download.headers["content-type"] == PDF
    assert "account_statement-2026-12-31.pdf" in download.headers["content-disposition"]
    bobs = get("/v2/account/documents", "bob", store).json()
    assert [d["id"] for d in bobs] != [] and mine not in [d["id"] for d in bobs]
    theirs = get(f"/v2/account/documents/{bobs[0]['id']}/download", "alice", store)
    assert theirs.status_code == 404 and theirs.json()["code"] % 100_000 == 5001


def test_bad_dates_are_refused() -> None:
    store = DocumentStore()
    assert get("/v2/account/documents?start=2026-13-01", "alice", store).status_code == 422
    late = get("/v2/account/documents?start=2026-12-02&end=2026-12-01", "alice", store)
    assert late.status_code == 422 and "start" in late.json()["message"]
    assert get("/v2/account/documents", "nobody", store).status_code == 401
